//! Exporters that write metrics as text: `StdoutMetricExporter` (one line per data point)
//! and `ConsoleMetricExporter` (a table per scope, histograms drawn as bars, for people).
//!
//! These exporters are intended for debugging and learning. They are not recommended for
//! production use: the output format is not standardized and can change at any time. For a
//! standard format on standard output use the OTLP file exporter (`otlp/stdout`) of
//! `opentelemetry-otlp`.

use super::data::{
    AggregatedMetrics, ExponentialBucket, ExponentialHistogramDataPoint, HistogramDataPoint,
    Metric, MetricData, ResourceMetrics, Temporality,
};
use super::exponential::lower_boundary;
use super::exporter::PushMetricExporter;
use super::number::Number;
use super::reader::TemporalityPreference;
use super::view::InstrumentKind;
use crate::error::{Error, Result};
use crate::trace::BoxFuture;
use opentelemetry_api::KeyValue;
use std::fmt::{self, Write as _};
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the text goes: standard output by default, any writer in tests.
struct Output(Box<dyn Write + Send>);

impl Output {
    fn write(&mut self, text: &str) -> Result {
        self.0
            .write_all(text.as_bytes())
            .and_then(|_| self.0.flush())
            .map_err(|e| Error::ExportFailed(format!("writing metrics: {e}")))
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Output")
    }
}

fn unix_nanos(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn attrs(attributes: &[KeyValue]) -> String {
    let mut out = String::new();
    for (i, kv) in attributes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{}={}", kv.key, kv.value);
    }
    out
}

fn temporality_name(t: Temporality) -> &'static str {
    match t {
        Temporality::Delta => "delta",
        _ => "cumulative",
    }
}

/// Writes every data point as a line (debugging aid; format not stable).
///
/// ```
/// use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, StdoutMetricExporter};
/// let provider = SdkMeterProvider::builder()
///     .with_reader(PeriodicReader::builder(StdoutMetricExporter::default()).build())
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct StdoutMetricExporter {
    out: Output,
    temporality: TemporalityPreference,
    is_shutdown: bool,
}

impl Default for StdoutMetricExporter {
    fn default() -> Self {
        Self::with_writer(std::io::stdout())
    }
}

impl StdoutMetricExporter {
    /// Writes to `writer` instead of standard output.
    pub fn with_writer<W: Write + Send + 'static>(writer: W) -> Self {
        StdoutMetricExporter {
            out: Output(Box::new(writer)),
            temporality: TemporalityPreference::Cumulative,
            is_shutdown: false,
        }
    }

    /// Asks for `preference` (default: cumulative for every kind).
    pub fn with_temporality(mut self, preference: TemporalityPreference) -> Self {
        self.temporality = preference;
        self
    }

    fn render(metrics: &ResourceMetrics) -> String {
        let mut s = String::new();
        s.push_str("resource:");
        for (k, v) in metrics.resource.iter() {
            let _ = write!(s, " {k}={v}");
        }
        s.push('\n');
        for scope in &metrics.scope_metrics {
            let _ = writeln!(
                s,
                "scope: {} {}",
                scope.scope.name(),
                scope.scope.version().unwrap_or("")
            );
            for metric in &scope.metrics {
                render_metric_lines(&mut s, metric);
            }
        }
        s
    }
}

