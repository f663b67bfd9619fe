"""Firestore operations counted at the client boundary, for the benchmarks only.

Wrapping the generated ``FirestoreClient`` (the layer under ``google.cloud.firestore``) sees
every call a store makes, however it builds them, without touching product code.
"""

from __future__ import annotations

import threading
from collections import Counter


def query_kind(request) -> str:
    """What a query is for, told by its shape: the claim's due or expired-lease query (by
    its order), a projection (the normaliser's sweep), a count, or a plain get."""
    if isinstance(request, dict):
        query = request.get("structured_query")
    else:
        query = getattr(request, "structured_query", None)
    if query is None:
        return "get"
    text = str(query.order_by)
    for field in ("nextAttemptAt", "leaseExpiresAt", "createdAt", "completedAt"):
        if field in text:
            return f"by {field}"
    if query.select.fields:
        return "projection"
    return "other"


def aggregation_reads(response) -> int:
    """A count bills one read per 1,000 index entries it counted (at least one, which the
    stream wrapper adds when this returns 0)."""
    result = getattr(response, "result", None)
    fields = getattr(result, "aggregate_fields", None) or {}
    counted = sum(int(getattr(value, "integer_value", 0) or 0) for value in fields.values())
    return -(-counted // 1000)


def batch_write_lost(response) -> int:
    """Writes of a BatchWrite call refused one by one (a claim lost to another worker)."""
    return sum(1 for status in getattr(response, "status", None) or [] if status.code != 0)


class FirestoreCounter:
    """Counts RPCs and billed document reads/writes by wrapping the generated client.

    Wrapping ``FirestoreClient`` (the layer under ``google.cloud.firestore``) sees every
    call the store makes, however it builds them, without touching product code. A query
    that returns nothing still bills one read, as Firestore does.
    """

    def __init__(self) -> None:
        self.rpcs: Counter[str] = Counter()
        self.reads_by_rpc: Counter[str] = Counter()
        self.reads = 0
        self.writes = 0
        # Writes of a BatchWrite refused alone (lost claims): not billed, counted apart.
        self.lost = 0
        # Guards the counters: the store calls the client from several threads.
        self.lock = threading.Lock()
        self._saved: dict[str, object] = {}

    def reset(self) -> None:
        with self.lock:
            self.rpcs.clear()
            self.reads_by_rpc.clear()
            self.reads = self.writes = self.lost = 0

    def _add(self, rpc: str, reads: int = 0, writes: int = 0, lost: int = 0) -> None:
        with self.lock:
            self.rpcs[rpc] += 1
            self.reads += reads
            self.reads_by_rpc[rpc] += reads
            self.writes += writes - lost
            self.lost += lost

    def _add_reads(self, rpc: str, count: int) -> None:
        with self.lock:
            self.reads += count
            self.reads_by_rpc[rpc] += count

    def install(self) -> FirestoreCounter:
        from google.cloud.firestore_v1.services.firestore import client as gapic

        cls = gapic.FirestoreClient
        counter = self

        def wrap_unary(name: str, reads: int = 0, writes_of=None, lost_of=None):
            original = getattr(cls, name)
            self._saved[name] = original

            def call(client, *args, **kwargs):
                try:
                    result = original(client, *args, **kwargs)
                except Exception:
                    # Refused (a claim commit with a task another worker took first): not
                    # billed, counted apart as an RPC.
                    counter._add(f"{name}[refused]")
                    raise
                request = kwargs.get("request", args[0] if args else None)
                writes = writes_of(request) if writes_of and request is not None else 0
                lost = lost_of(result) if lost_of else 0
                counter._add(name, reads=reads, writes=writes, lost=lost)
                return result

            setattr(cls, name, call)

        def wrap_stream(base: str, docs_of):
            original = getattr(cls, base)
            self._saved[base] = original

            def call(client, *args, **kwargs):
                stream = original(client, *args, **kwargs)
                name = f"{base}[{query_kind(kwargs.get('request', args[0] if args else None))}]"
                counter._add(name)

                def counted():
                    found = 0
                    try:
                        for item in stream:
                            docs = docs_of(item)
                            found += docs
                            if docs:
                                counter._add_reads(name, docs)
                            yield item
                    finally:
                        if not found:
                            counter._add_reads(name, 1)

                return counted()

            setattr(cls, base, call)

        def commit_writes(request) -> int:
            writes = getattr(request, "writes", None)
            if writes is None and isinstance(request, dict):
                writes = request.get("writes")
            return len(writes or [])

        wrap_unary("get_document", reads=1)
        wrap_unary("commit", writes_of=commit_writes)
        wrap_unary("begin_transaction")
        wrap_unary("rollback")
        wrap_unary("update_document", writes_of=lambda _r: 1)
        wrap_unary("delete_document", writes_of=lambda _r: 1)
        wrap_unary("batch_write", writes_of=commit_writes, lost_of=batch_write_lost)
        wrap_stream("batch_get_documents", lambda r: 1 if getattr(r, "found", None) else 0)
        wrap_stream("run_query", lambda r: 1 if getattr(r, "document", None) else 0)
        wrap_stream("run_aggregation_query", aggregation_reads)
        return self

    def uninstall(self) -> None:
        from google.cloud.firestore_v1.services.firestore import client as gapic

        for name, original in self._saved.items():
            setattr(gapic.FirestoreClient, name, original)
        self._saved.clear()
