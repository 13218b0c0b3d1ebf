//! Exporters that write log records as text: `StdoutLogExporter` (one block per record, every
//! field) and `ConsoleLogExporter` (one line per record, for people).
//!
//! These exporters are intended for debugging and learning, not for production: the output
//! format is not standardized and can change at any time.

use super::export::{LogData, LogExporter};
use crate::error::{Error, Result};
use crate::resource::Resource;
use crate::trace::stdout::{unix_nanos, Output};
use crate::trace::BoxFuture;
use opentelemetry_api::AnyValue;
use std::fmt::Write as _;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// Writes `value` as text: strings as they are when `bare`, quoted otherwise; lists and maps
/// in a JSON-like form.
fn write_value(out: &mut String, value: &AnyValue, bare: bool) {
    match value {
        AnyValue::String(s) => {
            let s = s.as_str();
            let plain = !s.is_empty() && !s.contains(|c: char| c.is_whitespace() || c == '"');
            if bare || plain {
                out.push_str(s);
            } else {
                let _ = write!(out, "{s:?}");
            }
        }
        AnyValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        AnyValue::Double(d) => {
            let _ = write!(out, "{d}");
        }
        AnyValue::Boolean(b) => {
            let _ = write!(out, "{b}");
        }
        AnyValue::Bytes(bytes) => {
            out.push_str("0x");
            for b in bytes.iter() {
                let _ = write!(out, "{b:02x}");
            }
        }
        AnyValue::ListAny(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, false);
            }
            out.push(']');
        }
        AnyValue::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{k}: ");
                write_value(out, v, false);
            }
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
}

/// Formats a time as RFC 3339 in UTC with microseconds, e.g. `2024-05-01T12:00:00.000123Z`.
fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, day) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_micros()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days` algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Writes every record as a block of `field: value` lines, with every field of the data
/// model (debugging aid; the format is not stable).
///
/// ```
/// use opentelemetry_sdk::logs::{SdkLoggerProvider, StdoutLogExporter};
/// let provider = SdkLoggerProvider::builder()
///     .with_simple_exporter(StdoutLogExporter::default())
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct StdoutLogExporter {
    out: Output,
    resource: Option<Resource>,
    is_shutdown: bool,
}

impl Default for StdoutLogExporter {
    fn default() -> Self {
        StdoutLogExporter {
            out: Output::stdout(),
            resource: None,
            is_shutdown: false,
        }
    }
}

impl StdoutLogExporter {
    /// Writes to `writer` instead of standard output.
    pub fn with_writer<W: Write + Send + 'static>(writer: W) -> Self {
        StdoutLogExporter {
            out: Output(Box::new(writer)),
            resource: None,
            is_shutdown: false,
        }
    }

    fn render(&self, data: &LogData, s: &mut String) {
        let r = &data.record;
        s.push_str("LogRecord\n");
        if let Some(t) = r.timestamp() {
            let _ = writeln!(s, "  timestamp_unix_nano: {}", unix_nanos(t));
        }
        if let Some(t) = r.observed_timestamp() {
            let _ = writeln!(s, "  observed_timestamp_unix_nano: {}", unix_nanos(t));
        }
        if let Some(sev) = r.severity_number() {
            let _ = writeln!(s, "  severity_number: {} ({})", sev.number(), sev.name());
        }
        if let Some(text) = r.severity_text() {
            let _ = writeln!(s, "  severity_text: {text}");
        }
        if let Some(name) = r.event_name() {
            let _ = writeln!(s, "  event_name: {name}");
        }
        if let Some(target) = r.target() {
            let _ = writeln!(s, "  target: {target}");
        }
        if let Some(body) = r.body() {
            s.push_str("  body: ");
            write_value(s, body, false);
            s.push('\n');
        }
        if let Some(tc) = r.trace_context() {
            let _ = writeln!(s, "  trace_id: {}", tc.trace_id);
            let _ = writeln!(s, "  span_id: {}", tc.span_id);
            if let Some(flags) = tc.trace_flags {
                let _ = writeln!(s, "  trace_flags: {:02x}", flags.to_u8());
            }
        }
        if r.attributes_len() > 0 || r.dropped_attributes_count() > 0 {
            s.push_str("  attributes:");
            for (k, v) in r.attributes_iter() {
                let _ = write!(s, " {k}=");
                write_value(s, v, false);
            }
            if r.dropped_attributes_count() > 0 {
                let _ = write!(s, " (dropped {})", r.dropped_attributes_count());
            }
            s.push('\n');
        }
        let scope = &data.instrumentation_scope;
        let _ = writeln!(
            s,
            "  scope: {} {}",
            scope.name(),
            scope.version().unwrap_or("")
        );
        if let Some(resource) = &self.resource {
            s.push_str("  resource:");
            for (k, v) in resource.iter() {
                let _ = write!(s, " {k}={v}");
            }
            s.push('\n');
        }
    }
}

