"""A local stand-in for the Dynatrace metrics ingest API v2 (peer of tests/intake.rs).

Listens on 127.0.0.1 (OS-chosen port, printed as the first stdout line). POST
/api/v2/metrics/ingest parses every line strictly against the line protocol and answers like
Dynatrace: 202 {"linesOk", "linesInvalid": 0, "error": null} when all lines are valid, else
400 with the invalid lines. Lines whose key starts with `reject.` count as invalid (to test
rejections). More than 1000 lines, a wrong content type or a wrong token is a 400 too.
GET /received returns everything received. Exits when stdin closes or after 120 s.
"""
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = sys.argv[1] if len(sys.argv) > 1 else None
KEY = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]*(\.[a-zA-Z0-9_][a-zA-Z0-9_-]*)*")
DIM_KEY = re.compile(r"[a-z_][a-z0-9_:-]*(\.[a-z_][a-z0-9_:-]*)*")
NUM = r"-?\d+(\.\d+)?(e[+-]\d+)?"
PAYLOAD = re.compile(
    rf"gauge,{NUM}|count,delta={NUM}|gauge,min={NUM},max={NUM},sum={NUM},count=\d+")
MUST_ESCAPE = set('=, "\\')

received = {"requests": [], "lines": [], "invalid": []}
lock = threading.Lock()


def parse_line(line):
    """Returns (key, dims, payload, timestamp) or raises ValueError."""
    i, n = 0, len(line)
    while i < n and line[i] not in ", ":
        i += 1
    key = line[:i]
    if not KEY.fullmatch(key) or len(key) > 250:
        raise ValueError(f"invalid metric key {key!r}")
    dims = {}
    while i < n and line[i] == ",":
        i += 1
        j = line.find("=", i)
        if j < 0:
            raise ValueError("dimension without '='")
        dk = line[i:j]
        if not DIM_KEY.fullmatch(dk) or len(dk) > 100:
            raise ValueError(f"invalid dimension key {dk!r}")
        i = j + 1
        raw_start, value = i, []
        while i < n and line[i] not in ", ":
            c = line[i]
            if c == "\\":
                if i + 1 >= n or line[i + 1] not in MUST_ESCAPE:
                    raise ValueError(f"bad escape in value of {dk}")
                value.append(line[i + 1])
                i += 2
                continue
            if c in MUST_ESCAPE:
                raise ValueError(f"unescaped {c!r} in value of {dk}")
            if ord(c) < 0x20 or ord(c) == 0x7F:
                raise ValueError(f"control character in value of {dk}")
            value.append(c)
            i += 1
        if i - raw_start > 250:
            raise ValueError(f"value of {dk} longer than 250")
        if dk in dims:
            raise ValueError(f"duplicate dimension {dk}")
        dims[dk] = "".join(value)
    if i >= n or line[i] != " ":
        raise ValueError("no payload")
    rest = line[i + 1:].split(" ")
    if len(rest) not in (1, 2) or not PAYLOAD.fullmatch(rest[0]):
        raise ValueError(f"invalid payload {line[i + 1:]!r}")
    ts = None
    if len(rest) == 2:
        if not rest[1].isdigit() or not 946681200000 <= int(rest[1]) < 32503676400000:
            raise ValueError("invalid timestamp")
        ts = int(rest[1])
    if key.startswith("reject."):
        raise ValueError("rejected by the test intake")
    if dims.get("dt.metrics.source") != "opentelemetry":
        raise ValueError("no dt.metrics.source=opentelemetry dimension")
    return key, dims, rest[0], ts


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            self.reply(200, received)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8")
        lines = body.split("\n")
        problems = []
        if self.path != "/api/v2/metrics/ingest":
            problems.append(f"wrong path {self.path}")
        if not self.headers.get("Content-Type", "").startswith("text/plain"):
            problems.append("content type is not text/plain")
        if TOKEN and self.headers.get("Authorization") != f"Api-Token {TOKEN}":
            problems.append("wrong or missing token")
        if len(lines) > 1000:
            problems.append(f"{len(lines)} lines in one request (limit 1000)")
        if problems:
            self.reply(400, {"error": {"code": 400, "message": "; ".join(problems)}})
            with lock:
                received["requests"].append({"lines": len(lines), "problems": problems})
            return
        ok, invalid = [], []
        for number, line in enumerate(lines, 1):
            try:
                parse_line(line)
                ok.append(line)
            except ValueError as e:
                invalid.append({"line": number, "error": str(e), "text": line})
        with lock:
            received["requests"].append({"lines": len(lines), "problems": []})
            received["lines"].extend(ok)
            received["invalid"].extend(invalid)
        if invalid:
            self.reply(400, {"linesOk": len(ok), "linesInvalid": len(invalid), "error": {
                "code": 400, "message": f"{len(invalid)} invalid lines",
                "invalidLines": [{"line": i["line"], "error": i["error"]} for i in invalid]}})
        else:
            self.reply(202, {"linesOk": len(ok), "linesInvalid": 0, "error": None})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    watchdog = threading.Timer(120, lambda: os._exit(1))
    watchdog.daemon = True
    watchdog.start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
