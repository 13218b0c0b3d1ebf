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
