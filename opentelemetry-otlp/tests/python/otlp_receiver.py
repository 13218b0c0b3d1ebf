"""An OTLP receiver built on the official Python classes (PyPI `opentelemetry-proto` and
`grpcio`), the real peer of the Rust exporters' tests.

    otlp_receiver.py OUT_FILE [--grpc-port P] [--http-port P] [--fail N]
                     [--grpc-code NAME] [--http-status S] [--retry-after SECONDS]
                     [--retry-info-ms MS] [--partial] [--big-response BYTES]
                     [--gzip-response] [--hang] [--delay-ms MS] [--tls CERT KEY]
                     [--client-ca CA]

Serves the three collector services over gRPC (the generated `*_service_pb2_grpc` servicers)
and OTLP/HTTP (POST /v1/traces, /v1/metrics, /v1/logs; protobuf or JSON bodies, gzip), on
127.0.0.1 (port 0: the OS chooses). Prints one line {"grpc": port, "http": port} when ready.

Each request is appended to OUT_FILE as one JSON line, before the answer is sent:
{"transport", "signal", "encoding", "gzip", "headers", "outcome", "in_flight", "request"},
the request decoded with `json_format.MessageToDict` (field names as in the .proto, IDs as
hex); `in_flight` is how many requests (this one included, both transports) the receiver was
handling when it arrived: a request counts from its arrival until just before its answer is
sent, so a client that waits for answers never makes it exceed its own number of concurrent
requests.

--fail N: the first N requests fail (gRPC status --grpc-code, default UNAVAILABLE; HTTP
status --http-status, default 503), with a `Retry-After` header or a google.rpc.RetryInfo
when asked. --partial: successes carry a partial_success (2 rejected, "bad data").
--big-response BYTES: successes carry a partial_success whose error_message is BYTES long
(an oversized response for the exporters' size limit). --gzip-response: OTLP/HTTP responses
are gzip-compressed when the request's Accept-Encoding allows it.
--hang: never answers. --delay-ms MS: every answer is sent MS milliseconds after the
request arrived. --tls: both servers use TLS with this certificate and key;
--client-ca: and require a client certificate signed by CA. Exits when its standard input
closes.
"""

import argparse
import base64
import gzip
import json
import os
import sys
import threading
import time
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import (
    metrics_service_pb2,
    metrics_service_pb2_grpc,
)
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

SIGNALS = {
    "traces": (
        trace_service_pb2.ExportTraceServiceRequest,
        trace_service_pb2.ExportTraceServiceResponse,
        "rejected_spans",
    ),
    "metrics": (
        metrics_service_pb2.ExportMetricsServiceRequest,
        metrics_service_pb2.ExportMetricsServiceResponse,
        "rejected_data_points",
    ),
    "logs": (
        logs_service_pb2.ExportLogsServiceRequest,
        logs_service_pb2.ExportLogsServiceResponse,
        "rejected_log_records",
    ),
}
ID_FIELDS = {"trace_id", "span_id", "parent_span_id"}
JSON_ID_FIELDS = {"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"}

args = None
lock = threading.Lock()
failures_left = 0
in_flight = 0


def arrive():
    """Counts a request in; returns how many are in flight with it."""
    global in_flight
    with lock:
        in_flight += 1
        return in_flight


def answering():
    """Counts a request out, just before its answer is sent."""
    global in_flight
    with lock:
        in_flight -= 1


def delay():
    if args.delay_ms:
        time.sleep(args.delay_ms / 1000.0)