fn render_metric_lines(s: &mut String, metric: &Metric) {
    fn lines<T: Number>(s: &mut String, m: &Metric, data: &MetricData<T>) {
        let head = |s: &mut String, kind: &str| {
            let _ = writeln!(
                s,
                "  metric {:?} {kind} unit={:?} description={:?}",
                m.name, m.unit, m.description
            );
        };
        match data {
            MetricData::Sum(sum) => {
                head(
                    s,
                    &format!(
                        "sum {} monotonic={}",
                        temporality_name(sum.temporality),
                        sum.is_monotonic
                    ),
                );
                for p in &sum.data_points {
                    let _ = writeln!(
                        s,
                        "    {{{}}} start={} time={} value={}",
                        attrs(&p.attributes),
                        unix_nanos(p.start_time),
                        unix_nanos(p.time),
                        p.value
                    );
                }
            }
            MetricData::Gauge(gauge) => {
                head(s, "gauge");
                for p in &gauge.data_points {
                    let _ = writeln!(
                        s,
                        "    {{{}}} time={} value={}",
                        attrs(&p.attributes),
                        unix_nanos(p.time),
                        p.value
                    );
                }
            }
            MetricData::Histogram(h) => {
                head(s, &format!("histogram {}", temporality_name(h.temporality)));
                for p in &h.data_points {
                    let _ = writeln!(
                        s,
                        "    {{{}}} start={} time={} count={} sum={} min={} max={} bounds={:?} counts={:?}",
                        attrs(&p.attributes),
                        unix_nanos(p.start_time),
                        unix_nanos(p.time),
                        p.count,
                        opt(p.sum),
                        opt(p.min),
                        opt(p.max),
                        p.bounds,
                        p.bucket_counts
                    );
                }
            }
            MetricData::ExponentialHistogram(h) => {
                head(
                    s,
                    &format!("exponential_histogram {}", temporality_name(h.temporality)),
                );
                for p in &h.data_points {
                    let _ = writeln!(
                        s,
                        "    {{{}}} start={} time={} count={} sum={} min={} max={} scale={} zero_count={} zero_threshold={} positive={{offset={} counts={:?}}} negative={{offset={} counts={:?}}}",
                        attrs(&p.attributes),
                        unix_nanos(p.start_time),
                        unix_nanos(p.time),
                        p.count,
                        opt(p.sum),
                        opt(p.min),
                        opt(p.max),
                        p.scale,
                        p.zero_count,
                        p.zero_threshold,
                        p.positive_bucket.offset,
                        p.positive_bucket.bucket_counts,
                        p.negative_bucket.offset,
                        p.negative_bucket.bucket_counts
                    );
                }
            }
        }
    }
    match &metric.data {
        AggregatedMetrics::F64(d) => lines(s, metric, d),
        AggregatedMetrics::U64(d) => lines(s, metric, d),
        AggregatedMetrics::I64(d) => lines(s, metric, d),
    }
}

fn opt<T: fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

impl PushMetricExporter for StdoutMetricExporter {
    fn export<'a>(&'a mut self, metrics: &'a ResourceMetrics) -> BoxFuture<'a, Result> {
        let result = if self.is_shutdown {
            Err(Error::AlreadyShutdown)
        } else {
            self.out.write(&Self::render(metrics))
        };
        Box::pin(std::future::ready(result))
    }

    fn shutdown(&mut self) -> Result {
        self.is_shutdown = true;
        Ok(())
    }

    fn temporality(&self, kind: InstrumentKind) -> Temporality {
        self.temporality.temporality(kind)
    }
}

/// Prints each collection as a table per scope: one row per data point with its attributes
/// and value, histograms followed by a bar per bucket. For people reading a terminal.
///
/// ```
/// use opentelemetry_sdk::metrics::{ConsoleMetricExporter, PeriodicReader, SdkMeterProvider};
/// let provider = SdkMeterProvider::builder()
///     .with_reader(PeriodicReader::builder(ConsoleMetricExporter::default()).build())
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct ConsoleMetricExporter {
    out: Output,
    temporality: TemporalityPreference,
    is_shutdown: bool,
}

/// Width of the longest histogram bar.
const BAR_WIDTH: usize = 30;

impl Default for ConsoleMetricExporter {
    fn default() -> Self {
        Self::with_writer(std::io::stdout())
    }
}

struct Row {
    name: String,
    kind: String,
    attributes: String,
    value: String,
    bars: Vec<String>,
}

