//! Renders collected metrics as a Prometheus exposition (text 0.0.4 or OpenMetrics 1.0).

use crate::format::{escape_help_text, escape_value, write_f64, write_i64, write_u64, Format};
use crate::names::{family_name, label_name, FamilyName, Kind, NameOptions};
use opentelemetry_api::{otel_warn, KeyValue};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, Exemplar, ExponentialHistogramDataPoint, MetricData, ResourceMetrics,
    ScopeMetrics,
};
use opentelemetry_sdk::Resource;
use opentelemetry_semantic_conventions::attribute::{
    SERVICE_INSTANCE_ID, SERVICE_NAME, SERVICE_NAMESPACE,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// The rendering choices of the exporter.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RenderOptions {
    pub(crate) names: NameOptions,
    pub(crate) scope_labels: bool,
    pub(crate) target_info: bool,
}

/// OpenMetrics' limit on the combined length of an exemplar's label names and values.
const EXEMPLAR_LABELS_MAX_CHARS: usize = 128;

/// A number that can be a sample value.
trait Sample: Copy {
    fn write(self, out: &mut String, om: bool);
    fn as_f64(self) -> f64;
}
impl Sample for f64 {
    #[inline]
    fn write(self, out: &mut String, om: bool) {
        write_f64(out, self, om);
    }
    fn as_f64(self) -> f64 {
        self
    }
}
impl Sample for u64 {
    #[inline]
    fn write(self, out: &mut String, _: bool) {
        write_u64(out, self);
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}
impl Sample for i64 {
    #[inline]
    fn write(self, out: &mut String, _: bool) {
        write_i64(out, self);
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

/// The labels every point of a scope carries.
struct ScopeLabels {
    /// `k="v",...` ready to append (empty when there are none).
    text: String,
    /// The same labels as (name, value), for merging with colliding attributes.
    pairs: Vec<(String, String)>,
}

impl ScopeLabels {
    fn new(scope: &ScopeMetrics, enabled: bool) -> ScopeLabels {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if enabled {
            let s = &scope.scope;
            pairs.push(("otel_scope_name".into(), s.name().to_owned()));
            if let Some(v) = s.version().filter(|v| !v.is_empty()) {
                pairs.push(("otel_scope_version".into(), v.to_owned()));
            }
            if let Some(v) = s.schema_url().filter(|v| !v.is_empty()) {
                pairs.push(("otel_scope_schema_url".into(), v.to_owned()));
            }
            let mut attrs: Vec<(String, &str, String)> = s
                .attributes()
                .map(|kv| {
                    let key = label_name(&format!("otel_scope_{}", kv.key.as_str())).into_owned();
                    (key, kv.key.as_str(), kv.value.as_str().into_owned())
                })
                .filter(|(k, _, _)| {
                    !matches!(
                        k.as_str(),
                        "otel_scope_name" | "otel_scope_version" | "otel_scope_schema_url"
                    )
                })
                .collect();
            attrs.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
            for (key, _, value) in attrs {
                match pairs.last_mut() {
                    Some((k, v)) if *k == key => {
                        v.push(';');
                        v.push_str(&value);
                    }
                    _ => pairs.push((key, value)),
                }
            }
        }
        let mut text = String::new();
        for (k, v) in &pairs {
            if !text.is_empty() {
                text.push(',');
            }
            push_label(&mut text, k, v);
        }
        ScopeLabels { text, pairs }
    }
}

#[inline]
fn push_label(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str("=\"");
    escape_value(out, value);
    out.push('"');
}

/// Writes `attributes` and the scope labels as `k="v",...`, sanitizing keys and merging
/// keys that collide (values joined with `;` in the order of the original keys).
fn write_labels(
    out: &mut String,
    attributes: &[KeyValue],
    scope: &ScopeLabels,
    extra: &[(&str, &str)],
) {
    let fast = extra.is_empty()
        && attributes.iter().all(|kv| {
            let k = kv.key.as_str();
            matches!(label_name(k), Cow::Borrowed(_)) && !k.starts_with("otel_scope_")
        });
    let start = out.len();
    if fast {
        for kv in attributes {
            if out.len() > start {
                out.push(',');
            }
            out.push_str(kv.key.as_str());
            out.push_str("=\"");
            match &kv.value {
                opentelemetry_api::Value::String(s) => escape_value(out, s.as_str()),
                other => escape_value(out, &other.as_str()),
            }
            out.push('"');
        }
        if !scope.text.is_empty() {
            if out.len() > start {
                out.push(',');
            }
            out.push_str(&scope.text);
        }
        return;
    }
    let mut entries: Vec<(Cow<'_, str>, &str, Cow<'_, str>)> = attributes
        .iter()
        .map(|kv| {
            (
                label_name(kv.key.as_str()),
                kv.key.as_str(),
                kv.value.as_str(),
            )
        })
        .chain(scope.pairs.iter().map(|(k, v)| {
            (
                Cow::Borrowed(k.as_str()),
                k.as_str(),
                Cow::Borrowed(v.as_str()),
            )
        }))
        .chain(
            extra
                .iter()
                .map(|(k, v)| (Cow::Borrowed(*k), *k, Cow::Borrowed(*v))),
        )
        .collect();
    entries.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut i = 0;
    while i < entries.len() {
        if out.len() > start {
            out.push(',');
        }
        out.push_str(&entries[i].0);
        out.push_str("=\"");
        escape_value(out, &entries[i].2);
        let mut j = i + 1;
        while j < entries.len() && entries[j].0 == entries[i].0 {
            out.push(';');
            escape_value(out, &entries[j].2);
            j += 1;
        }
        out.push('"');
        i = j;
    }
}

/// A metric family: the metrics of all scopes that map to one Prometheus name.
struct Family<'a> {
    name: FamilyName,
    kind: Kind,
    help: &'a str,
    members: Vec<(usize, usize)>,
}

fn kind_of(data: &AggregatedMetrics) -> Kind {
    fn of<T>(d: &MetricData<T>) -> Kind {
        match d {
            MetricData::Sum(s) if s.is_monotonic => Kind::Counter,
            MetricData::Histogram(_) | MetricData::ExponentialHistogram(_) => Kind::Histogram,
            _ => Kind::Gauge,
        }
    }
    match data {
        AggregatedMetrics::F64(d) => of(d),
        AggregatedMetrics::U64(d) => of(d),
        AggregatedMetrics::I64(d) => of(d),
    }
}

/// Renders `metrics` into `out`.
pub(crate) fn render(
    metrics: &ResourceMetrics,
    options: &RenderOptions,
    format: Format,
    out: &mut String,
) {
    let om = format == Format::OpenMetrics;
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut families: Vec<Family<'_>> = Vec::new();
    let target_info = options.target_info && !metrics.resource.is_empty();
    if target_info {
        index.insert("target_info".to_owned(), usize::MAX);
        index.insert("target".to_owned(), usize::MAX);
    }
    for (si, scope) in metrics.scope_metrics.iter().enumerate() {
        for (mi, metric) in scope.metrics.iter().enumerate() {
            let kind = kind_of(&metric.data);
            let name = family_name(&metric.name, &metric.unit, kind, options.names);
            match index.get(&name.base) {
                Some(&usize::MAX) => otel_warn!(
                    "PrometheusExporter.NameConflict",
                    "metric {} is dropped: its name is reserved for the target info metric",
                    metric.name
                ),
                Some(&fi) => {
                    let family = &mut families[fi];
                    if family.kind != kind || family.name != name {
                        otel_warn!(
                            "PrometheusExporter.TypeConflict",
                            "metric {} of scope {} is dropped: Prometheus name {} is already a {} here",
                            metric.name,
                            scope.scope.name(),
                            family.name.base,
                            family.kind.as_str()
                        );
                        continue;
                    }
                    if family.help.is_empty() {
                        family.help = &metric.description;
                    } else if !metric.description.is_empty() && family.help != metric.description {
                        otel_warn!(
                            "PrometheusExporter.HelpConflict",
                            "metric {}: keeping the first of several descriptions",
                            family.name.base
                        );
                    }
                    family.members.push((si, mi));
                }
                None => {
                    index.insert(name.base.clone(), families.len());
                    families.push(Family {
                        name,
                        kind,
                        help: &metric.description,
                        members: vec![(si, mi)],
                    });
                }
            }
        }
    }

    if target_info {
        write_target_info(out, &metrics.resource, om);
    }
    let scopes: Vec<ScopeLabels> = metrics
        .scope_metrics
        .iter()
        .map(|s| ScopeLabels::new(s, options.scope_labels))
        .collect();
    let mut labels = String::new();
    let mut sample = String::new();
    for family in &families {
        write_metadata(out, family, om);
        let mut w = Writer {
            out: &mut *out,
            om,
            labels: &mut labels,
            sample: &mut sample,
        };
        for &(si, mi) in &family.members {
            let metric = &metrics.scope_metrics[si].metrics[mi];
            let scope = &scopes[si];
            match &metric.data {
                AggregatedMetrics::F64(d) => w.data(&family.name, d, scope),
                AggregatedMetrics::U64(d) => w.data(&family.name, d, scope),
                AggregatedMetrics::I64(d) => w.data(&family.name, d, scope),
            }
        }
    }
    if om {
        out.push_str("# EOF\n");
    }
}

fn write_metadata(out: &mut String, family: &Family<'_>, om: bool) {
    let base = &family.name.base;
    // The text format names a counter family after its samples; OpenMetrics after the
    // family (without `_total`).
    let text_total = !om && family.name.total;
    let name = |out: &mut String| {
        out.push_str(base);
        if text_total {
            out.push_str("_total");
        }
    };
    if !family.help.is_empty() {
        out.push_str("# HELP ");
        name(out);
        out.push(' ');
        if om {
            escape_value(out, family.help);
        } else {
            escape_help_text(out, family.help);
        }
        out.push('\n');
    }
    out.push_str("# TYPE ");
    name(out);
    out.push(' ');
    out.push_str(family.kind.as_str());
    out.push('\n');
    if om {
        if let Some(unit) = &family.name.unit {
            if base.ends_with(unit.as_str()) {
                out.push_str("# UNIT ");
                out.push_str(base);
                out.push(' ');
                out.push_str(unit);
                out.push('\n');
            }
        }
    }
}

fn write_target_info(out: &mut String, resource: &Resource, om: bool) {
    let attributes: Vec<KeyValue> = resource
        .iter()
        .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
        .collect();
    let name = resource.get(&SERVICE_NAME.into()).map(|v| v.as_str());
    let namespace = resource.get(&SERVICE_NAMESPACE.into()).map(|v| v.as_str());
    let instance = resource
        .get(&SERVICE_INSTANCE_ID.into())
        .map(|v| v.as_str());
    let job = match (&namespace, &name) {
        (Some(ns), Some(n)) if !ns.is_empty() => Some(format!("{ns}/{n}")),
        (_, Some(n)) => Some(n.to_string()),
        _ => None,
    };
    let mut extra: Vec<(&str, &str)> = Vec::new();
    if let Some(job) = &job {
        extra.push(("job", job));
    }
    if let Some(instance) = &instance {
        extra.push(("instance", instance));
    }
    if om {
        out.push_str("# HELP target Target metadata\n# TYPE target info\n");
    } else {
        out.push_str("# HELP target_info Target metadata\n# TYPE target_info gauge\n");
    }
    out.push_str("target_info{");
    let empty = ScopeLabels {
        text: String::new(),
        pairs: Vec::new(),
    };
    write_labels(out, &attributes, &empty, &extra);
    out.push_str("} 1\n");
}

/// Writes the samples of one family.
struct Writer<'w> {
    out: &'w mut String,
    om: bool,
    /// Scratch: the current point's labels.
    labels: &'w mut String,
    /// Scratch: exemplar text.
    sample: &'w mut String,
}

impl Writer<'_> {
    fn data<T: Sample>(&mut self, name: &FamilyName, data: &MetricData<T>, scope: &ScopeLabels) {
        match data {
            MetricData::Sum(sum) if sum.is_monotonic => {
                for p in &sum.data_points {
                    self.set_labels(&p.attributes, scope);
                    self.counter(name, p.value, &p.exemplars, p.start_time);
                }
            }
            MetricData::Sum(sum) => {
                for p in &sum.data_points {
                    self.set_labels(&p.attributes, scope);
                    self.line(&name.base, "", None, |out, om| p.value.write(out, om));
                }
            }
            MetricData::Gauge(g) => {
                for p in &g.data_points {
                    self.set_labels(&p.attributes, scope);
                    self.line(&name.base, "", None, |out, om| p.value.write(out, om));
                }
            }
            MetricData::Histogram(h) => {
                for p in &h.data_points {
                    self.set_labels(&without_le(&p.attributes), scope);
                    let buckets = p
                        .bounds
                        .iter()
                        .copied()
                        .zip(p.bucket_counts.iter().copied());
                    self.histogram(
                        &name.base,
                        buckets,
                        p.count,
                        p.sum,
                        &p.exemplars,
                        p.start_time,
                    );
                }
            }
            MetricData::ExponentialHistogram(h) => {
                for p in &h.data_points {
                    self.set_labels(&without_le(&p.attributes), scope);
                    let buckets = exponential_buckets(p);
                    self.histogram(
                        &name.base,
                        buckets.into_iter(),
                        p.count,
                        p.sum,
                        &p.exemplars,
                        p.start_time,
                    );
                }
            }
            _ => {}
        }
    }

