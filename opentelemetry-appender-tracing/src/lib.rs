//! # A bridge from `tracing` to OpenTelemetry
//!
//! [`OpenTelemetryTracingBridge`] is a [`tracing_subscriber::Layer`] that
//!
//! 1. turns every `tracing` event into an OpenTelemetry log record, emitted through a logger
//!    of any API [`LoggerProvider`] (the SDK's, the global one, a boxed one); and,
//! 2. when given a tracer with [`with_tracer`](OpenTelemetryTracingBridge::with_tracer), turns
//!    `tracing` spans into OpenTelemetry spans, so that `#[instrument]`ed code exports real
//!    traces and the events inside those spans are correlated with them.
//!
//! Events become log records:
//!
//! | `tracing` event | OpenTelemetry log record |
//! | --- | --- |
//! | level `ERROR`, `WARN`, `INFO`, `DEBUG`, `TRACE` | severity `ERROR` (17), `WARN` (13), `INFO` (9), `DEBUG` (5), `TRACE` (1), and that severity text |
//! | the `message` field | body |
//! | other fields | attributes, typed: booleans, integers, floats, strings; `?debug` and `%display` values and errors as text |
//! | target | the record's target |
//! | a name given with `name: "..."` | event name (the default names, `event file:line`, are not event names) |
//! | file, line, module path (opt-in: [`with_code_attributes`](OpenTelemetryTracingBridge::with_code_attributes)) | `code.file.path`, `code.line.number`, `code.namespace` |
//! | the span it happened in | trace context: the span's OpenTelemetry span when the span bridge is on, otherwise the current OpenTelemetry context |
//!
//! Spans become spans (span bridge): the tracing span's name is the span name (a field
//! `otel.name` overrides it, `otel.kind` sets the kind: `server`, `client`, `producer`,
//! `consumer`, `internal`); its parent is the OpenTelemetry span of the tracing parent, or,
//! for a tracing span without parent, the current OpenTelemetry context (so a span extracted
//! from request headers and attached is continued); its fields, also those recorded later,
//! are attributes; `follows_from` adds a link; the span ends when the tracing span closes.
//! While a tracing span is entered its OpenTelemetry context is the current one, so
//! OpenTelemetry API calls (and the `log` bridge) inside it are correlated too. Events inside
//! a span are also added to it as span events (named by their message, or `exception`, with
//! `exception.message`, for an error without message); an `ERROR` event, or a field named
//! `error`, sets the span's status to error.
//!
//! Nothing is recorded while telemetry is suppressed (the SDK suppresses it while its
//! exporters run), so an exporter that uses `tracing` does not feed its own output back.
//!
//! ```
//! use opentelemetry_api::trace::TracerProvider as _;
//! use opentelemetry_appender_tracing::OpenTelemetryTracingBridge;
//! use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
//! use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
//! use tracing_subscriber::layer::SubscriberExt;
//!
//! let logs = InMemoryLogExporter::default();
//! let logger_provider = SdkLoggerProvider::builder().with_simple_exporter(logs.clone()).build();
//! let spans = InMemorySpanExporter::default();
//! let tracer_provider = SdkTracerProvider::builder().with_simple_exporter(spans.clone()).build();
//!
//! let layer = OpenTelemetryTracingBridge::new(&logger_provider)
//!     .with_tracer(tracer_provider.tracer("my-app"));
//! let subscriber = tracing_subscriber::registry().with(layer);
//! tracing::subscriber::with_default(subscriber, || {
//!     let _span = tracing::info_span!("checkout", order.id = 42).entered();
//!     tracing::warn!(card = "visa", "card declined");
//! });
//!
//! let record = &logs.get_emitted_logs()[0].record;
//! let span = &spans.get_finished_spans()[0];
//! assert_eq!(span.name, "checkout");
//! assert_eq!(record.trace_context().unwrap().span_id, span.span_context.span_id());
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
use opentelemetry_api::trace::noop::NoopTracer;
use opentelemetry_api::trace::{SpanKind, Status, TraceContextExt, Tracer};
use opentelemetry_api::{
    AnyValue, Context as OtelContext, ContextGuard, InstrumentationScope, Key, KeyValue,
    StringValue, Value,
};
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::subscriber::Interest;
use tracing_core::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::filter::Filtered;
use tracing_subscriber::layer::{Context, Filter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// The instrumentation scope name of the bridge's logger.
pub const SCOPE_NAME: &str = "opentelemetry-appender-tracing";

const MESSAGE: &str = "message";
const CODE_FILE_PATH: Key = Key::from_static_str("code.file.path");
const CODE_LINE_NUMBER: Key = Key::from_static_str("code.line.number");
const CODE_NAMESPACE: Key = Key::from_static_str("code.namespace");

/// The severity for a `tracing` level (each level maps to the first step of its range).
#[inline]
pub fn severity_of(level: &Level) -> Severity {
    match *level {
        Level::ERROR => Severity::Error,
        Level::WARN => Severity::Warn,
        Level::INFO => Severity::Info,
        Level::DEBUG => Severity::Debug,
        _ => Severity::Trace,
    }
}

/// The event name of an event: the name given with `name: "..."`; `tracing`'s default names
/// (`event file:line`) are not event names.
#[inline]
fn event_name(meta: &Metadata<'static>) -> Option<&'static str> {
    let name = meta.name();
    (!name.starts_with("event ")).then_some(name)
}

/// A [`Layer`] bridging `tracing` to OpenTelemetry: events to log records, and with a tracer,
/// spans to spans (see the [crate documentation](crate)).
///
/// `L` is the OpenTelemetry logger; `T` the tracer of the span bridge (`NoopTracer` while it
/// is off).
pub struct OpenTelemetryTracingBridge<L, T = NoopTracer> {
    logger: L,
    tracer: Option<T>,
    code_attributes: bool,
}

impl<L, T> fmt::Debug for OpenTelemetryTracingBridge<L, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenTelemetryTracingBridge")
            .field("span_bridge", &self.tracer.is_some())
            .field("code_attributes", &self.code_attributes)
            .finish()
    }
}

