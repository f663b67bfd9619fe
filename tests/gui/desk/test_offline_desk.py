"""What staff see of the offline desk: the status bar's "offline since 10:05 — 1 bookings,
0 scans waiting to sync", and the conflicts list, where a conflict is read and resolved."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "faults"))

from fault_tools import walk_in
from PySide6.QtCore import Qt

from parking_desk import offline_rules
from parking_desk.offline_rules import NumberBlock
from parking_desk.services.offline import OfflineDesk
from parking_desk.services.offline.journal import EntryState, Journal
from parking_desk.task import TaskType
from parking_desk.ui.status_bar import StatusBar

# 10:05 on the site's clock (desk.time_zone), whatever this machine's is.
TEN_OH_FIVE = datetime(2026, 12, 1, 10, 5, tzinfo=ZoneInfo("Europe/Bucharest")).astimezone(UTC)


def journalled(journal: Journal, n: int) -> int:
    booking = walk_in(n)

    def build(number: str, uid: str):
        change = offline_rules.offline_create(
            booking, number, "ana", TEN_OH_FIVE, uid, TaskType.BOTH
        )
        return change.booking, change.queued.id, change.queued.to_document()

    return journal.add_booking("ana", TEN_OH_FIVE, build).seq


def test_status_bar_and_conflicts_list(qtbot, ctx, tmp_path: Path) -> None:
    journal = Journal.in_folder(tmp_path / "data")
    journal.add_block(NumberBlock(3_000_000, 10))
    taken = journalled(journal, 1)
    journalled(journal, 2)
    journal.went_offline(TEN_OH_FIVE)
    journal.conflicted(taken, "number_taken", {"number": "3000000"})
    # No store behind it: the desk is offline, and nothing here reaches for one.
    desk = OfflineDesk(None, journal, None)  # type: ignore[arg-type]
    desk.changed()
    ctx.store = desk  # type: ignore[assignment]
    bar = StatusBar(ctx)
    qtbot.addWidget(bar)
    bar._tick()
    assert bar.offline_label.text() == "offline since 10:05 — 1 bookings, 0 scans waiting to sync"
    assert bar.conflicts_button.text() == "1 offline conflicts to resolve"

    qtbot.mouseClick(bar.conflicts_button, Qt.MouseButton.LeftButton)
    dialog = bar.conflicts_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.list.count() == 1)
    line = dialog.list.item(0).text()
    assert line.startswith("Booking 3000000 for Client 1")
    assert "by ana: its number is another booking's" in line

    qtbot.mouseClick(dialog.resolve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.list.count() == 0)
    assert "No conflicts" in dialog.message.text()
    resolved = journal.entries(EntryState.RESOLVED)
    assert [(e.seq, e.settled_by) for e in resolved] == [(taken, ctx.operator())]
    bar._tick()
    assert bar.conflicts_button.isHidden()
    journal.close()