def hexify(value, key=None):
    if isinstance(value, dict):
        return {k: hexify(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [hexify(v, key) for v in value]
    if key in ID_FIELDS and isinstance(value, str):
        return base64.b64decode(value).hex()
    return value


def ids_to_base64(value, key=None):
    """OTLP/JSON carries IDs as hex; the proto3 JSON mapping `json_format` follows, as base64."""
    if isinstance(value, dict):
        return {k: ids_to_base64(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [ids_to_base64(v, key) for v in value]
    if key in JSON_ID_FIELDS and isinstance(value, str):
        return base64.b64encode(bytes.fromhex(value)).decode()
    return value


def record(transport, signal, encoding, gz, headers, outcome, request, concurrent=None):
    line = {
        "in_flight": concurrent,
        "transport": transport,
        "signal": signal,
        "encoding": encoding,
        "gzip": gz,
        "headers": headers,
        "outcome": outcome,
        "request": hexify(json_format.MessageToDict(request, preserving_proto_field_name=True))
        if request is not None
        else None,
    }
    with lock:
        with open(args.out, "a") as f:
            f.write(json.dumps(line) + "\n")
            f.flush()


def take_failure():
    global failures_left
    with lock:
        if failures_left > 0:
            failures_left -= 1
            return True
        return False


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(tag, wire, payload):
    key = varint((tag << 3) | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload


def rpc_status(code, message):
    """google.rpc.Status, with a google.rpc.RetryInfo when --retry-info-ms is given."""
    body = field(1, 0, varint(code)) + field(2, 2, message.encode())
    if args.retry_info_ms is not None:
        ms = args.retry_info_ms
        duration = field(1, 0, varint(ms // 1000)) + field(2, 0, varint((ms % 1000) * 1_000_000))
        retry_info = field(1, 2, duration)
        any_msg = field(1, 2, b"type.googleapis.com/google.rpc.RetryInfo") + field(2, 2, retry_info)
        body += field(3, 2, any_msg)
    return body


def response_for(signal):
    _, response_cls, rejected_field = SIGNALS[signal]
    response = response_cls()
    if args.partial:
        setattr(response.partial_success, rejected_field, 2)
        response.partial_success.error_message = "bad data"
    if args.big_response is not None:
        setattr(response.partial_success, rejected_field, 1)
        response.partial_success.error_message = "x" * args.big_response
    return response


def hang_forever():
    while True:
        time.sleep(3600)


def grpc_servicer(signal, base):
    class Servicer(base):
        def Export(self, request, context):
            concurrent = arrive()
            try:
                return self.answer(request, context, concurrent)
            finally:
                # Runs before grpcio sends the answer (or the status of an abort).
                answering()

        def answer(self, request, context, concurrent):
            headers = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
            if args.hang:
                record("grpc", signal, "protobuf", None, headers, "hang", request, concurrent)
                hang_forever()
            if take_failure():
                record("grpc", signal, "protobuf", None, headers, "failed", request, concurrent)
                delay()
                code = getattr(grpc.StatusCode, args.grpc_code)
                if args.retry_info_ms is not None:
                    context.set_trailing_metadata(
                        (("grpc-status-details-bin", rpc_status(code.value[0], "try later")),)
                    )
                context.abort(code, "try later")
            record("grpc", signal, "protobuf", None, headers, "ok", request, concurrent)
            delay()
            return response_for(signal)

    return Servicer()


class HttpHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def do_POST(self):
        concurrent = arrive()
        try:
            self.answer(concurrent)
        finally:
            # Normally already counted out just before the answer.
            if not self.answered:
                answering()

    def respond(self, status):
        """Counts the request out, then starts its answer."""
        self.answered = True
        answering()
        self.send_response(status)

    def answer(self, concurrent):
        self.answered = False
        signal = self.path.rsplit("/", 1)[-1]
        if self.path != "/v1/" + signal or signal not in SIGNALS:
            self.send_error(404)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        gz = self.headers.get("Content-Encoding") == "gzip"
        if gz:
            body = gzip.decompress(body)
        json_body = self.headers.get("Content-Type", "").startswith("application/json")
        request_cls = SIGNALS[signal][0]
        request = request_cls()
        if json_body:
            json_format.ParseDict(ids_to_base64(json.loads(body)), request)
        else:
            request.ParseFromString(body)
        headers = {k.lower(): v for k, v in self.headers.items()}
        encoding = "json" if json_body else "protobuf"
        if args.hang:
            record("http", signal, encoding, gz, headers, "hang", request, concurrent)
            hang_forever()
        if take_failure():
            record("http", signal, encoding, gz, headers, "failed", request, concurrent)
            delay()
            payload = rpc_status(14, "try later")
            self.respond(args.http_status)
            if args.retry_after is not None:
                self.send_header("Retry-After", str(args.retry_after))
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        record("http", signal, encoding, gz, headers, "ok", request, concurrent)
        delay()
        response = response_for(signal)
        if json_body:
            payload = json_format.MessageToJson(response).encode()
            content_type = "application/json"
        else:
            payload = response.SerializeToString()
            content_type = "application/x-protobuf"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        self.respond(200)
        self.send_header("Content-Type", content_type)
        if args.gzip_response and accepts_gzip:
            payload = gzip.compress(payload)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main():
    global args, failures_left
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--grpc-port", type=int, default=0)
    parser.add_argument("--http-port", type=int, default=0)
    parser.add_argument("--fail", type=int, default=0)
    parser.add_argument("--grpc-code", default="UNAVAILABLE")
    parser.add_argument("--http-status", type=int, default=503)
    parser.add_argument("--retry-after", type=int)
    parser.add_argument("--retry-info-ms", type=int)
    parser.add_argument("--partial", action="store_true")
    parser.add_argument("--big-response", type=int)
    parser.add_argument("--gzip-response", action="store_true")
    parser.add_argument("--hang", action="store_true")
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--client-ca")
    args = parser.parse_args()
    failures_left = args.fail

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(
        grpc_servicer("traces", trace_service_pb2_grpc.TraceServiceServicer), server
    )
    metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(
        grpc_servicer("metrics", metrics_service_pb2_grpc.MetricsServiceServicer), server
    )
    logs_service_pb2_grpc.add_LogsServiceServicer_to_server(
        grpc_servicer("logs", logs_service_pb2_grpc.LogsServiceServicer), server
    )
    address = "127.0.0.1:%d" % args.grpc_port
    if args.tls:
        cert = open(args.tls[0], "rb").read()
        key = open(args.tls[1], "rb").read()
        client_ca = open(args.client_ca, "rb").read() if args.client_ca else None
        credentials = grpc.ssl_server_credentials(
            [(key, cert)], root_certificates=client_ca, require_client_auth=client_ca is not None
        )
        grpc_port = server.add_secure_port(address, credentials)
    else:
        grpc_port = server.add_insecure_port(address)
    server.start()
    http = ThreadingHTTPServer(("127.0.0.1", args.http_port), HttpHandler)
    if args.tls:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
        if args.client_ca:
            context.load_verify_locations(args.client_ca)
            context.verify_mode = ssl.CERT_REQUIRED
        http.socket = context.wrap_socket(http.socket, server_side=True)
    http.daemon_threads = True
    threading.Thread(target=http.serve_forever, daemon=True).start()
    print(json.dumps({"grpc": grpc_port, "http": http.server_address[1]}), flush=True)
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    main()
