"""A supervisor revokes a key for the whole site: audited, and once only."""

from __future__ import annotations

import logging
from datetime import datetime

from parking_desk.errors import NotFound
from parking_desk.services.key_ring.signing_key import SigningKey
from parking_desk.services.key_ring.store_role import key_store
from parking_desk.services.roles import Role, RoleSession
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)


def revoke_key(
    store: object, session: RoleSession, kid: str, *, now: datetime | None = None
) -> SigningKey:
    """Revoke *kid* for the whole site (supervisor only, audited). Revoking a key already
    revoked changes nothing and records nothing: the first revocation's time stands."""
    session.require(Role.SUPERVISOR)
    operator = session.operator_name()
    keys = key_store(store)
    now = (now or utcnow()).replace(microsecond=0)
    key, changed = keys.revoke_signing_key(kid, revoked_by=operator, at=now)
    if key is None:
        raise NotFound(code="error.key_not_found", kid=kid)
    if changed:
        keys.record_audit(
            operator, "revoke_key", (), details={"kid": kid, "machine": key.machine}, now=now
        )
        log.info("Signing key %s (%s) revoked by %s", kid, key.machine, operator)
    return key
