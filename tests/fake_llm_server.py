"""A stand-in for llama-cpp-python's OpenAI-compatible server, for the smoke-test tests (not a test module).

    python tests/fake_llm_server.py MODE PORT

It lists a model under /v1/models like the real server once its model is loaded; /v1/chat/completions then
behaves by MODE: `ok` answers "ja", `empty` answers "", `error` answers HTTP 500, and `crash` kills the process
with SIGSEGV before answering, as a llama.cpp build with unsupported CPU instructions does on its first
completion. For the clients' retries: `flaky` answers HTTP 503 twice and then "ja", `busy` answers HTTP 429 with
`Retry-After: 1` once and then "ja", `drop` closes the first connection without answering and then says "ja",
`bad` answers HTTP 400. A request with `"stream": true` gets the answer as server-sent events. GET /requests
tells how many completions were asked for.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


class Handler(BaseHTTPRequestHandler):
    mode = "ok"
    posts = 0
    # (status, headers) of the first answers, per mode; None: drop the connection without answering.
    failures: ClassVar[dict[str, list[tuple[int, dict[str, str]] | None]]] = {
        "flaky": [(503, {}), (503, {})],
        "busy": [(429, {"Retry-After": "1"})],
        "drop": [None],
    }

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write("fake llm server: " + format % args + "\n")

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _sse(self, content: str) -> None:
        events = [{"choices": [{"delta": {"content": content}}]}] if content else []
        data = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(data.encode())))
        self.end_headers()
        self.wfile.write(data.encode())

    def do_GET(self) -> None:
        if self.path == "/requests":
            self._json(200, {"posts": Handler.posts})
        elif self.path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
        Handler.posts += 1
        failures = self.failures.get(self.mode, [])
        if self.path != "/v1/chat/completions":
            self._json(404, {"error": "not found"})
        elif Handler.posts <= len(failures):
            failure = failures[Handler.posts - 1]
            if failure is None:
                self.close_connection = True  # no answer at all: the client sees the connection closed
                return
            status, headers = failure
            data = json.dumps({"error": "busy"}).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif self.mode == "bad":
            self._json(400, {"error": "bad request"})
        elif self.mode == "crash":
            sys.stderr.write("ggml: about to multiply matrices\n")
            sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGSEGV)
        elif self.mode == "error":
            self._json(500, {"error": "llama_decode failed"})
        else:
            content = "" if self.mode == "empty" else "ja"
            if body.get("stream"):
                self._sse(content)
            else:
                self._json(200, {"choices": [{"message": {"role": "assistant", "content": content}}]})


def main() -> None:
    mode, port = sys.argv[1], int(sys.argv[2])
    Handler.mode = mode
    signal.signal(signal.SIGSEGV, signal.SIG_DFL)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
