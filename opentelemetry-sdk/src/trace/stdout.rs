//! Exporters that write spans as text: `StdoutSpanExporter` (one block per span) and
//! `ConsoleSpanExporter` (each trace as a tree with a timeline, for people).
//!
//! These exporters are intended for debugging and learning. They are not recommended for
//! production use: the output format is not standardized and can change at any time. For a
//! standard format on standard output use the OTLP file exporter (`otlp/stdout`) of
//! `opentelemetry-otlp`.

use super::export::{BoxFuture, SpanData, SpanExporter};
use crate::error::{Error, Result};
use crate::resource::Resource;
use opentelemetry_api::trace::{SpanId, SpanKind, Status, TraceId};
use opentelemetry_api::KeyValue;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where text exporters write: standard output by default, any writer in tests.
pub(crate) struct Output(pub(crate) Box<dyn Write + Send>);

impl Output {
    pub(crate) fn stdout() -> Self {
        Output(Box::new(std::io::stdout()))
    }

    pub(crate) fn write(&mut self, text: &str) -> Result {
        self.0
            .write_all(text.as_bytes())
            .and_then(|_| self.0.flush())
            .map_err(|e| Error::ExportFailed(format!("writing to the output: {e}")))
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Output")
    }
}

pub(crate) fn unix_nanos(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn kind_name(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Server => "server",
        SpanKind::Client => "client",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
        SpanKind::Internal => "internal",
    }
}

fn write_attrs(out: &mut String, attrs: &[KeyValue]) {
    for (i, kv) in attrs.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{}={}", kv.key, kv.value);
    }
}

/// Writes every span as a block of `field: value` lines (debugging aid; format not stable).
///
/// ```
/// use opentelemetry_sdk::trace::{SdkTracerProvider, StdoutSpanExporter};
/// let provider = SdkTracerProvider::builder()
///     .with_simple_exporter(StdoutSpanExporter::default())
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct StdoutSpanExporter {
    out: Output,
    resource: Option<Resource>,
    is_shutdown: bool,
}

impl Default for StdoutSpanExporter {
    fn default() -> Self {
        StdoutSpanExporter {
            out: Output::stdout(),
            resource: None,
            is_shutdown: false,
        }
    }
}

impl StdoutSpanExporter {
    /// Writes to `writer` instead of standard output.
    pub fn with_writer<W: Write + Send + 'static>(writer: W) -> Self {
        StdoutSpanExporter {
            out: Output(Box::new(writer)),
            resource: None,
            is_shutdown: false,
        }
    }

    fn render(&self, span: &SpanData) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Span {:?}", span.name);
        let _ = writeln!(s, "  trace_id: {}", span.span_context.trace_id());
        let _ = writeln!(s, "  span_id: {}", span.span_context.span_id());
        let _ = writeln!(
            s,
            "  trace_flags: {:02x}",
            span.span_context.trace_flags().to_u8()
        );
        if !span.span_context.trace_state().is_empty() {
            let _ = writeln!(
                s,
                "  trace_state: {}",
                span.span_context.trace_state().header()
            );
        }
        let _ = writeln!(s, "  parent_span_id: {}", span.parent_span_id);
        let _ = writeln!(s, "  kind: {}", kind_name(span.span_kind));
        let _ = writeln!(s, "  start_time_unix_nano: {}", unix_nanos(span.start_time));
        let _ = writeln!(s, "  end_time_unix_nano: {}", unix_nanos(span.end_time));
        match &span.status {
            Status::Unset => {}
            Status::Ok => s.push_str("  status: Ok\n"),
            Status::Error { description } => {
                let _ = writeln!(s, "  status: Error {description:?}");
            }
        }
        let scope = &span.instrumentation_scope;
        let _ = writeln!(
            s,
            "  scope: {} {}",
            scope.name(),
            scope.version().unwrap_or("")
        );
        if !span.attributes.is_empty() || span.dropped_attributes_count > 0 {
            s.push_str("  attributes: ");
            write_attrs(&mut s, &span.attributes);
            if span.dropped_attributes_count > 0 {
                let _ = write!(s, " (dropped {})", span.dropped_attributes_count);
            }
            s.push('\n');
        }
        for e in &span.events.events {
            let _ = write!(s, "  event {:?} at {}: ", e.name, unix_nanos(e.timestamp));
            write_attrs(&mut s, &e.attributes);
            s.push('\n');
        }
        for l in &span.links.links {
            let _ = write!(
                s,
                "  link {}-{}: ",
                l.span_context.trace_id(),
                l.span_context.span_id()
            );
            write_attrs(&mut s, &l.attributes);
            s.push('\n');
        }
        if let Some(resource) = &self.resource {
            s.push_str("  resource: ");
            for (i, (k, v)) in resource.iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                let _ = write!(s, "{k}={v}");
            }
            s.push('\n');
        }
        s
    }
}

