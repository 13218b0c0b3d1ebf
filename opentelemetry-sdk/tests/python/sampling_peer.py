"""The OpenTelemetry Python SDK's composite sampler (PyPI opentelemetry-sdk 1.45.2,
`opentelemetry.sdk.trace._sampling_experimental`) as the peer of tests/sampling_python_peer.rs.

Reads one case per line on stdin:
    <id> <sampler> <trace id, 32 hex> <parent: none|root|sampled|unsampled> <random 0|1> <tracestate or ->
and prints, per case:
    <id> <DROP|RECORD_ONLY|RECORD_AND_SAMPLE> <tracestate header or ->

Samplers: on, off, ratio:<f64 bits hex>, pt_on, pt_off, pt_ratio:<bits>, rules:<bits>
(health -> off; kind SERVER -> ratio; anything else -> parent threshold of on).
"root" is a root span whose context carries a trace state (an invalid parent span context).
"""

import struct
import sys

from opentelemetry.context import Context
from opentelemetry.sdk.trace._sampling_experimental import (
    composable_always_off,
    composable_always_on,
    composable_parent_threshold,
    composable_rule_based,
    composable_traceid_ratio_based,
    composite_sampler,
)
from opentelemetry.trace import (
    INVALID_SPAN_ID,
    INVALID_TRACE_ID,
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    TraceFlags,
    TraceState,
    set_span_in_context,
)


def ratio(bits_hex):
    return struct.unpack(">d", bytes.fromhex(bits_hex))[0]


class NamePredicate:
    def __init__(self, name):
        self.name = name

    def __call__(self, parent_ctx, name, span_kind, attributes, links, trace_state):
        return name == self.name

    def __str__(self):
        return f"name={self.name}"


class KindPredicate:
    def __init__(self, kind):
        self.kind = kind

    def __call__(self, parent_ctx, name, span_kind, attributes, links, trace_state):
        return span_kind == self.kind

    def __str__(self):
        return f"kind={self.kind}"


class Anything:
    def __call__(self, parent_ctx, name, span_kind, attributes, links, trace_state):
        return True

    def __str__(self):
        return "true"


def composable(spec):
    kind, _, arg = spec.partition(":")
    if kind == "on":
        return composable_always_on()
    if kind == "off":
        return composable_always_off()
    if kind == "ratio":
        return composable_traceid_ratio_based(ratio(arg))
    if kind.startswith("pt_"):
        return composable_parent_threshold(composable(spec[3:]))
    if kind == "rules":
        return composable_rule_based(
            [
                (NamePredicate("health"), composable_always_off()),
                (KindPredicate(SpanKind.SERVER), composable_traceid_ratio_based(ratio(arg))),
                (Anything(), composable_parent_threshold(composable_always_on())),
            ]
        )
    raise ValueError(spec)


def main():
    for line in sys.stdin:
        fields = line.split()
        if not fields:
            continue
        case_id, spec, trace_id_hex, parent, random, ts_header, name, kind = fields
        trace_id = int(trace_id_hex, 16)
        trace_state = None if ts_header == "-" else TraceState.from_header([ts_header])
        flags = 0x02 if random == "1" else 0
        if parent == "none":
            ctx = None
        elif parent == "root":
            sc = SpanContext(INVALID_TRACE_ID, INVALID_SPAN_ID, is_remote=True,
                             trace_flags=TraceFlags(flags), trace_state=trace_state)
            ctx = set_span_in_context(NonRecordingSpan(sc), Context())
        else:
            if parent == "sampled":
                flags |= 0x01
            sc = SpanContext(trace_id, 0x0102030405060708, is_remote=True,
                             trace_flags=TraceFlags(flags), trace_state=trace_state)
            ctx = set_span_in_context(NonRecordingSpan(sc), Context())
        sampler = composite_sampler(composable(spec))
        result = sampler.should_sample(
            ctx, trace_id, name, SpanKind[kind], None, None, trace_state
        )
        header = result.trace_state.to_header() if result.trace_state is not None else ""
        print(case_id, result.decision.name, header or "-")


if __name__ == "__main__":
    main()
