"""The public page a phone camera opens from a label: /q/<code>, and GS1 Digital Links;
and the map and list of the places that take objects back, /ou-rapporter.

No login. No JavaScript on a label's page; the return points' map is an
addition to a list that works without it. A logged-in member is sent to the scanner with
the code instead; an unknown or mistyped code gets a friendly page with a
field to type the code again and the places that take objects back.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.database import get_session
from ..models import utcnow
from ..services.items.codes import InvalidCode, format_code, normalize_code
from ..services.items.gs1 import code_from_digital_link
from ..services.items.public_page import (
    PLACES_PER_PAGE,
    minted_not_in_service,
    public_item,
    return_places,
    scheme_contact,
)
from ..services.labels.minting import loop_name
from ..services.places.points import active_type, position_of, return_points
from ..vocabulary import KIND_LABELS

bp = Blueprint("public", __name__)


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 10_000 else 1


def _scanner_url(code: str) -> str:
    """The scanner, opened on this code (the scanner reads `?code=`)."""
    if "scan.scan_page" in current_app.view_functions:
        return url_for("scan.scan_page", code=code)
    return f"/scan?code={quote(code, safe='')}"


def _render(template: str, status: int, family: str = "any", **context):
    page = _page_arg()
    item = context.get("item")
    places, total = return_places(get_session(), family, page=page,
                                  territory_id=item.territory_id if item else None)
    pages = max(1, -(-total // PLACES_PER_PAGE))
    html = render_template(template, family=family, places=places, places_total=total,
                           page=min(page, pages), pages=pages, kind_labels=KIND_LABELS,
                           contact=scheme_contact(get_session()), now=utcnow(), **context)
    response = current_app.make_response((html, status))
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


def _unknown(typed: str, status: int, reason: str):
    return _render("public/unknown.html", status, typed=typed[:40], reason=reason)


@bp.get("/q/<code>")
def item_page(code: str):
    """What this object is, its reuse, its deposit, by when and where to return it,
    and whom to ask."""
    if current_user.is_authenticated:
        return redirect(_scanner_url(code[:40]))
    try:
        canonical = normalize_code(code)
    except InvalidCode:
        return _unknown(code, 422, "mistyped")
    if canonical != code:  # a typed or lower-case code: one address per object
        return redirect(url_for("public.item_page", code=canonical, **request.args), 301)
    item = public_item(get_session(), canonical,
                       overdue_days=int(current_app.config["OVERDUE_DAYS"]))
    if item is None:
        reason = "not_in_service" if minted_not_in_service(get_session(), canonical) \
            else "unknown"
        return _unknown(format_code(canonical), 404, reason)
    return _render("public/item.html", 200, family=item.family, item=item)


@bp.get("/q")
def type_code():
    """The code typed by hand (the form of the friendly page), or the form itself."""
    typed = request.args.get("code", "").strip()
    if not typed:
        return _render("public/unknown.html", 200, typed="", reason="ask")
    try:
        canonical = normalize_code(typed)
    except InvalidCode:
        return _unknown(typed, 422, "mistyped")
    lang = {"lang": request.args["lang"]} if request.args.get("lang") else {}
    return redirect(url_for("public.item_page", code=canonical, **lang))


@bp.get("/8003/<path:grai>")
def digital_link(grai: str):
    """A GS1 Digital Link of a GRAI (AI 8003): the same object as /q/<code>."""
    prefix = current_app.config.get("GS1_COMPANY_PREFIX")
    if not prefix:
        return _unknown(grai, 404, "unknown")
    try:
        code = code_from_digital_link(request.path, prefix)
    except ValueError:
        return _unknown(grai, 422, "mistyped")
    lang = {"lang": request.args["lang"]} if request.args.get("lang") else {}
    return redirect(url_for("public.item_page", code=code, **lang), 308)


@bp.get("/ou-rapporter")
def return_points_page():
    """Where to return an object: every place that takes it back, on a map above
    the list, nearest first from `?lat=&lon=` (or the phone's position, in the
    browser), open now or not; `?type=<type code>` keeps the places taking that type."""
    session = get_session()
    wanted = request.args.get("type", "")
    ctype = active_type(session, wanted)
    family = ctype.family if ctype is not None else "any"
    origin = position_of(request.args.get("lat"), request.args.get("lon"))
    points = return_points(session, family, at=utcnow(), origin=origin)
    html = render_template(
        "public/places.html", family=family, loop_title=loop_name(family), ctype=ctype,
        unknown_type=bool(wanted) and not ctype, points=points, origin=origin,
        bad_position=origin is None and bool(request.args.get("lat") or request.args.get("lon")),
        tile_url=current_app.config.get("MAP_TILE_URL") or "",
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
        kind_labels=KIND_LABELS, contact=scheme_contact(session))
    response = current_app.make_response(html)
    response.headers["Cache-Control"] = "private, max-age=60"
    # "Autour de moi" asks for the phone's position on this page only.
    response.headers["Permissions-Policy"] = "camera=(), geolocation=(self)"
    return response
