"""The queue model: compact rows, incremental updates in bursts from another thread (changed
rows only), filtering and sorting in the model with the selection kept by task id."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from parking_desk.services.store.base import TaskRow, TaskRowBatch
from parking_desk.task import LastError, NotificationTask, TaskFilter, TaskState, TaskType
from parking_desk.ui.console.queue_columns import Column, Roles
from parking_desk.ui.console.queue_filter import QueueFilter
from parking_desk.ui.console.queue_model import QueueModel

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def task(i: int, **changes) -> NotificationTask:
    made = NotificationTask(
        id=f"t{i:05d}",
        type=TaskType.BOTH,
        booking_number=f"{500000 + i}",
        client_email=f"client{i}@example.ro",
        created_at=T0 + timedelta(seconds=i),
    )
    return made.with_changes(**changes)


def added(tasks: list[NotificationTask]) -> list[TaskRowBatch]:
    """The feed's first delivery: every task there is."""
    return [TaskRowBatch([TaskRow.of(t) for t in tasks], [], complete=True)]


def changed(tasks: list[NotificationTask], removed: list[str] = ()) -> TaskRowBatch:
    return TaskRowBatch([TaskRow.of(t) for t in tasks], list(removed), complete=False)


def bookings(model) -> list[str]:
    return [model.index(r, Column.BOOKING).data() for r in range(model.rowCount())]


def test_a_burst_of_1000_changes_from_another_thread_is_applied_in_one_flush(qtbot: QtBot):
    model = QueueModel()
    model.apply(added([task(i) for i in range(5000)]))
    flushes: list[int] = []
    changed_rows: list[int] = []
    model.flushed.connect(flushes.append)
    model.dataChanged.connect(
        lambda top, bottom, roles=(): changed_rows.extend(range(top.row(), bottom.row() + 1))
    )
    error = LastError("smtp.421", "421 try later", False)
    burst = [task(i, attempts=1, last_error=error) for i in range(0, 5000, 5)]

    def watch_thread() -> None:
        for start in range(0, 1000, 100):  # the feed delivers in several callbacks
            model.queue_changes(changed(burst[start : start + 100]))

    worker = threading.Thread(target=watch_thread)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(flushes), timeout=2000)

    assert model.flush() == 0  # nothing was left for a second burst
    assert flushes == [1000]
    assert len(changed_rows) == 1000  # the changed rows, not the whole table
    assert {model.index(r, Column.STATE).data() for r in changed_rows} == {"retrying"}
    assert model.rowCount() == 5000


def test_inserts_and_removals_are_row_operations_in_sort_order(qtbot: QtBot) -> None:
    model = QueueModel()
    model.apply(added([task(i) for i in (1, 3, 5)]))
    assert bookings(model) == ["500005", "500003", "500001"]  # newest first
    inserted: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))

    model.apply([changed([task(4)], removed=["t00001"])])

    assert bookings(model) == ["500005", "500004", "500003"]
    assert inserted == [(1, 1)]
    assert removed == [(3, 3)]  # applied in feed order: after the insert


def test_sorting_keeps_the_selected_task_and_a_proxy_filters_by_state(qtbot: QtBot) -> None:
    model = QueueModel()
    proxy = QueueFilter()
    proxy.setSourceModel(model)
    model.apply(
        added(
            [
                task(1, status=TaskState.DEAD),
                task(2, status=TaskState.PENDING, attempts=2),
                task(3, status=TaskState.COMPLETED),
            ]
        )
    )
    kept = QPersistentModelIndex(model.index(model.row_of_task("t00002"), 0))
    proxy.sort(Column.STATE, Qt.SortOrder.AscendingOrder)
    assert bookings(proxy) == ["500002", "500003", "500001"]  # pending, completed, dead
    assert model.data(model.index(kept.row(), 0), Roles.TaskIdRole) == "t00002"

    proxy.set_state(TaskState.PENDING, retrying=True)
    assert bookings(proxy) == ["500002"]
    proxy.set_state(TaskState.DEAD)
    assert bookings(proxy) == ["500001"]
    proxy.set_state(None)
    proxy.set_created_range(T0 + timedelta(seconds=2), None)
    assert bookings(proxy) == ["500002", "500003"]


def test_masking_only_changes_the_recipient_column(qtbot: QtBot) -> None:
    model = QueueModel()
    model.apply(added([task(1)]))
    columns: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda tl, br, roles=(): columns.append((tl.column(), br.column())))
    model.set_masked(True)
    assert model.index(0, Column.RECIPIENT).data() == "c***@example.ro"
    assert columns == [(Column.RECIPIENT, Column.RECIPIENT)]
    model.set_masked(True)
    assert len(columns) == 1  # no change, no signal


