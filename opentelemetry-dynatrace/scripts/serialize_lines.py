"""Serializes metric cases with PyPI `dynatrace-metric-utils`, the reference implementation
of the Dynatrace metric line protocol (peer of tests/python_peer.rs).

stdin: {"prefix": str|null, "default_dimensions": [[k, v]...], "enrich": bool,
        "cases": [case...]}  (with "enrich", the library reads the Dynatrace metadata
        indirection file in the working directory)
case:  {"name": str, "dims": [[k, v]...], "ts": int, "kind": "gauge"|"count"|"summary",
        "value": num} or, for summaries, "min", "max", "sum" (num) and "count" (int);
        num is {"int": int} or {"float": "<text parsed by float()>"}
stdout: a JSON list with, per case, its line or null when the library rejects it.
"""
import json
import sys

from dynatrace.metric.utils import (
    DynatraceMetricsFactory,
    DynatraceMetricsSerializer,
    MetricError,
)


def num(n):
    return n["int"] if "int" in n else float(n["float"])


def main():
    spec = json.load(sys.stdin)
    serializer = DynatraceMetricsSerializer(
        metric_key_prefix=spec["prefix"],
        default_dimensions=dict(spec["default_dimensions"]),
        enrich_with_dynatrace_metadata=spec.get("enrich", False),
        metrics_source="opentelemetry",
    )
    factory = DynatraceMetricsFactory()
    out = []
    for case in spec["cases"]:
        dims = dict(case["dims"])
        try:
            if case["kind"] == "gauge":
                metric = factory.create_float_gauge(case["name"], num(case["value"]), dims, case["ts"])
            elif case["kind"] == "count":
                metric = factory.create_float_counter_delta(case["name"], num(case["value"]), dims, case["ts"])
            else:
                metric = factory.create_float_summary(
                    case["name"], num(case["min"]), num(case["max"]), num(case["sum"]),
                    case["count"], dims, case["ts"])
            out.append(serializer.serialize(metric))
        except MetricError:
            out.append(None)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
