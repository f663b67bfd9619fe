"""The queue table's catch-up after a bulk action, for the stores whose feed crosses a
network.

A listener over the whole queue sends each changed document whole: a bulk retry of 10,000
tasks would reach an open table as 10,000 documents, one after another. A store with
``watch_task_rows_since`` lets the table stop following for the bulk's duration and then
list the rows changed since its start (a projected query) and follow from there. The
SQLite store's feed reads rows from its typed columns on this machine, so its table just
keeps following.

A desk's table on such a store is also kept in the desk's data folder between sessions
(``keep_rows_on_disk``, ``row_cache``): it paints from the disk and lists only what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from parking_desk.services.store.base import Subscription, TaskRowBatch


@runtime_checkable
class RowFeedSince(Protocol):
    def watch_task_rows_since(
        self, callback: Callable[[TaskRowBatch], None], since: datetime
    ) -> Subscription:
        """The rows of tasks updated at or after *since* (one batch, not ``complete``),
        then each change to them."""


def row_feed_since(store: Any) -> RowFeedSince | None:
    """The store's catch-up feed, or None when its own feed is as cheap (SQLite)."""
    rows = getattr(store, "rows", None)
    return rows if isinstance(rows, RowFeedSince) else None


def keep_rows_on_disk(store: Any, data_folder: Path) -> bool:
    """Have *store* keep the table's rows in *data_folder* if its feed crosses a network
    (Firestore's ``keep_table_rows``); False for a store on this machine. No I/O here."""
    keep = getattr(store, "keep_table_rows", None)
    if keep is None:
        return False
    keep(data_folder)
    return True