    fn set_labels(&mut self, attributes: &[KeyValue], scope: &ScopeLabels) {
        self.labels.clear();
        write_labels(self.labels, attributes, scope, &[]);
    }

    /// `name[suffix]{labels[,le="bound"]} value[ exemplar]`.
    fn line(
        &mut self,
        name: &str,
        suffix: &str,
        le: Option<f64>,
        value: impl FnOnce(&mut String, bool),
    ) {
        let out = &mut *self.out;
        out.push_str(name);
        out.push_str(suffix);
        if !self.labels.is_empty() || le.is_some() {
            out.push('{');
            out.push_str(self.labels);
            if let Some(le) = le {
                if !self.labels.is_empty() {
                    out.push(',');
                }
                out.push_str("le=\"");
                write_f64(out, le, self.om);
                out.push('"');
            }
            out.push('}');
        }
        out.push(' ');
        value(out, self.om);
        if !self.sample.is_empty() {
            out.push_str(self.sample);
            self.sample.clear();
        }
        out.push('\n');
    }

    fn created(&mut self, name: &str, start: SystemTime) {
        if self.om {
            self.line(name, "_created", None, |out, _| write_timestamp(out, start));
        }
    }

    fn counter<T: Sample>(
        &mut self,
        name: &FamilyName,
        value: T,
        exemplars: &[Exemplar<T>],
        start: SystemTime,
    ) {
        if self.om {
            if let Some(e) = exemplars.iter().max_by_key(|e| e.time) {
                write_exemplar(self.sample, e);
            }
        }
        let suffix = if name.total || self.om { "_total" } else { "" };
        self.line(&name.base, suffix, None, |out, om| value.write(out, om));
        self.created(&name.base, start);
    }

