"""Python peers of opentelemetry-datadog's tests.

    dd_peer.py intake      An agent-like trace intake on 127.0.0.1 (OS-chosen port, printed as
                           the first stdout line). Each request to /v0.4/traces or /v0.5/traces
                           is decoded with PyPI `msgpack`, checked against the format's shape,
                           and printed as one JSON line: {"path", "headers", "traces"} with v0.5
                           string indices resolved into v0.4-style span maps. Exits when stdin
                           closes (or after 120 s).
    dd_peer.py intake-unix PATH
                           The same intake on a Unix domain socket at PATH (prints "ready").
    dd_peer.py ddtrace-encode V
                           Reads JSON traces (v0.4-style span maps, a missing `error` or
                           `parent_id` meaning 0) from stdin, encodes them
                           with ddtrace's own MsgpackEncoderV04/V05 (V = 0.4 or 0.5), decodes
                           that payload the same way, and prints it as JSON.
    dd_peer.py propagate   JSON commands on stdin, one per line, answered on stdout: extract
                           headers or inject a context with ddtrace's HTTPPropagator (run with
                           DD_TRACE_PROPAGATION_STYLE=datadog); trace IDs as decimal text.
"""

import json
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import msgpack

V05_FIELDS = ["service", "name", "resource", "trace_id", "span_id", "parent_id", "start",
              "duration", "error", "meta", "metrics", "type"]


def fail(msg):
    raise ValueError(msg)


def decode(path, body):
    data = msgpack.unpackb(body, raw=False, strict_map_key=False)
    if path == "/v0.4/traces":
        if not isinstance(data, list):
            fail("v0.4 payload is not an array")
        for trace in data:
            for span in trace:
                if not isinstance(span, dict):
                    fail("v0.4 span is not a map")
        return data
    if path == "/v0.5/traces":
        if not (isinstance(data, list) and len(data) == 2):
            fail("v0.5 payload is not [strings, traces]")
        strings, traces = data
        if not all(isinstance(s, str) for s in strings):
            fail("v0.5 string table holds a non-string")
        if strings[:1] != [""]:
            fail("v0.5 string table does not start with the empty string")
        out = []
        for trace in traces:
            spans = []
            for arr in trace:
                if not (isinstance(arr, list) and len(arr) == 12):
                    fail("v0.5 span is not a 12-element array")
                span = dict(zip(V05_FIELDS, arr))
                for k in ("service", "name", "resource", "type"):
                    span[k] = strings[span[k]]
                span["meta"] = {strings[k]: strings[v] for k, v in span["meta"].items()}
                span["metrics"] = {strings[k]: v for k, v in span["metrics"].items()}
                spans.append(span)
            out.append(spans)
        return out
    fail("unknown path " + path)


def intake(unix_path=None):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}
            try:
                record["traces"] = decode(self.path, body)
                status = 200
            except Exception as e:  # reported to the test, which fails
                record["error"] = repr(e)
                status = 400
            sys.stdout.write(json.dumps(record) + "\n")
            sys.stdout.flush()
            reply = b'{"rate_by_service":{}}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    if unix_path is None:
        server = HTTPServer(("127.0.0.1", 0), Handler)
        ready = str(server.server_address[1])
    else:
        server = socketserver.UnixStreamServer(unix_path, Handler)
        ready = "ready"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write(ready + "\n")
    sys.stdout.flush()
    done = threading.Event()

    def watch_stdin():
        sys.stdin.read()
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    done.wait(120)
    server.shutdown()


def ddtrace_encode(version):
    from ddtrace.internal._encoding import MsgpackEncoderV04, MsgpackEncoderV05
    from ddtrace.trace import Span

    traces = json.load(sys.stdin)
    encoder = {"0.4": MsgpackEncoderV04, "0.5": MsgpackEncoderV05}[version](1 << 24, 1 << 24)
    for trace in traces:
        spans = []
        for f in trace:
            s = Span(f["name"], service=f["service"], resource=f["resource"],
                     span_type=f["type"], trace_id=f["trace_id"], span_id=f["span_id"],
                     parent_id=f.get("parent_id") or None)
            s.start_ns = f["start"]
            s.duration_ns = f["duration"]
            s.error = f.get("error", 0)
            for k, v in f["meta"].items():
                s.set_tag(k, v)
            for k, v in f["metrics"].items():
                s.set_metric(k, v)
            spans.append(s)
        encoder.put(spans)
    payloads = encoder.encode()
    (payload, count), = payloads
    json.dump({"trace_count": count,
               "traces": decode("/v0.%s/traces" % version[-1], payload)}, sys.stdout)


def propagate():
    from ddtrace.propagation.http import HTTPPropagator
    from ddtrace.trace import Context

    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "extract":
            cx = HTTPPropagator.extract(cmd["headers"])
            out = {
                # As text: JSON numbers beyond 64 bits do not survive every parser.
                "trace_id": None if cx.trace_id is None else str(cx.trace_id),
                "span_id": cx.span_id,
                "sampling_priority": cx.sampling_priority,
                "origin": cx.dd_origin,
                "tags": {k: v for k, v in cx._meta.items() if k.startswith("_dd.p.")},
            }
        else:
            cx = Context(trace_id=int(cmd["trace_id"]), span_id=cmd["span_id"],
                         sampling_priority=cmd.get("sampling_priority"),
                         dd_origin=cmd.get("origin"), meta=dict(cmd.get("tags", {})))
            headers = {}
            HTTPPropagator.inject(cx, headers)
            out = {"headers": headers}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "intake":
        intake()
    elif mode == "intake-unix":
        intake(sys.argv[2])
    elif mode == "ddtrace-encode":
        ddtrace_encode(sys.argv[2])
    elif mode == "propagate":
        propagate()
    else:
        fail("unknown mode " + mode)
