"""Offline replay: one queue of 500 scans sent three times, in any order → each recorded once."""

from __future__ import annotations

import random
import threading

from loadgen import Api
from sqlalchemy import func, select

from bouteilles.models import Event, IdempotentResponse


def _chunks(queue: list[dict], rng: random.Random) -> list[list[dict]]:
    """The queue cut into chunks of random sizes, the chunks in a shuffled order."""
    chunks, i = [], 0
    while i < len(queue):
        size = rng.randint(1, 80)
        chunks.append(queue[i:i + size])
        i += size
    rng.shuffle(chunks)
    return chunks


def _send(url: str, token: str, chunks: list[list[dict]], into: dict[str, list]) -> None:
    api = Api(url, token)
    try:
        for chunk in chunks:
            status, body = api.post("/api/v1/scans/batch", {"scans": chunk})
            assert status == 200, body
            for result in body["results"]:
                into.setdefault(result["idempotency_key"], []).append(
                    (result["status"], result["body"]))
    finally:
        api.close()


def test_a_queue_of_500_scans_sent_three_times(session, actors, make_container, gunicorn,
                                                clear_token, assert_invariants):
    resto = actors["restaurant"]
    codes = [make_container(holder=resto.org) for _ in range(250)]
    queue = [{"code": code, "action": action, "idempotency_key": f"q-{code}-{action}"}
             for code in codes for action in ("lend", "return")]
    assert len(queue) == 500
    token = clear_token(resto)
    server = gunicorn(workers=3, threads=4)
    rng = random.Random(500)

    first: dict[str, list] = {}
    _send(server.url, token, _chunks(queue, rng), first)  # a return may now come before its lend
    replays: list[dict[str, list]] = [{}, {}]
    senders = [threading.Thread(target=_send, args=(server.url, token, _chunks(queue, rng), r))
               for r in replays]  # the second and third sendings at the same time
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=120)

    keys = {scan["idempotency_key"] for scan in queue}
    assert set(first) == keys and all(len(v) == 1 for v in first.values())
    for replay in replays:
        assert set(replay) == keys
        for key, answers in replay.items():
            assert answers == [(200, first[key][0][1])], key  # the same verdict, replayed
    recorded = {key for key, [(status, _)] in first.items() if status == 201}
    assert {status for [(status, _)] in first.values()} <= {201, 409}
    logged = dict(session.execute(
        select(Event.idempotency_key, func.count()).where(Event.idempotency_key.in_(keys))
        .group_by(Event.idempotency_key)).all())
    assert set(logged) == recorded and set(logged.values()) == {1}
    assert session.scalar(select(func.count()).where(IdempotentResponse.key.in_(keys))) == 500
    print(f"\noffline replay: 500 scans × 3 sendings → {len(recorded)} events, "
          f"{500 - len(recorded)} refusals remembered, 1,000 replays answered 200")
    assert_invariants()
