"""Reads what the OTLP file exporter wrote, with the official OTLP classes (PyPI
`opentelemetry-proto`): the real peer of opentelemetry-otlp's tests/file.rs.

    otlp_file_lines.py SIGNAL FILE

SIGNAL is traces, metrics or logs. The file must be a JSON lines file (https://jsonlines.org)
as the file exporter specification asks: valid UTF-8, every line ended by `\\n` (the last one
included), no empty line, each line one JSON object that `google.protobuf.json_format.Parse`
reads (unknown field names rejected) as the signal's top-level message: `TracesData`,
`MetricsData` or `LogsData`. Trace and span IDs are hex in OTLP/JSON and base64 in the proto3
JSON mapping `json_format` follows: they are turned into base64 before parsing.

Prints one JSON array, one element per line: the parsed message as
`json_format.MessageToDict` gives it (field names as in the .proto, enums by name, 64-bit
integers as strings), with the IDs back in hex. Exits non-zero, saying why, on any violation.
"""

import base64
import json
import sys

from google.protobuf import json_format
from opentelemetry.proto.logs.v1 import logs_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

MESSAGES = {
    "traces": trace_pb2.TracesData,
    "metrics": metrics_pb2.MetricsData,
    "logs": logs_pb2.LogsData,
}
JSON_ID_FIELDS = {"traceId", "spanId", "parentSpanId"}
ID_FIELDS = {"trace_id", "span_id", "parent_span_id"}


def ids_to_base64(value, key=None):
    if isinstance(value, dict):
        return {k: ids_to_base64(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [ids_to_base64(v, key) for v in value]
    if key in JSON_ID_FIELDS and isinstance(value, str):
        return base64.b64encode(bytes.fromhex(value)).decode()
    return value


def hexify(value, key=None):
    if isinstance(value, dict):
        return {k: hexify(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [hexify(v, key) for v in value]
    if key in ID_FIELDS and isinstance(value, str):
        return base64.b64decode(value).hex()
    return value


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)


def main():
    signal, path = sys.argv[1], sys.argv[2]
    cls = MESSAGES[signal]
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        fail(f"{path} is not UTF-8: {e}")
    if not text:
        fail(f"{path} is empty")
    if not text.endswith("\n"):
        fail(f"{path}: the last line does not end with \\n: {text[-80:]!r}")
    if "\r" in text:
        fail(f"{path}: a line separator is not \\n alone")
    parsed = []
    for number, line in enumerate(text[:-1].split("\n"), start=1):
        if not line:
            fail(f"{path}:{number}: an empty line")
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            fail(f"{path}:{number}: not one JSON value ({e}): {line[:200]!r}")
        if not isinstance(value, dict):
            fail(f"{path}:{number}: not a JSON object: {line[:200]!r}")
        message = cls()
        try:
            json_format.Parse(json.dumps(ids_to_base64(value)), message, ignore_unknown_fields=False)
        except json_format.ParseError as e:
            fail(f"{path}:{number}: not a {cls.__name__} ({e}): {line[:200]!r}")
        parsed.append(hexify(json_format.MessageToDict(message, preserving_proto_field_name=True)))
    print(json.dumps(parsed))


if __name__ == "__main__":
    main()
