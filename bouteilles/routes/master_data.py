"""What the EPCIS export's URIs name, served where they point: places and parties
(`/org/<code>`, GS1 Digital Links `/414/<GLN>` and `/417/<GLN>`), container types
(`/class/<type>`), logged events (`/events/<id>`), washing batches (`/batches/<code>`,
and their statements `/events/batch-<code>…`) and the `bou:` vocabulary (`/voc/`).

Places and types are public master data (JSON-LD, GS1 Web Vocabulary); an event is
shown to the members who may read the history of the thing it moved
(services/items/lookup.can_see_history).
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..db.database import get_session
from ..models import Batch, Container, ContainerType, Crate, Event, Organisation
from ..services.errors import Forbidden
from ..services.exports.epcis_document import build_epcis_document
from ..services.exports.epcis_month import export_names, logged_event_dicts
from ..services.exports.epcis_names import AI_GLN, AI_PGLN
from ..services.exports.epcis_vocabulary import TERMS
from ..services.items.lookup import can_see_history
from ..vocabulary import FAMILY_LABELS

bp = Blueprint("master_data", __name__)
GS1_VOC = {"gs1": "https://gs1.org/voc/", "schema": "https://schema.org/"}
JSON_LD = "application/ld+json"
STATEMENT = re.compile(r"batch-(?P<code>.+?)(?:-correction-\d+)?")


def _json_ld(body: dict):
    response = jsonify(body)
    response.mimetype = JSON_LD
    return response


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


@bp.get("/org/<code>")
def organisation(code: str):
    """A member organisation as a place and a party: name, address, GLN."""
    org = get_session().scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        abort(404)
    body = {"@context": GS1_VOC, "@id": f"{_base()}/org/{org.code}",
            "@type": ["gs1:Place", "gs1:Organization"],
            "gs1:organizationName": org.name, "gs1:physicalLocationName": org.name,
            "schema:identifier": org.code}
    if org.address:
        body["gs1:address"] = {"@type": "gs1:PostalAddress", "gs1:streetAddress": org.address}
    if org.gln:
        body["gs1:globalLocationNumber"] = org.gln
        body["schema:sameAs"] = [f"{_base()}/{AI_GLN}/{org.gln}",
                                 f"{_base()}/{AI_PGLN}/{org.gln}"]
    return _json_ld(body)


@bp.get(f"/{AI_GLN}/<gln>")
@bp.get(f"/{AI_PGLN}/<gln>")
def by_gln(gln: str):
    """A GS1 Digital Link of a GLN (a place, 414, or a party, 417): the organisation."""
    code = get_session().scalar(select(Organisation.code).where(Organisation.gln == gln))
    if code is None:
        abort(404)
    return redirect(url_for("master_data.organisation", code=code), 303)


@bp.get("/class/<type_code>")
def container_class(type_code: str):
    """A container type, the class of counted objects: name, material, volume, mass."""
    ctype = get_session().scalar(select(ContainerType).where(ContainerType.code == type_code))
    if ctype is None:
        abort(404)
    body = {"@context": GS1_VOC, "@id": f"{_base()}/class/{ctype.code}",
            "@type": "gs1:Product", "gs1:productName": ctype.name,
            "schema:identifier": ctype.code,
            "gs1:productDescription": str(FAMILY_LABELS.get(ctype.family, ctype.family)),
            "schema:material": "glass",
            "gs1:netWeight": {"@type": "gs1:QuantitativeValue", "gs1:value": ctype.mass_g,
                              "gs1:unitCode": "GRM"}}
    if ctype.volume_ml:
        body["gs1:netContent"] = {"@type": "gs1:QuantitativeValue",
                                  "gs1:value": ctype.volume_ml, "gs1:unitCode": "MLT"}
    return _json_ld(body)


@bp.get("/events/<int:event_id>")
@login_required
def logged_event(event_id: int):
    """A logged event as an EPCIS 2.0 document, for the members who may read the thing's
    history; 404 when there is no such event, 403 for the others."""
    session = get_session()
    event = session.get(Event, event_id)
    events = logged_event_dicts(session, event_id) if event is not None else []
    if not events:
        abort(404)
    item = (session.get(Container, event.container_id) if event.container_id
            else session.get(Crate, event.crate_id))
    if item is None or not can_see_history(session, item, current_user.org):
        raise Forbidden(_l("Cet événement concerne un objet dont vous ne voyez pas "
                           "l'histoire."))
    return _json_ld(build_epcis_document(events, base_url=_base(),
                                         names=export_names(session, current_app.config)))


@bp.get("/batches/<batch_code>")
@login_required
def batch(batch_code: str):
    """A washing batch (an export's transformationID): its page."""
    batch_id = get_session().scalar(select(Batch.id).where(Batch.code == batch_code))
    if batch_id is None:
        abort(404)
    return redirect(url_for("washing.batch_page", batch_id=batch_id), 303)


@bp.get("/events/<statement>")
@login_required
def batch_statement(statement: str):
    """A batch's close or correction as an export names it (`batch-<code>`,
    `batch-<code>-correction-<id>`): the batch."""
    found = STATEMENT.fullmatch(statement)
    if found is None:
        abort(404)
    return batch(found["code"])


@bp.get("/voc/")
def vocabulary():
    """The `bou:` vocabulary: each term and its meaning."""
    return render_template("master_data/vocabulary.html", terms=TERMS, base=_base())


@bp.get("/voc/<term>")
def vocabulary_term(term: str):
    """One term: its entry on the vocabulary page."""
    if term not in TERMS:
        abort(404)
    return redirect(url_for("master_data.vocabulary", _anchor=term), 303)
