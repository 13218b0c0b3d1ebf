//! What exporters receive: ended spans as plain data, and the exporter interface.

use crate::error::Result;
use crate::resource::Resource;
use opentelemetry_api::trace::{Link, SpanContext, SpanId, SpanKind, Status};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use std::borrow::Cow;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

/// A boxed, sendable future: what an exporter returns from `export`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An event recorded on a span.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The event's name.
    pub name: Cow<'static, str>,
    /// When it happened.
    pub timestamp: SystemTime,
    /// Its attributes.
    pub attributes: Vec<KeyValue>,
    /// Attributes dropped by the per-event limit.
    pub dropped_attributes_count: u32,
}

/// A span's events, with the number dropped by the per-span limit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpanEvents {
    /// The events kept, in order.
    pub events: Vec<Event>,
    /// Events dropped by the limit.
    pub dropped_count: u32,
}

/// A span's links, with the number dropped by the per-span limit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpanLinks {
    /// The links kept, in order.
    pub links: Vec<Link>,
    /// Links dropped by the limit.
    pub dropped_count: u32,
}

/// An ended span: everything that was recorded on it (the SDK's readable span).
#[derive(Clone, Debug, PartialEq)]
pub struct SpanData {
    /// The span's context.
    pub span_context: SpanContext,
    /// The parent's span ID ([`SpanId::INVALID`] for a root span).
    pub parent_span_id: SpanId,
    /// Whether the parent came from another process.
    pub parent_span_is_remote: bool,
    /// The kind.
    pub span_kind: SpanKind,
    /// The name.
    pub name: Cow<'static, str>,
    /// When it started.
    pub start_time: SystemTime,
    /// When it ended.
    pub end_time: SystemTime,
    /// Its attributes (unique keys).
    pub attributes: Vec<KeyValue>,
    /// Attributes dropped by the limits.
    pub dropped_attributes_count: u32,
    /// Its events.
    pub events: SpanEvents,
    /// Its links.
    pub links: SpanLinks,
    /// Its status.
    pub status: Status,
    /// The scope of the tracer that created it. Scopes are interned: each distinct scope is
    /// stored once for the life of the process, and spans of one scope refer to the same
    /// copy (so `std::ptr::eq` groups spans by scope).
    pub instrumentation_scope: &'static InstrumentationScope,
}

impl SpanData {
    /// Whether dropping this span frees anything; false means that forgetting it instead of
    /// dropping it leaks nothing. Every field is named, so that a new field cannot be
    /// forgotten here.
    #[inline]
    pub(crate) fn owns_heap_data(&self) -> bool {
        let SpanData {
            span_context,
            parent_span_id: _,
            parent_span_is_remote: _,
            span_kind: _,
            name,
            start_time: _,
            end_time: _,
            attributes,
            dropped_attributes_count: _,
            events,
            links,
            status,
            instrumentation_scope: _,
        } = self;
        // A trace state with no entries holds no allocation (`TraceState` keeps none for
        // an empty list).
        matches!(name, Cow::Owned(_))
            | (attributes.capacity() != 0)
            | (events.events.capacity() != 0)
            | (links.links.capacity() != 0)
            | matches!(
                status,
                Status::Error {
                    description: Cow::Owned(_)
                }
            )
            | !span_context.trace_state().is_empty()
    }
}

/// Sends batches of ended spans somewhere: the interface every trace exporter implements.
///
/// It is dyn-compatible: a provider holds `Box<dyn SpanExporter>`. `export` returns a boxed
/// future so that an exporter may do asynchronous I/O; the SDK's processors drive it to
/// completion (on their own thread by default, so no async runtime is required), never call
/// `export` concurrently, and never call it after `shutdown`. A synchronous exporter returns
/// `Box::pin(std::future::ready(result))`.
///
/// ```
/// use opentelemetry_sdk::trace::{BoxFuture, SpanData, SpanExporter};
///
/// #[derive(Debug, Default)]
/// struct CountingExporter { spans: usize }
///
/// impl SpanExporter for CountingExporter {
///     fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
///         self.spans += batch.len();
///         Box::pin(std::future::ready(Ok(())))
///     }
/// }
/// ```
pub trait SpanExporter: Send + Debug {
    /// Exports a batch; must not block forever (give up with an error after a timeout).
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, Result>;

    /// Exports anything the exporter itself buffered.
    fn force_flush(&mut self) -> Result {
        Ok(())
    }

    /// Shuts the exporter down; later exports fail.
    fn shutdown(&mut self) -> Result {
        Ok(())
    }

    /// Receives the provider's resource once, before the first export.
    fn set_resource(&mut self, _resource: &Resource) {}
}

impl<T: SpanExporter + ?Sized> SpanExporter for Box<T> {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, Result> {
        (**self).export(batch)
    }
    fn force_flush(&mut self) -> Result {
        (**self).force_flush()
    }
    fn shutdown(&mut self) -> Result {
        (**self).shutdown()
    }
    fn set_resource(&mut self, resource: &Resource) {
        (**self).set_resource(resource)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::batch::BatchExporter;
    use opentelemetry_api::trace::{SpanContext, TraceFlags, TraceId, TraceState};

    fn plain() -> SpanData {
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(1),
                SpanId::from(2),
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            ),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: SpanKind::Internal,
            name: Cow::Borrowed("plain"),
            start_time: SystemTime::UNIX_EPOCH,
            end_time: SystemTime::UNIX_EPOCH,
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status: Status::error("static"),
            instrumentation_scope: crate::trace::scope::intern(
                InstrumentationScope::builder("t").build(),
            ),
        }
    }

    #[test]
    fn owns_heap_data_sees_every_owning_field() {
        assert!(!plain().owns_heap_data());
        let changes: Vec<fn(&mut SpanData)> = vec![
            |s| s.name = Cow::Owned("owned".into()),
            |s| s.attributes.push(KeyValue::new("k", 1)),
            |s| s.attributes = Vec::with_capacity(1),
            |s| s.events.events = Vec::with_capacity(1),
            |s| s.links.links = Vec::with_capacity(1),
            |s| {
                s.status = Status::Error {
                    description: Cow::Owned("owned".into()),
                }
            },
            |s| {
                let state = TraceState::from_key_value([("k", "v")]).unwrap();
                s.span_context = SpanContext::new(
                    TraceId::from(1),
                    SpanId::from(2),
                    TraceFlags::SAMPLED,
                    false,
                    state,
                );
            },
        ];
        for change in changes {
            let mut span = plain();
            change(&mut span);
            assert!(span.owns_heap_data(), "{span:?}");
        }
    }

    #[test]
    fn clearing_a_batch_drops_what_owns_something_and_keeps_the_capacity() {
        // Its count tells whether the span holding a clone was dropped.
        let value: std::sync::Arc<str> = "shared".into();
        let mut with_owned = plain();
        with_owned.attributes.push(KeyValue::new(
            "k",
            opentelemetry_api::StringValue::from(value.clone()),
        ));
        let mut batch = vec![plain(), with_owned, plain()];
        assert_eq!(std::sync::Arc::strong_count(&value), 2);
        let capacity = batch.capacity();
        <Box<dyn SpanExporter> as BatchExporter>::clear(&mut batch);
        assert!(batch.is_empty());
        assert_eq!(batch.capacity(), capacity);
        assert_eq!(std::sync::Arc::strong_count(&value), 1);
    }
}
