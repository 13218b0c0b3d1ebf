//! The span interface and its value types.

use super::SpanContext;
use crate::KeyValue;
use std::borrow::Cow;
use std::time::SystemTime;

/// One operation within a trace.
///
/// The trait is dyn-compatible: the required methods take concrete types, and the generic
/// conveniences (`add_event`, `update_name`, `set_attributes`, ...) are provided for sized
/// implementations, so `Box<dyn Span + Send + Sync>` works as well as the SDK's own span.
///
/// ```
/// use opentelemetry_api::trace::{Span, Status, Tracer, TracerProvider, noop::NoopTracerProvider};
/// use opentelemetry_api::KeyValue;
///
/// let tracer = NoopTracerProvider::new().tracer("example");
/// let mut span = tracer.start("operation");
/// span.set_attribute(KeyValue::new("http.request.method", "GET"));
/// span.add_event("cache miss", vec![KeyValue::new("key", "user:1")]);
/// span.set_status(Status::error("upstream timed out"));
/// span.end();
/// ```
pub trait Span {
    /// The span's context (valid even when the span is not recording).
    fn span_context(&self) -> &SpanContext;

    /// Whether the span records what is set on it; false for sampled-out, no-op and ended
    /// spans. Use it to skip computing expensive attributes.
    fn is_recording(&self) -> bool;

    /// Sets one attribute; a later value for the same key replaces the earlier one.
    ///
    /// Attributes known when the span starts should be given at creation instead
    /// ([`SpanBuilder::with_attributes`](super::SpanBuilder::with_attributes)): samplers only
    /// see those.
    fn set_attribute(&mut self, attribute: KeyValue);

    /// Sets the status, with the precedence `Ok` > `Error` > `Unset` (see [`Status::update`]).
    fn set_status(&mut self, status: Status);

    /// Records an event at `timestamp` (or now, when `None`).
    fn record_event(
        &mut self,
        name: Cow<'static, str>,
        timestamp: Option<SystemTime>,
        attributes: Vec<KeyValue>,
    );

    /// Adds a link to another span after creation (prefer links at creation: samplers only
    /// see those).
    fn add_link(&mut self, span_context: SpanContext, attributes: Vec<KeyValue>);

    /// Replaces the span's name.
    fn rename(&mut self, new_name: Cow<'static, str>);

    /// Ends the span at `timestamp` (or now, when `None`). Only the first call has an effect.
    fn end_at(&mut self, timestamp: Option<SystemTime>);

    /// Sets several attributes.
    fn set_attributes<I: IntoIterator<Item = KeyValue>>(&mut self, attributes: I)
    where
        Self: Sized,
    {
        if self.is_recording() {
            attributes.into_iter().for_each(|kv| self.set_attribute(kv));
        }
    }

    /// Records an event now.
    fn add_event<T: Into<Cow<'static, str>>>(&mut self, name: T, attributes: Vec<KeyValue>)
    where
        Self: Sized,
    {
        self.record_event(name.into(), None, attributes)
    }

    /// Records an event at a given time.
    fn add_event_with_timestamp<T: Into<Cow<'static, str>>>(
        &mut self,
        name: T,
        timestamp: SystemTime,
        attributes: Vec<KeyValue>,
    ) where
        Self: Sized,
    {
        self.record_event(name.into(), Some(timestamp), attributes)
    }

    /// Replaces the span's name.
    fn update_name<T: Into<Cow<'static, str>>>(&mut self, new_name: T)
    where
        Self: Sized,
    {
        self.rename(new_name.into())
    }

    /// Records an error as an `exception` event with `exception.message` (and
    /// `exception.type` when given in `attributes`), per the exception semantic conventions.
    /// It does not change the status: call [`Span::set_status`] for that.
    fn record_exception(&mut self, error: &dyn std::error::Error, attributes: Vec<KeyValue>) {
        if !self.is_recording() {
            return;
        }
        let mut attrs = Vec::with_capacity(attributes.len() + 1);
        attrs.push(KeyValue::new("exception.message", error.to_string()));
        attrs.extend(attributes);
        self.record_event(Cow::Borrowed("exception"), None, attrs);
    }

    /// Ends the span now. Only the first call has an effect.
    fn end(&mut self) {
        self.end_at(None)
    }

    /// Ends the span at a given time. Only the first call has an effect.
    fn end_with_timestamp(&mut self, timestamp: SystemTime) {
        self.end_at(Some(timestamp))
    }
}

/// The role of a span in a trace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SpanKind {
    /// Handles a synchronous request from a remote client.
    Server,
    /// Makes a synchronous request to a remote server.
    Client,
    /// Sends a message to a broker (its end does not wait for processing).
    Producer,
    /// Receives a message from a broker.
    Consumer,
    /// An operation inside the process (the default).
    #[default]
    Internal,
}

/// The status of a span.
///
/// ```
/// use opentelemetry_api::trace::Status;
/// let mut s = Status::Unset;
/// s.update(Status::error("boom"));
/// s.update(Status::Ok);
/// s.update(Status::error("ignored: Ok is final"));
/// assert_eq!(s, Status::Ok);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Status {
    /// No status set (the default).
    #[default]
    Unset,
    /// The operation failed.
    Error {
        /// Why it failed.
        description: Cow<'static, str>,
    },
    /// The operation was explicitly marked successful; final.
    Ok,
}

impl Status {
    /// An error status with a description.
    pub fn error(description: impl Into<Cow<'static, str>>) -> Self {
        Status::Error {
            description: description.into(),
        }
    }

    /// Applies `new` with the spec's precedence: `Ok` is final, `Unset` is ignored, and a later
    /// `Error` replaces an earlier one.
    pub fn update(&mut self, new: Status) {
        match (&*self, &new) {
            (Status::Ok, _) | (_, Status::Unset) => {}
            _ => *self = new,
        }
    }
}

/// A link from one span to another, with its own attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The linked span.
    pub span_context: SpanContext,
    /// The link's attributes.
    pub attributes: Vec<KeyValue>,
    /// Attributes dropped by the SDK's limits.
    pub dropped_attributes_count: u32,
}

impl Link {
    /// A link with attributes.
    pub fn new(span_context: SpanContext, attributes: Vec<KeyValue>) -> Self {
        Link {
            span_context,
            attributes,
            dropped_attributes_count: 0,
        }
    }

    /// A link without attributes.
    pub fn with_context(span_context: SpanContext) -> Self {
        Link::new(span_context, Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_precedence() {
        let mut s = Status::Unset;
        s.update(Status::Unset);
        assert_eq!(s, Status::Unset);
        s.update(Status::error("a"));
        s.update(Status::Unset);
        assert_eq!(s, Status::error("a"));
        s.update(Status::error("b"));
        assert_eq!(s, Status::error("b"));
        s.update(Status::Ok);
        s.update(Status::error("c"));
        s.update(Status::Unset);
        assert_eq!(s, Status::Ok);
    }
}