impl ConsoleMetricExporter {
    /// Writes to `writer` instead of standard output.
    pub fn with_writer<W: Write + Send + 'static>(writer: W) -> Self {
        ConsoleMetricExporter {
            out: Output(Box::new(writer)),
            temporality: TemporalityPreference::Cumulative,
            is_shutdown: false,
        }
    }

    /// Asks for `preference` (default: cumulative for every kind).
    pub fn with_temporality(mut self, preference: TemporalityPreference) -> Self {
        self.temporality = preference;
        self
    }

    fn render(metrics: &ResourceMetrics) -> String {
        let mut out = String::new();
        let service = metrics
            .resource
            .get(&"service.name".into())
            .map(|v| v.as_str().into_owned());
        for scope in &metrics.scope_metrics {
            let mut rows = Vec::new();
            for metric in &scope.metrics {
                rows_of(&mut rows, metric);
            }
            let _ = write!(out, "\nmetrics  scope {}", scope.scope.name());
            if let Some(version) = scope.scope.version() {
                let _ = write!(out, " {version}");
            }
            if let Some(service) = &service {
                let _ = write!(out, "  service {service}");
            }
            out.push('\n');
            let width = |f: fn(&Row) -> &String, title: &str| {
                rows.iter()
                    .map(|r| f(r).chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(title.len())
            };
            let (wn, wk, wa) = (
                width(|r| &r.name, "name"),
                width(|r| &r.kind, "kind"),
                width(|r| &r.attributes, "attributes"),
            );
            let line = |out: &mut String, n: &str, k: &str, a: &str, v: &str| {
                let pad = |s: &str, w: usize| w.saturating_sub(s.chars().count());
                let _ = writeln!(
                    out,
                    "  {n}{:pn$}  {k}{:pk$}  {a}{:pa$}  {v}",
                    "",
                    "",
                    "",
                    pn = pad(n, wn),
                    pk = pad(k, wk),
                    pa = pad(a, wa)
                );
            };
            line(&mut out, "name", "kind", "attributes", "value");
            let mut last_name = String::new();
            for row in &rows {
                let (name, kind) = if row.name == last_name {
                    ("", "")
                } else {
                    (row.name.as_str(), row.kind.as_str())
                };
                line(&mut out, name, kind, &row.attributes, &row.value);
                for bar in &row.bars {
                    let _ = writeln!(out, "  {:w$}  {bar}", "", w = wn + wk + 2);
                }
                last_name.clone_from(&row.name);
            }
        }
        out
    }
}

fn rows_of(rows: &mut Vec<Row>, metric: &Metric) {
    fn typed<T: Number>(rows: &mut Vec<Row>, m: &Metric, data: &MetricData<T>) {
        let unit = if m.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", m.unit)
        };
        let row = |kind: String, attributes: &[KeyValue], value: String, bars| Row {
            name: m.name.to_string(),
            kind,
            attributes: if attributes.is_empty() {
                "-".to_owned()
            } else {
                attrs(attributes)
            },
            value,
            bars,
        };
        match data {
            MetricData::Sum(sum) => {
                let kind = format!(
                    "{} ({})",
                    if sum.is_monotonic {
                        "counter"
                    } else {
                        "up-down"
                    },
                    temporality_name(sum.temporality)
                );
                for p in &sum.data_points {
                    rows.push(row(
                        kind.clone(),
                        &p.attributes,
                        format!("{}{unit}", p.value),
                        Vec::new(),
                    ));
                }
            }
            MetricData::Gauge(g) => {
                for p in &g.data_points {
                    rows.push(row(
                        "gauge".into(),
                        &p.attributes,
                        format!("{}{unit}", p.value),
                        Vec::new(),
                    ));
                }
            }
            MetricData::Histogram(h) => {
                let kind = format!("histogram ({})", temporality_name(h.temporality));
                for p in &h.data_points {
                    let mut value = format!("count {}", p.count);
                    if let Some(sum) = p.sum {
                        let _ = write!(value, "  sum {sum}{unit}");
                    }
                    if let (Some(min), Some(max)) = (p.min, p.max) {
                        let _ = write!(value, "  min {min}  max {max}");
                    }
                    rows.push(row(kind.clone(), &p.attributes, value, bars(p)));
                }
            }
            MetricData::ExponentialHistogram(h) => {
                let kind = format!(
                    "exponential histogram ({})",
                    temporality_name(h.temporality)
                );
                for p in &h.data_points {
                    let mut value = format!("count {}", p.count);
                    if let Some(sum) = p.sum {
                        let _ = write!(value, "  sum {sum}{unit}");
                    }
                    if let (Some(min), Some(max)) = (p.min, p.max) {
                        let _ = write!(value, "  min {min}  max {max}");
                    }
                    let _ = write!(value, "  scale {}", p.scale);
                    rows.push(row(kind.clone(), &p.attributes, value, exponential_bars(p)));
                }
            }
        }
    }
    match &metric.data {
        AggregatedMetrics::F64(d) => typed(rows, metric, d),
        AggregatedMetrics::U64(d) => typed(rows, metric, d),
        AggregatedMetrics::I64(d) => typed(rows, metric, d),
    }
}

