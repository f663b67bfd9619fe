"""Failover across transports: SMTP primary, then backup, then whatever follows.

A transient failure or a spent quota on one transport is no reason to make the client wait
when another can deliver now. A permanent refusal (unknown recipient, rejected content) is
about the message, not the transport, so it is never retried elsewhere. Daily quotas are
shared by every desk and worker, so they are counted in the store through
``consume_quota(transport_name, day, limit)``; one unit is taken before each attempt, which
may undercount what is left after a failed send but never lets the desks overrun it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from parking_desk.services.mail.base import DeliveryError, SendResult, Transport
from parking_desk.services.mail.outgoing import OutgoingMail, outgoing
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

ConsumeQuota = Callable[[str, str, int], bool]


@dataclass
class ChainLink:
    transport: Transport
    daily_quota: int = 0  # 0: unlimited, never counted


class ChainTransport:
    name = "chain"

    def __init__(
        self,
        links: Sequence[ChainLink | Transport],
        consume_quota: ConsumeQuota | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not links:
            raise ValueError("a chain needs at least one transport")
        self.links = [x if isinstance(x, ChainLink) else ChainLink(x) for x in links]
        self._consume_quota = consume_quota
        self._clock = clock
        # Transports that answered "quota exceeded" today, so this chain stops asking them.
        self._spent: set[tuple[str, str]] = set()

    @property
    def transports(self) -> list[Transport]:
        return [link.transport for link in self.links]

    def __repr__(self) -> str:
        return f"ChainTransport({[link.transport.name for link in self.links]})"

    def _take_quota(self, link: ChainLink, day: str) -> DeliveryError | None:
        name = link.transport.name
        if (name, day) in self._spent:
            return DeliveryError("quota", f"{name}: daily quota spent", quota=True, provider=name)
        if not link.daily_quota or self._consume_quota is None:
            return None
        try:
            granted = self._consume_quota(name, day, link.daily_quota)
        except Exception as exc:  # the store is down: do not send uncounted, retry later
            return DeliveryError(
                "quota-unavailable", f"{name}: quota not checked ({exc})", provider=name
            )
        if granted:
            return None
        self._spent.add((name, day))
        return DeliveryError(
            "quota", f"{name}: daily quota of {link.daily_quota} spent", quota=True, provider=name
        )

    def send(self, message: OutgoingMail | EmailMessage) -> SendResult:
        mail = outgoing(message)  # serialised once, whichever transport takes it
        day = self._clock().strftime("%Y-%m-%d")
        failures: list[DeliveryError] = []
        for link in self.links:
            refusal = self._take_quota(link, day)
            if refusal is not None:
                failures.append(refusal)
                continue
            try:
                return link.transport.send(mail)
            except DeliveryError as exc:
                if exc.permanent:
                    raise
                if exc.quota:
                    self._spent.add((link.transport.name, day))
                failures.append(exc)
                log.warning("%s failed (%s); trying the next transport", exc.provider, exc.code)
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
    """One error for the task: quota only if every transport was out of quota."""
    summary = "; ".join(f"{f.provider}: {f.code} {f.message}" for f in failures)
    if all(f.quota for f in failures):
        return DeliveryError("quota", summary, quota=True, provider=failures[-1].provider)
    first = next(f for f in failures if not f.quota)
    return DeliveryError(first.code, summary, provider=first.provider)
