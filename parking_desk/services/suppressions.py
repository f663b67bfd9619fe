"""The suppression list for people: who may read it, and a supervisor's "Clear".

An address that bounced permanently is not sent to again (``bounce.py``); the worker sends a
task to it straight to ``dead``. A supervisor who knows the mailbox works again (the client
called, the typo was theirs and is fixed now) takes it off the list here, from the desk or
the command line; the store audits the clear in the same commit (``clear_suppression``).
The role is checked here, not only by a hidden button.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from parking_desk.bounce import Suppression, same_address
from parking_desk.errors import NotFound, StoreUnavailable
from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.store.bounces import SuppressionList
from parking_desk.timeutil import utcnow

LIST_LIMIT = 500


def suppression_list(store: Any) -> SuppressionList:
    """The store's ``suppressions`` role; a store that keeps none cannot be asked."""
    found = getattr(store, "suppressions", None)
    if found is None:
        raise StoreUnavailable("this store keeps no suppression list")
    suppressions: SuppressionList = found
    return suppressions


def list_suppressions(store: Any, limit: int = LIST_LIMIT) -> list[Suppression]:
    """Newest first. Open to anyone who may read the queue; the screens mask the address
    for staff as they mask the queue's recipients."""
    return suppression_list(store).all(limit)


def clear_suppression(
    store: Any, session: RoleSession, address: str, *, now: datetime | None = None
) -> Suppression:
    """Take *address* off the list (supervisor only, audited); the entry as it was.
    ``NotFound`` when the address is not on the list."""
    session.require(Role.SUPERVISOR)
    operator = session.operator_name()
    suppressions = suppression_list(store)
    entry = suppressions.get(address)
    if entry is None or not suppressions.clear(address, operator=operator, now=now or utcnow()):
        raise NotFound(address, code="error.suppression_not_found", address=address.strip())
    return entry


def clear_if_same(
    suppressions: SuppressionList | None,
    old: str,
    new: str,
    operator: str,
    *,
    now: datetime | None = None,
) -> bool:
    """A supervisor fixed a recipient to the address it already had: they vouch for it, so
    it leaves the suppression list too (audited as a clear). A fix to another address
    leaves the old one suppressed. True when an entry was cleared."""
    if suppressions is None or not same_address(old, new) or suppressions.get(new) is None:
        return False
    return suppressions.clear(new, operator=operator, now=now or utcnow())
