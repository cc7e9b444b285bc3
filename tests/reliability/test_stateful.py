"""A hypothesis state machine: random scans through the API against a small model.

The model is written here from the life cycle's meaning (ARCHITECTURE.md), not
from `lifecycle.TABLE`: what each action does from each state, who may do it,
who holds the thing afterwards and that a deposit is held exactly while a box
is in use. Each step compares the API's answer and the record with it.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

DEPOSIT = 500  # bocal-500
LIVE = {"clean", "in_use", "returned", "collected", "sorted", "washing"}
# action → {state before: state after}; a state not listed is refused (409).
MOVES = {
    "lend": {"clean": "in_use"},
    "return": {"in_use": "returned", "clean": "returned", "lost": "returned"},
    "collect": {s: "collected" for s in ("returned", "collected", "in_use", "clean", "lost")},
    "sort": {s: "sorted" for s in ("collected", "returned", "sorted", "in_use", "clean", "lost")},
    "wash": {s: "washing" for s in ("sorted", "collected", "returned", "clean", "in_use",
                                    "lost")},
    "reject": {s: "rejected" for s in LIVE | {"lost"}},
    "lose": {"in_use": "lost"},
    "find": {"lost": "in_use"},
    "deliver": {"clean": "clean", "collected": "collected", "sorted": "sorted",
                "returned": "collected"},
}
WHO = {  # which kinds of organisation may record the action (the coordinator: all)
    "lend": {"restaurant"}, "return": {"restaurant"}, "collect": {"collector", "washing_site"},
    "sort": {"washing_site"}, "wash": {"washing_site"},
    "reject": {"washing_site", "restaurant"},
    "lose": set(), "find": set(), "deliver": {"washing_site", "collector"},
}
KEEPS_HOLDER = {"reject", "lose", "find"}
ACTOR_KINDS = ["restaurant", "restaurant2", "collector", "washing_site", "coordinator"]


def test_random_scans_follow_the_model(client, session, actors, make_user, token_for,
                                       assert_invariants):
    people = dict(actors.items())
    people.update({k: actors[k] for k in ("restaurant", "collector", "washing_site",
                                           "coordinator")})
    people["restaurant2"] = make_user("restaurant")
    headers = {kind: token_for(user) for kind, user in people.items()}
    org = {kind: user.org.code for kind, user in people.items()}
    keys = itertools.count()

    def api(kind, method, path, body=None):
        response = client.open(path, method=method, json=body, headers=headers[kind])
        return response.status_code, response.get_json()

    class LifeCycle(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            status, body = api("washing_site", "POST", "/api/v1/containers",
                               {"type": "bocal-500", "count": 3, "holder": org["restaurant"]})
            assert status == 201
            self.codes = body["codes"]
            self.model = {c: {"state": "clean", "holder": org["restaurant"], "cycles": 0}
                          for c in self.codes}
            self.batch = self._open_batch()
            self.held_before = self._ledger_held() - 0

        def _open_batch(self):
            status, body = api("washing_site", "POST", "/api/v1/batches", {"type": "bocal-500"})
            assert status == 201
            return body

        def _ledger_held(self):
            status, body = api("coordinator", "GET", "/api/v1/deposits")
            assert status == 200
            return sum(row["held_cents"] for row in body["rows"])

        @rule(box=st.integers(0, 2), who=st.sampled_from(ACTOR_KINDS),
              action=st.sampled_from(sorted(MOVES)))
        def scan(self, box, who, action):
            code = self.codes[box]
            before = self.model[code]
            body = {"code": code, "action": action, "idempotency_key": f"sm-{next(keys)}"}
            body.update({"deliver": {"to": org["restaurant2"]}, "reject": {"reason": "broken"},
                         "wash": {"batch": self.batch["code"]}}.get(action, {}))
            status, answer = api(who, "POST", "/api/v1/scans", body)
            kind = "restaurant" if who == "restaurant2" else who
            if kind != "coordinator" and kind not in WHO[action]:
                assert status == 403, (action, who, answer)
                return
            after = MOVES[action].get(before["state"])
            # A washing site's stock is moved by the site alone: no one else collects it.
            at_the_site = (action == "collect" and before["holder"] == org["washing_site"]
                           and who != "washing_site")
            if before["state"] == "rejected" or after is None or at_the_site:
                assert status == 409, (action, before, answer)
                assert answer["error"]["code"] == "invalid_transition"
                return
            assert status == 201, (action, who, before, answer)
            holder = (before["holder"] if action in KEEPS_HOLDER
                      else org["restaurant2"] if action == "deliver" else org[who])
            self.model[code] = {**before, "state": after, "holder": holder}
            item = answer["item"]
            assert (item["state"], item["holder"]) == (after, holder), (action, before, item)
            assert answer["event"]["from_state"] == before["state"]

        @rule()
        def close_batch(self):
            status, batch = api("washing_site", "GET", f"/api/v1/batches/{self.batch['id']}")
            assert status == 200
            if batch["inputs"] == 0:
                return
            status, closed = api("washing_site", "POST",
                                 f"/api/v1/batches/{self.batch['id']}/close",
                                 {"clean": batch["inputs"], "rejected": {}})
            assert status == 200, closed
            for box in self.model.values():
                if box["state"] == "washing":
                    box.update(state="clean", holder=org["washing_site"],
                               cycles=box["cycles"] + 1)
            self.batch = self._open_batch()

        @invariant()
        def record_matches_model(self):
            for code, expected in self.model.items():
                status, item = api("coordinator", "GET", f"/api/v1/items/{code}")
                assert status == 200
                assert (item["state"], item["holder"], item["cycles"]) == (
                    expected["state"], expected["holder"], expected["cycles"]), code
                assert item["deposit_held_cents"] == (DEPOSIT if expected["state"] == "in_use"
                                                      else 0), (code, item)
            in_use = sum(1 for box in self.model.values() if box["state"] == "in_use")
            assert self._ledger_held() == self.held_before + DEPOSIT * in_use

    LifeCycle.TestCase.settings = settings(
        max_examples=20, stateful_step_count=20, deadline=None, database=None,
        suppress_health_check=list(HealthCheck))
    LifeCycle.TestCase().runTest()
    assert_invariants()
