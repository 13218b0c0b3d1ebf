//! Jaeger for OpenTelemetry: span exporters in Jaeger's Thrift formats, the Jaeger
//! propagator, and the Jaeger remote sampler.
//!
//! | item | what |
//! |---|---|
//! | [`AgentExporter`] | Thrift compact over UDP to a Jaeger agent (`localhost:6831`), batches split to fit datagrams |
//! | `CollectorExporter` (feature `collector`) | Thrift binary over HTTP `POST` to a collector (`http://localhost:14268/api/traces`) |
//! | [`propagator::JaegerPropagator`] | `uber-trace-id` and `uberctx-*` headers |
//! | `JaegerRemoteSampler` (feature `remote-sampler`) | sampling strategies polled from an agent or collector |
//!
//! Both features are on by default and bring an HTTP client (opentelemetry-http's hyper);
//! with `default-features = false` the crate needs neither an HTTP stack nor an async
//! runtime.
//!
//! Spans are mapped as the specification's
//! [mapping to non-OTLP formats](https://opentelemetry.io/docs/specs/otel/common/mapping-to-non-otlp/)
//! says, in Jaeger's conventions: the resource becomes the `Process` (service name from
//! `service.name`, the other attributes as process tags); 128-bit trace IDs are split into
//! `traceIdHigh` and `traceIdLow`; the parent becomes a `CHILD_OF` reference and links
//! `FOLLOWS_FROM` references (link attributes have no place in Jaeger and are not sent);
//! events become logs with an `event` field; tags are added for `span.kind`, the
//! instrumentation scope (`otel.scope.name`, `otel.scope.version` and the deprecated
//! `otel.library.*` aliases), the status (`otel.status_code`, `otel.status_description`, and
//! `error=true` for an error), and non-zero `otel.dropped_{attributes,events,links}_count`.
//! The scope's attributes are added to each span's tags.
//! Array attributes are sent as string tags holding their JSON text (see
//! [`opentelemetry_api::json`]: strings escaped per RFC 8259, `NaN`/`Infinity` as strings).
//!
//! The Thrift encoding is written by hand (only the few types Jaeger needs; the `thrift`
//! crate would bring a full RPC framework for it).
//!
//! ```
//! use opentelemetry_api::trace::{Tracer, TracerProvider};
//! use opentelemetry_sdk::trace::SdkTracerProvider;
//! use std::net::UdpSocket;
//!
//! // Something listening where the agent would be.
//! let agent = UdpSocket::bind("127.0.0.1:0").unwrap();
//! let exporter = opentelemetry_jaeger::AgentExporter::builder()
//!     .with_endpoint(agent.local_addr().unwrap().to_string())
//!     .build()
//!     .unwrap();
//! let provider = SdkTracerProvider::builder().with_simple_exporter(exporter).build();
//! provider.tracer("example").in_span("work", |_cx| {});
//!
//! let mut datagram = [0u8; 65_536];
//! let n = agent.recv(&mut datagram).unwrap();
//! assert_eq!(&datagram[..2], [0x82, 0x81]); // a compact-protocol oneway call
//! assert!(datagram[..n].windows(9).any(|w| w == b"emitBatch"));
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod agent;
#[cfg(feature = "collector")]
mod collector;
mod model;
pub mod propagator;
#[cfg(feature = "remote-sampler")]
mod sampler;
mod thrift;

pub use agent::{
    AgentExporter, AgentExporterBuilder, DEFAULT_AGENT_HOST, DEFAULT_AGENT_PORT,
    DEFAULT_MAX_PACKET_SIZE,
};
#[cfg(feature = "collector")]
#[cfg_attr(docsrs, doc(cfg(feature = "collector")))]
pub use collector::{
    CollectorExporter, CollectorExporterBuilder, DEFAULT_COLLECTOR_ENDPOINT,
    DEFAULT_COLLECTOR_TIMEOUT,
};
pub use propagator::JaegerPropagator;
#[cfg(feature = "remote-sampler")]
#[cfg_attr(docsrs, doc(cfg(feature = "remote-sampler")))]
pub use sampler::{
    JaegerRemoteSampler, JaegerRemoteSamplerBuilder, DEFAULT_INITIAL_SAMPLING_RATE,
    DEFAULT_POLLING_INTERVAL, DEFAULT_SAMPLING_ENDPOINT,
};

/// Why an exporter or the sampler could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The endpoint is not a valid address or URL.
    #[error("invalid Jaeger endpoint: {0}")]
    InvalidEndpoint(String),
    /// A socket or thread could not be created.
    #[error("I/O error: {0}")]
    Io(#[source] std::io::Error),
}

/// Reads one variable, treating empty as unset.
pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Encodes `spans` into `out` (cleared first, its capacity reused) as one unsplit Thrift
/// compact `Batch`, what the agent exporter sends; for benchmarks.
#[doc(hidden)]
pub fn __encode_compact_batch(
    resource: &opentelemetry_sdk::Resource,
    spans: &[opentelemetry_sdk::trace::SpanData],
    out: &mut Vec<u8>,
) {
    use thrift::{Protocol, Ty};
    let mut p = thrift::Compact::default();
    p.buf = std::mem::take(out);
    p.buf.clear();
    p.struct_begin();
    p.field(Ty::Struct, 1);
    model::Process::from_resource(resource).write(&mut p);
    p.field(Ty::List, 2);
    p.list(Ty::Struct, spans.len());
    for span in spans {
        model::write_span(&mut p, span);
    }
    p.struct_end();
    *out = p.buf;
}
