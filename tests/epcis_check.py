"""Checks of EPCIS 2.0 documents, read offline, with three independent tools:

- the GS1 JSON Schema (jsonschema), `schema_validator()`;
- the GS1 community SDK epcis2.js (npm, pinned in tests/epcis-js/, installed by
  `make epcis-js`), `sdk_errors(document)`;
- GS1's event hash generator (PyPI `epcis-event-hash-generator`, pinned in the test
  extras), `event_hashes(document)`, its JSON-LD context read from the local copy.

A tool that is not installed makes the test skip, saying which and how to get it.
"""

from __future__ import annotations

import copy
import json
import logging
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parents[1]
STANDARDS = ROOT.parent / "shared" / "standards"
SCHEMA_PATHS = [ROOT / "tests" / "data" / "epcis-2.0-json-schema.json",
                STANDARDS / "epcis-2.0-json-schema.json"]
CONTEXT_PATHS = [ROOT / "tests" / "data" / "epcis-2.0-context.jsonld",
                 STANDARDS / "epcis-2.0-context.jsonld"]
EPCIS_CONTEXTS = ("https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
                  "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                  "https://gs1.github.io/EPCIS/epcis-context.jsonld")
SDK = ROOT / "tests" / "epcis-js"


@cache
def schema_validator() -> Draft7Validator | None:
    """The EPCIS 2.0 JSON Schema's validator, formats checked; None when it is absent."""
    path = next((p for p in SCHEMA_PATHS if p.exists()), None)
    if path is None:
        return None
    schema = json.loads(path.read_text())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def sdk_errors(document: dict) -> str:
    """epcis2.js's verdict on the document: "" when valid, else its errors."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (scripts/ensure-system-packages.sh installs it)")
    if not (SDK / "node_modules" / "epcis2.js").is_dir():
        pytest.skip("epcis2.js is not installed: run `make epcis-js`")
    done = subprocess.run([node, str(SDK / "validate.js")], input=json.dumps(document),
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"validate.js failed ({done.returncode}): {done.stderr}")
    return done.stderr.strip() if done.returncode else ""


def _local_loader(url: str, options=None) -> dict:
    """The EPCIS context from the local copy; anything else is refused (no network)."""
    if url not in EPCIS_CONTEXTS:
        raise ValueError(f"no network in tests: {url}")
    path = next(p for p in CONTEXT_PATHS if p.exists())
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": json.loads(path.read_text())}


def event_hashes(document: dict) -> list[str]:
    """Each event's hash (ni:///sha-256;…) by GS1's event hash generator."""
    try:
        from epcis_event_hash_generator import hash_generator, json_to_py
        from pyld import jsonld
    except ImportError:
        pytest.skip("epcis-event-hash-generator is not installed: pip install -e '.[test]'")
    if not any(p.exists() for p in CONTEXT_PATHS):
        pytest.skip("the EPCIS 2.0 JSON-LD context is absent (epcis-2.0-context.jsonld)")
    before = jsonld.get_document_loader()
    jsonld.set_document_loader(_local_loader)
    complaints = _Complaints()
    logging.getLogger().addHandler(complaints)  # the generator logs what it cannot parse
    try:
        # The generator expands the document's terms in place: give it a copy.
        events = json_to_py.event_list_from_epcis_document_json(copy.deepcopy(document))
        hashes = hash_generator.epcis_hashes_from_events(events)
    finally:
        logging.getLogger().removeHandler(complaints)
        jsonld.set_document_loader(before)
    assert not complaints.messages, complaints.messages[:3]
    return hashes


class _Complaints(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def check_epcis(document: dict) -> list[str]:
    """Assert the document is valid for the schema and for epcis2.js, and every event
    hashes; return the hashes."""
    validator = schema_validator()
    if validator is None:
        pytest.skip("EPCIS 2.0 JSON schema not found")
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    assert sdk_errors(document) == ""
    hashes = event_hashes(document)
    assert len(hashes) == len(document["epcisBody"]["eventList"])
    assert all(h.startswith("ni:///sha-256;") for h in hashes), hashes[:3]
    return hashes