/// One line per bucket from the first to the last non-empty one.
fn bars<T>(p: &HistogramDataPoint<T>) -> Vec<String> {
    let counts = &p.bucket_counts;
    let (Some(first), Some(last)) = (
        counts.iter().position(|c| *c > 0),
        counts.iter().rposition(|c| *c > 0),
    ) else {
        return Vec::new();
    };
    let lines: Vec<(String, u64)> = (first..=last)
        .map(|i| {
            let label = match p.bounds.get(i) {
                Some(b) => format!("≤ {b}"),
                None => format!("> {}", p.bounds.last().map_or(f64::NEG_INFINITY, |b| *b)),
            };
            (label, counts[i])
        })
        .collect();
    draw_bars(&lines)
}

/// One line per bucket from the most negative to the most positive non-empty one, zero
/// bucket included, each labelled with its value range (approximate boundaries).
fn exponential_bars<T>(p: &ExponentialHistogramDataPoint<T>) -> Vec<String> {
    /// The (index, count) pairs of a range's buckets between its first and last non-empty.
    fn trimmed(b: &ExponentialBucket) -> Vec<(i32, u64)> {
        let (Some(first), Some(last)) = (
            b.bucket_counts.iter().position(|c| *c > 0),
            b.bucket_counts.iter().rposition(|c| *c > 0),
        ) else {
            return Vec::new();
        };
        (first..=last)
            .map(|i| (b.offset.saturating_add(i as i32), b.bucket_counts[i]))
            .collect()
    }
    let bound = |index: i32| short_float(lower_boundary(index, p.scale));
    let mut lines: Vec<(String, u64)> = Vec::new();
    // Negative buckets hold [-base^(i+1), -base^i): most negative (highest index) first.
    for (index, count) in trimmed(&p.negative_bucket).into_iter().rev() {
        lines.push((
            format!("[-{}, -{})", bound(index.saturating_add(1)), bound(index)),
            count,
        ));
    }
    if p.zero_count > 0 {
        let label = if p.zero_threshold == 0.0 {
            "0".to_owned()
        } else {
            format!("[-{0}, {0}]", p.zero_threshold)
        };
        lines.push((label, p.zero_count));
    }
    for (index, count) in trimmed(&p.positive_bucket) {
        lines.push((
            format!("({}, {}]", bound(index), bound(index.saturating_add(1))),
            count,
        ));
    }
    draw_bars(&lines)
}

/// `value` to 6 significant digits, in scientific notation when very large or small.
fn short_float(value: f64) -> String {
    let rounded: f64 = format!("{value:.5e}").parse().unwrap_or(value);
    if rounded == 0.0 || !rounded.is_finite() || (1e-4..1e9).contains(&rounded.abs()) {
        rounded.to_string()
    } else {
        format!("{value:.5e}")
    }
}

/// Bars scaled to the largest count, labels aligned.
fn draw_bars(lines: &[(String, u64)]) -> Vec<String> {
    let peak = lines.iter().map(|l| l.1).max().unwrap_or(1).max(1);
    let label_width = lines.iter().map(|l| l.0.chars().count()).max().unwrap_or(0);
    lines
        .iter()
        .map(|(label, count)| {
            let count = *count;
            let len = ((count as f64 / peak as f64) * BAR_WIDTH as f64).round() as usize;
            let len = if count > 0 { len.max(1) } else { 0 };
            format!(
                "{label}{:pad$} |{}{}| {count}",
                "",
                "█".repeat(len),
                " ".repeat(BAR_WIDTH - len),
                pad = label_width - label.chars().count()
            )
        })
        .collect()
}

impl PushMetricExporter for ConsoleMetricExporter {
    fn export<'a>(&'a mut self, metrics: &'a ResourceMetrics) -> BoxFuture<'a, Result> {
        let result = if self.is_shutdown {
            Err(Error::AlreadyShutdown)
        } else if metrics.scope_metrics.is_empty() {
            Ok(())
        } else {
            self.out.write(&Self::render(metrics))
        };
        Box::pin(std::future::ready(result))
    }

    fn shutdown(&mut self) -> Result {
        self.is_shutdown = true;
        Ok(())
    }

    fn temporality(&self, kind: InstrumentKind) -> Temporality {
        self.temporality.temporality(kind)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bucket_bounds_print_short() {
        assert_eq!(super::short_float(2.0), "2");
        assert_eq!(super::short_float(std::f64::consts::SQRT_2), "1.41421");
        assert_eq!(super::short_float(0.001), "0.001");
        assert_eq!(super::short_float(1e-300), "1.00000e-300");
        assert_eq!(super::short_float(2f64.powi(40)), "1.09951e12");
        assert_eq!(super::short_float(f64::INFINITY), "inf");
    }
}
