"""Blueprints, one per domain noun or audience."""

from __future__ import annotations

from flask import Flask

from ..auth import csrf
from . import api, api_batches, auth, home, nav, openapi


def register_blueprints(app: Flask) -> None:
    nav.init_app(app)
    for module in (auth, home, openapi):
        app.register_blueprint(module.bp)
    # The JSON API is not form-based: it takes bearer tokens or the session with a
    # JSON body, which a cross-site form cannot send; so no CSRF token there.
    for module in (api, api_batches):
        csrf.exempt(module.bp)
        app.register_blueprint(module.bp)
