"""Local peers for the exporter's tests, built on Google's own classes.

  cloud_trace_peer.py genkey OUT.json [TOKEN_URI]
      Writes a service account key file with a fresh RSA key.
  cloud_trace_peer.py serve DUMP.jsonl KEY.json
      Serves, on 127.0.0.1 with OS-chosen ports:
      - gRPC `google.devtools.cloudtrace.v2.TraceService/BatchWriteSpans` (grpcio generic
        handler; requests decoded by PyPI google-cloud-trace's message classes); each call is
        appended to DUMP.jsonl as {"kind": "spans", "metadata": {...}, "request": {...}}.
        A call whose token is "Bearer reject" is refused with PERMISSION_DENIED.
      - HTTP POST /token: an OAuth token endpoint for the JWT bearer grant. It verifies the
        assertion's RS256 signature with the public part of KEY.json (PyPI cryptography) and
        its claims, then answers a token; logged as {"kind": "token", ...}.
      - HTTP GET /computeMetadata/v1/instance/service-accounts/default/token: the metadata
        server (requires `Metadata-Flavor: Google`); logged as {"kind": "metadata", ...}.
      Prints {"grpc": PORT, "http": PORT} on one line, and stops when stdin closes (or after
      five minutes).
"""

import base64
import json
import sys
import threading
import time
import urllib.parse
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from google.cloud.trace_v2.types import tracing
from google.protobuf import empty_pb2, json_format

SERVICE = "google.devtools.cloudtrace.v2.TraceService"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SA_TOKEN = "sa-token-1"
METADATA_TOKEN = "metadata-token-1"

lock = threading.Lock()


def log(dump, entry):
    with lock:
        with open(dump, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def genkey(out, token_uri=None):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    doc = {
        "type": "service_account",
        "project_id": "key-project",
        "private_key_id": "kid-123",
        "private_key": pem,
        "client_email": "exporter@key-project.iam.gserviceaccount.com",
        "client_id": "1",
    }
    if token_uri:
        doc["token_uri"] = token_uri
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f)


def serve(dump, key_file):
    with open(key_file, encoding="utf-8") as f:
        key_doc = json.load(f)
    public_key = serialization.load_pem_private_key(
        key_doc["private_key"].encode(), password=None
    ).public_key()
    request_class = tracing.BatchWriteSpansRequest.pb()

    def batch_write_spans(request_bytes, context):
        message = request_class.FromString(request_bytes)
        metadata = {k: v for k, v in context.invocation_metadata()}
        log(
            dump,
            {
                "kind": "spans",
                "metadata": metadata,
                "request": json_format.MessageToDict(
                    message, preserving_proto_field_name=True
                ),
            },
        )
        if metadata.get("authorization") == "Bearer reject":
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "token rejected")
        return empty_pb2.Empty()

    handler = grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "BatchWriteSpans": grpc.unary_unary_rpc_method_handler(
                batch_write_spans,
                request_deserializer=lambda b: b,
                response_serializer=empty_pb2.Empty.SerializeToString,
            )
        },
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler,))
    grpc_port = server.add_insecure_port("127.0.0.1:0")
    server.start()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            if self.path != "/token":
                return self.answer(404, {"error": "not_found"})
            length = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            entry = {
                "kind": "token",
                "content_type": self.headers.get("Content-Type"),
                "grant_type": form.get("grant_type", [None])[0],
            }
            try:
                header_b64, claims_b64, sig_b64 = form["assertion"][0].split(".")
                entry["header"] = json.loads(b64url_decode(header_b64))
                entry["claims"] = json.loads(b64url_decode(claims_b64))
                public_key.verify(
                    b64url_decode(sig_b64),
                    f"{header_b64}.{claims_b64}".encode(),
                    padding.PKCS1v15(),
                    hashes.SHA256(),
                )
                entry["signature_valid"] = True
            except Exception as e:  # noqa: BLE001 - any failure is a rejected assertion
                entry["signature_valid"] = False
                entry["error"] = repr(e)
            log(dump, entry)
            if not entry["signature_valid"] or entry["grant_type"] != JWT_BEARER:
                return self.answer(400, {"error": "invalid_grant"})
            return self.answer(
                200,
                {"access_token": SA_TOKEN, "expires_in": 3599, "token_type": "Bearer"},
            )

        def do_GET(self):
            path = urllib.parse.urlparse(self.path)
            if path.path != "/computeMetadata/v1/instance/service-accounts/default/token":
                return self.answer(404, {"error": "not_found"})
            flavor = self.headers.get("Metadata-Flavor")
            log(dump, {"kind": "metadata", "flavor": flavor, "query": path.query})
            if flavor != "Google":
                return self.answer(403, {"error": "missing Metadata-Flavor"})
            return self.answer(
                200,
                {"access_token": METADATA_TOKEN, "expires_in": 3599, "token_type": "Bearer"},
            )

    http_server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=http_server.serve_forever, daemon=True).start()

    print(json.dumps({"grpc": grpc_port, "http": http_server.server_address[1]}), flush=True)

    # Stop when the test closes stdin (or dies), or after five minutes at most.
    watcher = threading.Thread(target=sys.stdin.read, daemon=True)
    watcher.start()
    watcher.join(timeout=300)
    http_server.shutdown()
    server.stop(grace=None)


def main():
    if sys.argv[1] == "genkey":
        genkey(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {sys.argv[1]!r}")


if __name__ == "__main__":
    main()
