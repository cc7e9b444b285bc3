"""The one way this package asks another server: a GET answering JSON, with a timeout.

Standard library only (`urllib`): the geocoder and the router are two small
GETs, not worth a dependency. Any failure (no answer in time, an HTTP error,
a body that is not JSON) is one `ServiceFailed`, whose message says what happened
in words a coordinator can act on.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from flask_babel import lazy_gettext as _l

from ..errors import BouteillesError

USER_AGENT = "Bouteilles (reuse loops tracker)"
MAX_BYTES = 1_000_000  # a geocoder's or router's answer is a few kilobytes


class ServiceFailed(BouteillesError):
    """The address or routing service did not give a usable answer."""

    code, status = "service_failed", 503


def get_json(url: str, *, timeout: float) -> object:
    """The JSON answer of a GET to `url`; ServiceFailed on a timeout, an HTTP error or
    a body that is not JSON."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            body = answer.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()  # its body stays unread: free the connection now
        raise ServiceFailed(_l("Le service a répondu par une erreur (HTTP %(status)s).",
                               status=exc.code)) from None
    except TimeoutError:
        raise ServiceFailed(_l("Le service n'a pas répondu à temps (%(seconds)s s).",
                               seconds=f"{timeout:g}")) from None
    except (OSError, ValueError) as exc:  # URLError is an OSError
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise ServiceFailed(_l("Le service n'a pas répondu à temps (%(seconds)s s).",
                                   seconds=f"{timeout:g}")) from None
        raise ServiceFailed(_l("Le service est injoignable.")) from None
    if len(body) > MAX_BYTES:
        raise ServiceFailed(_l("La réponse du service est trop longue."))
    try:
        return json.loads(body)
    except ValueError:
        raise ServiceFailed(_l("La réponse du service est illisible.")) from None
