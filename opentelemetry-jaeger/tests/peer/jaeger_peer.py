"""A Jaeger receiver built from the official Thrift IDL, the peer of the exporter tests.

Usage: jaeger_peer.py (udp|http) IDL_DIR

Generates Python code from IDL_DIR/agent.thrift (and its includes) with the Thrift compiler,
listens on 127.0.0.1 at an OS-chosen port, prints `PORT <n>`, then prints one JSON line per
datagram (udp: an `Agent.emitBatch` call in the compact protocol) or per request (http: a
`Batch` in the binary protocol posted to /api/traces), until stdin is closed. Exits with an
error after 60 seconds.
"""

import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

mode, idl = sys.argv[1], sys.argv[2]
out_dir = tempfile.mkdtemp(prefix="jaeger-peer-")
subprocess.run(
    ["thrift", "-r", "--gen", "py", "-out", out_dir, os.path.join(idl, "agent.thrift")],
    check=True,
)
sys.path.insert(0, out_dir)

from thrift.protocol import TBinaryProtocol, TCompactProtocol  # noqa: E402
from thrift.Thrift import TMessageType  # noqa: E402
from thrift.transport import TTransport  # noqa: E402
from agent import Agent  # noqa: E402
from jaeger import ttypes  # noqa: E402

lock = threading.Lock()


def emit(obj):
    with lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def to_json(value):
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "thrift_spec"):
        return {k: to_json(v) for k, v in vars(value).items() if v is not None}
    return value


def decode_udp(data):
    transport = TTransport.TMemoryBuffer(data)
    protocol = TCompactProtocol.TCompactProtocol(transport)
    name, kind, seqid = protocol.readMessageBegin()
    args = Agent.emitBatch_args()
    args.read(protocol)
    protocol.readMessageEnd()
    left = len(data) - transport._buffer.tell()
    return {
        "size": len(data),
        "name": name,
        "oneway": kind == TMessageType.ONEWAY,
        "trailing": left,
        "batch": to_json(args.batch),
    }



if mode == "udp":
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind(("127.0.0.1", 0))
    emit({"port": sock.getsockname()[1]})
    deadline = 60
    while deadline > 0:
        ready, _, _ = select.select([sock, sys.stdin], [], [], 0.5)
        deadline -= 0.5
        if sock in ready:
            emit(decode_udp(sock.recv(1 << 17)))
        elif sys.stdin in ready and sys.stdin.read(1) == "":
            sock.setblocking(False)
            try:
                while True:
                    emit(decode_udp(sock.recv(1 << 17)))
            except BlockingIOError:
                pass
            sys.exit(0)
    sys.exit("timed out")
elif mode == "http":

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            transport = TTransport.TMemoryBuffer(body)
            batch = ttypes.Batch()
            batch.read(TBinaryProtocol.TBinaryProtocol(transport))
            emit(
                {
                    "path": self.path,
                    "content_type": self.headers.get("Content-Type"),
                    "authorization": self.headers.get("Authorization"),
                    "trailing": len(body) - transport._buffer.tell(),
                    "batch": to_json(batch),
                }
            )
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    emit({"port": server.server_address[1]})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ready, _, _ = select.select([sys.stdin], [], [], 60)
    sys.stdin.read()
    server.shutdown()
    sys.exit(0 if ready else "timed out")
else:
    sys.exit(f"unknown mode {mode}")
