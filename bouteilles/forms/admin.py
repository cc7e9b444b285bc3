"""The coordination's forms: member organisations, users, container types, territories."""

from __future__ import annotations

import re

from ..models import ContainerType, Organisation, Territory, User
from ..services.members.accounts import EMAIL, SLUG
from ..services.members.management import MAX_DEPOSIT_CENTS, MAX_MASS_G, MAX_VOLUME_ML
from ..services.territories import CODE as TERRITORY_CODE
from ..vocabulary import FAMILIES, FAMILY_LABELS, KIND_LABELS, ORG_KINDS
from .base import NOTE_LENGTH, Form, Text, _l, column_length
from .checks import Between, Matches, MaxLength, Required
from .fields import (
    ChoiceField,
    DecimalNumberField,
    LongTextField,
    SlugField,
    TextField,
    TickField,
    WholeNumberField,
)

NAME_LENGTH = column_length(Organisation.name)
GLN = re.compile(r"\d{13}\Z")


def slug_field(label: Text, column) -> SlugField:
    """The code of something new: `resto-la-marmite`."""
    return SlugField(label, [Required(), MaxLength(column_length(column)), Matches(
        SLUG, _l("Code invalide : minuscules, chiffres et tirets, de 3 à 64 caractères."))],
        render_kw={"autocapitalize": "none", "autocomplete": "off"})


class OrgForm(Form):
    name = TextField(_l("Nom"), [Required(), MaxLength(NAME_LENGTH)])
    address = LongTextField(_l("Adresse"), [MaxLength(NOTE_LENGTH)], render_kw={"rows": 2})
    opening_hours = LongTextField(_l("Horaires d'ouverture"), [MaxLength(NOTE_LENGTH)],
                                  render_kw={"rows": 2})
    gln = TextField(_l("GLN (GS1, 13 chiffres, facultatif)"), [MaxLength(13), Matches(
        GLN, _l("Un GLN a 13 chiffres."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    # Where it is, in WGS 84 degrees (both or neither: services/geography/coordinates.py);
    # typed, set on the map, or found from the address.
    latitude = DecimalNumberField(_l("Latitude (degrés)"), [Between(-90, 90)],
                                  description=_l("Par exemple 46,6747 (nord positif)."),
                                  render_kw={"autocomplete": "off"})
    longitude = DecimalNumberField(_l("Longitude (degrés)"), [Between(-180, 180)],
                                   description=_l("Par exemple 5,5547 (est positif)."),
                                   render_kw={"autocomplete": "off"})
    # The national administration's only (the page sets the choices); a territory's
    # coordination puts its new members in its territory.
    territory = ChoiceField(_l("Territoire"))

    def with_territories(self, territories) -> OrgForm:
        """The territory select's choices: none, or one of `territories`."""
        self.territory.choices = [("", _l("Aucun (réseau national)")),
                                  *((t.code, t.name) for t in territories)]
        return self


class NewOrgForm(OrgForm):
    code = slug_field(_l("Code (minuscules, chiffres, tirets)"), Organisation.code)
    kind = ChoiceField(_l("Type"), [Required()],
                       choices=[(kind, Text(KIND_LABELS[kind])) for kind in ORG_KINDS])


class ActiveForm(Form):
    """The button that disables (0) or enables (1) an organisation or a user."""

    active = ChoiceField(choices=[("0", "0"), ("1", "1")], validators=[Required()])


class UserForm(Form):
    email = TextField(_l("E-mail"), [Required(), MaxLength(column_length(User.email)),
                                     Matches(EMAIL, _l("Adresse e-mail invalide."))])
    name = TextField(_l("Nom"), [MaxLength(column_length(User.name))])
    org = ChoiceField(_l("Organisation"), [Required(_l("Choisissez l'organisation."))])
    admin = TickField(_l("Administrateur (coordination seulement)"))


class TypeForm(Form):
    name = TextField(_l("Nom"), [Required(), MaxLength(column_length(ContainerType.name))])
    family = ChoiceField(_l("Famille"), [Required()],
                         choices=[(family, Text(FAMILY_LABELS[family])) for family in FAMILIES])
    mass_g = WholeNumberField(_l("Masse (g)"), [Required(), Between(1, MAX_MASS_G)])
    volume_ml = WholeNumberField(_l("Volume (ml)"), [Between(1, MAX_VOLUME_ML)])
    deposit_cents = DecimalNumberField(_l("Consigne (€)"),
                                       [Required(), Between(0, MAX_DEPOSIT_CENTS // 100)])
    active = TickField(_l("Actif"))
    # Its bottle model (services/bottle_models.py); the page sets the choices.
    model = ChoiceField(_l("Modèle de bouteille"))

    @classmethod
    def of(cls, ctype: ContainerType) -> TypeForm:
        """The form showing a type as it is."""
        return cls.blank(name=ctype.name, family=ctype.family, mass_g=ctype.mass_g,
                         volume_ml=ctype.volume_ml, active=ctype.active,
                         deposit_cents=f"{ctype.deposit_cents / 100:.2f}",
                         model=ctype.model.code if ctype.model else "")

    def with_models(self, models) -> TypeForm:
        """The model select's choices: none, or one of `models`."""
        self.model.choices = [("", _l("Aucun (boîtes)")), *((m.code, m.name) for m in models)]
        return self

    def values(self) -> dict:
        """The type's fields as the service takes them (the deposit in cents)."""
        return {"name": self.name.data, "family": self.family.data,
                "mass_g": self.mass_g.data, "volume_ml": self.volume_ml.data,
                "deposit_cents": round(self.deposit_cents.data * 100),
                "active": self.active.data}


class NewTypeForm(TypeForm):
    code = slug_field(_l("Code (minuscules, chiffres, tirets)"), ContainerType.code)


class TerritoryForm(Form):
    code = SlugField(_l("Code (minuscules, chiffres, tirets)"), [
        Required(), MaxLength(column_length(Territory.code)),
        Matches(TERRITORY_CODE, _l("Code invalide : minuscules, chiffres et tirets, "
                                   "32 caractères au plus."))],
        render_kw={"autocapitalize": "none", "autocomplete": "off"})
    name = TextField(_l("Nom"), [Required(), MaxLength(column_length(Territory.name))])


class TerritoryDepositForm(Form):
    """A territory's own deposit for a type; empty: the type's."""

    deposit = DecimalNumberField(_l("Consigne (€)"),
                                 [Between(0, MAX_DEPOSIT_CENTS // 100)])

    def cents(self) -> int | None:
        return None if self.deposit.data is None else round(self.deposit.data * 100)