impl SpanExporter for StdoutSpanExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, Result> {
        let result = if self.is_shutdown {
            Err(Error::AlreadyShutdown)
        } else {
            let text: String = batch.iter().map(|s| self.render(s)).collect();
            self.out.write(&text)
        };
        Box::pin(std::future::ready(result))
    }

    fn shutdown(&mut self) -> Result {
        self.is_shutdown = true;
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = Some(resource.clone());
    }
}

/// Prints each trace as a tree of spans, with durations, a timeline bar per span, and the
/// attributes and events under each span: for people reading a terminal.
///
/// Spans are held until the local root of their trace ends (or until a flush), so that the
/// whole tree prints at once even with the simple processor.
///
/// ```
/// use opentelemetry_sdk::trace::{ConsoleSpanExporter, SdkTracerProvider};
/// let provider = SdkTracerProvider::builder()
///     .with_simple_exporter(ConsoleSpanExporter::default())
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct ConsoleSpanExporter {
    out: Output,
    pending: HashMap<TraceId, Vec<SpanData>>,
    pending_count: usize,
    service: Option<String>,
    is_shutdown: bool,
}

/// Spans held waiting for their root before the oldest traces are printed incomplete.
const MAX_PENDING_SPANS: usize = 10_000;
/// Width of the timeline bar.
const BAR_WIDTH: usize = 24;

impl Default for ConsoleSpanExporter {
    fn default() -> Self {
        Self::with_output(Output::stdout())
    }
}

impl ConsoleSpanExporter {
    fn with_output(out: Output) -> Self {
        ConsoleSpanExporter {
            out,
            pending: HashMap::new(),
            pending_count: 0,
            service: None,
            is_shutdown: false,
        }
    }

    /// Writes to `writer` instead of standard output.
    pub fn with_writer<W: Write + Send + 'static>(writer: W) -> Self {
        Self::with_output(Output(Box::new(writer)))
    }

    fn is_local_root(span: &SpanData) -> bool {
        span.parent_span_id == SpanId::INVALID || span.parent_span_is_remote
    }

    fn accept(&mut self, batch: &[SpanData]) -> String {
        let mut text = String::new();
        for span in batch {
            let trace_id = span.span_context.trace_id();
            self.pending.entry(trace_id).or_default().push(span.clone());
            self.pending_count += 1;
            if Self::is_local_root(span) {
                if let Some(spans) = self.pending.remove(&trace_id) {
                    self.pending_count -= spans.len();
                    text.push_str(&self.render_trace(&spans));
                }
            }
        }
        while self.pending_count > MAX_PENDING_SPANS {
            let oldest = self
                .pending
                .iter()
                .min_by_key(|(_, spans)| spans.iter().map(|s| s.start_time).min())
                .map(|(id, _)| *id);
            let Some(id) = oldest else { break };
            if let Some(spans) = self.pending.remove(&id) {
                self.pending_count -= spans.len();
                text.push_str(&self.render_trace(&spans));
            }
        }
        text
    }

    fn drain(&mut self) -> String {
        let mut traces: Vec<Vec<SpanData>> = self.pending.drain().map(|(_, v)| v).collect();
        self.pending_count = 0;
        traces.sort_by_key(|spans| spans.iter().map(|s| s.start_time).min());
        traces.iter().map(|t| self.render_trace(t)).collect()
    }

    fn render_trace(&self, spans: &[SpanData]) -> String {
        let ids: std::collections::HashSet<SpanId> =
            spans.iter().map(|s| s.span_context.span_id()).collect();
        let mut children: HashMap<SpanId, Vec<&SpanData>> = HashMap::new();
        let mut roots: Vec<&SpanData> = Vec::new();
        for s in spans {
            if ids.contains(&s.parent_span_id) && !s.parent_span_is_remote {
                children.entry(s.parent_span_id).or_default().push(s);
            } else {
                roots.push(s);
            }
        }
        roots.sort_by_key(|s| s.start_time);
        for list in children.values_mut() {
            list.sort_by_key(|s| s.start_time);
        }
        let start = spans
            .iter()
            .map(|s| s.start_time)
            .min()
            .unwrap_or(UNIX_EPOCH);
        let end = spans.iter().map(|s| s.end_time).max().unwrap_or(start);
        let total = end.duration_since(start).unwrap_or_default();

        let mut out = String::new();
        let trace_id = spans
            .first()
            .map(|s| s.span_context.trace_id())
            .unwrap_or_default();
        let _ = write!(out, "\ntrace {trace_id}");
        if let Some(service) = &self.service {
            let _ = write!(out, "  service {service}");
        }
        let _ = writeln!(
            out,
            "  {} span{}  {}",
            spans.len(),
            if spans.len() == 1 { "" } else { "s" },
            fmt_duration(total)
        );
        let mut ctx = Render {
            rows: Vec::new(),
            children,
            start,
            total,
        };
        let n = roots.len();
        for (i, root) in roots.into_iter().enumerate() {
            ctx.span(root, "", i + 1 == n, true);
        }
        let width = ctx
            .rows
            .iter()
            .filter_map(|r| match r {
                Row::Span(left, _) => Some(left.chars().count()),
                Row::Detail(_) => None,
            })
            .max()
            .unwrap_or(0);
        for row in ctx.rows {
            match row {
                Row::Span(left, right) => {
                    let pad = width - left.chars().count();
                    let _ = writeln!(out, "{left}{:pad$}  {right}", "");
                }
                Row::Detail(line) => {
                    let _ = writeln!(out, "{line}");
                }
            }
        }
        out
    }
}

