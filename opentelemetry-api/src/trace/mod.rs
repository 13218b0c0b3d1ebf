//! The trace API: spans, tracers and tracer providers, and how spans live in a context.
//!
//! Until an SDK is installed every tracer is a no-op that records nothing and allocates
//! nothing, while still propagating the span context it was given.
//!
//! ```
//! use opentelemetry_api::trace::{Span, SpanKind, Tracer, TraceContextExt};
//! use opentelemetry_api::{global, Context, KeyValue};
//!
//! let tracer = global::tracer("my-service");
//! let mut span = tracer
//!     .span_builder("GET /users/{id}")
//!     .with_kind(SpanKind::Server)
//!     .with_attributes([KeyValue::new("http.request.method", "GET")])
//!     .start(&tracer);
//! span.set_attribute(KeyValue::new("http.response.status_code", 200));
//! span.end();
//! ```

mod attribute_buffers;
mod boxed;
pub(crate) mod context;
pub mod noop;
mod span;
mod span_context;
mod tracer;

#[doc(hidden)]
pub use attribute_buffers::set_attribute_buffer_source;
pub use boxed::{BoxedSpan, BoxedTracer, ObjectSafeTracer, ObjectSafeTracerProvider};
pub use context::{
    active_span_ids, active_span_is_sampled, get_active_span, mark_span_as_active, SpanRef,
    TraceContextExt,
};
pub use span::{Link, Span, SpanKind, Status};
#[allow(unused_imports)] // used by the propagators
pub(crate) use span_context::{decode_hex, encode_hex};
pub use span_context::{
    SpanContext, SpanId, TraceFlags, TraceId, TraceState, TRACE_STATE_MAX_ENTRIES,
};
pub use tracer::{SpanBuilder, Tracer, TracerProvider};
