"""JSON API v1: washing batches (so a washing line's own software can log them)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..auth import api_actor
from ..db.database import get_session
from ..services import access
from ..services.errors import Forbidden, ValidationError
from ..services.payload import optional_decimal, optional_int, optional_str, required_str
from ..services.washing.batches import (
    add_inputs,
    close_batch,
    describe_batch,
    get_batch,
    open_batch,
)
from .api import json_body

bp = Blueprint("api_batches", __name__, url_prefix="/api/v1/batches")


def _load(batch_id: int):
    actor = api_actor()
    batch = get_batch(get_session(), batch_id, for_update=True)
    if not access.may(actor, "oversee_network") and batch.site_id != actor.org_id:
        raise Forbidden("Ce lot appartient à un autre site de lavage.")
    return actor, batch


@bp.post("")
def post_batch():
    """Open a batch for one container type at a washing site."""
    actor = api_actor()
    data = json_body()
    session = get_session()
    batch = open_batch(session, actor=actor, type_code=required_str(data, "type", max_length=64),
                       site_code=optional_str(data, "site", max_length=64))
    session.commit()
    return jsonify(describe_batch(batch)), 201


@bp.get("/<int:batch_id>")
def show_batch(batch_id: int):
    """One batch."""
    _actor, batch = _load(batch_id)
    return jsonify(describe_batch(batch))


@bp.post("/<int:batch_id>/inputs")
def post_inputs(batch_id: int):
    """Add scanned codes and/or a counted quantity to an open batch."""
    actor, batch = _load(batch_id)
    data = json_body()
    codes = data.get("codes") or []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes) \
            or len(codes) > 20_000:
        raise ValidationError("« codes » doit être une liste de codes (20 000 au plus).")
    count = optional_int(data.get("count"), field="count", maximum=1_000_000)
    if not codes and not count:
        raise ValidationError("Donnez des « codes » et/ou un « count ».")
    session = get_session()
    add_inputs(session, batch, actor=actor, codes=codes, count=count)
    session.commit()
    return jsonify(describe_batch(batch))


@bp.post("/<int:batch_id>/close")
def post_close(batch_id: int):
    """Close a batch with clean and rejected counts; computes its impact."""
    actor, batch = _load(batch_id)
    data = json_body()
    clean = optional_int(data.get("clean"), field="clean", maximum=10_000_000)
    if clean is None:
        raise ValidationError("Le champ « clean » est obligatoire.")
    rejected = data.get("rejected") or {}
    if isinstance(rejected, int) and not isinstance(rejected, bool):
        rejected = {"other": rejected}
    if not isinstance(rejected, dict):
        raise ValidationError("« rejected » : un objet {motif: nombre}.")
    rejected = {str(k): optional_int(v, field=f"rejected.{k}", maximum=10_000_000) or 0
                for k, v in rejected.items()}
    transport = data.get("transport") or []
    if not isinstance(transport, list) or not all(isinstance(t, dict) for t in transport):
        raise ValidationError("« transport » : une liste de trajets {km, mode}.")
    electricity = data.get("electricity_kwh", data.get("energy_kwh"))
    session = get_session()
    close_batch(
        session, batch, actor=actor, clean=clean, rejected=rejected,
        water_l=optional_decimal(data.get("water_l"), field="water_l"),
        electricity_kwh=optional_decimal(electricity, field="electricity_kwh"),
        gas_kwh=optional_decimal(data.get("gas_kwh"), field="gas_kwh"),
        transport=transport,
    )
    session.commit()
    return jsonify(describe_batch(batch))
