"""The URIs an EPCIS export names things by: objects, classes, places, parties, events.

Objects: with GS1 configured (`GS1_COMPANY_PREFIX`), the GS1 Digital Link their
label carries, `{base}/8003/{GRAI}` (a crate's asset type differs from its
contents': services/labels/minting.py); otherwise their QR URL `{base}/q/{code}`.
Places (readPoint, bizLocation): an organisation with a GLN is the Digital Link
`{base}/414/{GLN}`, a party `{base}/417/{GLN}`; without one, `{base}/org/{code}`.
All of them resolve on the app (routes/master_data.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..items.codes import BODY_LENGTH
from ..items.gs1 import AI_GRAI

AI_GLN, AI_PGLN = "414", "417"


@dataclass(frozen=True)
class Names:
    """What a deployment's export needs beyond its base URL.

    `grai`: (kind, type code) → the GRAI's first 14 characters ("0", 12 digits, check
    digit), the serial being the label code's body. `glns`: organisation code → GLN.
    """

    grai: Mapping[tuple[str, str], str] = field(default_factory=dict)
    glns: Mapping[str, str] = field(default_factory=dict)


class Uris:
    """URI builders for one deployment's base URL."""

    def __init__(self, base_url: str, names: Names | None = None) -> None:
        self.base = base_url.rstrip("/")
        self.voc = f"{self.base}/voc/"
        names = names or Names()
        self._grai = {key: f"{self.base}/{AI_GRAI}/{value}" for key, value in names.grai.items()}
        self._glns = dict(names.glns)
        self.steps: dict[str, tuple[str, str, str | None]] = {}  # filled by the mapping

    def item(self, code: str, kind: str = "container", type_code: str | None = None) -> str:
        prefix = self._grai.get((kind, type_code)) if type_code else None
        if prefix is not None:
            return prefix + code[:BODY_LENGTH]
        return f"{self.base}/q/{code}"

    def epc_class(self, type_code: str) -> str:
        return f"{self.base}/class/{type_code}"

    def place(self, code: str) -> str:
        gln = self._glns.get(code)
        return f"{self.base}/{AI_GLN}/{gln}" if gln else f"{self.base}/org/{code}"

    def party(self, code: str) -> str:
        gln = self._glns.get(code)
        return f"{self.base}/{AI_PGLN}/{gln}" if gln else f"{self.base}/org/{code}"

    def term(self, value: str) -> str:
        return self.voc + value[4:] if value.startswith("bou:") else value

    def event_id(self, value: str | int, part: str = "") -> str:
        """A logged event's URI (`part`: one of the EPCIS events a scan maps to)."""
        suffix = f"#{part}" if part else ""
        if type(value) is int:
            return f"{self.base}/events/{value}{suffix}"
        text = str(value)
        if len(text) == 36 and text.count("-") == 4:
            return f"urn:uuid:{text.lower()}"
        return f"{self.base}/events/{text}{suffix}"
