"""Ownership, for the coordination: the stock by owner, and transfers of ownership
(one object from its page, a list of codes here). A territory's coordination sees
what its members own or hold and transfers the objects it has in hand."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..db.database import get_session
from ..forms.ownership import BulkTransferForm, TransferForm, with_owners
from ..models import Organisation
from ..services.errors import BouteillesError
from ..services.items.lookup import get_item, get_org, require_item
from ..services.items.ownership import owned_stock, owner_totals, possible_owners
from ..services.movements import transfer_ownership
from .admin import guard_coordination
from .admin_watch import _item_context as item_context
from .formatting import register_filters
from .refusals import refused_form
from .scoping import current_scope

bp = Blueprint("ownership", __name__, url_prefix="/admin")
guard_coordination(bp)
register_filters(bp)


@bp.app_template_global("owner_names")
def owner_names(detail: dict | None) -> tuple[str, str]:
    """A transfer's owners before and after (its event's `detail`), by name."""
    db, detail = get_session(), detail or {}
    return tuple(org.name if (org := db.get(Organisation, detail.get(key) or 0)) else "—"
                 for key in ("from_owner", "owner"))


def transfer_form(form: TransferForm | BulkTransferForm | None = None, *,
                  bulk: bool = False) -> TransferForm | BulkTransferForm:
    """The form with the organisations that may own, as its choices."""
    form = form or (BulkTransferForm.blank() if bulk else TransferForm.blank())
    return with_owners(form, possible_owners(get_session(), current_scope()))


def _stock_context(form: BulkTransferForm | None = None) -> dict:
    """The stock by owner (filtered by `?owner=`), and the list form."""
    db = get_session()
    scope = current_scope()
    owner_code = (request.args.get("owner") or "").strip()[:64]
    owner = get_org(db, owner_code) if owner_code else None
    if owner is not None and owner.territory_id is not None:
        scope.require(owner)  # another territory's owner: 403, as a member filter is
    owner_id = owner.id if owner is not None else None
    rows = owned_stock(db, scope=scope, owner_id=owner_id)
    return {"rows": rows, "totals": owner_totals(rows), "owner": owner_code,
            "owners": possible_owners(db, scope), "form": transfer_form(form, bulk=True)}


@bp.get("/owners")
def stock_by_owner():
    """What each owner has, by type and state; the transfer of a list of codes."""
    return render_template("admin/owners.html", **_stock_context())


@bp.post("/owners/transfer")
def transfer_codes():
    """Transfer the ownership of the codes listed, all or none."""
    form = transfer_form(BulkTransferForm(), bulk=True)
    if not form.validate():
        return refused_form("admin/owners.html", form, reread=lambda: _stock_context(form))
    try:
        done = transfer_ownership(get_session(), current_user, form.codes.codes, form.to.data)
    except BouteillesError as exc:
        return refused_form("admin/owners.html", form, exc, reread=lambda: _stock_context(form))
    get_session().commit()
    flash(gettext("%(n)s objets appartiennent désormais à %(name)s.", n=len(done.items),
                  name=done.owner.name), "success")
    return redirect(url_for("ownership.stock_by_owner"))


@bp.post("/items/<code>/transfer")
def transfer_item(code: str):
    """Give the object a new owner; it stays where and as it is."""
    form = transfer_form(TransferForm())
    db = get_session()
    require_item(current_scope(), get_item(db, code))
    if not form.validate():
        return refused_form("admin/item.html", form, form_name="transfer_form",
                            reread=lambda: item_context(code, transfer_form=form))
    try:
        done = transfer_ownership(db, current_user, [code], form.to.data)
    except BouteillesError as exc:
        return refused_form("admin/item.html", form, exc, form_name="transfer_form",
                            reread=lambda: item_context(code, transfer_form=form))
    db.commit()
    flash(gettext("L'objet appartient désormais à %(name)s.", name=done.owner.name), "success")
    return redirect(url_for("admin_watch.item", code=done.items[0].code))
