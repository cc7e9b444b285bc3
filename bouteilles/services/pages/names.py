"""The names people read for the codes the record stores: container types, members."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import ContainerType, Organisation


def type_names(session: Session) -> dict[str, str]:
    """Each container type's name (French source text for the default types) by code."""
    return dict(session.execute(select(ContainerType.code, ContainerType.name)).all())


def member_names(session: Session) -> dict[str, str]:
    """Each member organisation's name by code."""
    return dict(session.execute(select(Organisation.code, Organisation.name)).all())
