"""A day of the Ju'Ramène network, compressed: 32 scanners on one server at once.

`NetworkLoad.seed(session)` builds the network in the database (restaurants,
a collector, a washing site, boxes, an open batch, tokens); `run(url, seconds)`
plays it against a server: restaurants lend and take back (any restaurant
takes back any box), the collector collects and delivers, the washing site
sorts, feeds batches and closes them, one phone replays an offline queue, and
some requests are resent with the same idempotency key. Every request and
answer goes to a `Journal`; `verify(session)` checks the journal against the
event log: every 2xx answer is in the log exactly once, nothing else is.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from loadgen import Api, Entry, Journal
from sqlalchemy import select

from bouteilles.models import Batch, Container, Event
from bouteilles.services.members.accounts import create_org, create_user, issue_token
from bouteilles.services.movements import commission_containers
from bouteilles.services.washing.batches import open_batch

TYPE = "bocal-500"
ROLES = (["restaurant"] * 16 + ["collector"] * 4 + ["sorter"] * 6 + ["feeder"] * 4
         + ["closer", "offline"])  # 32 scanners


@dataclass
class NetworkLoad:
    restaurants: list[str] = field(default_factory=list)
    site: str = ""
    tokens: dict[str, str] = field(default_factory=dict)  # org code → bearer token
    board: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (state, holder)
    batch_id: int = 0
    batch_codes: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    journal: Journal = field(default_factory=Journal)
    lock: threading.Lock = field(default_factory=threading.Lock)
    feeding: threading.Event = field(default_factory=threading.Event)

    # ------------------------------------------------------------------ setup

    def seed(self, session, *, boxes_per_restaurant: int = 60, n_restaurants: int = 4) -> None:
        """Create the network and its boxes; commits."""
        tag = uuid.uuid4().hex[:6]
        orgs = {"coordinator": f"coop-{tag}", "washing_site": f"lavage-{tag}",
                "collector": f"collecte-{tag}"}
        orgs.update({f"restaurant{i}": f"resto{i}-{tag}" for i in range(n_restaurants)})
        users = {}
        for key, code in orgs.items():
            kind = "restaurant" if key.startswith("restaurant") else key
            org = create_org(session, code=code, name=code, kind=kind)
            users[code] = create_user(session, email=f"load@{code}.test", org=org,
                                      password="marnes-tilleul-1774", admin=kind == "coordinator")
        self.site = orgs["washing_site"]
        self.restaurants = [orgs[f"restaurant{i}"] for i in range(n_restaurants)]
        self.collector = orgs["collector"]
        for code in self.restaurants:
            for box in commission_containers(session, actor=users[self.site], type_code=TYPE,
                                             count=boxes_per_restaurant, holder_code=code):
                self.board[box.code] = ("clean", code)
        self.batch_id = open_batch(session, actor=users[self.site], type_code=TYPE).id
        for code, user in users.items():
            self.tokens[code] = issue_token(session, user)[1]
        session.commit()

    # ------------------------------------------------------------------ run

    def run(self, url: str, seconds: float, *, threads: int = 32, seed: int = 8) -> Journal:
        """Play the load for `seconds` with `threads` scanners; return the journal."""
        deadline = time.monotonic() + seconds
        self.feeding.set()
        roles = [ROLES[i % len(ROLES)] for i in range(threads)]
        workers = [threading.Thread(target=self._scanner, args=(url, role, i, deadline, seed),
                                    name=f"scanner-{i}-{role}") for i, role in enumerate(roles)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=seconds + 120)
        return self.journal

    def _scanner(self, url: str, role: str, n: int, deadline: float, seed: int) -> None:
        rng = random.Random(seed * 1000 + n)
        org = {"collector": self.collector, "restaurant": self.restaurants[n % len(
            self.restaurants)], "offline": self.restaurants[0]}.get(role, self.site)
        api = Api(url, self.tokens[org])
        step = getattr(self, f"_{role}")
        last: tuple[str, dict] | None = None
        try:
            while time.monotonic() < deadline:
                try:
                    if last is not None and rng.random() < 0.05:
                        self._send(api, "scan", "/api/v1/scans", last[1])  # a resent request
                        continue
                    sent = step(api, org, rng)
                    last = sent or last
                except OSError as exc:  # a lost connection is a failure the test reports
                    self.journal.error(f"{role}: {exc!r}")
                    api.close()
                    api = Api(url, self.tokens[org])
        finally:
            api.close()

    def _send(self, api: Api, kind: str, path: str, body: dict | None) -> tuple[int, object]:
        started = time.monotonic()
        status, answer = api.request("GET" if body is None else "POST", path, body)
        self.journal.add(Entry(kind, body, status, answer, time.monotonic() - started))
        return status, answer

    def _pick(self, rng: random.Random, want) -> str | None:
        with self.lock:
            found = [code for code, (state, holder) in self.board.items() if want(state, holder)]
        return rng.choice(found) if found else None

    def _scan(self, api: Api, code: str, action: str, **extra) -> tuple[str, dict] | None:
        body = {"code": code, "action": action, "idempotency_key": uuid.uuid4().hex, **extra}
        status, answer = self._send(api, "scan", "/api/v1/scans", body)
        if status in (200, 201) and "event" in answer:  # a replayed refusal has no event
            self._note(answer["item"])
        elif status == 409:
            self._refresh(api, code)
        return ("scan", body)

    def _note(self, item: dict) -> None:
        with self.lock:
            self.board[item["code"]] = (item["state"], item["holder"])

    def _refresh(self, api: Api, code: str) -> None:
        status, item = self._send(api, "get", f"/api/v1/items/{code}", None)
        if status == 200:
            self._note(item)

    # ------------------------------------------------------------------ roles

    def _restaurant(self, api: Api, org: str, rng: random.Random):
        if rng.random() < 0.5:
            code = self._pick(rng, lambda s, h: s == "clean" and h == org)
            return self._scan(api, code, "lend") if code else None
        code = self._pick(rng, lambda s, h: s == "in_use")
        return self._scan(api, code, "return") if code else None

    def _collector(self, api: Api, org: str, rng: random.Random):
        if rng.random() < 0.6:
            code = self._pick(rng, lambda s, h: s == "returned")
            return self._scan(api, code, "collect", to=self.site) if code else None
        code = self._pick(rng, lambda s, h: s == "clean" and h == self.site)
        if code:
            return self._scan(api, code, "deliver", to=rng.choice(self.restaurants))
        return None

    def _sorter(self, api: Api, org: str, rng: random.Random):
        code = self._pick(rng, lambda s, h: s == "collected")
        return self._scan(api, code, "sort") if code else None

    def _feeder(self, api: Api, org: str, rng: random.Random):
        if not self.feeding.wait(timeout=1):
            return None
        with self.lock:
            ready = [code for code, (state, _) in self.board.items() if state == "sorted"]
            batch_id = self.batch_id
        codes = rng.sample(ready, min(len(ready), rng.randint(1, 4)))
        if not codes:
            time.sleep(0.01)
            return None
        status, _ = self._send(api, "inputs", f"/api/v1/batches/{batch_id}/inputs",
                               {"codes": codes})
        if status == 200:
            with self.lock:
                self.batch_codes[batch_id].update(codes)
                for code in codes:
                    self.board[code] = ("washing", self.site)
        else:
            for code in codes:
                self._refresh(api, code)
        return None

    def _closer(self, api: Api, org: str, rng: random.Random):
        time.sleep(0.5)
        with self.lock:
            batch_id = self.batch_id
        self.feeding.clear()  # the line stops feeding while the batch is counted and closed
        time.sleep(0.05)
        try:
            return self._close(api, batch_id)
        finally:
            self.feeding.set()

    def _close(self, api: Api, batch_id: int):
        for _attempt in range(10):  # inputs arriving between the count and the close: recount
            status, batch = self._send(api, "get", f"/api/v1/batches/{batch_id}", None)
            if status != 200 or batch["inputs"] == 0:
                return None
            status, _ = self._send(api, "close", f"/api/v1/batches/{batch_id}/close",
                                   {"clean": batch["inputs"], "rejected": {}})
            if status == 200:
                break
        else:
            return None
        status, opened = self._send(api, "open", "/api/v1/batches", {"type": TYPE})
        with self.lock:
            for code in self.batch_codes[batch_id]:
                self.board[code] = ("clean", self.site)
            if status == 201:
                self.batch_id = opened["id"]
        return None

    def _offline(self, api: Api, org: str, rng: random.Random):
        """A phone coming back into signal: a queue of scans, sent twice."""
        queue = []
        for _ in range(5):
            code = self._pick(rng, lambda s, h: s in ("clean", "in_use"))
            if code:
                action = "lend" if self.board[code][0] == "clean" else "return"
                queue.append({"code": code, "action": action,
                              "idempotency_key": uuid.uuid4().hex})
        if not queue:
            return None
        for _ in range(2):
            status, answer = self._send(api, "scans_batch", "/api/v1/scans/batch",
                                        {"scans": queue})
            if status == 200:
                for result in answer["results"]:
                    if result["status"] in (200, 201) and "event" in result["body"]:
                        self._note(result["body"]["item"])
        return None

    # ------------------------------------------------------------------ verify

    def answered_scans(self) -> dict[str, set[int]]:
        """idempotency key → event ids of its 2xx answers (single and queued scans)."""
        keys: dict[str, set[int]] = defaultdict(set)
        for entry in self.journal.entries:
            if entry.kind == "scan" and entry.status in (200, 201) and "event" in entry.body:
                keys[entry.request["idempotency_key"]].add(entry.body["event"]["id"])
            elif entry.kind == "scans_batch" and entry.status == 200:
                for result in entry.body["results"]:
                    if result["status"] in (200, 201) and "event" in result["body"]:
                        keys[result["idempotency_key"]].add(result["body"]["event"]["id"])
        return keys

    def verify(self, session) -> dict[str, int]:
        """Compare the journal with the log; return figures, raise AssertionError on a loss."""
        statuses = self.journal.statuses()
        assert not self.journal.errors, self.journal.errors[:5]
        assert not [s for s in statuses if s >= 500], statuses
        keys = self.answered_scans()
        assert all(len(ids) == 1 for ids in keys.values()), "a key answered two events"
        answered = {next(iter(ids)): key for key, ids in keys.items()}
        assert len(answered) == len(keys), "two keys answered with the same event"
        logged = dict(session.execute(
            select(Event.id, Event.idempotency_key).where(Event.idempotency_key.is_not(None))
            .execution_options(yield_per=5000)).all())
        assert logged == answered, (
            f"log and answers differ: {len(set(answered) - set(logged))} answered not logged, "
            f"{len(set(logged) - set(answered))} logged not answered")
        washed_answered = {(batch_id, code) for batch_id, codes in self.batch_codes.items()
                           for code in codes}
        washed_logged = Counter(session.execute(
            select(Event.batch_id, Container.code).join(Container,
                                                        Container.id == Event.container_id)
            .where(Event.action == "wash")).all())
        assert all(n == 1 for n in washed_logged.values()), "a box washed twice in one batch"
        assert set(washed_logged) == washed_answered, "batch inputs and wash events differ"
        closes = sum(1 for e in self.journal.entries if e.kind == "close" and e.status == 200)
        closed = session.scalar(select(Batch.id).where(Batch.status == "closed").limit(1))
        assert (closes > 0) == (closed is not None)
        session.rollback()
        return {
            "requests": len(self.journal.entries),
            "ok_2xx": sum(n for s, n in statuses.items() if 200 <= s < 300),
            "scans_logged": len(logged),
            "batch_inputs_logged": len(washed_logged),
            "batches_closed": closes,
            **{f"status_{s}": n for s, n in statuses.items()},
        }
