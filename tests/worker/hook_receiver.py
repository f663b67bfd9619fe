"""A webhook receiver on loopback that checks signatures the way the docs tell operators to."""

from __future__ import annotations

import http.server
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from parking_desk.services.webhook import SIGNATURE_HEADER, verify


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    accepted: bool

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class CheckingReceiver:
    """Answers 204 to a POST whose signature verifies, 401 to one that does not, and
    *status* (500: down) to everything while it is set; ``hold`` keeps each answer until
    released, like a receiver stuck behind a proxy."""

    secret: str
    status: int | None = None
    received: list[Received] = field(default_factory=list)
    hold: threading.Event | None = None

    def __post_init__(self) -> None:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = dict(self.headers.items())
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                ok = verify(body, headers.get(SIGNATURE_HEADER), receiver.secret)
                code = receiver.status or (204 if ok else 401)
                receiver.received.append(Received(body, headers, code == 204))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.received if r.accepted]

    def close(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()