def test_the_selection_follows_its_tasks_through_a_refilter_and_a_resort(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QTableView

    model = QueueModel()
    proxy = QueueFilter()
    proxy.setSourceModel(model)
    model.apply(
        added([task(i, status=TaskState.DEAD if i % 2 else TaskState.PENDING) for i in range(50)])
    )
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    picked = {"t00003", "t00011", "t00040"}
    for task_id in picked:
        view.selectionModel().select(
            proxy.index(model.row_of_task(task_id), 0),
            view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows,
        )

    def selected() -> set[str]:
        return {proxy.data(i, Roles.TaskIdRole) for i in view.selectionModel().selectedRows()}

    assert selected() == picked
    proxy.set_state(TaskState.DEAD)  # t00040 is pending: filtered out, the others stay
    assert selected() == {"t00003", "t00011"}
    proxy.sort(Column.BOOKING, Qt.SortOrder.AscendingOrder)
    assert selected() == {"t00003", "t00011"}
    assert bookings(proxy)[:2] == ["500001", "500003"]


def test_every_row_again_keeps_the_selection_and_applies_only_what_differs(
    qtbot: QtBot,
) -> None:
    """A long first listing ends with every row at once, over the rows kept on the desk or
    its first pages, while the supervisor may already have picked some: they stay picked."""
    from PySide6.QtWidgets import QTableView

    model = QueueModel()
    proxy = QueueFilter()
    proxy.setSourceModel(model)
    model.apply([changed([task(i) for i in range(40)])])  # the kept rows, not yet complete
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    for task_id in ("t00003", "t00017"):
        view.selectionModel().select(
            proxy.index(model.row_of_task(task_id), 0),
            view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows,
        )
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    now = [task(i) for i in range(40) if i != 30] + [task(40)]
    now[17] = task(17, status=TaskState.DEAD, attempts=3)

    model.apply(added(now))

    assert not resets
    picked = [proxy.index(i.row(), 0) for i in view.selectionModel().selectedRows()]
    assert {proxy.data(i, Roles.TaskIdRole) for i in picked} == {"t00003", "t00017"}
    assert model.total_count() == 40 and model.row_of_task("t00030") == -1
    assert model.row("t00040") is not None and model.row_of_task("t00040") >= 0
    assert model.row("t00017") == TaskRow.of(now[17])


def test_a_live_change_moves_a_row_in_or_out_of_the_filter(qtbot: QtBot) -> None:
    model = QueueModel()
    model.apply(added([task(i, status=TaskState.DEAD) for i in range(5)]))
    model.set_filter(TaskFilter(states=frozenset({TaskState.DEAD})))
    assert model.rowCount() == 5
    removed: list[int] = []
    model.rowsRemoved.connect(lambda _p, first, last: removed.append(first))

    model.apply([changed([task(2, status=TaskState.PENDING)])])  # retried elsewhere

    assert model.rowCount() == 4 and model.total_count() == 5
    assert removed == [2]  # newest first: t00002 was the third row
    assert "500002" not in bookings(model)
    model.apply([changed([task(2, status=TaskState.DEAD)])])
    assert bookings(model) == ["500004", "500003", "500002", "500001", "500000"]
    model.set_filter(TaskFilter(text="500003"))
    assert bookings(model) == ["500003"]


def _painted(view, row: int, column: int):
    """What the table's delegate draws in a cell: it asks the proxy for every role at once."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    view.itemDelegate().initStyleOption(option, view.model().index(row, column))
    return option


def test_the_painted_cells_follow_each_change_of_their_row(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QTableView

    from parking_desk.ui.console.queue_columns import DEAD_ROW, STATE_COLOURS

    model = QueueModel()
    painted_calls: list[int] = []
    original = model.fill_cell
    model.fill_cell = lambda *a: (painted_calls.append(1), original(*a))[1]
    proxy = QueueFilter()
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    qtbot.addWidget(view)
    error = LastError("smtp.550", "550 mailbox unavailable", True)
    model.apply(added([task(1), task(2, status=TaskState.DEAD, attempts=3, last_error=error)]))

    dead = _painted(view, 0, Column.STATE)  # newest first: t00002
    assert dead.text == "dead"
    assert dead.backgroundBrush == DEAD_ROW
    assert _painted(view, 0, Column.LAST_ERROR).text == "550 mailbox unavailable"
    assert model.index(0, Column.LAST_ERROR).data(Qt.ItemDataRole.ToolTipRole) == (
        "smtp.550: 550 mailbox unavailable"
    )
    assert _painted(view, 1, Column.STATE).text == "pending"
    assert painted_calls  # one call per cell into the model, not one per role

    model.apply([changed([task(1, status=TaskState.COMPLETED, attempts=1)])])
    completed = _painted(view, 1, Column.STATE)
    assert completed.text == "completed"
    assert completed.palette.text().color() == STATE_COLOURS[TaskState.COMPLETED]
    assert _painted(view, 1, Column.ATTEMPTS).text.startswith("1/")

    model.set_masked(True)
    assert _painted(view, 1, Column.RECIPIENT).text == "c***@example.ro"
    model.set_masked(False)
    assert _painted(view, 1, Column.RECIPIENT).text == "client1@example.ro"


def test_changes_to_rows_out_of_sight_do_not_repaint_the_table(qtbot: QtBot) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QTableView

    model = QueueModel()
    view = QTableView()
    view.setModel(model)
    view.resize(900, 500)
    qtbot.addWidget(view)
    model.apply(added([task(i) for i in range(2000)]))
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()  # the first paint of the whole table
    painted: list[int] = []

    class Paints(QObject):
        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted.append(event.rect().height())
            return False

    paints = Paints()
    view.viewport().installEventFilter(paints)
    # A drain takes the oldest tasks first; newest first, they are far below the screen.
    model.apply([changed([task(i, status=TaskState.PROCESSING) for i in range(100, 300)])])
    # Then one change in sight: the view paints once for both, the union of what each asked
    # to repaint, so anything the first asked for would show in that paint's height.
    model.apply([changed([task(1998, status=TaskState.COMPLETED)])])  # the second row
    qtbot.waitUntil(lambda: bool(painted), timeout=2000)
    assert max(painted) < 2 * view.rowHeight(1)  # that row (and its grid line), not the table


def test_each_row_is_painted_in_its_own_colours_whatever_row_came_before(qtbot: QtBot) -> None:
    """A dead row's pink and a state's colour stay on their row: the rows after them, of
    other states, are painted as their own state says."""
    from PySide6.QtWidgets import QTableView

    from parking_desk.ui.console.queue_columns import DEAD_ROW, RETRYING_COLOUR, STATE_COLOURS

    model = QueueModel()
    proxy = QueueFilter()
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.resize(1600, 400)
    qtbot.addWidget(view)
    error = LastError("smtp.550", "550 mailbox unavailable", True)
    states = [  # newest first on screen, so top to bottom this is reversed
        task(1, status=TaskState.COMPLETED, attempts=1),
        task(2, status=TaskState.DEAD, attempts=3, last_error=error),
        task(3, status=TaskState.COMPLETED, attempts=1),
        task(4, status=TaskState.CANCELLED),
        task(5, status=TaskState.PENDING, attempts=2, last_error=error),
        task(6, status=TaskState.COMPLETED, attempts=1),
        task(7, status=TaskState.DEAD, attempts=3, last_error=error),
        task(8, status=TaskState.PENDING),
    ]
    model.apply(added(states))
    view.show()
    qtbot.waitExposed(view)
    image = view.viewport().grab().toImage()
    dead_pink = DEAD_ROW.color().name()

    for row in range(proxy.rowCount()):
        state = proxy.index(row, Column.STATE).data(Roles.StateRole)
        retrying = proxy.index(row, Column.STATE).data() == "retrying"
        # The Worker column is empty: what shows there is the row's background alone.
        cell = view.visualRect(proxy.index(row, Column.WORKER))
        background = image.pixelColor(cell.right() - 3, cell.center().y()).name()
        assert (background == dead_pink) == (state == TaskState.DEAD), (row, state, background)
        # The state's colour is the State column's alone: the Attempts text beside it is
        # drawn in the plain text colour (no coloured pixel in it).
        attempts = view.visualRect(proxy.index(row, Column.ATTEMPTS))
        tinted = [
            (x, y)
            for x in range(attempts.left(), attempts.right())
            for y in range(attempts.top(), attempts.bottom())
            if image.pixelColor(x, y).hsvSaturation() > 80
            and image.pixelColor(x, y).name() != dead_pink
        ]
        assert tinted == [], (row, state)
        option = _painted(view, row, Column.STATE)
        expected = RETRYING_COLOUR if retrying else STATE_COLOURS[state]
        assert option.palette.text().color() == expected, (row, state)
        assert _painted(view, row, Column.LAST_ERROR).text == (
            "550 mailbox unavailable" if state == TaskState.DEAD or retrying else ""
        )


def test_a_feed_stopped_for_a_bulk_action_is_ignored_and_the_next_one_is_followed(
    qtbot: QtBot,
) -> None:
    model = QueueModel()
    old = model.feed()
    for batch in added([task(i) for i in range(3)]):
        old(batch)
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=2000)
    model.stop_following()
    new = model.feed()
    old(changed([task(0, status=TaskState.DEAD)]))  # the listener being stopped, late
    new(changed([task(1, status=TaskState.COMPLETED)]))
    qtbot.waitUntil(lambda: model.row("t00001").status == "completed", timeout=2000)
    assert model.row("t00000").status == "pending"
