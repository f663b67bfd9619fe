"""Failover across transports: SMTP primary, then backup, then whatever follows.

A transient failure or a spent quota on one transport is no reason to make the client wait
when another can deliver now. A permanent refusal (unknown recipient, rejected content) is
about the message, not the transport, so it is never retried elsewhere; a transport that
cannot carry this message at all (an international address, no SMTPUTF8) hands it on.

Quotas are shared by every desk and worker, so they are counted in the store, over a rolling
24 hours (``parking_desk.quota``). A unit is reserved just before a send, so the desks can
never overrun the limit together, and given back unless the server accepted the message: a
refused connection, a failed login, a timeout or a 4xx spends nothing, and an outage or an
expired password no longer burns the day's quota.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from parking_desk.quota import QuotaUnit, frees_at, oldest_leaves_at
from parking_desk.services.mail.base import DeliveryError, SendResult, Transport
from parking_desk.services.mail.outgoing import OutgoingMail, outgoing
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)


class QuotaCounter(Protocol):
    """The store's shared quota counters (both stores provide these)."""

    def reserve_quota(
        self, transport: str, limit: int, *, now: datetime | None = None
    ) -> QuotaUnit | None: ...

    def release_quota(self, unit: QuotaUnit) -> None: ...

    def quota_counts(
        self, transport: str, *, now: datetime | None = None
    ) -> dict[datetime, int]: ...


@dataclass
class ChainLink:
    transport: Transport
    daily_quota: int = 0  # per rolling 24 hours; 0: unlimited, never counted


class ChainTransport:
    name = "chain"

    def __init__(
        self,
        links: Sequence[ChainLink | Transport],
        quota: QuotaCounter | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not links:
            raise ValueError("a chain needs at least one transport")
        self.links = [x if isinstance(x, ChainLink) else ChainLink(x) for x in links]
        self._quota = quota
        self._clock = clock
        # Transports found out of quota, with when to ask them again (None: not while this
        # chain lives, nothing counted says when). A chain lives for one drain.
        self._spent: dict[str, datetime | None] = {}

    @property
    def transports(self) -> list[Transport]:
        return [link.transport for link in self.links]

    def __repr__(self) -> str:
        return f"ChainTransport({[link.transport.name for link in self.links]})"

    def _counted(self, link: ChainLink) -> bool:
        return bool(link.daily_quota) and self._quota is not None

    def quota_frees_at(self, link: ChainLink, now: datetime, *, by_server: bool) -> datetime | None:
        """When *link* is worth trying again after a spent quota: when enough counted sends
        have left the window to free a unit (the counter said no), or when the oldest counted
        send leaves it (the server said no, so it counts sends this chain did not). None when
        nothing counted tells."""
        if not self._counted(link):
            return None
        assert self._quota is not None
        try:
            counts = self._quota.quota_counts(link.transport.name, now=now)
        except Exception as exc:
            log.warning("Reading the quota of %s failed: %s", link.transport.name, exc)
            return None
        if by_server:
            return oldest_leaves_at(counts, now)
        return frees_at(counts, link.daily_quota, now)

    def _spend(self, link: ChainLink, now: datetime, *, by_server: bool) -> datetime | None:
        until = self.quota_frees_at(link, now, by_server=by_server)
        self._spent[link.transport.name] = until
        return until

    def _reserve(self, link: ChainLink, now: datetime) -> QuotaUnit | None:
        """A unit of *link*'s quota, or a ``DeliveryError`` saying why it may not send."""
        name = link.transport.name
        if name in self._spent:
            until = self._spent[name]
            if until is None or now < until:
                raise DeliveryError(
                    "quota", f"{name}: quota spent", quota=True, provider=name, retry_at=until
                )
            del self._spent[name]
        if not self._counted(link):
            return None
        assert self._quota is not None
        try:
            unit = self._quota.reserve_quota(name, link.daily_quota, now=now)
        except Exception as exc:  # the store is down: do not send uncounted, retry later
            raise DeliveryError(
                "quota-unavailable", f"{name}: quota not checked ({exc})", provider=name
            ) from None
        if unit is None:
            until = self._spend(link, now, by_server=False)
            raise DeliveryError(
                "quota",
                f"{name}: quota of {link.daily_quota} in 24 hours spent",
                quota=True,
                provider=name,
                retry_at=until,
            )
        return unit

    def _give_back(self, unit: QuotaUnit) -> None:
        """The server did not take the message: the unit was not spent."""
        assert self._quota is not None
        try:
            self._quota.release_quota(unit)
        except Exception as exc:  # it stays counted: the window frees it in 24 hours
            log.warning("Giving back a quota unit of %s failed: %s", unit.transport, exc)

    def send(self, message: OutgoingMail | EmailMessage) -> SendResult:
        mail = outgoing(message)  # serialised once, whichever transport takes it
        now = self._clock()
        failures: list[DeliveryError] = []
        for link in self.links:
            try:
                unit = self._reserve(link, now)
            except DeliveryError as refusal:
                failures.append(refusal)
                continue
            try:
                return link.transport.send(mail)
            except DeliveryError as exc:
                if unit is not None and not exc.sent:
                    self._give_back(unit)
                if exc.permanent and not exc.unsupported:
                    raise
                if exc.quota:
                    exc.retry_at = self._spend(link, now, by_server=True)
                failures.append(exc)
                log.warning("%s failed (%s); trying the next transport", exc.provider, exc.code)
            except BaseException:
                if unit is not None:
                    self._give_back(unit)
                raise
        raise _combined(failures)

    def check(self) -> None:
        """Check every transport; raise the first failure (``doctor`` lists them itself)."""
        for link in self.links:
            link.transport.check()

    def close(self) -> None:
        for link in self.links:
            try:
                link.transport.close()
            except Exception:  # closing one must not keep the others open
                log.exception("Closing %s failed", link.transport.name)


def _combined(failures: list[DeliveryError]) -> DeliveryError:
    """One error for the task. Quota if every transport was out of quota, waiting for the
    first to free up; transient if any transport may deliver it later; permanent only if
    every transport that answered cannot carry this message."""
    summary = "; ".join(f"{f.provider}: {f.code} {f.message}" for f in failures)
    waits = [f.retry_at for f in failures if f.quota and f.retry_at is not None]
    retry_at = min(waits) if waits else None
    if all(f.quota for f in failures):
        return DeliveryError(
            "quota", summary, quota=True, provider=failures[-1].provider, retry_at=retry_at
        )
    transient = [f for f in failures if not f.quota and not f.unsupported]
    if transient:
        return DeliveryError(transient[0].code, summary, provider=transient[0].provider)
    cannot = next(f for f in failures if f.unsupported)
    if any(f.quota for f in failures):  # the transport out of quota may carry it later
        return DeliveryError(
            "quota", summary, quota=True, provider=cannot.provider, retry_at=retry_at
        )
    # The reason alone: the supervisor reads it, and it names the server already.
    return DeliveryError(cannot.code, cannot.message, permanent=True, provider=cannot.provider)
