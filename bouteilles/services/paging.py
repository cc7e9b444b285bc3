"""One page of a SQL query: LIMIT/OFFSET plus a COUNT, never a Python slice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

PER_PAGE = 20


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw: object) -> int:
    """A page number from a query string: anything odd reads as 1."""
    try:
        return max(1, min(int(str(raw)), 1_000_000))
    except (TypeError, ValueError):
        return 1


def paginate(session: Session, stmt: Select, page: int, per_page: int = PER_PAGE,
             *, scalars: bool = True) -> Page:
    """Run `stmt` for one page; `stmt` must be ordered."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    rows = list(session.scalars(limited) if scalars else session.execute(limited))
    return Page(rows, page, per_page, int(total or 0))
