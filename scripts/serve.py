#!/usr/bin/env python3
"""`make serve`: dist/ on 127.0.0.1 with the page's Content-Security-Policy (scripts/csp.txt) sent as a
header on every file, so the workers run under it too (a <meta> tag covers only the page)."""
import http.server
import pathlib
import sys

CSP = " ".join(pathlib.Path(__file__).with_name("csp.txt").read_text().split())


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
