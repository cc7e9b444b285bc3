"""JSON API v1: washing batches (so a washing line's own software can log them)."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, current_app, jsonify
from flask_babel import lazy_gettext as _l

from ..auth import api_actor
from ..db.database import get_session
from ..models import User
from ..schemas.batches import (
    Batch,
    BatchClose,
    BatchCorrected,
    BatchCorrection,
    BatchInputs,
    NewBatch,
)
from ..services.errors import Forbidden
from ..services.territories import oversees
from ..services.washing.batches import (
    add_inputs,
    close_batch,
    describe_batch,
    get_batch,
    open_batch,
)
from ..services.washing.corrections import correct_batch, describe_correction
from .openapi import documented

bp = Blueprint("api_batches", __name__, url_prefix="/api/v1/batches")


def _load(actor: User, batch_id: int):
    batch = get_batch(get_session(), batch_id, for_update=True)
    if not oversees(actor, batch.site) and batch.site_id != actor.org_id:
        raise Forbidden(_l("Ce lot appartient à un autre site de lavage."))
    return batch


def _decimal(value: float | None) -> Decimal | None:
    """A JSON number as the decimal it was written as."""
    return None if value is None else Decimal(str(value))


@bp.post("")
@documented(body=NewBatch, caller=api_actor, answers={201: Batch})
def post_batch(caller: User, body: NewBatch):
    """Open a batch for one container type at a washing site.

    422 also when `site` is not a washing site.
    """
    session = get_session()
    batch = open_batch(session, actor=caller, type_code=body.type, site_code=body.site)
    session.commit()
    return jsonify(describe_batch(session, batch)), 201


@bp.get("/<int:batch_id>")
@documented(caller=api_actor, answers={200: Batch}, refusals=(403, 404, 429))
def show_batch(batch_id: int, caller: User):
    """One batch."""
    return jsonify(describe_batch(get_session(), _load(caller, batch_id)))


@bp.post("/<int:batch_id>/inputs")
@documented(body=BatchInputs, caller=api_actor, answers={200: Batch})
def post_inputs(batch_id: int, caller: User, body: BatchInputs):
    """Add scanned codes and/or a counted quantity to an open batch, all or nothing.

    422 also for a code that is not a label's (its check character) or that cannot
    be washed now, and for a count above the app's MAX_BATCH_INPUT.
    """
    batch = _load(caller, batch_id)
    session = get_session()
    add_inputs(session, batch, actor=caller, codes=body.codes, count=body.count,
               max_count=current_app.config["MAX_BATCH_INPUT"])
    session.commit()
    return jsonify(describe_batch(session, batch))


@bp.post("/<int:batch_id>/close")
@documented(body=BatchClose, caller=api_actor, answers={200: Batch})
def post_close(batch_id: int, caller: User, body: BatchClose):
    """Close a batch with clean and rejected counts; computes its impact.

    422 also when clean + rejected is not the batch's inputs.
    """
    batch = _load(caller, batch_id)
    electricity = body.energy_kwh if body.electricity_kwh is None else body.electricity_kwh
    session = get_session()
    close_batch(
        session, batch, actor=caller, clean=body.clean, rejected=body.rejects(),
        water_l=_decimal(body.water_l), electricity_kwh=_decimal(electricity),
        gas_kwh=_decimal(body.gas_kwh), transport=[leg.model_dump() for leg in body.transport],
        hours_worked=_decimal(body.hours_worked), insertion_hours=_decimal(body.insertion_hours),
    )
    session.commit()
    return jsonify(describe_batch(session, batch))


@bp.post("/<int:batch_id>/corrections")
@documented(body=BatchCorrection, caller=api_actor, answers={201: BatchCorrected})
def post_correction(batch_id: int, caller: User, body: BatchCorrection):
    """Correct a closed batch's clean and rejected counts; its impact is computed again
    with its own factor set.

    The washing site corrects its batch within 7 days of the close, an administrator
    of the coordination at any time (else 403); 409 for a batch still open; 422 when
    clean + rejected is not the batch's inputs. The close's month keeps its figures:
    the difference (`impact_delta`) counts in the month the correction is made.
    """
    batch = _load(caller, batch_id)
    session = get_session()
    done = correct_batch(session, batch, actor=caller, clean=body.clean,
                         rejected=body.rejects(), reason=body.reason)
    session.commit()
    described = describe_batch(session, batch)
    return jsonify({"batch": described, "impact": described["impact"],
                    "impact_delta": done.impact_delta,
                    "correction": describe_correction(done.correction)}), 201
