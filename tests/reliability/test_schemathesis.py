"""Bad input, generated: schemathesis against /api/v1/openapi.json, authenticated.

Positive cases (valid per the spec) and negative ones (invalid on purpose) for
every JSON API operation: never a 5xx, and every answer (status, content type,
body) matches the spec. SCHEMATHESIS_CASES sets the total (default 2,000).
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

TOTAL = int(os.environ.get("SCHEMATHESIS_CASES", "2000"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def api_schema(app, session, actors, make_container, make_crate, token_for):
    """The app's own spec, JSON API operations only, with some data to find."""
    make_container(holder=actors["washing_site"].org)
    make_crate(holder=actors["washing_site"].org)
    headers = token_for(actors["coordinator"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return schema.include(path_regex="^/api/v1/"), headers


@pytest.mark.slow
def test_schemathesis_no_5xx_and_answers_match_the_spec(api_schema, session):
    schema, headers = api_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    per_run = max(1, TOTAL // (len(operations) * len(modes)))
    ran: Counter = Counter()
    statuses: Counter = Counter()
    for operation in operations:
        for mode in modes:
            _fuzz(operation, mode, per_run, headers, ran, statuses)
    # Operations without parameters stop after one case: the scans take up the rest.
    scans = next(op for op in operations if op.path == "/api/v1/scans")
    while sum(ran.values()) < TOTAL:
        for mode in modes:
            _fuzz(scans, mode, (TOTAL - sum(ran.values())) // 2 + 1, headers, ran, statuses)
    print(f"\nschemathesis: {sum(ran.values())} cases over {len(operations)} operations, "
          f"statuses {dict(sorted(statuses.items()))}")
    assert sum(ran.values()) >= TOTAL
    assert not [s for s in statuses if s >= 500]


def _fuzz(operation, mode, examples, headers, ran, statuses) -> None:
    label = f"{operation.method.upper()} {operation.path} {mode.value}"

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        ran[label] += 1
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    started = time.monotonic()
    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        pass
    if os.environ.get("SCHEMATHESIS_TIMES"):
        print(f"{label}: {ran[label]} cases in {time.monotonic() - started:.1f} s")
