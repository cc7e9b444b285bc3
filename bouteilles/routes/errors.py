"""One place mapping refusals and HTTP errors to the API shape or an HTML page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..db.database import get_session
from ..forms.resubmit import resent_fields
from ..services.errors import BouteillesError

HTTP_CODES = {
    400: "validation", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "not_found", 409: "conflict", 413: "too_large", 415: "validation",
    422: "validation", 429: "rate_limited",
}
HTTP_MESSAGES = {
    400: _l("Requête mal formée."),
    401: _l("Authentification requise."),
    403: _l("Accès refusé."),
    404: _l("Cette adresse n'existe pas."),
    405: _l("Méthode non permise sur cette adresse."),
    413: _l("Requête trop volumineuse (1 Mo au plus)."),
    429: _l("Trop de tentatives : patientez une minute."),
    500: _l("Erreur interne : rien n'a été enregistré. Réessayez ; si cela persiste, "
            "prévenez la coordination."),
}


def wants_json() -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    if request.path.startswith(("/api/", "/exports/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, code: str, message: str, *, details: list | None = None,
                   headers: list | None = None):
    if wants_json():
        error = {"code": code, "message": message}
        if details:
            error["details"] = details
        response = jsonify({"error": error})
        response.status_code = status
        response.headers.extend(headers or ())
        return response
    return render_template("error.html", status=status, message=message), status, headers or []


def refusal_body(exc: BouteillesError) -> dict:
    """The API error shape of a refusal, in the request's language; input of the
    wrong shape lists every faulty field in `details`."""
    error = {"code": exc.code, "message": str(exc)}
    if exc.details:
        error["details"] = _details(exc)
    return {"error": error}


def _details(exc: BouteillesError) -> list[dict]:
    return [{"field": fault.field, "message": str(fault)} for fault in exc.details]


def internal_error_body() -> dict:
    """The API error shape of an unexpected fault (what it touched is undone)."""
    return {"error": {"code": "internal", "message": str(HTTP_MESSAGES[500])}}


def handle_domain_error(exc: BouteillesError):
    get_session().rollback()
    return error_response(exc.status, exc.code, str(exc), details=_details(exc))


def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    code = HTTP_CODES.get(status, "error")
    if isinstance(exc, CSRFError):
        message = gettext("Le formulaire a expiré : rechargez la page et réessayez.")
        if not wants_json() and same_origin():
            return resubmit_page(message), status
    else:
        known = HTTP_MESSAGES.get(status)
        message = str(known) if known else exc.description or gettext("Erreur.")
    # The exception's own headers go with it (`Allow` on a 405).
    headers = [(name, value) for name, value in exc.get_headers()
               if name.lower() != "content-type"]
    return error_response(status, code, message, headers=headers)


def same_origin() -> bool:
    """Whether the refused form was sent from this site (its Origin, else Referer)."""
    source = request.headers.get("Origin") or request.referrer or ""
    parts = urlsplit(source)
    return bool(parts.netloc) and parts.netloc == request.host


def resubmit_page(message: str) -> str:
    """A form whose token expired, offered again as it was typed, with a new token:
    one tap sends it. Only for a form of this site (a cross-site post gets the
    plain message), and never with its password fields."""
    fields, secret = resent_fields()
    return render_template("resubmit.html", message=message, fields=fields,
                           action=request.full_path.rstrip("?"), secret=secret)


def handle_unexpected(exc: Exception):
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    get_session().rollback()
    return error_response(500, "internal", str(HTTP_MESSAGES[500]))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(BouteillesError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
