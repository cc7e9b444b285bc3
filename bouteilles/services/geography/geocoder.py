"""An address to coordinates, with the national address service when configured.

`GEOCODER_URL` is the search endpoint of the Base Adresse Nationale
(`https://api-adresse.data.gouv.fr/search/`) or of a server answering the same
way: `?q=<address>&limit=1` → a GeoJSON FeatureCollection whose first feature
is the best match (`geometry.coordinates` = [longitude, latitude],
`properties.label`, `properties.score` from 0 to 1). Empty: no lookup, the
coordinates are typed or set on the map.
"""

from __future__ import annotations

import math
import urllib.parse
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..errors import NotFound, ValidationError
from .settings import GeoSettings
from .web import ServiceFailed, get_json

MAX_QUERY = 200  # the BAN refuses longer queries


@dataclass(frozen=True)
class FoundPlace:
    """The service's best match for an address."""

    latitude: float
    longitude: float
    label: str
    score: float | None


def search_url(base: str, address: str) -> str:
    """`base?q=…&limit=1`, keeping a query `base` may already have."""
    query = urllib.parse.urlencode({"q": address, "limit": 1})
    return f"{base}{'&' if '?' in base else '?'}{query}"


def _query(address: str) -> str:
    """One line of at most 200 characters: the service reads one address line."""
    return " ".join((address or "").split())[:MAX_QUERY]


def locate_address(settings: GeoSettings, address: str | None) -> FoundPlace:
    """The coordinates of an address; a refusal saying why when there are none."""
    if not settings.geocoder_url:
        raise ValidationError(_l("La recherche d'adresse n'est pas configurée : placez le lieu "
                                 "sur la carte ou tapez ses coordonnées."))
    query = _query(address or "")
    if len(query) < 3:
        raise ValidationError(_l("Tapez d'abord l'adresse à chercher."))
    try:
        answer = get_json(search_url(settings.geocoder_url, query), timeout=settings.timeout_s)
    except ServiceFailed as exc:
        raise ServiceFailed(_l("Recherche d'adresse impossible : %(reason)s Placez le lieu sur "
                               "la carte ou tapez ses coordonnées.", reason=exc.message)) from None
    place = _first_place(answer)
    if place is None:
        raise NotFound(_l("Adresse introuvable : « %(address)s ». Vérifiez-la, ou placez le "
                          "lieu sur la carte.", address=query))
    return place


def _first_place(answer: object) -> FoundPlace | None:
    """The first feature of a GeoJSON answer, if it is a point with sane coordinates."""
    try:
        feature = answer["features"][0]  # type: ignore[index]
        lon, lat = feature["geometry"]["coordinates"][:2]
        props = feature.get("properties") or {}
        lat, lon = float(lat), float(lon)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
            and -180 <= lon <= 180):
        return None
    score = props.get("score") if isinstance(props, dict) else None
    label = props.get("label") if isinstance(props, dict) else None
    return FoundPlace(round(lat, 6), round(lon, 6), str(label or "")[:200],
                      float(score) if isinstance(score, int | float) else None)
