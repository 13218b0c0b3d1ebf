//! The trace SDK: the tracer provider, spans, samplers, ID generators, limits, processors and
//! exporters.
//!
//! ```
//! use opentelemetry_api::trace::{Span, Tracer, TracerProvider};
//! use opentelemetry_api::KeyValue;
//! use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, Sampler};
//!
//! let exporter = InMemorySpanExporter::default();
//! let provider = SdkTracerProvider::builder()
//!     .with_sampler(Sampler::AlwaysOn)
//!     .with_simple_exporter(exporter.clone())
//!     .build();
//! let tracer = provider.tracer("my-app");
//! tracer.in_span("parent", |_cx| {
//!     let mut child = tracer.start("child");
//!     child.set_attribute(KeyValue::new("n", 1));
//! });
//! let spans = exporter.get_finished_spans();
//! assert_eq!(spans.len(), 2);
//! assert_eq!(spans[0].parent_span_id, spans[1].span_context.span_id());
//! ```

mod batch;
mod composite;
mod export;
mod id_generator;
mod in_memory;
mod limits;
mod ot_trace_state;
mod processor;
mod provider;
mod recycle;
mod sampler;
mod scope;
mod span;
pub(crate) mod stdout;
mod tracer;

pub use batch::{BatchConfig, BatchConfigBuilder, BatchSpanProcessor, BatchSpanProcessorBuilder};
pub use composite::{
    ComposableAlwaysOff, ComposableAlwaysOn, ComposableAnnotating, ComposableParentThreshold,
    ComposableProbability, ComposableRuleBased, ComposableSampler, CompositeSampler,
    ProbabilitySampler, SamplingIntent, SamplingParameters, SamplingPredicate, SamplingRule,
    TraceStateProvider,
};
pub use export::{BoxFuture, Event, SpanData, SpanEvents, SpanExporter, SpanLinks};
pub use id_generator::{IdGenerator, RandomIdGenerator};
pub use in_memory::InMemorySpanExporter;
pub use limits::SpanLimits;
pub use processor::{SimpleSpanProcessor, SpanProcessor};
pub use provider::{SdkTracerProvider, TracerProviderBuilder, DEFAULT_SHUTDOWN_TIMEOUT};
pub use sampler::{ParentBased, Sampler, SamplingDecision, SamplingResult, ShouldSample};
pub use span::Span;
pub use stdout::{ConsoleSpanExporter, StdoutSpanExporter};
pub use tracer::SdkTracer;