impl<L: Logger> OpenTelemetryTracingBridge<L, NoopTracer> {
    /// A bridge emitting log records through a logger of `provider`, for the scope
    /// `opentelemetry-appender-tracing` with this crate's version. The span bridge is off.
    pub fn new<P: LoggerProvider<Logger = L>>(provider: &P) -> Self {
        let scope = InstrumentationScope::builder(SCOPE_NAME)
            .with_version(env!("CARGO_PKG_VERSION"))
            .build();
        OpenTelemetryTracingBridge::from_logger(provider.logger_with_scope(scope))
    }

    /// A bridge emitting log records through `logger`. The span bridge is off.
    pub fn from_logger(logger: L) -> Self {
        OpenTelemetryTracingBridge {
            logger,
            tracer: None,
            code_attributes: false,
        }
    }
}

impl<L, T> OpenTelemetryTracingBridge<L, T> {
    /// Turns the span bridge on: `tracing` spans become spans of `tracer`.
    pub fn with_tracer<T2: Tracer>(self, tracer: T2) -> OpenTelemetryTracingBridge<L, T2> {
        OpenTelemetryTracingBridge {
            logger: self.logger,
            tracer: Some(tracer),
            code_attributes: self.code_attributes,
        }
    }

    /// This bridge behind a [per-layer filter](tracing_subscriber::layer#per-layer-filtering)
    /// ([`CallsiteFilter`]) that asks the logger once per event callsite whether it is
    /// [enabled](Logger::enabled), so that an event the logger filters out costs what
    /// `tracing` costs for a disabled callsite (a relaxed load and a branch when no other
    /// layer wants the event) instead of a call into the bridge.
    ///
    /// The answer is cached by `tracing` (its callsite interest): a logger whose filtering
    /// changes at run time, or depends on the current context, must not be used this way, or
    /// `tracing_core::callsite::rebuild_interest_cache()` must be called after each change.
    /// Events the logger accepts are still checked on each event (a later change that
    /// disables them, and suppressed telemetry, are honoured). The filter applies to this
    /// layer only: other layers of the subscriber still see every event. With the span
    /// bridge on every callsite stays enabled (events are span events too).
    ///
    /// ```
    /// use opentelemetry_appender_tracing::OpenTelemetryTracingBridge;
    /// use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let exporter = InMemoryLogExporter::default();
    /// let provider = SdkLoggerProvider::builder().with_simple_exporter(exporter.clone()).build();
    /// let layer = OpenTelemetryTracingBridge::new(&provider).with_callsite_filter();
    /// tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
    ///     tracing::info!("recorded");
    /// });
    /// assert_eq!(exporter.get_emitted_logs().len(), 1);
    /// ```
    pub fn with_callsite_filter<S>(self) -> Filtered<Self, CallsiteFilter<L>, S>
    where
        L: Logger + Clone,
        S: Subscriber,
        Self: Layer<S>,
    {
        let filter = CallsiteFilter {
            logger: self.logger.clone(),
            span_bridge: self.tracer.is_some(),
        };
        self.with_filter(filter)
    }

