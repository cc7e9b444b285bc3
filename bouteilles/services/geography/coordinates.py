"""An organisation's position: both coordinates, or neither."""

from __future__ import annotations

import math
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import Organisation
from ..errors import FieldError

Number = float | Decimal | None


def checked_coordinates(latitude: Number, longitude: Number) -> tuple[float | None, float | None]:
    """Latitude and longitude as floats (6 decimals: about 10 cm), both or neither, in range."""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise FieldError(missing, _l("Indiquez la latitude et la longitude, ou aucune des "
                                     "deux."))
    if latitude is None or longitude is None:
        return None, None
    lat, lon = float(latitude), float(longitude)
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise FieldError("latitude", _l("Une latitude va de -90 à 90 degrés."))
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise FieldError("longitude", _l("Une longitude va de -180 à 180 degrés."))
    return round(lat, 6), round(lon, 6)


def set_coordinates(session: Session, org: Organisation, latitude: Number,
                    longitude: Number) -> Organisation:
    """Place an organisation (None, None: its place is no longer known)."""
    org.latitude, org.longitude = checked_coordinates(latitude, longitude)
    session.flush()
    return org
