"""The `bou:` vocabulary of the EPCIS export: the terms CBV lacks, with their meaning.

Served as a page at `{base}/voc/` (each term `{base}/voc/<term>` leads to its
entry). French first; the English is the catalogue's.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# term → (kind of term, meaning)
TERMS = {
    "washing": (_l("étape (bizStep)"),
                _l("Lavage et contrôle sur la ligne d'un site de lavage ; un lot clôturé est "
                   "une transformation : les propres en sortent, les rebuts y restent.")),
    "filling": (_l("étape (bizStep)"),
                _l("Remplissage de bouteilles propres par un vigneron.")),
    "declaring_lost": (_l("étape (bizStep)"),
                       _l("La coordination déclare perdu un objet prêté jamais rendu.")),
    "declaring_found": (_l("étape (bizStep)"),
                        _l("Un objet déclaré perdu est retrouvé.")),
    "relabelling": (_l("étape (bizStep)"),
                    _l("Une étiquette abîmée est remplacée : l'objet garde son histoire ; "
                       "bou:replaces nomme l'ancienne étiquette.")),
    "transferring": (_l("étape (bizStep)"),
                     _l("La propriété d'un objet change (la coopérative vend au membre, un "
                        "territoire cède à un autre) ; l'objet reste où il est : les "
                        "owning_party avant et après sont la source et la destination.")),
    "in_use": (_l("disposition"),
               _l("Chez un client (prêté contre consigne) ou rempli chez un vigneron.")),
    "lost": (_l("disposition"), _l("Déclaré perdu.")),
    "type": (_l("propriété"), _l("Le type de contenant (code), décrit à /class/<type>.")),
    "batch": (_l("propriété"), _l("Le code du lot de lavage.")),
    "reason": (_l("propriété"),
               _l("Le motif d'un rebut : broken (cassé), chipped (ébréché), wrong_model "
                  "(mauvais modèle), residue (résidus), other (autre), label (étiquette ou "
                  "colle restée).")),
    "anomaly": (_l("propriété"),
                _l("Une étape sautée mais plausible, acceptée et signalée à la coordination "
                   "(par exemple skipped_lend : rendu sans prêt enregistré).")),
    "rejected": (_l("propriété"), _l("Les rebuts d'un lot, comptés par motif.")),
    "replaces": (_l("propriété"), _l("L'étiquette qu'une nouvelle étiquette remplace.")),
    "note": (_l("propriété"), _l("Pourquoi une erreur est déclarée, dans les mots du membre.")),
    "undo": (_l("propriété"),
             _l("L'annulation enregistrée qui déclare un événement comme n'ayant pas eu "
                "lieu.")),
}
