//! Span exporters.

mod jaeger_json;

pub use jaeger_json::JaegerJsonExporter;
