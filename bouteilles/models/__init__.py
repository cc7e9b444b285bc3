"""Typed SQLAlchemy models, one module per aggregate."""

from .base import Base, utcnow
from .batch import REJECT_REASONS, Batch, BatchReject
from .container_type import FAMILIES, ContainerType
from .deposit import DepositEntry
from .event import ACTIONS, Event, IdempotentResponse
from .factor import Factor, FactorSet
from .item import STATES, Container, Crate, Label
from .organisation import ORG_KINDS, Organisation
from .user import ApiToken, User

__all__ = [
    "ACTIONS", "FAMILIES", "ORG_KINDS", "REJECT_REASONS", "STATES",
    "ApiToken", "Base", "Batch", "BatchReject", "Container", "ContainerType", "Crate",
    "DepositEntry", "Event", "Factor", "FactorSet", "IdempotentResponse", "Label",
    "Organisation", "User", "utcnow",
]
