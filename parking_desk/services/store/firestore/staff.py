"""Staff accounts in Firestore: ``staff/{id}``, each write conditioned on the update time read.

The document id comes from the person's name (``staff_id``), so creating an account is a
create-only write: two desks adding the same name cannot both win. Every later write carries
the update time it read as a precondition, so two desks counting wrong PINs at the same time
never lose a count: the loser reads again and counts on top of the winner's write.
"""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as gexc

from parking_desk.services.store.firestore.docs import RPC, guarded, update_time_of, version_of
from parking_desk.staff import StaffMember, staff_id

STAFF = "staff"


class FirestoreStaff:
    """``staff/{id}`` through the store's client *db*."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def _col(self) -> Any:
        return self._db.collection(STAFF)

    @staticmethod
    def _member(snap: Any) -> StaffMember:
        return StaffMember.from_document(
            snap.id, snap.to_dict() or {}, version_of(snap.update_time)
        )

    @guarded
    def get(self, staff_id: str) -> StaffMember | None:
        snap = self._col().document(staff_id).get(**RPC)
        return self._member(snap) if snap.exists else None

    def by_name(self, name: str) -> StaffMember | None:
        return self.get(staff_id(name))

    @guarded
    def all(self) -> list[StaffMember]:
        members = [self._member(s) for s in self._col().stream(**RPC)]
        return sorted(members, key=lambda m: m.name.casefold())

    @guarded
    def any(self) -> bool:
        return bool(list(self._col().limit(1).stream(**RPC)))

    @guarded
    def create(self, member: StaffMember) -> StaffMember | None:
        """Create-only: None when the id (the name) is taken."""
        doc = member.to_document()
        try:
            result = self._col().document(member.id).create(doc, **RPC)
        except gexc.AlreadyExists:
            return None
        return StaffMember.from_document(member.id, doc, version_of(result.update_time))

    @guarded
    def replace(self, member: StaffMember) -> StaffMember | None:
        """Write *member* if its document is still at ``member.version``; the stored account,
        or None when another write came first (read again and decide again)."""
        doc = member.to_document()
        option = self._db.write_option(last_update_time=update_time_of(member.version))
        try:
            result = self._col().document(member.id).update(doc, option=option, **RPC)
        except (gexc.FailedPrecondition, gexc.NotFound):
            return None
        return StaffMember.from_document(member.id, doc, version_of(result.update_time))