    /// Whether to record each event's (and span's) file, line and module path as `code.*`
    /// attributes (default `false`: the target usually names the module already).
    pub fn with_code_attributes(mut self, enabled: bool) -> Self {
        self.code_attributes = enabled;
        self
    }
}

/// The per-layer filter of [`OpenTelemetryTracingBridge::with_callsite_filter`]: enables an
/// event callsite for the bridge when the logger is enabled for its severity, target and
/// event name, and caches that answer as the callsite's interest.
#[derive(Clone)]
pub struct CallsiteFilter<L> {
    logger: L,
    span_bridge: bool,
}

impl<L> fmt::Debug for CallsiteFilter<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallsiteFilter")
            .field("span_bridge", &self.span_bridge)
            .finish()
    }
}

impl<L: Logger> CallsiteFilter<L> {
    fn wants(&self, meta: &Metadata<'_>) -> bool {
        if self.span_bridge {
            // Spans become spans, and every event may become a span event.
            return true;
        }
        if meta.is_span() {
            return false;
        }
        // Asked outside any suppressed scope (the callsite may first be hit inside an
        // exporter): suppression is checked on each event, never cached.
        let _clean = OtelContext::new().attach();
        let name = meta.name();
        let name = (!name.starts_with("event ")).then_some(name);
        self.logger
            .enabled(severity_of(meta.level()), meta.target(), name)
    }
}

impl<L: Logger, S: Subscriber> Filter<S> for CallsiteFilter<L> {
    fn enabled(&self, meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        self.wants(meta)
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        if self.wants(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }
}

/// What the span bridge keeps in a tracing span's extensions: the context holding its
/// OpenTelemetry span.
struct OtelSpan {
    cx: OtelContext,
}

thread_local! {
    /// The contexts attached for the tracing spans entered on this thread, innermost last.
    static ENTERED: RefCell<Vec<(Id, ContextGuard)>> = const { RefCell::new(Vec::new()) };
}

/// Fills a log record from an event's fields.
struct RecordVisitor<'r, R> {
    record: &'r mut R,
}

impl<R: LogRecord> RecordVisitor<'_, R> {
    // Always inlined: the key and value would otherwise go through the stack to a call.
    #[inline(always)]
    fn attribute(&mut self, field: &Field, value: AnyValue) {
        self.record
            .record_attribute(Key::from_static_str(field.name()), value);
    }
}

