"""Typed SQLAlchemy models, one module per aggregate."""

from .admin import ContainerTypeRevision, TemporaryPassword
from .base import MAX_ID, Base, utcnow
from .batch import REJECT_REASONS, Batch, BatchCorrection, BatchCorrectionReject, BatchReject
from .bottle_model import BottleModel
from .bottle_request import REQUEST_STATUSES, BottleRequest
from .container_type import FAMILIES, ContainerType
from .deposit import CountedReturn, DepositEntry
from .event import ACTIONS, Event, IdempotentResponse
from .factor import Factor, FactorSet
from .issuer import LOGO_TYPES, ReportIssuer
from .item import STATES, Container, Crate, Label
from .loan import LOAN_STATUSES, Loan, LoanLine
from .login import LoginFailure, LoginSession
from .notification import (
                           FREQUENCIES,
                           NOTIFICATION_KINDS,
                           Notification,
                           NotificationSetting,
                           StockThreshold,
)
from .organisation import ORG_KINDS, Organisation
from .pickup import PICKUP_STATUSES, PickupRequest
from .producer import ProducerLabelFlag
from .settlement import PAYMENT_METHODS, SettlementPayment
from .stocktake import LINE_RESOLUTIONS, STOCKTAKE_STATUSES, Stocktake, StocktakeLine
from .territory import Territory, TerritoryDeposit
from .user import ApiToken, User

__all__ = [
    "ACTIONS", "FAMILIES", "MAX_ID", "ORG_KINDS", "REJECT_REASONS", "STATES",
    "ApiToken", "Base", "Batch", "BatchReject", "Container", "ContainerType", "Crate",
    "CountedReturn", "DepositEntry", "Event", "Factor", "FactorSet", "IdempotentResponse", "Label",
    "Organisation", "User", "utcnow",
    "ContainerTypeRevision", "TemporaryPassword",
    "REQUEST_STATUSES", "BottleModel", "BottleRequest",
    "LOAN_STATUSES", "Loan", "LoanLine",
    "LoginFailure", "LoginSession",
    "BatchCorrection", "BatchCorrectionReject",
    "LOGO_TYPES", "ReportIssuer",
    "Territory", "TerritoryDeposit",
    "FREQUENCIES", "NOTIFICATION_KINDS", "Notification", "NotificationSetting", "StockThreshold",
    "ProducerLabelFlag",
    "PICKUP_STATUSES", "PickupRequest", "PAYMENT_METHODS", "SettlementPayment",
    "LINE_RESOLUTIONS", "STOCKTAKE_STATUSES", "Stocktake", "StocktakeLine",
]
