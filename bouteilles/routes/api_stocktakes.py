"""JSON API v1: stock counts (inventaire) of a site's stock of one type."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..auth import api_actor
from ..db.database import get_session
from ..models import User
from ..schemas.stocktakes import NewStocktake, StocktakeReport
from ..services import stocktakes
from .openapi import documented

bp = Blueprint("api_stocktakes", __name__, url_prefix="/api/v1/stocktakes")


@bp.post("")
@documented(body=NewStocktake, caller=api_actor, answers={201: StocktakeReport},
            refusals=(403, 404, 413, 422, 429))
def post_stocktake(caller: User, body: NewStocktake):
    """Count a site's stock of a type: by the site itself, or an administrator of its
    coordination (others: 403). Unknown site or type: 404; a text that is not a code,
    or more than 20,000 codes: 422, nothing recorded. Unexpected containers held
    elsewhere are brought to the site, flagged `found_in_count`."""
    session = get_session()
    counted = stocktakes.take_stock(session, actor=caller, site=body.site, type_code=body.type,
                                    codes=list(body.codes), quantity=body.quantity)
    answer = stocktakes.describe_stocktake(session, counted)
    session.commit()
    return jsonify(answer), 201