impl<R: LogRecord> Visit for RecordVisitor<'_, R> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.attribute(field, AnyValue::Double(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.attribute(field, AnyValue::Int(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        let value = match i64::try_from(value) {
            Ok(v) => AnyValue::Int(v),
            Err(_) => AnyValue::from(value.to_string()),
        };
        self.attribute(field, value);
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        let value = match i64::try_from(value) {
            Ok(v) => AnyValue::Int(v),
            Err(_) => AnyValue::from(value.to_string()),
        };
        self.attribute(field, value);
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        let value = match i64::try_from(value) {
            Ok(v) => AnyValue::Int(v),
            Err(_) => AnyValue::from(value.to_string()),
        };
        self.attribute(field, value);
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.attribute(field, AnyValue::Boolean(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        // Short text is copied inline: no allocation. The value is built in each branch, so
        // that it can be built where it goes.
        if field.name() == MESSAGE {
            self.record
                .set_body(AnyValue::String(StringValue::copied(value)));
        } else {
            self.attribute(field, AnyValue::String(StringValue::copied(value)));
        }
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.attribute(field, AnyValue::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = AnyValue::String(StringValue::format(format_args!("{value:?}")));
        if field.name() == MESSAGE {
            self.record.set_body(text);
        } else {
            self.attribute(field, text);
        }
    }
}

/// Collects span fields (or an event's fields, for a span event) as attributes.
#[derive(Default)]
struct SpanVisitor {
    attributes: Vec<KeyValue>,
    message: Option<String>,
    name: Option<String>,
    kind: Option<SpanKind>,
    error: Option<String>,
}

impl SpanVisitor {
    fn value(&mut self, field: &Field, value: Value) {
        match field.name() {
            "otel.name" => self.name = Some(value.as_str().into_owned()),
            "otel.kind" => {
                self.kind = match value.as_str().to_ascii_lowercase().as_str() {
                    "server" => Some(SpanKind::Server),
                    "client" => Some(SpanKind::Client),
                    "producer" => Some(SpanKind::Producer),
                    "consumer" => Some(SpanKind::Consumer),
                    "internal" => Some(SpanKind::Internal),
                    _ => None,
                }
            }
            MESSAGE => self.message = Some(value.as_str().into_owned()),
            name => {
                if name == "error" {
                    self.error = Some(value.as_str().into_owned());
                }
                self.attributes
                    .push(KeyValue::new(Key::from_static_str(name), value));
            }
        }
    }
}

impl Visit for SpanVisitor {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.value(field, Value::F64(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.value(field, Value::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        let value = match i64::try_from(value) {
            Ok(v) => Value::I64(v),
            Err(_) => Value::from(value.to_string()),
        };
        self.value(field, value);
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.value(field, Value::Bool(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.value(field, Value::from(value.to_owned()));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.value(field, Value::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.value(field, Value::from(format!("{value:?}")));
    }
}

fn code_attributes(meta: &Metadata<'static>, out: &mut Vec<KeyValue>) {
    if let Some(file) = meta.file() {
        out.push(KeyValue::new(CODE_FILE_PATH, file));
    }
    if let Some(line) = meta.line() {
        out.push(KeyValue::new(CODE_LINE_NUMBER, i64::from(line)));
    }
    if let Some(module) = meta.module_path() {
        out.push(KeyValue::new(CODE_NAMESPACE, module));
    }
}

impl<L, T> OpenTelemetryTracingBridge<L, T>
where
    L: Logger,
    T: Tracer,
{
    /// The OpenTelemetry context of the span `event` belongs to, when the span bridge made
    /// one.
    fn event_context<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>) -> Option<OtelContext>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        self.tracer.as_ref()?;
        let span = ctx.event_span(event)?;
        let extensions = span.extensions();
        extensions.get::<OtelSpan>().map(|s| s.cx.clone())
    }

    /// Records an event that passed the checks: as a log record when `log`, and as a span
    /// event when the span bridge made a span for it. Kept out of line so that a filtered-out
    /// event does not pay for this frame.
    #[inline(never)]
    fn record_event<S>(
        &self,
        event: &Event<'_>,
        ctx: &Context<'_, S>,
        log: bool,
        severity: Severity,
        name: Option<&'static str>,
    ) where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let span_cx = self.event_context(event, ctx);
        if log {
            self.emit_log(event, severity, name, span_cx.as_ref());
        }
        if let Some(cx) = &span_cx {
            add_span_event(event, cx);
        }
    }

    /// Emits `event` as a log record (the logger said it is enabled for it).
    #[inline]
    fn emit_log(
        &self,
        event: &Event<'_>,
        severity: Severity,
        name: Option<&'static str>,
        span_cx: Option<&OtelContext>,
    ) {
        let meta = event.metadata();
        let code_attributes = self.code_attributes;
        // Filled in place: the logger's record is never moved.
        self.logger.emit_with(|record| {
            record.set_severity_number(severity);
            record.set_severity_text(severity.name());
            record.set_target(meta.target());
            if let Some(name) = name {
                record.set_event_name(name);
            }
            event.record(&mut RecordVisitor {
                record: &mut *record,
            });
            if code_attributes {
                if let Some(file) = meta.file() {
                    record.add_attribute(CODE_FILE_PATH, file);
                }
                if let Some(line) = meta.line() {
                    record.add_attribute(CODE_LINE_NUMBER, i64::from(line));
                }
                if let Some(module) = meta.module_path() {
                    record.add_attribute(CODE_NAMESPACE, module);
                }
            }
            // The span the event belongs to, when the span bridge made one; otherwise the
            // logger takes the current context's.
            if let Some(cx) = span_cx {
                let span = cx.span();
                let sc = span.span_context();
                if sc.is_valid() {
                    record.set_trace_context(sc.trace_id(), sc.span_id(), Some(sc.trace_flags()));
                }
            }
        });
    }
}

/// Adds `event` to the span of `cx` as a span event, and sets the span's status to error for
/// an `ERROR` event.
fn add_span_event(event: &Event<'_>, cx: &OtelContext) {
    let span = cx.span();
    if !span.is_recording() {
        return;
    }
    let meta = event.metadata();
    let mut visitor = SpanVisitor::default();
    event.record(&mut visitor);
    visitor.attributes.push(KeyValue::new(
        Key::from_static_str("level"),
        severity_of(meta.level()).name(),
    ));
    let is_error = *meta.level() == Level::ERROR;
    let name: Cow<'static, str> = match (visitor.message.take(), &visitor.error) {
        (Some(message), _) => Cow::Owned(message),
        // An error without a message (as `#[instrument(err)]` records it): an exception
        // event, as the semantic conventions name it.
        (None, Some(error)) => {
            visitor.attributes.push(KeyValue::new(
                Key::from_static_str("exception.message"),
                error.clone(),
            ));
            Cow::Borrowed("exception")
        }
        (None, None) => Cow::Borrowed(meta.name()),
    };
    if is_error || visitor.error.is_some() {
        let description = visitor.error.clone().unwrap_or_else(|| name.to_string());
        span.set_status(Status::error(description));
    }
    span.add_event(name, visitor.attributes);
}

impl<S, L, T> Layer<S> for OpenTelemetryTracingBridge<L, T>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    L: Logger + Send + Sync + 'static,
    T: Tracer + Send + Sync + 'static,
    T::Span: Send + Sync + 'static,
{
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        let severity = severity_of(meta.level());
        let name = event_name(meta);
        // The logger first: without the span bridge, a filtered-out event stops at its first
        // check.
        let log = self.logger.enabled(severity, meta.target(), name);
        if self.tracer.is_none() {
            // Log records only: the logger checks suppression itself (the SDK's `enabled`
            // and `emit_with` do), once.
            if !log {
                return;
            }
        } else if OtelContext::is_current_telemetry_suppressed() {
            return;
        }
        self.record_event(event, &ctx, log, severity, name);
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(tracer) = &self.tracer else { return };
        if OtelContext::is_current_telemetry_suppressed() {
            return;
        }
        let Some(span) = ctx.span(id) else { return };
        let parent_cx = match span.parent() {
            Some(parent) => parent
                .extensions()
                .get::<OtelSpan>()
                .map(|p| p.cx.clone())
                .unwrap_or_else(OtelContext::current),
            // An explicit root (`parent: None`) starts a new trace.
            None if attrs.is_root() => OtelContext::new(),
            None => OtelContext::current(),
        };
        let meta = attrs.metadata();
        // Sized for the span's fields (and the `code.*` attributes) up front: one allocation.
        let mut visitor = SpanVisitor {
            attributes: Vec::with_capacity(
                meta.fields().len() + if self.code_attributes { 3 } else { 0 },
            ),
            ..SpanVisitor::default()
        };
        attrs.record(&mut visitor);
        if self.code_attributes {
            code_attributes(meta, &mut visitor.attributes);
        }
        let name: Cow<'static, str> = match visitor.name.take() {
            Some(name) => Cow::Owned(name),
            None => Cow::Borrowed(meta.name()),
        };
        let mut builder = tracer.span_builder(name);
        // Set directly: `with_attributes` would collect the vector into a new one.
        builder.attributes = Some(visitor.attributes);
        builder.span_kind = visitor.kind;
        let otel_span = builder.start_with_context(tracer, &parent_cx);
        let cx = parent_cx.with_span(otel_span);
        if let Some(error) = visitor.error {
            cx.span().set_status(Status::error(error));
        }
        span.extensions_mut().insert(OtelSpan { cx });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if self.tracer.is_none() {
            return;
        }
        let Some(span) = ctx.span(id) else { return };
        let extensions = span.extensions();
        let Some(otel) = extensions.get::<OtelSpan>() else {
            return;
        };
        let mut visitor = SpanVisitor::default();
        values.record(&mut visitor);
        let span = otel.cx.span();
        if let Some(name) = visitor.name {
            span.update_name(name);
        }
        if let Some(error) = visitor.error {
            span.set_status(Status::error(error));
        }
        span.set_attributes(visitor.attributes);
    }

    fn on_follows_from(&self, id: &Id, follows: &Id, ctx: Context<'_, S>) {
        if self.tracer.is_none() {
            return;
        }
        let (Some(span), Some(follows)) = (ctx.span(id), ctx.span(follows)) else {
            return;
        };
        let linked = follows
            .extensions()
            .get::<OtelSpan>()
            .map(|f| f.cx.span().span_context().clone());
        let Some(linked) = linked else { return };
        let extensions = span.extensions();
        if let Some(otel) = extensions.get::<OtelSpan>() {
            otel.cx.span().add_link(linked, Vec::new());
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if self.tracer.is_none() {
            return;
        }
        let Some(span) = ctx.span(id) else { return };
        let cx = match span.extensions().get::<OtelSpan>() {
            Some(otel) => otel.cx.clone(),
            None => return,
        };
        // Entering a span inside a suppressed scope (an exporter's) keeps telemetry suppressed.
        let cx = if OtelContext::is_current_telemetry_suppressed() {
            cx.with_telemetry_suppressed()
        } else {
            cx
        };
        let guard = cx.attach();
        let _ = ENTERED.try_with(|entered| entered.borrow_mut().push((id.clone(), guard)));
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        if self.tracer.is_none() {
            return;
        }
        // The guard is dropped after the borrow ends: dropping it may end a span, whose
        // processors may log.
        let guard = ENTERED
            .try_with(|entered| {
                let mut entered = entered.borrow_mut();
                // Spans are usually exited in the reverse order of entering: the last one.
                if entered.last().is_some_and(|(last, _)| last == id) {
                    return entered.pop();
                }
                let i = entered
                    .iter()
                    .rposition(|(entered_id, _)| entered_id == id)?;
                Some(entered.remove(i))
            })
            .ok()
            .flatten();
        drop(guard);
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if self.tracer.is_none() {
            return;
        }
        let Some(span) = ctx.span(&id) else { return };
        let otel = span.extensions_mut().remove::<OtelSpan>();
        if let Some(otel) = otel {
            otel.cx.span().end();
        }
    }
}
