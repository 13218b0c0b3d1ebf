"""The official OTLP Python classes (PyPI `opentelemetry-proto`) as a peer for the Rust types.

    otlp_peer.py decode SIGNAL PB_FILE JSON_FILE
        Parses a request that the Rust side encoded, from protobuf (`ParseFromString`) and from
        OTLP/JSON (`json_format.Parse`, unknown field names rejected), and prints both as one
        canonical JSON object {"pb": ..., "json": ...}: only the fields that are set (proto3
        presence: scalars at their default are absent), snake_case names, enums as integers,
        bytes as lowercase hex,
        non-finite doubles as the strings 'inf', '-inf', 'nan'.

    otlp_peer.py encode MESSAGE PB_FILE JSON_FILE
        Builds a message with every field set using the official classes and writes it as
        protobuf and as OTLP/JSON (`json_format.MessageToJson` with integer enums, and the
        trace and span IDs turned from the proto3 mapping's base64 into OTLP's hex).

SIGNAL is traces, metrics or logs; MESSAGE is one of those or trace_response,
metrics_response, logs_response.
"""

import base64
import json
import math
import sys

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.logs.v1 import logs_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2
from opentelemetry.proto.resource.v1 import resource_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

REQUESTS = {
    "traces": trace_service_pb2.ExportTraceServiceRequest,
    "metrics": metrics_service_pb2.ExportMetricsServiceRequest,
    "logs": logs_service_pb2.ExportLogsServiceRequest,
    "trace_response": trace_service_pb2.ExportTraceServiceResponse,
    "metrics_response": metrics_service_pb2.ExportMetricsServiceResponse,
    "logs_response": logs_service_pb2.ExportLogsServiceResponse,
}

# OTLP/JSON writes these bytes fields as hex; the proto3 JSON mapping (json_format) as base64.
ID_FIELDS = {"traceId", "spanId", "parentSpanId"}


