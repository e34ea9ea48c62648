"""A web server on 127.0.0.1 for the tests that read reports from an address."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A path answers with (status, content type, body), or is a function that answers itself (a
# redirect loop, a slow or endless answer).
Route = tuple[int, str, bytes] | Callable[[BaseHTTPRequestHandler], None]
NOT_FOUND = (404, "text/html", b"not found")


def send(handler: BaseHTTPRequestHandler, status: int, kind: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def local_server(routes: Mapping[str, Route]) -> Iterator[str]:
    """The server's base address (http://127.0.0.1:PORT) while the block runs."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path, NOT_FOUND)
            if callable(route):
                route(self)
            else:
                send(self, *route)

        def log_message(self, *_args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