    fn histogram<T: Sample>(
        &mut self,
        base: &str,
        buckets: impl Iterator<Item = (f64, u64)>,
        count: u64,
        sum: Option<T>,
        exemplars: &[Exemplar<T>],
        start: SystemTime,
    ) {
        let mut cumulative = 0u64;
        let mut lower = f64::NEG_INFINITY;
        for (bound, n) in buckets {
            cumulative = cumulative.wrapping_add(n);
            if self.om {
                self.bucket_exemplar(exemplars, lower, bound);
            }
            self.line(base, "_bucket", Some(bound), |out, _| {
                write_u64(out, cumulative)
            });
            lower = bound;
        }
        if self.om {
            self.bucket_exemplar(exemplars, lower, f64::INFINITY);
        }
        self.line(base, "_bucket", Some(f64::INFINITY), |out, _| {
            write_u64(out, count)
        });
        if let Some(sum) = sum {
            self.line(base, "_sum", None, |out, om| sum.write(out, om));
        }
        self.line(base, "_count", None, |out, _| write_u64(out, count));
        self.created(base, start);
    }

    /// The latest exemplar in `(lower, upper]`, staged for the next line.
    fn bucket_exemplar<T: Sample>(&mut self, exemplars: &[Exemplar<T>], lower: f64, upper: f64) {
        if let Some(e) = exemplars
            .iter()
            .filter(|e| {
                let v = e.value.as_f64();
                v > lower && v <= upper
            })
            .max_by_key(|e| e.time)
        {
            write_exemplar(self.sample, e);
        }
    }
}