def ids_to(encoding, node):
    """Rewrites the ID fields of a parsed JSON tree from hex to base64 or back."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ID_FIELDS and isinstance(value, str):
                if encoding == "base64":
                    node[key] = base64.b64encode(bytes.fromhex(value)).decode()
                else:
                    node[key] = base64.b64decode(value).hex()
            else:
                ids_to(encoding, value)
    elif isinstance(node, list):
        for item in node:
            ids_to(encoding, item)
    return node


def is_repeated(field):
    if hasattr(field, "is_repeated"):
        return field.is_repeated
    return field.label == field.LABEL_REPEATED


def dump(message):
    out = {}
    for field, value in message.ListFields():
        if is_repeated(field):
            out[field.name] = [dump_one(field, v) for v in value]
        else:
            out[field.name] = dump_one(field, value)
    return out


def dump_one(field, value):
    if field.type == field.TYPE_MESSAGE:
        return dump(value)
    if field.type == field.TYPE_BYTES:
        return value.hex()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # 'inf', '-inf', 'nan': JSON has no such numbers
    return value


def decode(signal, pb_path, json_path):
    cls = REQUESTS[signal]
    with open(pb_path, "rb") as f:
        from_pb = cls.FromString(f.read())
    with open(json_path, "r", encoding="utf-8") as f:
        tree = ids_to("base64", json.load(f))
    from_json = json_format.Parse(json.dumps(tree), cls(), ignore_unknown_fields=False)
    print(json.dumps({"pb": dump(from_pb), "json": dump(from_json)}, sort_keys=True))


# ---------------------------------------------------------------------------------------------
# Messages with every field set. The Rust test builds the same values with its own types.
# ---------------------------------------------------------------------------------------------
TRACE_ID = bytes(range(1, 17))
SPAN_ID = bytes([0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18])
PARENT_ID = bytes([0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28])
T0 = 1_700_000_000_123_456_789


def kv(key, **value):
    return common_pb2.KeyValue(key=key, value=common_pb2.AnyValue(**value))


def every_value_kind():
    return [
        kv("string", string_value="héllo"),
        kv("bool", bool_value=True),
        kv("int", int_value=-9_007_199_254_740_993),
        kv("double", double_value=float("inf")),
        kv(
            "array",
            array_value=common_pb2.ArrayValue(
                values=[
                    common_pb2.AnyValue(int_value=1),
                    common_pb2.AnyValue(string_value=""),
                    common_pb2.AnyValue(),
                ]
            ),
        ),
        kv(
            "kvlist",
            kvlist_value=common_pb2.KeyValueList(
                values=[kv("nested", double_value=-0.5), kv("zero", int_value=0)]
            ),
        ),
        kv("bytes", bytes_value=b"\x00\x01\xfe\xff"),
        kv("strindex", string_value_strindex=7),
        common_pb2.KeyValue(key_strindex=3, value=common_pb2.AnyValue(bool_value=False)),
    ]


def resource():
    return resource_pb2.Resource(
        attributes=[kv("service.name", string_value="checkout")],
        dropped_attributes_count=1,
        entity_refs=[
            common_pb2.EntityRef(
                schema_url="https://example.com/entity",
                type="service",
                id_keys=["service.name", "service.namespace"],
                description_keys=["service.version"],
            )
        ],
    )


def scope():
    return common_pb2.InstrumentationScope(
        name="lib-a", version="1.2.3", attributes=[kv("scope.attr", string_value="x")], dropped_attributes_count=2
    )


def traces():
    span = trace_pb2.Span(
        trace_id=TRACE_ID,
        span_id=SPAN_ID,
        trace_state="k1=v1,k2=v2",
        parent_span_id=PARENT_ID,
        flags=0x301,
        name="GET /cart",
        kind=trace_pb2.Span.SPAN_KIND_SERVER,
        start_time_unix_nano=T0,
        end_time_unix_nano=T0 + 1500,
        attributes=every_value_kind(),
        dropped_attributes_count=3,
        events=[
            trace_pb2.Span.Event(
                time_unix_nano=T0 + 10,
                name="cache.miss",
                attributes=[kv("cache.key", string_value="cart:42")],
                dropped_attributes_count=1,
            )
        ],
        dropped_events_count=4,
        links=[
            trace_pb2.Span.Link(
                trace_id=bytes([0xA0] * 16),
                span_id=bytes([0xB0, 1, 2, 3, 4, 5, 6, 0xFF]),
                trace_state="vendor=opaque",
                attributes=[kv("link.kind", string_value="follows")],
                dropped_attributes_count=2,
                flags=0x101,
            )
        ],
        dropped_links_count=5,
        status=trace_pb2.Status(message="payment declined", code=trace_pb2.Status.STATUS_CODE_ERROR),
    )
    return trace_service_pb2.ExportTraceServiceRequest(
        resource_spans=[
            trace_pb2.ResourceSpans(
                resource=resource(),
                scope_spans=[
                    trace_pb2.ScopeSpans(scope=scope(), spans=[span], schema_url="https://example.com/scope")
                ],
                schema_url="https://opentelemetry.io/schemas/1.30.0",
            )
        ]
    )


def exemplar(**value):
    return metrics_pb2.Exemplar(
        filtered_attributes=[kv("user", string_value="ann")],
        time_unix_nano=T0 + 5,
        span_id=SPAN_ID,
        trace_id=TRACE_ID,
        **value,
    )


def number_point(**value):
    return metrics_pb2.NumberDataPoint(
        attributes=[kv("route", string_value="/cart")],
        start_time_unix_nano=T0,
        time_unix_nano=T0 + 100,
        exemplars=[exemplar(as_int=-3), exemplar(as_double=0.0)],
        flags=1,
        **value,
    )


def metrics():
    ms = [
        metrics_pb2.Metric(
            name="gauge",
            description="d",
            unit="ms",
            gauge=metrics_pb2.Gauge(data_points=[number_point(as_double=2.5), number_point(as_int=0)]),
            metadata=[kv("meta", string_value="m")],
        ),
        metrics_pb2.Metric(
            name="sum",
            sum=metrics_pb2.Sum(
                data_points=[number_point(as_int=-9_223_372_036_854_775_808)],
                aggregation_temporality=metrics_pb2.AGGREGATION_TEMPORALITY_DELTA,
                is_monotonic=True,
            ),
        ),
        metrics_pb2.Metric(
            name="histogram",
            histogram=metrics_pb2.Histogram(
                data_points=[
                    metrics_pb2.HistogramDataPoint(
                        attributes=[kv("route", string_value="/cart")],
                        start_time_unix_nano=T0,
                        time_unix_nano=T0 + 100,
                        count=18_446_744_073_709_551_615,
                        sum=0.0,
                        bucket_counts=[1, 2, 18_446_744_073_709_551_612],
                        explicit_bounds=[-1.5, 10.0],
                        exemplars=[exemplar(as_double=12.0)],
                        flags=1,
                        min=-2.0,
                        max=float("inf"),
                    )
                ],
                aggregation_temporality=metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE,
            ),
        ),
        metrics_pb2.Metric(
            name="exponential_histogram",
            exponential_histogram=metrics_pb2.ExponentialHistogram(
                data_points=[
                    metrics_pb2.ExponentialHistogramDataPoint(
                        attributes=[kv("route", string_value="/cart")],
                        start_time_unix_nano=T0,
                        time_unix_nano=T0 + 100,
                        count=12,
                        sum=33.25,
                        scale=-3,
                        zero_count=2,
                        positive=metrics_pb2.ExponentialHistogramDataPoint.Buckets(offset=-2, bucket_counts=[1, 0, 4]),
                        negative=metrics_pb2.ExponentialHistogramDataPoint.Buckets(offset=5, bucket_counts=[5]),
                        flags=1,
                        exemplars=[exemplar(as_int=7)],
                        min=-40.0,
                        max=20.5,
                        zero_threshold=1e-9,
                    )
                ],
                aggregation_temporality=metrics_pb2.AGGREGATION_TEMPORALITY_DELTA,
            ),
        ),
        metrics_pb2.Metric(
            name="summary",
            summary=metrics_pb2.Summary(
                data_points=[
                    metrics_pb2.SummaryDataPoint(
                        attributes=[kv("route", string_value="/cart")],
                        start_time_unix_nano=T0,
                        time_unix_nano=T0 + 100,
                        count=4,
                        sum=10.5,
                        quantile_values=[
                            metrics_pb2.SummaryDataPoint.ValueAtQuantile(quantile=0.5, value=2.0),
                            metrics_pb2.SummaryDataPoint.ValueAtQuantile(quantile=1.0, value=4.5),
                        ],
                        flags=1,
                    )
                ]
            ),
        ),
    ]
    return metrics_service_pb2.ExportMetricsServiceRequest(
        resource_metrics=[
            metrics_pb2.ResourceMetrics(
                resource=resource(),
                scope_metrics=[metrics_pb2.ScopeMetrics(scope=scope(), metrics=ms, schema_url="https://example.com/scope")],
                schema_url="https://opentelemetry.io/schemas/1.30.0",
            )
        ]
    )


def logs():
    record = logs_pb2.LogRecord(
        time_unix_nano=T0 + 1000,
        observed_time_unix_nano=T0 + 2000,
        severity_number=logs_pb2.SEVERITY_NUMBER_WARN3,
        severity_text="WARNING",
        body=common_pb2.AnyValue(
            kvlist_value=common_pb2.KeyValueList(
                values=[
                    kv("order", int_value=42),
                    kv(
                        "items",
                        array_value=common_pb2.ArrayValue(
                            values=[
                                common_pb2.AnyValue(string_value="book"),
                                common_pb2.AnyValue(bytes_value=b"\xff"),
                            ]
                        ),
                    ),
                ]
            )
        ),
        attributes=every_value_kind(),
        dropped_attributes_count=2,
        flags=1,
        trace_id=TRACE_ID,
        span_id=SPAN_ID,
        event_name="payment.declined",
    )
    return logs_service_pb2.ExportLogsServiceRequest(
        resource_logs=[
            logs_pb2.ResourceLogs(
                resource=resource(),
                scope_logs=[logs_pb2.ScopeLogs(scope=scope(), log_records=[record, logs_pb2.LogRecord()], schema_url="https://example.com/scope")],
                schema_url="https://opentelemetry.io/schemas/1.30.0",
            )
        ]
    )


BUILDERS = {
    "traces": traces,
    "metrics": metrics,
    "logs": logs,
    "trace_response": lambda: trace_service_pb2.ExportTraceServiceResponse(
        partial_success=trace_service_pb2.ExportTracePartialSuccess(rejected_spans=-5_000_000_000, error_message="too old")
    ),
    "metrics_response": lambda: metrics_service_pb2.ExportMetricsServiceResponse(
        partial_success=metrics_service_pb2.ExportMetricsPartialSuccess(rejected_data_points=3, error_message="bad unit")
    ),
    "logs_response": lambda: logs_service_pb2.ExportLogsServiceResponse(
        partial_success=logs_service_pb2.ExportLogsPartialSuccess(rejected_log_records=0, error_message="warning only")
    ),
}


def encode(name, pb_path, json_path):
    message = BUILDERS[name]()
    with open(pb_path, "wb") as f:
        f.write(message.SerializeToString())
    tree = json.loads(json_format.MessageToJson(message, use_integers_for_enums=True))
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(ids_to("hex", tree), f)


if __name__ == "__main__":
    mode, name, pb_file, json_file = sys.argv[1:5]
    if mode == "decode":
        decode(name, pb_file, json_file)
    elif mode == "encode":
        encode(name, pb_file, json_file)
    else:
        sys.exit(f"unknown mode {mode!r}")
