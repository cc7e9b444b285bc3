"""Bouteilles: the tracker of the Jura reuse loops."""

from __future__ import annotations

from pathlib import Path

from dotenv import load_dotenv
from flask import Flask
from flask_mailman import Mail

from . import auth, formatting, i18n, static_files
from .cli import register_commands
from .config import load_config
from .db import database
from .routes import register_blueprints
from .routes.errors import register_error_handlers
from .routes.input_limits import register_input_limits


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides the environment (tests pass a dict)."""
    load_dotenv(Path.cwd() / ".env")
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(config or {})
    database.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    Mail().init_app(app)  # the notifications' SMTP (MAIL_*)
    register_input_limits(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    static_files.init_app(app)  # outermost: a static file never reaches Flask
    return app
