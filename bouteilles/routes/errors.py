"""One place mapping refusals and HTTP errors to the API shape or an HTML page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..db.database import get_session
from ..i18n import translate
from ..services.errors import BouteillesError

HTTP_CODES = {
    400: "validation", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "not_found", 409: "conflict", 413: "too_large", 415: "validation",
    422: "validation", 429: "rate_limited",
}
HTTP_MESSAGES = {
    400: "Requête mal formée.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Cette adresse n'existe pas.",
    405: "Méthode non permise sur cette adresse.",
    413: "Requête trop volumineuse (1 Mo au plus).",
    429: "Trop de tentatives : patientez une minute.",
    500: "Erreur interne : rien n'a été enregistré. Réessayez ; si cela persiste, "
         "prévenez la coordination.",
}


def wants_json() -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    if request.path.startswith(("/api/", "/exports/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, code: str, message: str):
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message}})
        response.status_code = status
        return response
    return render_template("error.html", status=status, message=message), status


def refusal_body(exc: BouteillesError) -> dict:
    """The API error shape of a refusal, in the request's language."""
    return {"error": {"code": exc.code, "message": translate(exc.template, **exc.params)}}


def internal_error_body() -> dict:
    """The API error shape of an unexpected fault (what it touched is undone)."""
    return {"error": {"code": "internal", "message": translate(HTTP_MESSAGES[500])}}


def handle_domain_error(exc: BouteillesError):
    get_session().rollback()
    message = translate(exc.template, **exc.params)
    return error_response(exc.status, exc.code, message)


def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    code = HTTP_CODES.get(status, "error")
    if isinstance(exc, CSRFError):
        message = translate("Le formulaire a expiré : rechargez la page et réessayez.")
        if not wants_json() and same_origin():
            return resubmit_page(message), status
    else:
        message = translate(HTTP_MESSAGES.get(status, exc.description or "Erreur."))
    return error_response(status, code, message)


# Fields never written back into a page: passwords, and the stale token itself.
NOT_RESENT = frozenset({"password", "current", "new", "confirm", "csrf_token"})


def same_origin() -> bool:
    """Whether the refused form was sent from this site (its Origin, else Referer)."""
    source = request.headers.get("Origin") or request.referrer or ""
    parts = urlsplit(source)
    return bool(parts.netloc) and parts.netloc == request.host


def resubmit_page(message: str) -> str:
    """A form whose token expired, offered again as it was typed, with a new token:
    one tap sends it. Only for a form of this site (a cross-site post gets the
    plain message), and never with its password fields."""
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name not in NOT_RESENT]
    secret = any(name in NOT_RESENT - {"csrf_token"} for name in request.form)
    return render_template("resubmit.html", message=message, fields=fields,
                           action=request.full_path.rstrip("?"), secret=secret)


def handle_unexpected(exc: Exception):
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    get_session().rollback()
    return error_response(500, "internal", translate(HTTP_MESSAGES[500]))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(BouteillesError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
