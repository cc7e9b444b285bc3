"""The one writer of the log: every event, every deposit entry, and every change of
a container's or a crate's state, holder, cycles or quantity is written here.

Everything else reads those tables, or asks this package to move something:

- `record_scan`: one scan of a labelled container or a crate, by a member
  (pages, services); `submit_scan` / `submit_token_scan`: the same sent to
  the API, once per idempotency key (scans by bearer token that need only the
  container's row, the counter's lends and returns first, take `counter`);
- `commission_containers`, `create_crate`, `commission_code`, `mint_codes`:
  new objects and their labels;
- `close_batch_contents`: what a washing batch's close moves;
- `write_batch_correction`: a closed batch's counts corrected (a row appended,
  nothing moved);
- `record_counted_return`: boxes taken back and refunded by count, matched to
  their later scans (`counted_returns`);
- `relabel_item`: a damaged label replaced, the object keeping its history;
- `open_pallet`, `top_up_pallet`, `release_pallet`: a pallet filled at the washing
  site up to its capacity, then released with its label (`pallets`);
- `transfer_ownership`: objects given a new owner (`transfer`), nothing else moved;
- `undo_event` (with `submit_once` for the API's idempotency key): an item's
  latest event undone by a new event, its ledger entries answered;
- `join_territory`: a member joins a territory, its rows written before with it;
- `declare_overdue_lost`: boxes with a customer past `LOST_DAYS`, declared lost;
- `record_found_in_count`, `declare_count_loss`: what a stock count moves (a
  thing counted where the record does not say, one not found);
- `BulkWriter`: rows of a whole synthetic network, written as they are.

Every `collect` written here also closes the pickup request ("bac plein") of
the member collected from (`pickup_close`).

The modules inside are this package's own (`import-linter` keeps it so): the
life cycle (`services/lifecycle.py`) decides, these write.
"""

from __future__ import annotations

from .batch_close import close_batch_contents
from .batch_correction import write_batch_correction
from .bulk import TABLE_ORDER, BulkLoadError, BulkWriter
from .commission import (
    CRATE_START_STATES,
    MAX_COMMISSION,
    MAX_CRATE_QUANTITY,
    commission_code,
    commission_containers,
    create_crate,
    mint_codes,
)
from .count_moves import declare_count_loss, record_found_in_count
from .counted_returns import (
    MAX_COUNTED_RETURN,
    counted_refunds,
    overdue_counted_returns,
    pending_counts,
    record_counted_return,
)
from .overdue_losses import OverdueLoss, boxes_to_declare_lost, declare_overdue_lost
from .pallets import MAX_CAPACITY, check_pallet, open_pallet, release_pallet, top_up_pallet
from .relabel import Relabelled, relabel_item
from .scans import MAX_CLOCK_SKEW, MAX_OFFLINE_AGE, ScanResult, check_scan, record_scan, scan_body
from .submissions import (
    TOKEN_REFUSED,
    error_body,
    scanner,
    submit_once,
    submit_scan,
    submit_token_scan,
)
from .territory_fill import join_territory
from .transfer import MAX_TRANSFER, Transferred, transfer_ownership
from .undo import MAX_REASON as MAX_UNDO_REASON
from .undo import Undone, undo_event

__all__ = [
    "CRATE_START_STATES", "MAX_CLOCK_SKEW", "MAX_COMMISSION", "MAX_COUNTED_RETURN",
    "MAX_CRATE_QUANTITY", "MAX_UNDO_REASON",
    "MAX_OFFLINE_AGE", "TABLE_ORDER", "TOKEN_REFUSED",
    "BulkLoadError", "BulkWriter", "OverdueLoss", "Relabelled", "ScanResult", "Undone",
    "check_scan", "close_batch_contents", "commission_code", "commission_containers",
    "boxes_to_declare_lost", "declare_overdue_lost",
    "join_territory", "MAX_TRANSFER", "Transferred", "transfer_ownership",
    "counted_refunds", "overdue_counted_returns", "pending_counts", "record_counted_return",
    "declare_count_loss", "record_found_in_count",
    "MAX_CAPACITY", "check_pallet", "open_pallet", "release_pallet", "top_up_pallet",
    "create_crate", "error_body", "mint_codes", "record_scan", "relabel_item", "scan_body",
    "scanner",
    "submit_once", "submit_scan", "submit_token_scan", "undo_event", "write_batch_correction",
]
