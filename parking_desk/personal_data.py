"""What counts as a client's personal data, and how a document is cleaned of it.

Written once for both stores and for the outbox folder: a store selects the documents and
writes what these functions return. A booking's own rule (``booking_rules.anonymise``)
builds on them. "Traces" are the strings that identify one person — name, e-mail address,
phone and plate, as written now and as an amendment's history recorded them before — and
scrubbing replaces every occurrence of them in any text of a document, so an address quoted
in an SMTP error or a supervisor's search filter goes too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from parking_desk.task import TaskState

# What a cleaned text shows where personal data was.
ERASED = "…"
# A task's recipient after an erasure: a task without one would read as malformed (and be
# claimed and buried), and ``.invalid`` can never be delivered (RFC 2606).
ERASED_EMAIL = "erased@erased.invalid"
# Document fields (both spellings the history uses) that hold a client's personal data.
PERSONAL_FIELDS = frozenset(
    {"clientName", "clientEmail", "phone", "plate", "notes", "client_name", "client_email"}
)
# What an erased task's ``bookingData`` snapshot keeps: what the counts read.
KEPT_SNAPSHOT = ("bookingNumber", "arrival", "departure", "passengers", "language")
# Shorter strings would wipe unrelated text (initials, "B" of a plate); no name, address,
# phone or plate is that short.
MIN_TRACE = 4
# A task that may still be sent: erased, it is cancelled, since it has nobody to go to.
_UNSENT = ("", str(TaskState.PENDING), str(TaskState.PROCESSING))


def _variants(value: Any) -> set[str]:
    if not isinstance(value, str):
        return set()
    text = " ".join(value.split())
    found = {text, re.sub(r"[\s\-.·]+", "", text)}  # a plate or phone written without spaces
    return {t for t in found if len(t) >= MIN_TRACE}


def traces_of(document: dict[str, Any]) -> set[str]:
    """The personal strings a booking document (or a task's ``bookingData``) holds: its
    fields now, and the old and new values its amendments recorded."""
    if not isinstance(document, dict):
        return set()
    found: set[str] = set()
    for name in PERSONAL_FIELDS - {"notes"}:
        found |= _variants(document.get(name))
    for entry in document.get("history") or []:
        details = entry.get("details") if isinstance(entry, dict) else None
        if not isinstance(details, dict):
            continue
        for name, change in details.items():
            if name in PERSONAL_FIELDS - {"notes"}:
                if isinstance(change, dict):
                    values = list(change.values())
                else:
                    values = list(change) if isinstance(change, (list, tuple)) else [change]
                for value in values:
                    found |= _variants(value)
    return found


def _pattern(traces: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t for t in traces if len(t) >= MIN_TRACE}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def scrub(value: Any, traces: Iterable[str]) -> Any:
    """*value* (a document, a list, a text) with every trace in every text replaced."""
    pattern = _pattern(traces)
    return value if pattern is None else _scrub(value, pattern)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, dict):
        return {k: _scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    return value


def mentions(value: Any, traces: Iterable[str]) -> bool:
    """Whether any text in *value* holds one of *traces*."""
    pattern = _pattern(traces)
    return pattern is not None and _scrub(value, pattern) != value


def without_personal_details(details: Any) -> Any:
    """A history entry's details without the personal fields an amendment diff names."""
    if not isinstance(details, dict):
        return details
    return {k: v for k, v in details.items() if k not in PERSONAL_FIELDS}


def erased_task_document(
    document: dict[str, Any], traces: Iterable[str], operator: str, now: datetime
) -> dict[str, Any]:
    """A queue document as an erasure leaves it: no recipient, a snapshot of numbers and
    dates only, every trace gone from its errors and history; one that could still be sent
    is cancelled. The website's shapes (no status, odd fields) are cleaned the same way."""
    traces = set(traces) | _variants(document.get("clientEmail"))
    traces |= traces_of(document.get("bookingData") or {})
    doc = dict(document)
    doc["clientEmail"] = ERASED_EMAIL
    data = document.get("bookingData")
    doc["bookingData"] = (
        {k: data[k] for k in KEPT_SNAPSHOT if k in data} if isinstance(data, dict) else {}
    )
    status = document.get("status")
    if not isinstance(status, str) or status.strip().lower() in _UNSENT:
        history = document.get("history")
        doc.update(
            status=str(TaskState.CANCELLED),
            leaseOwner=None,
            leaseExpiresAt=None,
            updatedAt=now,
            history=[
                *(history if isinstance(history, list) else []),
                {
                    "at": now,
                    "worker": operator,
                    "outcome": "cancelled",
                    "code": "erased",
                    "message": "",
                    "provider": None,
                },
            ],
        )
    # An SMTP server may quote the address in a form no trace matches (its domain in
    # punycode, say): the reasons' texts go whole, their codes stay.
    error = doc.get("lastError")
    if isinstance(error, dict):
        doc["lastError"] = {**error, "message": ""}
    history = doc.get("history")
    if isinstance(history, list):
        doc["history"] = [
            {**h, "message": ""} if isinstance(h, dict) and "message" in h else h for h in history
        ]
    cleaned: dict[str, Any] = scrub(doc, traces)
    cleaned["clientEmail"] = ERASED_EMAIL
    return cleaned


def audit_traces(document: Any, numbers: Iterable[str]) -> set[str]:
    """Addresses an audit entry about one of the bookings *numbers* holds: a recipient fix
    keeps the old and the new one, and the old one may be nowhere else any more."""
    details = document.get("details") if isinstance(document, dict) else None
    if not isinstance(details, dict) or str(details.get("bookingNumber")) not in set(numbers):
        return set()
    return _variants(details.get("from")) | _variants(details.get("to"))
