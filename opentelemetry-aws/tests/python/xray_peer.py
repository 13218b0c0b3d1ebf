"""The reference X-Ray propagator (PyPI opentelemetry-propagator-aws-xray) as a peer.

extract: reads one X-Amzn-Trace-Id value per stdin line, prints one JSON object per line:
         {"valid": bool, "trace_id": hex, "span_id": hex, "sampled": bool}.
inject N: starts N spans with the Python SDK (half sampled), injects each, prints one JSON
          object per line: {"header": str, "trace_id": hex, "span_id": hex, "sampled": bool}.
"""
import json
import sys

from opentelemetry import trace
from opentelemetry.propagators.aws import AwsXRayPropagator
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON

HEADER = "X-Amzn-Trace-Id"


def extract():
    propagator = AwsXRayPropagator()
    for line in sys.stdin:
        header = line.rstrip("\n")
        cx = propagator.extract({HEADER: header})
        sc = trace.get_current_span(cx).get_span_context()
        print(
            json.dumps(
                {
                    "valid": sc.is_valid,
                    "trace_id": f"{sc.trace_id:032x}",
                    "span_id": f"{sc.span_id:016x}",
                    "sampled": bool(sc.trace_flags.sampled),
                }
            )
        )


def inject(n):
    propagator = AwsXRayPropagator()
    tracers = [
        TracerProvider(sampler=ALWAYS_ON).get_tracer("peer"),
        TracerProvider(sampler=ALWAYS_OFF).get_tracer("peer"),
    ]
    for i in range(n):
        with tracers[i % 2].start_as_current_span(f"span-{i}") as span:
            carrier = {}
            propagator.inject(carrier)
            sc = span.get_span_context()
            print(
                json.dumps(
                    {
                        "header": carrier[HEADER],
                        "trace_id": f"{sc.trace_id:032x}",
                        "span_id": f"{sc.span_id:016x}",
                        "sampled": bool(sc.trace_flags.sampled),
                    }
                )
            )


if __name__ == "__main__":
    if sys.argv[1] == "extract":
        extract()
    elif sys.argv[1] == "inject":
        inject(int(sys.argv[2]))
    else:
        sys.exit(f"unknown mode {sys.argv[1]!r}")
