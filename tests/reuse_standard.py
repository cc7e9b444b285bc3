"""The Reuse Standard's JSON Schemas and code lists (tests/data/reuse-standard/, CC BY 4.0),
read offline: each schema's `$ref`s resolve to the local files, never the network."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

FOLDER = Path(__file__).resolve().parent / "data" / "reuse-standard"


@cache
def _registry() -> Registry:
    """Every schema under the URI it names itself by (`id`, draft-04 style: no `$id`)."""
    resources = []
    for path in sorted(FOLDER.glob("*.schema.json")):
        schema = json.loads(path.read_text())
        resources.append((schema["id"].rstrip("#"), DRAFT7.create_resource(schema)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft7Validator:
    """A validator of `name`.schema.json (e.g. "passport"), formats checked."""
    schema = json.loads((FOLDER / f"{name}.schema.json").read_text())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, registry=_registry(),
                           format_checker=Draft7Validator.FORMAT_CHECKER)


def errors(name: str, document: object) -> list[str]:
    """What is wrong with `document` against `name`.schema.json (empty: valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(name).iter_errors(document)]


@cache
def code_list(name: str) -> frozenset[str]:
    """The codes of a code list (e.g. "materials")."""
    with (FOLDER / f"{name}.csv").open(newline="") as rows:
        return frozenset(row["Code"] for row in csv.DictReader(rows))


def full_errors(passport: dict) -> list[str]:
    """A single passport against every schema whose object it carries, and its codes
    against the code lists."""
    found = errors("passport", passport) + errors("reuse", passport)
    for record in passport.get("passport_history", []):
        found += errors("passport_history", record)
    for cycle in passport.get("cycles", []):
        found += errors("cycle", cycle)
        found += [f"reuse_model {cycle['reuse_model']}"
                  for _ in [1] if cycle["reuse_model"] not in code_list("reuse_models")]
        found += [f"activity_type {a['activity_type']}" for a in cycle["activities"]
                  if a["activity_type"] not in code_list("activity_types")]
    for asset_type in passport.get("asset_types", []):
        found += errors("asset_type", asset_type)
        for field, codes in (("primary_material", "materials"),
                             ("reusable_asset_type", "packaging_types"),
                             ("tracker_type", "tracker_types"),
                             ("cleaning_method", "cleaning_methods")):
            if asset_type[field] not in code_list(codes):
                found.append(f"{field} {asset_type[field]} not in {codes}.csv")
    if "org" in passport:
        found += errors("org", passport["org"])
    return found