/// The attributes of a histogram point without any that would become an `le` label (which
/// would clash with the bucket label and make Prometheus refuse the whole scrape).
fn without_le(attributes: &[KeyValue]) -> Cow<'_, [KeyValue]> {
    if !attributes
        .iter()
        .any(|kv| label_name(kv.key.as_str()) == "le")
    {
        return Cow::Borrowed(attributes);
    }
    otel_warn!(
        "PrometheusExporter.ReservedLabel",
        "a histogram attribute named like `le` is dropped: it is the bucket label"
    );
    Cow::Owned(
        attributes
            .iter()
            .filter(|kv| label_name(kv.key.as_str()) != "le")
            .cloned()
            .collect(),
    )
}

/// ` # {trace_id="..",span_id="..",attrs..} value timestamp`, within OpenMetrics' limit on
/// the exemplar's label length.
fn write_exemplar<T: Sample>(out: &mut String, e: &Exemplar<T>) {
    out.push_str(" # {");
    let mut budget = EXEMPLAR_LABELS_MAX_CHARS;
    let mut first = true;
    let mut push = |out: &mut String, k: &str, v: &str| {
        let len = k.chars().count() + v.chars().count();
        if len > budget {
            return;
        }
        budget -= len;
        if !first {
            out.push(',');
        }
        first = false;
        push_label(out, k, v);
    };
    if e.trace_id.is_valid() {
        push(out, "trace_id", &e.trace_id.to_string());
    }
    if e.span_id.is_valid() {
        push(out, "span_id", &e.span_id.to_string());
    }
    for kv in &e.filtered_attributes {
        let key = label_name(kv.key.as_str());
        if key == "trace_id" || key == "span_id" {
            continue;
        }
        push(out, &key, &kv.value.as_str());
    }
    out.push_str("} ");
    e.value.write(out, true);
    out.push(' ');
    write_timestamp(out, e.time);
}

