"""A stand-in for llama-cpp-python's OpenAI-compatible server, for the smoke-test tests (not a test module).

    python tests/fake_llm_server.py MODE PORT

It lists a model under /v1/models like the real server once its model is loaded; /v1/chat/completions then
behaves by MODE: `ok` answers "ja", `empty` answers "", `error` answers HTTP 500, and `crash` kills the process
with SIGSEGV before answering, as a llama.cpp build with unsupported CPU instructions does on its first
completion.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    mode = "ok"

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write("fake llm server: " + format % args + "\n")

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        if self.path != "/v1/chat/completions":
            self._json(404, {"error": "not found"})
        elif self.mode == "crash":
            sys.stderr.write("ggml: about to multiply matrices\n")
            sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGSEGV)
        elif self.mode == "error":
            self._json(500, {"error": "llama_decode failed"})
        else:
            content = "ja" if self.mode == "ok" else ""
            self._json(200, {"choices": [{"message": {"role": "assistant", "content": content}}]})


def main() -> None:
    mode, port = sys.argv[1], int(sys.argv[2])
    Handler.mode = mode
    signal.signal(signal.SIGSEGV, signal.SIG_DFL)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
