"""The JSON API against its own document: schemathesis, every check, every phase.

Schemathesis's engine (what `st run` drives) reads /api/v1/openapi.json from
the app, served over HTTP, and runs its phases (examples, coverage, fuzzing, stateful) against
it, authenticated as the coordination, with all its checks: no 5xx, statuses,
content types and answers as documented, schema-valid requests accepted and
invalid ones refused, a 405 with `Allow` for an undeclared method, the
security enforced. Every non-conformance it finds fails the test, counted
and named as `st run` reports them.

`make test` runs a few examples per operation (SCHEMATHESIS_EXAMPLES, default
5, with a fixed seed); `make stress` a longer run.
"""

from __future__ import annotations

import os
import threading
from collections import Counter

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from schemathesis.engine.statistic import Statistic
from werkzeug.serving import WSGIRequestHandler, make_server

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261205"))
# Operations with rules no schema can say, refused 422 like malformed input
# (API.md): a code's check character, a scan more than 10 minutes ahead or 90
# days back, a site that is not a washing site, a close that does not balance.
RULES_BEYOND_THE_SCHEMA = (
    "GET /api/v1/items/{code}", "GET /api/v1/items/{code}/passport", "POST /api/v1/scans",
    "POST /api/v1/items/{code}/transfer",
    "POST /api/v1/batches",
    "POST /api/v1/batches/{batch_id}/inputs", "POST /api/v1/batches/{batch_id}/close",
)
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]
# Schemathesis's refusals of invalid input, and 413: a body over 1 MB is refused whole.
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429",
           "5xx"]


def schemathesis_config(headers: dict) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "seed": SEED,
        "headers": headers,
        "generation": {"max-examples": EXAMPLES, "database": "none"},
        # A body over 1 MB is refused whole (413) before it is read.
        "checks": {"enabled": True,
                   "negative_data_rejection": {"expected-statuses": REFUSED}},
        "operations": [
            {"include-name": name,
             "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}}}
            for name in RULES_BEYOND_THE_SCHEMA],
    })


class Quiet(WSGIRequestHandler):
    def log(self, *args) -> None:  # thousands of requests: their lines say nothing
        pass


@pytest.fixture
def api_schema(app, session, actors, make_container, make_crate, token_for):
    """The app served over HTTP, as `st run` meets it, its own document, and some
    data to find."""
    make_container(holder=actors["washing_site"].org)
    make_crate(holder=actors["washing_site"].org)
    headers = token_for(actors["coordinator"])
    session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        schema = schemathesis.openapi.from_url(
            f"http://127.0.0.1:{server.server_port}/api/v1/openapi.json",
            config=schemathesis_config(headers))
        yield schema
    finally:
        server.shutdown()
        thread.join()


def run(schema) -> tuple[Statistic, list[str], Counter]:
    """Run every phase; the findings as `st run` counts them, errors, answers' statuses."""
    statistic, errors, statuses = Statistic(), [], Counter()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            statistic.on_scenario_finished(event.recorder)
            for interaction in event.recorder.interactions.values():
                if interaction.response is not None:
                    statuses[interaction.response.status_code] += 1
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            errors.append(repr(event.exception))
    return statistic, errors, statuses


def findings(statistic: Statistic) -> list[str]:
    """Each non-conformance: its code, operation and title, what schemathesis says of
    it, and the answer that showed it."""
    found = []
    for grouped in statistic.failures.values():
        for group in grouped.values():
            answer = group.response.content[:300].decode(errors="replace") \
                if group.response is not None else ""
            for failure in group.failures:
                found.append(f"{failure.code} {failure.operation}: {failure.title}\n    "
                             + failure.message.strip().replace("\n", "\n    ")
                             + f"\n    answer: {answer}\n    {group.code_sample}")
    return sorted(found)


@pytest.mark.slow
def test_the_api_conforms_to_its_document(api_schema):
    statistic, errors, statuses = run(api_schema)
    found = findings(statistic)
    print(f"\nschemathesis: {statistic.total_cases} cases, "
          f"{len(statistic.tested_operations)} operations, {len(found)} non-conformances, "
          f"{len(errors)} errors; statuses {dict(sorted(statuses.items()))}")
    assert not errors, "\n".join(errors)
    assert not found, "\n".join(found)
    assert len(statistic.tested_operations) == len(list(api_schema.get_all_operations())), \
        statistic.tested_operations
    assert not [status for status in statuses if status >= 500]