/// Seconds since the epoch with millisecond precision.
fn write_timestamp(out: &mut String, t: SystemTime) {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    write_u64(out, d.as_secs());
    // Writing to a String cannot fail.
    let _ = write!(out, ".{:03}", d.subsec_millis());
}

/// An exponential histogram as explicit buckets `(upper bound, count)`: the negative
/// buckets from the most negative, the zero bucket (`le` = the zero threshold), then the
/// positive buckets; bucket `i` of a range covers absolute values in
/// `(base^i, base^(i+1)]` with `base = 2^(2^-scale)`.
fn exponential_buckets<T>(p: &ExponentialHistogramDataPoint<T>) -> Vec<(f64, u64)> {
    let step = (-(p.scale as f64)).exp2();
    let power = |i: i64| (i as f64 * step).exp2();
    let neg = &p.negative_bucket;
    let pos = &p.positive_bucket;
    let mut out = Vec::with_capacity(neg.bucket_counts.len() + pos.bucket_counts.len() + 1);
    for (i, n) in neg.bucket_counts.iter().enumerate().rev() {
        out.push((-power(neg.offset as i64 + i as i64), *n));
    }
    out.push((p.zero_threshold, p.zero_count));
    for (i, n) in pos.bucket_counts.iter().enumerate() {
        out.push((power(pos.offset as i64 + i as i64 + 1), *n));
    }
    out
}
