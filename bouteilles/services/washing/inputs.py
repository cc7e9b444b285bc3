"""A list of codes put into a batch at the washing line, each code on its own.

At the line, an operator scans a stack of crates and boxes into the batch; one
of another type or in the wrong state must not keep the others out of the
washer. Each code is a `wash` scan in a savepoint of its own: a refused code
leaves nothing behind and is reported with its reason; the accepted ones are
recorded (docs/decisions.md, "Washing site and winegrowers").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import Batch, User
from ..errors import BouteillesError, InvalidTransition
from ..items.lookup import find_item, parse_code
from ..movements import record_scan
from .batches import MAX_COUNT, check_inputs, count_inputs


@dataclass(frozen=True)
class CodeOutcome:
    """What became of one code of a list: recorded, or refused and why."""

    code: str
    refusal: BouteillesError | None = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def each_on_its_own(session: Session, codes: Iterable[str],
                    act: Callable[[str], object]) -> list[CodeOutcome]:
    """Apply `act` to each code in a savepoint of its own; a refusal rolls back that
    code alone and is kept as its outcome.

    A refused code leaves no object behind either. Rows inserted by Core
    statements in the savepoint (a container's move) may have been loaded into
    the session; rolled back, their objects would name rows that no longer
    exist (an ObjectDeletedError when read), or, on SQLite, whose id the next
    insert takes again. Objects first seen in a refused savepoint are let go,
    and the others are read again from the database when next used.
    """
    outcomes = []
    for code in codes:
        seen = set(session.identity_map.keys())
        savepoint = session.begin_nested()
        try:
            act(code)
        except BouteillesError as refusal:
            savepoint.rollback()
            for key in set(session.identity_map.keys()) - seen:
                obj = session.identity_map.get(key)
                if obj is not None:
                    session.expunge(obj)
            session.expire_all()
            outcomes.append(CodeOutcome(code, refusal))
        else:
            savepoint.commit()
            outcomes.append(CodeOutcome(code))
    return outcomes


def add_inputs_one_by_one(session: Session, batch: Batch, *, actor: User, codes: list[str],
                          count: int | None = None, max_count: int = MAX_COUNT,
                          occurred_at: datetime | None = None) -> list[CodeOutcome]:
    """Put each code into the batch on its own (a `wash` scan), and a counted quantity;
    the outcome of each code. The batch itself (its site, its status, the count)
    is checked first: a refusal there refuses everything."""
    check_inputs(batch, actor=actor, count=count, max_count=max_count)

    def wash(code: str) -> None:
        item = find_item(session, parse_code(code))
        if item is not None and item.type_id != batch.type_id:
            raise InvalidTransition(_l(
                "Ce code est du type « %(type)s » ; ce lot lave des « %(batch_type)s » : "
                "mettez-le de côté pour un lot de son type.",
                type=item.type.name, batch_type=batch.type.name))
        record_scan(session, actor=actor, code=code, action="wash", batch=batch.code,
                    occurred_at=occurred_at)

    outcomes = each_on_its_own(session, codes, wash)
    count_inputs(session, batch, count)
    return outcomes
