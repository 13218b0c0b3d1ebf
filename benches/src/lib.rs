//! Benchmarks only: see `benches/`. This library holds what the drivers in `examples/` share.

use opentelemetry_api::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use std::time::Duration;

/// Lets our SDK's clock finish starting up before a measurement.
///
/// For the first 50 ms of a process the SDK reads the system clock while it measures the TSC
/// (`opentelemetry-sdk/src/clock.rs`); under valgrind, where the two clocks cannot be read
/// together quickly, it gives the TSC up after some tries. A short driver run would otherwise
/// measure that start-up path instead of the steady state: this takes timestamps (by ending
/// spans) across 120 ms.
pub fn settle_clock() {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(InMemorySpanExporter::default())
        .build();
    let tracer = provider.tracer("settle_clock");
    for _ in 0..3 {
        for _ in 0..32 {
            tracer.start("settle").end();
        }
        std::thread::sleep(Duration::from_millis(60));
    }
    let _ = provider.shutdown();
}

/// The eight attributes of the `sdk_span_8_attrs_builder` benchmark (strings, integers, a
/// bool, a float), as an array of the `KeyValue` in scope where it is used: ours or
/// upstream's, so that both sides of a comparison build exactly the same attributes.
#[macro_export]
macro_rules! eight_attributes {
    () => {
        [
            KeyValue::new("http.request.method", "GET"),
            KeyValue::new("http.response.status_code", 200_i64),
            KeyValue::new("server.address", "example.com"),
            KeyValue::new("server.port", 443_i64),
            KeyValue::new("url.path", "/api/v1/orders"),
            KeyValue::new("network.protocol.version", "1.1"),
            KeyValue::new("error", false),
            KeyValue::new("sample.ratio", 0.25_f64),
        ]
    };
}
