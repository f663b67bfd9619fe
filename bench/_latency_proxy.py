"""A loopback TCP proxy that makes a local server look far away.

Every byte is held for a fixed delay in each direction (half the round-trip time), with
optional jitter and dropped connections, so a benchmark against the local Firestore emulator
sees what a desk in Romania sees of a Firestore region 40 ms away. Bandwidth is not limited:
a chunk read at time t is written at t + delay, and chunks keep their order, so a stream of
pipelined requests pays the delay once, as on a real network, not once per chunk.

It runs as a process of its own (``python bench/_latency_proxy.py --listen PORT --target
HOST:PORT --rtt-ms 40``) so the delaying never competes for the benchmarked process's GIL;
``latency_proxy()`` starts one and stops it.

gRPC (the Firestore client) and SMTP both work through it: it is a plain byte pipe.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

CHUNK = 64 * 1024


class _Direction:
    """Copies one direction of a connection, each chunk written *delay* after it was read."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        delay_s: float,
        jitter_s: float,
        drop: float,
        rng: random.Random,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._delay = delay_s
        self._jitter = jitter_s
        self._drop = drop
        self._rng = rng
        self._queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        self.dropped = False

    async def read(self) -> None:
        loop = asyncio.get_running_loop()
        last_due = 0.0
        try:
            while True:
                data = await self._reader.read(CHUNK)
                if not data:
                    break
                if self._drop and self._rng.random() < self._drop:
                    self.dropped = True
                    break
                due = loop.time() + self._delay
                if self._jitter:
                    due += self._rng.uniform(0.0, self._jitter)
                # Jitter never reorders a stream: TCP would not deliver out of order.
                last_due = max(last_due, due)
                await self._queue.put((last_due, data))
        except (ConnectionError, OSError):
            pass
        await self._queue.put((last_due, b""))

    async def write(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                due, data = await self._queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    break
                self._writer.write(data)
                await self._writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if self.dropped:
                # A dropped connection is reset, as a broken network path would leave it.
                sock = self._writer.get_extra_info("socket")
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                        )
                self._writer.transport.abort()
            else:
                with contextlib.suppress(ConnectionError, OSError, RuntimeError):
                    if self._writer.can_write_eof():
                        self._writer.write_eof()


async def _serve(
    listen: int, target_host: str, target_port: int, delay_s: float, jitter_s: float, drop: float
) -> None:
    rng = random.Random(0xD15C)

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_w.close()
            return
        for w in (client_w, server_w):
            sock = w.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        up = _Direction(client_r, server_w, delay_s, jitter_s, drop, rng)
        down = _Direction(server_r, client_w, delay_s, jitter_s, drop, rng)
        await asyncio.gather(up.read(), up.write(), down.read(), down.write())
        for w in (client_w, server_w):
            with contextlib.suppress(Exception):
                w.close()

    # The event loop holds its tasks only weakly: a connection's task is kept here until it
    # ends, or a short one (an RTT probe) could be collected half-way.
    running: set[asyncio.Task[None]] = set()

    def connected(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(handle(client_r, client_w))
        running.add(task)
        task.add_done_callback(running.discard)

    server = await asyncio.start_server(connected, "127.0.0.1", listen)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LatencyProxy:
    """A proxy process in front of *target* ("host:port"); ``host`` is where to connect."""

    def __init__(
        self, target: str, rtt_ms: float, *, jitter_ms: float = 0.0, drop: float = 0.0
    ) -> None:
        self.target = target
        self.rtt_ms = rtt_ms
        self.port = _free_port()
        self.host = f"127.0.0.1:{self.port}"
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--listen",
            str(self.port),
            "--target",
            target,
            "--rtt-ms",
            str(rtt_ms),
            "--jitter-ms",
            str(jitter_ms),
            "--drop",
            str(drop),
        ]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            self.stop()
            raise SystemExit("the latency proxy did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@contextlib.contextmanager
def latency_proxy(
    target: str, rtt_ms: float, *, jitter_ms: float = 0.0, drop: float = 0.0
) -> Iterator[str]:
    """Yield the address ("127.0.0.1:port") that reaches *target* with *rtt_ms* added;
    with *rtt_ms* 0 and no jitter or drops, *target* itself, untouched."""
    if rtt_ms <= 0 and jitter_ms <= 0 and drop <= 0:
        yield target
        return
    proxy = LatencyProxy(target, rtt_ms, jitter_ms=jitter_ms, drop=drop)
    try:
        yield proxy.host
    finally:
        proxy.stop()


def measured_rtt_ms(host: str, samples: int = 20) -> float:
    """The median time from sending an HTTP/1.0 request to *host* to the first byte of its
    answer: the round trip a benchmark's figures were taken at (the TCP connect itself is
    local, to the proxy, so it is left out)."""
    h, p = host.rsplit(":", 1)
    times = []
    for _ in range(samples):
        with socket.create_connection((h, int(p)), timeout=5) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            started = time.perf_counter()
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            s.recv(1)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--target", required=True, help="host:port")
    parser.add_argument("--rtt-ms", type=float, default=40.0)
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="extra delay, 0..J each way")
    parser.add_argument("--drop", type=float, default=0.0, help="chance per chunk of a reset")
    args = parser.parse_args()
    # Stopped by its benchmark: at once and quietly, open connections and all.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    host, port = args.target.rsplit(":", 1)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            _serve(
                args.listen,
                host,
                int(port),
                args.rtt_ms / 2000.0,
                args.jitter_ms / 1000.0,
                args.drop,
            )
        )


if __name__ == "__main__":
    main()
