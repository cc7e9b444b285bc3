"""Blueprints, one per domain noun or audience."""

from __future__ import annotations

from flask import Flask

from ..auth import csrf
from . import account as account_pages
from . import admin as admin_pages
from . import admin_watch as admin_watch_pages
from . import (
    api,
    api_batches,
    api_ownership,
    api_pickups,
    api_settlements,
    api_stocktakes,
    auth,
    batch_corrections,
    bottle_models,
    collector,
    home,
    loans,
    loops,
    master_data,
    nav,
    notifications,
    openapi,
    orders,
    ownership,
    pallets,
    passports,
    pickups,
    producers,
    restaurant,
    scan,
    settlements,
    stocktakes,
    washing,
    winegrower,
)
from . import factor_sets as factor_set_pages
from . import impact as impact_pages
from . import imports as import_pages
from . import labels as labels_pages
from . import public as public_pages


def register_blueprints(app: Flask) -> None:
    nav.init_app(app)
    for module in (auth, home, openapi, scan):
        app.register_blueprint(module.bp)
    for module in (restaurant, orders, loans, collector, pickups):  # Ju'Ramène, collection
        app.register_blueprint(module.bp)
    app.register_blueprint(settlements.bp)  # members' money: settlements, statements
    for module in (labels_pages, public_pages, master_data):  # labels, public pages
        app.register_blueprint(module.bp)
    for module in (washing, batch_corrections, winegrower):  # washing site and winegrowers
        app.register_blueprint(module.bp)
    for bp in (pallets.bp, producers.bp, producers.grower_bp):  # pallets, producers' labels
        app.register_blueprint(bp)
    for module in (admin_pages, admin_watch_pages, ownership, loops, account_pages):  # coordination
        app.register_blueprint(module.bp)
    app.register_blueprint(bottle_models.bp)  # the registry of bottle models
    app.register_blueprint(import_pages.bp)  # the coordination's imports from a spreadsheet
    app.register_blueprint(notifications.bp)  # what members are told, by mail and here
    app.register_blueprint(stocktakes.bp)  # stock counts (inventaire)
    for module in (impact_pages, factor_set_pages):  # impact, reports, exports
        app.register_blueprint(module.bp)
    # The JSON API is not form-based: it takes bearer tokens or the session with a
    # JSON body, which a cross-site form cannot send; so no CSRF token there.
    for module in (api, api_batches, api_ownership, api_pickups, api_settlements,
                   api_stocktakes, passports):
        csrf.exempt(module.bp)
        app.register_blueprint(module.bp)
