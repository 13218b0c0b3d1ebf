//! A small driver for instruction counts (`valgrind --tool=callgrind`) of the context
//! benchmarks (`benches/benches/context.rs`): `Context::current()` with nothing attached, with
//! a value attached, with a span attached, and an attach/detach pair.
//!
//! ```text
//! cargo build --release -p otel-benches --example context_driver
//! valgrind --tool=callgrind target/release/examples/context_driver ours empty 100000
//! ```
//!
//! Arguments: side (`ours`, `upstream`), case (`empty`, `value`, `span`, `attach`) and N. The
//! cost of one operation is the difference between two runs with different N divided by the
//! difference in N.

// A command-line tool prints its results.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;

#[derive(Debug, Clone, Copy, PartialEq)]
struct RequestId(u64);

macro_rules! run {
    ($api:ident, $sdk:ident, $case:expr, $n:expr) => {{
        use $api::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
        use $api::Context;
        let span_cx = || {
            Context::new().with_remote_span_context(SpanContext::new(
                TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736_u128),
                SpanId::from(0x00f0_67aa_0ba9_02b7_u64),
                TraceFlags::SAMPLED,
                true,
                TraceState::NONE,
            ))
        };
        match $case {
            "empty" => {
                for _ in 0..$n {
                    black_box(Context::current());
                }
            }
            "value" => {
                let _guard = Context::new().with_value(RequestId(7)).attach();
                for _ in 0..$n {
                    black_box(Context::current());
                }
            }
            "span" => {
                let _guard = span_cx().attach();
                for _ in 0..$n {
                    black_box(Context::current());
                }
            }
            "attach" => {
                let cx = span_cx();
                for _ in 0..$n {
                    drop(black_box(cx.clone().attach()));
                }
            }
            other => {
                eprintln!("unknown case {other}");
                std::process::exit(2)
            }
        }
    }};
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [side, case, n] = &args[..] else {
        eprintln!("usage: context_driver ours|upstream empty|value|span|attach N");
        std::process::exit(2)
    };
    let n: u64 = n.parse().unwrap_or(1000);
    match side.as_str() {
        "ours" => run!(opentelemetry_api, opentelemetry_sdk, case.as_str(), n),
        "upstream" => run!(upstream, upstream_sdk, case.as_str(), n),
        _ => {
            eprintln!("unknown side {side}");
            std::process::exit(2)
        }
    }
}
