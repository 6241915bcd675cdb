"""A DynamoDB endpoint on loopback whose every call can be slow, trickle in or answer at once.

It answers as an empty table would (nothing found, every write accepted) and records each request,
so a test can read what a handler wrote. Calls chosen by `drip` get their whole reply, status line
included, one byte every DRIP_SECONDS: botocore's read timeout restarts with every byte, so only
an absolute deadline ends such a call.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

DRIP_SECONDS: Final = 0.9


class LoopbackDynamoDB:
    """The endpoint; `url` for AWS_ENDPOINT_URL_DYNAMODB, `requests` as (operation, body)."""

    def __init__(
        self,
        *,
        delay_seconds: float = 0.0,
        drip: Callable[[str, str], bool] = lambda operation, table: False,
    ) -> None:
        self.delay_seconds = delay_seconds
        self.drip = drip
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.stopped = threading.Event()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                operation = self.headers["X-Amz-Target"].rpartition(".")[2]
                endpoint.requests.append((operation, body))
                reply = _reply(operation, body)
                if endpoint.drip(operation, _table(body)):
                    for byte in _http_response(reply):
                        if endpoint.stopped.wait(DRIP_SECONDS):
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    return
                time.sleep(endpoint.delay_seconds)
                self.wfile.write(_http_response(reply))

            def log_message(self, *_: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def written(self, operation: str, table: str) -> list[dict[str, Any]]:
        """The bodies of every `operation` call on `table` so far."""
        return [body for op, body in self.requests if op == operation and _table(body) == table]

    def serve(self) -> Iterator[str]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self.url
        finally:
            self.stopped.set()
            self.server.shutdown()
            self.server.server_close()


def _table(body: dict[str, Any]) -> str:
    return str(body.get("TableName") or next(iter(body.get("RequestItems", {})), ""))


def _reply(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    if operation == "BatchGetItem":
        return {"Responses": {name: [] for name in body["RequestItems"]}, "UnprocessedKeys": {}}
    return {}


def _http_response(reply: dict[str, Any]) -> bytes:
    payload = json.dumps(reply).encode()
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/x-amz-json-1.0\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload
