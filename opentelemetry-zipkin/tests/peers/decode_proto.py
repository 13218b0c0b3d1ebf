"""Decodes a Zipkin v2 protobuf body (stdin) with the classes protoc generates from zipkin.proto.

argv[1]: the directory holding zipkin.proto; argv[2]: a scratch directory for the generated
module. Compiles zipkin.proto with grpcio-tools' protoc, parses the body as ListOfSpans, and
prints every field of every span as JSON (IDs in hex, IPs as text, kind by name).
"""
import ipaddress
import json
import sys

from grpc_tools import protoc

proto_dir, out_dir = sys.argv[1], sys.argv[2]
rc = protoc.main(
    ["protoc", f"-I{proto_dir}", f"--python_out={out_dir}", f"{proto_dir}/zipkin.proto"]
)
if rc != 0:
    sys.exit(f"protoc failed: {rc}")
sys.path.insert(0, out_dir)
import zipkin_pb2  # noqa: E402

spans = zipkin_pb2.ListOfSpans()
spans.ParseFromString(sys.stdin.buffer.read())


def endpoint(e):
    return {
        "service_name": e.service_name,
        "ipv4": str(ipaddress.IPv4Address(e.ipv4)) if e.ipv4 else None,
        "ipv6": str(ipaddress.IPv6Address(e.ipv6)) if e.ipv6 else None,
        "port": e.port,
    }


out = []
for s in spans.spans:
    out.append(
        {
            "trace_id": s.trace_id.hex(),
            "parent_id": s.parent_id.hex(),
            "id": s.id.hex(),
            "kind": zipkin_pb2.Span.Kind.Name(s.kind),
            "name": s.name,
            "timestamp": s.timestamp,
            "duration": s.duration,
            "local_endpoint": endpoint(s.local_endpoint) if s.HasField("local_endpoint") else None,
            "remote_endpoint": endpoint(s.remote_endpoint) if s.HasField("remote_endpoint") else None,
            "annotations": [{"timestamp": a.timestamp, "value": a.value} for a in s.annotations],
            "tags": dict(s.tags),
            "debug": s.debug,
            "shared": s.shared,
        }
    )
print(json.dumps(out))