impl LogExporter for StdoutLogExporter {
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, Result> {
        let result = if self.is_shutdown {
            Err(Error::AlreadyShutdown)
        } else {
            let mut text = String::new();
            for data in batch {
                self.render(data, &mut text);
            }
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

/// Prints each record as one line a person can read:
///
/// ```text
/// 2024-05-01T12:00:00.000123Z WARN   shop::payments: card declined  payment.id=p-42 retry=3  trace_id=4bf9… span_id=00f0…
/// ```
///
/// The time (UTC), the severity (padded so that messages line up), the target (or the
/// logger's scope name when there is no target), the event name in brackets when there is
/// one, the body, the attributes, and the trace and span IDs when the record has them.
///
/// ```
/// use opentelemetry_sdk::logs::{ConsoleLogExporter, SdkLoggerProvider};
/// let provider = SdkLoggerProvider::builder()
///     .with_simple_exporter(ConsoleLogExporter::default())
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct ConsoleLogExporter {
    out: Output,
    is_shutdown: bool,
}

impl Default for ConsoleLogExporter {
    fn default() -> Self {
        ConsoleLogExporter {
            out: Output::stdout(),
            is_shutdown: false,
        }
    }
}

impl ConsoleLogExporter {
    /// Writes to `writer` instead of standard output.
    pub fn with_writer<W: Write + Send + 'static>(writer: W) -> Self {
        ConsoleLogExporter {
            out: Output(Box::new(writer)),
            is_shutdown: false,
        }
    }

    fn render(data: &LogData, s: &mut String) {
        let r = &data.record;
        let time = r
            .timestamp()
            .or(r.observed_timestamp())
            .unwrap_or(UNIX_EPOCH);
        s.push_str(&rfc3339(time));
        let severity = r
            .severity_text()
            .or(r.severity_number().map(|sev| sev.name()))
            .unwrap_or("-");
        let _ = write!(s, " {severity:<6} ");
        s.push_str(r.target().unwrap_or(data.instrumentation_scope.name()));
        s.push(':');
        if let Some(name) = r.event_name() {
            let _ = write!(s, " [{name}]");
        }
        if let Some(body) = r.body() {
            s.push(' ');
            write_value(s, body, true);
        }
        if r.attributes_len() > 0 {
            s.push(' ');
            for (k, v) in r.attributes_iter() {
                let _ = write!(s, " {k}=");
                write_value(s, v, false);
            }
        }
        if r.dropped_attributes_count() > 0 {
            let _ = write!(s, " (+{} dropped)", r.dropped_attributes_count());
        }
        if let Some(tc) = r.trace_context() {
            let _ = write!(s, "  trace_id={} span_id={}", tc.trace_id, tc.span_id);
        }
        s.push('\n');
    }
}

impl LogExporter for ConsoleLogExporter {
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, Result> {
        let result = if self.is_shutdown {
            Err(Error::AlreadyShutdown)
        } else {
            let mut text = String::new();
            for data in batch {
                Self::render(data, &mut text);
            }
            self.out.write(&text)
        };
        Box::pin(std::future::ready(result))
    }

    fn shutdown(&mut self) -> Result {
        self.is_shutdown = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        let t = UNIX_EPOCH + Duration::from_micros(1_709_251_199_123_456);
        assert_eq!(rfc3339(t), "2024-02-29T23:59:59.123456Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00.000000Z");
    }

    #[test]
    fn values_render_readably() {
        let mut s = String::new();
        write_value(&mut s, &AnyValue::from("two words"), false);
        s.push(' ');
        write_value(&mut s, &AnyValue::from("two words"), true);
        s.push(' ');
        let map: AnyValue = [("a", AnyValue::Int(1)), ("b", AnyValue::from("x"))]
            .into_iter()
            .collect();
        write_value(&mut s, &map, false);
        s.push(' ');
        write_value(&mut s, &AnyValue::from(vec![0xabu8, 1]), false);
        assert_eq!(s, "\"two words\" two words {a: 1, b: x} 0xab01");
    }
}
