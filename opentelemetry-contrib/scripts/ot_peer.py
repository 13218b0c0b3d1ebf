"""Injects and extracts OT trace headers with PyPI `opentelemetry-propagator-ot-trace` (the
OpenTelemetry Python OT propagator), the peer of tests/ot_python_peer.rs.

stdin: {"inject": [{"trace_id": "<32 hex>", "span_id": "<16 hex>", "sampled": bool,
                    "baggage": [[name, value]...]}...],
        "extract": [{"<header>": "<value>", ...}...]}
stdout: {"injected": [{header: value}...],
         "extracted": [{"trace_id": "<32 hex>"|null, "span_id": "<16 hex>"|null,
                        "sampled": bool, "baggage": {name: value}}...]}
"""
import json
import sys

from opentelemetry import baggage
from opentelemetry.context import Context
from opentelemetry.propagators.ot_trace import OTTracePropagator
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    TraceFlags,
    get_current_span,
    set_span_in_context,
)


def main():
    spec = json.load(sys.stdin)
    propagator = OTTracePropagator()
    injected = []
    for case in spec["inject"]:
        ctx = set_span_in_context(NonRecordingSpan(SpanContext(
            trace_id=int(case["trace_id"], 16),
            span_id=int(case["span_id"], 16),
            is_remote=False,
            trace_flags=TraceFlags(TraceFlags.SAMPLED if case["sampled"] else TraceFlags.DEFAULT),
        )), Context())
        for name, value in case["baggage"]:
            ctx = baggage.set_baggage(name, value, ctx)
        carrier = {}
        propagator.inject(carrier, context=ctx)
        injected.append(carrier)
    extracted = []
    for headers in spec["extract"]:
        ctx = propagator.extract(headers, context=Context())
        sc = get_current_span(ctx).get_span_context()
        valid = sc.is_valid
        extracted.append({
            "trace_id": f"{sc.trace_id:032x}" if valid else None,
            "span_id": f"{sc.span_id:016x}" if valid else None,
            "sampled": bool(valid and sc.trace_flags.sampled),
            "baggage": {k: str(v) for k, v in baggage.get_all(ctx).items()},
        })
    json.dump({"injected": injected, "extracted": extracted}, sys.stdout)


if __name__ == "__main__":
    main()
