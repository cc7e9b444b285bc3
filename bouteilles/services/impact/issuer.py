"""Who issues the monthly impact report: the cooperative's name, address, SIRET and logo.

One row (`report_issuers`, id 1), set by an administrator of the coordination.
Until it is set, reports are issued in the name of the instance's
`NETWORK_NAME` setting.
"""

from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from ...models import ReportIssuer, User, utcnow
from ..errors import FieldError

MAX_LOGO_BYTES = 512 * 1024
# Pillow's format name → what the row stores (and the image's MIME subtype).
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpeg"}
# La Poste's establishments (SIREN 356 000 000) are numbered outside the Luhn check:
# their SIRET's digits sum to a multiple of 5 (INSEE).
LA_POSTE_SIREN = "356000000"


def siret_valid(siret: str) -> bool:
    """Whether a SIRET is 14 digits passing its check (Luhn; La Poste's own rule)."""
    if len(siret) != 14 or not siret.isascii() or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_SIREN + "00012":
        return sum(int(d) for d in siret) % 5 == 0
    total = 0
    for i, digit in enumerate(int(d) for d in reversed(siret)):
        if i % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def logo_type(data: bytes) -> str:
    """'png' or 'jpeg' for a logo image of at most 512 KiB that Pillow reads; else refused."""
    if len(data) > MAX_LOGO_BYTES:
        raise FieldError("logo", _l("Le logo dépasse 512 Kio (%(kib)s Kio) : réduisez-le.",
                                    kib=(len(data) + 1023) // 1024))
    try:
        with Image.open(io.BytesIO(data)) as image:
            found = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise FieldError("logo", _l("Ce fichier n'est pas une image PNG ou JPEG "
                                    "lisible.")) from None
    if found not in LOGO_FORMATS:
        raise FieldError("logo", _l("Le logo doit être une image PNG ou JPEG."))
    return LOGO_FORMATS[found]


def get_issuer(session: Session) -> ReportIssuer | None:
    """The report's issuer, if an administrator has set it."""
    return session.get(ReportIssuer, 1)


def set_issuer(session: Session, *, name: str, address: str | None, siret: str | None,
               logo: bytes | None = None, remove_logo: bool = False,
               actor: User) -> ReportIssuer:
    """Set who issues the reports; a new logo replaces the old one, `remove_logo` drops it."""
    siret = "".join((siret or "").split()) or None
    if siret is not None and not siret_valid(siret):
        raise FieldError("siret", _l("SIRET invalide : 14 chiffres dont le dernier est une clé "
                                     "de contrôle (Luhn)."))
    kind = logo_type(logo) if logo else None
    issuer = get_issuer(session) or ReportIssuer(id=1)
    issuer.name, issuer.address, issuer.siret = name, address or None, siret
    if kind:
        issuer.logo, issuer.logo_type = logo, kind
    elif remove_logo:
        issuer.logo = issuer.logo_type = None
    issuer.updated_at, issuer.updated_by_id = utcnow(), actor.id
    session.add(issuer)
    session.flush()
    return issuer