/// One printed line: a span (name column, then duration, bar and status) or a detail line.
enum Row {
    Span(String, String),
    Detail(String),
}

struct Render<'a> {
    rows: Vec<Row>,
    children: HashMap<SpanId, Vec<&'a SpanData>>,
    start: SystemTime,
    total: Duration,
}

impl<'a> Render<'a> {
    fn span(&mut self, span: &'a SpanData, prefix: &str, last: bool, top: bool) {
        let (branch, cont) = if top {
            ("", "")
        } else if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        let left = format!(
            "{prefix}{branch}{} [{}]",
            span.name,
            kind_name(span.span_kind)
        );
        let duration = span
            .end_time
            .duration_since(span.start_time)
            .unwrap_or_default();
        let mut right = format!("{:>10}  {}", fmt_duration(duration), self.bar(span));
        match &span.status {
            Status::Error { description } => {
                let _ = write!(right, "  ERROR {description}");
            }
            Status::Ok => right.push_str("  OK"),
            Status::Unset => {}
        }
        self.rows.push(Row::Span(left, right));
        let detail_prefix = format!(
            "{prefix}{cont}{}",
            if self.children.contains_key(&span.span_context.span_id()) {
                "│    "
            } else {
                "     "
            }
        );
        if !span.attributes.is_empty() {
            let mut line = String::new();
            write_attrs(&mut line, &span.attributes);
            self.rows
                .push(Row::Detail(format!("{detail_prefix}{line}")));
        }
        for e in &span.events.events {
            let at = e
                .timestamp
                .duration_since(span.start_time)
                .unwrap_or_default();
            let mut line = String::new();
            write_attrs(&mut line, &e.attributes);
            self.rows.push(Row::Detail(format!(
                "{detail_prefix}• +{} {} {line}",
                fmt_duration(at),
                e.name
            )));
        }
        for l in &span.links.links {
            self.rows.push(Row::Detail(format!(
                "{detail_prefix}↪ link {}/{}",
                l.span_context.trace_id(),
                l.span_context.span_id()
            )));
        }
        let kids = self
            .children
            .remove(&span.span_context.span_id())
            .unwrap_or_default();
        let n = kids.len();
        let child_prefix = format!("{prefix}{cont}");
        for (i, child) in kids.into_iter().enumerate() {
            self.span(child, &child_prefix, i + 1 == n, false);
        }
    }

    fn bar(&self, span: &SpanData) -> String {
        let total = self.total.as_nanos().max(1) as f64;
        let offset = span
            .start_time
            .duration_since(self.start)
            .unwrap_or_default()
            .as_nanos() as f64;
        let len = span
            .end_time
            .duration_since(span.start_time)
            .unwrap_or_default()
            .as_nanos() as f64;
        let from = ((offset / total) * BAR_WIDTH as f64).floor() as usize;
        let width = (((len / total) * BAR_WIDTH as f64).round() as usize).max(1);
        let from = from.min(BAR_WIDTH - 1);
        let width = width.min(BAR_WIDTH - from);
        format!(
            "|{}{}{}|",
            " ".repeat(from),
            "█".repeat(width),
            " ".repeat(BAR_WIDTH - from - width)
        )
    }
}

fn fmt_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos < 1_000 {
        format!("{nanos} ns")
    } else if nanos < 1_000_000 {
        format!("{:.1} µs", nanos as f64 / 1e3)
    } else if nanos < 1_000_000_000 {
        format!("{:.2} ms", nanos as f64 / 1e6)
    } else {
        format!("{:.2} s", nanos as f64 / 1e9)
    }
}

impl SpanExporter for ConsoleSpanExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, Result> {
        let result = if self.is_shutdown {
            Err(Error::AlreadyShutdown)
        } else {
            let text = self.accept(batch);
            if text.is_empty() {
                Ok(())
            } else {
                self.out.write(&text)
            }
        };
        Box::pin(std::future::ready(result))
    }

    fn force_flush(&mut self) -> Result {
        let text = self.drain();
        if text.is_empty() {
            Ok(())
        } else {
            self.out.write(&text)
        }
    }

    fn shutdown(&mut self) -> Result {
        if self.is_shutdown {
            return Err(Error::AlreadyShutdown);
        }
        let result = self.force_flush();
        self.is_shutdown = true;
        result
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.service = resource
            .get(&"service.name".into())
            .map(|v| v.as_str().into_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_human() {
        assert_eq!(fmt_duration(Duration::from_nanos(999)), "999 ns");
        assert_eq!(fmt_duration(Duration::from_micros(1500)), "1.50 ms");
        assert_eq!(fmt_duration(Duration::from_secs(2)), "2.00 s");
    }
}
