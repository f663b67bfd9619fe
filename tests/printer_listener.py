"""A receipt printer's port 9100 on loopback, and readers for what an ESC/POS printer gets."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from PIL import Image


@dataclass
class Listener:
    """Takes connections on 127.0.0.1 and keeps what each one sent, as a printer would."""

    sock: socket.socket
    jobs: list[bytes] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                chunks = []
                while data := conn.recv(65536):
                    chunks.append(data)
            with self._arrived:
                self.jobs.append(b"".join(chunks))
                self._arrived.notify_all()

    def job(self, number: int = 1) -> bytes:
        """The *number*-th job, once it has arrived whole."""
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.jobs) >= number, 30), "no job came"
            return self.jobs[number - 1]


@contextmanager
def printer_listener() -> Iterator[Listener]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    found = Listener(sock)
    thread = threading.Thread(target=found.serve, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() the thread is blocked in
        sock.close()
        thread.join()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def native_qr_payloads(data: bytes) -> list[str]:
    """The data of each ``GS ( k`` "store the symbol data" command (cn 49, fn 80)."""
    found, at = [], 0
    while (at := data.find(b"\x1d(k", at)) >= 0:
        length = data[at + 3] + 256 * data[at + 4]
        body = data[at + 5 : at + 5 + length]
        if body[:3] == b"1P0":
            found.append(body[3:].decode("ascii"))
        at += 5 + length
    return found


def raster_images(data: bytes) -> list[Image.Image]:
    """Each ``GS v 0`` raster bit image as a picture (1 bits are black dots)."""
    images, at = [], 0
    while (at := data.find(b"\x1dv0", at)) >= 0:
        width_bytes = data[at + 4] + 256 * data[at + 5]
        height = data[at + 6] + 256 * data[at + 7]
        start = at + 8
        bits = data[start : start + width_bytes * height]
        image = Image.frombytes("1", (width_bytes * 8, height), bits)
        images.append(Image.eval(image.convert("L"), lambda v: 255 - v))
        at = start + len(bits)
    return images
