//! The metrics SDK end to end: aggregation results against hand-computed values, views,
//! temporalities over several collections, cardinality overflow, callbacks, concurrency and
//! shutdown.

mod common;

use common::diagnostics;
use opentelemetry_api::metrics::{Meter, MeterProvider};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, Aggregation, AttributesFilterResult, InMemoryMetricExporter, InstrumentKind,
    InstrumentSelector, ManualReader, Metric, MetricData, MetricFilter, MetricFilterResult,
    MetricPointKind, MetricProducer, PeriodicReader, ResourceMetrics, ScopeMetrics,
    SdkMeterProvider, Stream, Temporality, TemporalityPreference, View,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

fn setup(preference: TemporalityPreference) -> (SdkMeterProvider, ManualReader, Meter) {
    let reader = ManualReader::builder().with_temporality(preference).build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    let meter = provider.meter("test");
    (provider, reader, meter)
}

fn with_views(views: Vec<View>) -> (SdkMeterProvider, ManualReader, Meter) {
    let reader = ManualReader::builder().build();
    let mut builder = SdkMeterProvider::builder().with_reader(reader.clone());
    for view in views {
        builder = builder.with_view(view);
    }
    let provider = builder.build();
    let meter = provider.meter("test");
    (provider, reader, meter)
}

fn collect(reader: &ManualReader) -> ResourceMetrics {
    let mut metrics = ResourceMetrics::default();
    reader.collect(&mut metrics).expect("collect");
    metrics
}

fn metrics(rm: &ResourceMetrics) -> Vec<&Metric> {
    rm.scope_metrics.iter().flat_map(|s| &s.metrics).collect()
}

fn metric<'a>(rm: &'a ResourceMetrics, name: &str) -> &'a Metric {
    metrics(rm)
        .into_iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no metric {name} in {rm:#?}"))
}

fn label(attributes: &[KeyValue]) -> String {
    attributes
        .iter()
        .map(|kv| format!("{}={}", kv.key, kv.value))
        .collect::<Vec<_>>()
        .join(",")
}

/// A sum's points as (attributes, value), sorted.
fn sum_points<T: Copy>(data: &MetricData<T>) -> Vec<(String, T)> {
    let MetricData::Sum(sum) = data else {
        panic!("not a sum")
    };
    let mut points: Vec<_> = sum
        .data_points
        .iter()
        .map(|p| (label(&p.attributes), p.value))
        .collect();
    points.sort_by(|a, b| a.0.cmp(&b.0));
    points
}

fn u64_sums(m: &Metric) -> Vec<(String, u64)> {
    match &m.data {
        AggregatedMetrics::U64(d) => sum_points(d),
        other => panic!("not u64: {other:?}"),
    }
}

fn f64_sums(m: &Metric) -> Vec<(String, f64)> {
    match &m.data {
        AggregatedMetrics::F64(d) => sum_points(d),
        other => panic!("not f64: {other:?}"),
    }
}

fn i64_sums(m: &Metric) -> Vec<(String, i64)> {
    match &m.data {
        AggregatedMetrics::I64(d) => sum_points(d),
        other => panic!("not i64: {other:?}"),
    }
}

fn s(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn counter_sums_attribute_sets_in_any_order_cumulatively() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Cumulative);
    let counter = meter.u64_counter("requests").build();
    let (a, b) = (KeyValue::new("a", 1), KeyValue::new("b", "x"));
    counter.add(1, &[a.clone(), b.clone()]);
    counter.add(2, &[b.clone(), a.clone()]);
    counter.add(4, &[]);
    // A repeated key keeps its last value: this is {a=1, b=x}.
    counter.add(8, &[KeyValue::new("a", 9), b.clone(), a.clone()]);
    let rm = collect(&reader);
    let m = metric(&rm, "requests");
    assert_eq!(u64_sums(m), s(&[("", 4), ("a=1,b=x", 11)]));
    let AggregatedMetrics::U64(MetricData::Sum(sum)) = &m.data else {
        panic!()
    };
    assert!(sum.is_monotonic);
    assert_eq!(sum.temporality, Temporality::Cumulative);

    counter.add(5, &[a.clone(), b.clone()]);
    let rm2 = collect(&reader);
    assert_eq!(
        u64_sums(metric(&rm2, "requests")),
        s(&[("", 4), ("a=1,b=x", 16)])
    );
    // Cumulative: the same start time every collection, the end time moves.
    let starts = |rm: &ResourceMetrics| match &metric(rm, "requests").data {
        AggregatedMetrics::U64(MetricData::Sum(s)) => s
            .data_points
            .iter()
            .map(|p| (label(&p.attributes), p.start_time, p.time))
            .collect::<Vec<_>>(),
        _ => panic!(),
    };
    let (mut first, mut second) = (starts(&rm), starts(&rm2));
    first.sort_by(|a, b| a.0.cmp(&b.0));
    second.sort_by(|a, b| a.0.cmp(&b.0));
    for (f, s) in first.iter().zip(&second) {
        assert_eq!(f.1, s.1, "cumulative start times repeat");
        assert!(s.2 >= f.2);
    }
}

#[test]
fn delta_sums_reset_advance_their_start_and_free_idle_series() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Delta);
    let counter = meter.u64_counter("c").build();
    counter.add(3, &[KeyValue::new("k", "a")]);
    counter.add(4, &[KeyValue::new("k", "b")]);
    let first = collect(&reader);
    assert_eq!(u64_sums(metric(&first, "c")), s(&[("k=a", 3), ("k=b", 4)]));

    counter.add(5, &[KeyValue::new("k", "a")]);
    let second = collect(&reader);
    // Only series with measurements since the previous collection.
    assert_eq!(u64_sums(metric(&second, "c")), s(&[("k=a", 5)]));

    let third = collect(&reader);
    assert!(metrics(&third).is_empty(), "nothing recorded: no points");

    counter.add(1, &[KeyValue::new("k", "b")]);
    let fourth = collect(&reader);
    assert_eq!(u64_sums(metric(&fourth, "c")), s(&[("k=b", 1)]));

    let interval = |rm: &ResourceMetrics| match &metric(rm, "c").data {
        AggregatedMetrics::U64(MetricData::Sum(s)) => {
            assert_eq!(s.temporality, Temporality::Delta);
            (s.data_points[0].start_time, s.data_points[0].time)
        }
        _ => panic!(),
    };
    let (s1, e1) = interval(&first);
    let (s2, e2) = interval(&second);
    assert!(s1 <= e1);
    assert_eq!(
        s2, e1,
        "a delta interval starts where the previous one ended"
    );
    assert!(e2 >= s2);
}

#[test]
fn delta_frees_series_so_the_limit_admits_new_ones() {
    common::record_diagnostics();
    let reader = ManualReader::builder()
        .with_temporality(TemporalityPreference::Delta)
        .with_cardinality_limit(3)
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    let counter = provider.meter("t").u64_counter("c").build();
    counter.add(1, &[KeyValue::new("k", 1)]);
    counter.add(1, &[KeyValue::new("k", 2)]);
    counter.add(1, &[KeyValue::new("k", 3)]);
    assert_eq!(
        u64_sums(metric(&collect(&reader), "c")),
        s(&[("k=1", 1), ("k=2", 1), ("otel.metric.overflow=true", 1)])
    );
    // The next interval has no measurement for k=1 and k=2: their slots are freed.
    let _ = collect(&reader);
    counter.add(7, &[KeyValue::new("k", 3)]);
    counter.add(8, &[KeyValue::new("k", 4)]);
    assert_eq!(
        u64_sums(metric(&collect(&reader), "c")),
        s(&[("k=3", 7), ("k=4", 8)])
    );
}

#[test]
fn cardinality_overflow_keeps_earlier_sets_and_totals() {
    common::record_diagnostics();
    let (_provider, reader, meter) = with_views(vec![View::new(
        InstrumentSelector::new().with_name("limited"),
        Stream::new().with_cardinality_limit(3),
    )]);
    let counter = meter.u64_counter("limited").build();
    let other = meter.u64_counter("unlimited").build();
    let mut total = 0;
    for i in 0..10u64 {
        counter.add(i + 1, &[KeyValue::new("k", i as i64)]);
        other.add(1, &[KeyValue::new("k", i as i64)]);
        total += i + 1;
    }
    counter.add(100, &[KeyValue::new("k", 0)]);
    total += 100;
    let rm = collect(&reader);
    let points = u64_sums(metric(&rm, "limited"));
    // 2 regular sets + the overflow set = the limit of 3.
    assert_eq!(
        points,
        s(&[("k=0", 101), ("k=1", 2), ("otel.metric.overflow=true", 52)])
    );
    assert_eq!(points.iter().map(|p| p.1).sum::<u64>(), total);
    assert_eq!(u64_sums(metric(&rm, "unlimited")).len(), 10);
    assert_eq!(diagnostics("Metrics.CardinalityLimitReached").len(), 1);
}

#[test]
fn reader_cardinality_limit_applies_per_instrument_kind() {
    common::record_diagnostics();
    let reader = ManualReader::builder()
        .with_cardinality_limit_selector(|kind| (kind == InstrumentKind::Counter).then_some(2))
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    let meter = provider.meter("t");
    let c = meter.u64_counter("c").build();
    let u = meter.i64_up_down_counter("u").build();
    for i in 0..5 {
        c.add(1, &[KeyValue::new("k", i)]);
        u.add(1, &[KeyValue::new("k", i)]);
    }
    let rm = collect(&reader);
    assert_eq!(u64_sums(metric(&rm, "c")).len(), 2);
    assert_eq!(i64_sums(metric(&rm, "u")).len(), 5);
}

#[test]
fn histogram_matches_hand_computed_buckets() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Cumulative);
    let h = meter.f64_histogram("latency").with_unit("ms").build();
    for v in [0.0, 3.0, 5.0, 7.5, 99.0, 10_001.0] {
        h.record(v, &[KeyValue::new("route", "/")]);
    }
    // NaN, infinities and negative values are dropped (histograms take non-negative values).
    h.record(f64::NAN, &[KeyValue::new("route", "/")]);
    h.record(f64::INFINITY, &[KeyValue::new("route", "/")]);
    h.record(-1.0, &[KeyValue::new("route", "/")]);
    let rm = collect(&reader);
    let m = metric(&rm, "latency");
    assert_eq!(m.unit, "ms");
    let AggregatedMetrics::F64(MetricData::Histogram(hist)) = &m.data else {
        panic!("{m:?}")
    };
    let p = &hist.data_points[0];
    assert_eq!(
        p.bounds,
        opentelemetry_sdk::metrics::DEFAULT_HISTOGRAM_BOUNDARIES
    );
    // (-inf,0] (0,5] (5,10] (10,25] (25,50] (50,75] (75,100] ... (10000,+inf)
    let mut expected = vec![0u64; 16];
    expected[0] = 1;
    expected[1] = 2;
    expected[2] = 1;
    expected[6] = 1;
    expected[15] = 1;
    assert_eq!(p.bucket_counts, expected);
    assert_eq!(p.count, 6);
    assert_eq!(p.sum, Some(10_115.5));
    assert_eq!((p.min, p.max), (Some(0.0), Some(10_001.0)));
    assert_eq!(diagnostics("Metrics.InvalidMeasurement").len(), 1);
}

#[test]
fn histogram_uses_advisory_boundaries_unless_a_view_sets_them() {
    common::record_diagnostics();
    let (_provider, reader, meter) = with_views(vec![View::new(
        InstrumentSelector::new().with_name("viewed"),
        Stream::new().with_aggregation(Aggregation::ExplicitBucketHistogram {
            boundaries: vec![10.0],
            record_min_max: false,
        }),
    )]);
    let advised = meter
        .u64_histogram("advised")
        .with_boundaries(vec![1.0, 2.0])
        .build();
    let viewed = meter
        .u64_histogram("viewed")
        .with_boundaries(vec![1.0, 2.0])
        .build();
    let invalid = meter
        .u64_histogram("invalid")
        .with_boundaries(vec![2.0, 1.0])
        .build();
    for v in [1, 2, 3] {
        advised.record(v, &[]);
        viewed.record(v, &[]);
        invalid.record(v, &[]);
    }
    let rm = collect(&reader);
    let point = |name| match &metric(&rm, name).data {
        AggregatedMetrics::U64(MetricData::Histogram(h)) => h.data_points[0].clone(),
        other => panic!("{other:?}"),
    };
    let a = point("advised");
    assert_eq!((a.bounds, a.bucket_counts), (vec![1.0, 2.0], vec![1, 1, 1]));
    assert_eq!((a.min, a.max, a.sum), (Some(1), Some(3), Some(6)));
    let v = point("viewed");
    assert_eq!((v.bounds, v.bucket_counts), (vec![10.0], vec![3, 0]));
    assert_eq!((v.min, v.max), (None, None), "record_min_max off");
    let i = point("invalid");
    assert_eq!(i.bounds.len(), 15, "invalid advice is ignored");
    assert_eq!(diagnostics("Metrics.InvalidAdvisory").len(), 1);
}

#[test]
fn delta_histograms_reset_each_interval() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Delta);
    let h = meter.u64_histogram("h").with_boundaries(vec![10.0]).build();
    h.record(5, &[]);
    h.record(50, &[]);
    let point = |rm: &ResourceMetrics| match &metric(rm, "h").data {
        AggregatedMetrics::U64(MetricData::Histogram(h)) => {
            assert_eq!(h.temporality, Temporality::Delta);
            let p = &h.data_points[0];
            (p.count, p.bucket_counts.clone(), p.sum, p.min, p.max)
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        point(&collect(&reader)),
        (2, vec![1, 1], Some(55), Some(5), Some(50))
    );
    h.record(7, &[]);
    assert_eq!(
        point(&collect(&reader)),
        (1, vec![1, 0], Some(7), Some(7), Some(7))
    );
}

#[test]
fn gauges_report_the_last_value() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Delta);
    let g = meter.i64_gauge("temperature").build();
    g.record(20, &[KeyValue::new("room", "a")]);
    g.record(-3, &[KeyValue::new("room", "a")]);
    g.record(15, &[KeyValue::new("room", "b")]);
    let rm = collect(&reader);
    let AggregatedMetrics::I64(MetricData::Gauge(gauge)) = &metric(&rm, "temperature").data else {
        panic!()
    };
    let mut values: Vec<_> = gauge
        .data_points
        .iter()
        .map(|p| (label(&p.attributes), p.value))
        .collect();
    values.sort();
    assert_eq!(
        values,
        [("room=a".to_string(), -3), ("room=b".to_string(), 15)]
    );
    // Delta: only gauges recorded since the last collection.
    g.record(21, &[KeyValue::new("room", "b")]);
    let rm = collect(&reader);
    let AggregatedMetrics::I64(MetricData::Gauge(gauge)) = &metric(&rm, "temperature").data else {
        panic!()
    };
    assert_eq!(gauge.data_points.len(), 1);
    assert_eq!(gauge.data_points[0].value, 21);
}

#[test]
fn up_down_counters_and_float_counters() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Cumulative);
    let active = meter.i64_up_down_counter("active").build();
    active.add(5, &[]);
    active.add(-7, &[]);
    let bytes = meter.f64_counter("bytes").build();
    bytes.add(0.5, &[]);
    bytes.add(0.25, &[]);
    bytes.add(-1.0, &[]); // dropped: counters only go up
    bytes.add(f64::NAN, &[]); // dropped
    let fud = meter.f64_up_down_counter("level").build();
    fud.add(f64::INFINITY, &[]); // dropped: it would poison the sum
    fud.add(-1.5, &[]);
    let rm = collect(&reader);
    assert_eq!(i64_sums(metric(&rm, "active")), [("".to_string(), -2)]);
    let AggregatedMetrics::I64(MetricData::Sum(sum)) = &metric(&rm, "active").data else {
        panic!()
    };
    assert!(!sum.is_monotonic);
    assert_eq!(f64_sums(metric(&rm, "bytes")), [("".to_string(), 0.75)]);
    assert_eq!(f64_sums(metric(&rm, "level")), [("".to_string(), -1.5)]);
}

#[test]
fn views_rename_describe_filter_and_reaggregate() {
    common::record_diagnostics();
    let (_provider, reader, meter) = with_views(vec![
        View::new(
            InstrumentSelector::new().with_name("http.server.*"),
            Stream::new()
                .with_allowed_attribute_keys(["route", "method"])
                .with_excluded_attribute_keys(["method"]),
        ),
        View::new(
            InstrumentSelector::new()
                .with_name("old.name")
                .with_kind(InstrumentKind::Histogram),
            Stream::new()
                .with_name("new.name")
                .with_description("renamed")
                .with_aggregation(Aggregation::Sum),
        ),
        View::new(
            InstrumentSelector::new().with_name("debug.?"),
            Stream::new().with_aggregation(Aggregation::Drop),
        ),
    ]);
    let requests = meter.u64_counter("http.server.requests").build();
    requests.add(
        1,
        &[
            KeyValue::new("route", "/a"),
            KeyValue::new("method", "GET"),
            KeyValue::new("user", "u1"),
        ],
    );
    requests.add(
        2,
        &[KeyValue::new("user", "u2"), KeyValue::new("route", "/a")],
    );
    let old = meter
        .f64_histogram("old.name")
        .with_description("before")
        .build();
    old.record(1.5, &[]);
    old.record(2.0, &[]);
    let dropped = meter.u64_counter("debug.x").build();
    dropped.add(1, &[]);
    assert!(!dropped.enabled(), "a dropped instrument is not enabled");
    assert!(requests.enabled());
    let kept = meter.u64_counter("debug.xy").build(); // `?` matches exactly one character
    kept.add(1, &[]);

    let rm = collect(&reader);
    assert_eq!(
        u64_sums(metric(&rm, "http.server.requests")),
        s(&[("route=/a", 3)])
    );
    let renamed = metric(&rm, "new.name");
    assert_eq!(renamed.description, "renamed");
    assert_eq!(f64_sums(renamed), [("".to_string(), 3.5)]);
    let names: Vec<_> = metrics(&rm).iter().map(|m| m.name.to_string()).collect();
    assert!(!names.contains(&"debug.x".to_string()));
    assert!(!names.contains(&"old.name".to_string()));
    assert!(names.contains(&"debug.xy".to_string()));
}

#[test]
fn views_select_by_meter_unit_and_kind_and_each_match_makes_a_stream() {
    common::record_diagnostics();
    let (provider, reader, _meter) = with_views(vec![
        View::new(
            InstrumentSelector::new()
                .with_meter_name("lib")
                .with_meter_version("1.0")
                .with_meter_schema_url("https://example.com/s")
                .with_unit("By"),
            Stream::new().with_description("selected"),
        ),
        View::new(
            InstrumentSelector::new()
                .with_name("*")
                .with_kind(InstrumentKind::Counter),
            Stream::new().with_allowed_attribute_keys(Vec::<&str>::new()),
        ),
    ]);
    let lib = provider.meter_with_scope(
        InstrumentationScope::builder("lib")
            .with_version("1.0")
            .with_schema_url("https://example.com/s")
            .build(),
    );
    let other = provider.meter("other");
    lib.u64_counter("bytes")
        .with_unit("By")
        .build()
        .add(4, &[KeyValue::new("k", 1)]);
    other
        .u64_counter("bytes")
        .with_unit("By")
        .build()
        .add(5, &[KeyValue::new("k", 1)]);
    let rm = collect(&reader);
    let lib_metrics: Vec<_> = rm
        .scope_metrics
        .iter()
        .find(|s| s.scope.name() == "lib")
        .map(|s| s.metrics.clone())
        .unwrap();
    // Both views match the lib counter: two streams (with a reported identity conflict).
    assert_eq!(lib_metrics.len(), 2);
    assert!(lib_metrics
        .iter()
        .any(|m| m.description == "selected" && u64_sums(m) == s(&[("k=1", 4)])));
    assert!(lib_metrics.iter().any(|m| u64_sums(m) == s(&[("", 4)])));
    let other_metrics = &rm
        .scope_metrics
        .iter()
        .find(|s| s.scope.name() == "other")
        .unwrap()
        .metrics;
    assert_eq!(other_metrics.len(), 1);
    assert_eq!(u64_sums(&other_metrics[0]), s(&[("", 5)]));
    assert_eq!(diagnostics("Metrics.DuplicateInstrument").len(), 1);
}

#[test]
fn invalid_views_are_reported_and_ignored() {
    common::record_diagnostics();
    let (_provider, reader, meter) = with_views(vec![
        View::new(
            InstrumentSelector::new().with_name("x*"),
            Stream::new().with_name("renamed"),
        ),
        View::new(
            InstrumentSelector::new().with_name("h"),
            Stream::new().with_aggregation(Aggregation::ExplicitBucketHistogram {
                boundaries: vec![f64::NAN],
                record_min_max: true,
            }),
        ),
        // Semantic error for this instrument: histograms do not apply to asynchronous ones.
        View::new(
            InstrumentSelector::new().with_name("obs"),
            Stream::new().with_aggregation(Aggregation::default_histogram()),
        ),
    ]);
    meter.u64_counter("xa").build().add(1, &[]);
    let _obs = meter
        .u64_observable_gauge("obs")
        .with_callback(|o| o.observe(3, &[]))
        .build();
    let rm = collect(&reader);
    assert_eq!(u64_sums(metric(&rm, "xa")), s(&[("", 1)]));
    let AggregatedMetrics::U64(MetricData::Gauge(g)) = &metric(&rm, "obs").data else {
        panic!()
    };
    assert_eq!(g.data_points[0].value, 3);
    assert_eq!(diagnostics("MeterProvider.InvalidView").len(), 2);
    assert_eq!(diagnostics("Metrics.ViewNotApplicable").len(), 1);
}

#[test]
fn identical_instruments_aggregate_together_and_conflicts_are_reported() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Cumulative);
    let a = meter.u64_counter("jobs").with_unit("1").build();
    let b = meter.u64_counter("JOBS").with_unit("1").build();
    a.add(1, &[]);
    b.add(2, &[]);
    assert_eq!(diagnostics("Metrics.DuplicateInstrumentName").len(), 1);
    // Different unit: a duplicate registration, both still work and are exported.
    let c = meter.u64_counter("jobs").with_unit("ms").build();
    c.add(10, &[]);
    let rm = collect(&reader);
    let jobs: Vec<_> = metrics(&rm)
        .into_iter()
        .filter(|m| m.name.eq_ignore_ascii_case("jobs"))
        .collect();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0].name, "jobs", "the first-seen name is used");
    assert_eq!(u64_sums(jobs[0]), s(&[("", 3)]));
    assert_eq!(u64_sums(jobs[1]), s(&[("", 10)]));
    let warnings = diagnostics("Metrics.DuplicateInstrument");
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("rename"), "{warnings:?}");
}

#[test]
fn description_only_conflicts_advise_a_view_and_a_view_avoids_them() {
    common::record_diagnostics();
    let (_provider, _reader, meter) = setup(TemporalityPreference::Cumulative);
    meter.u64_counter("x").with_description("one").build();
    meter.u64_counter("x").with_description("two").build();
    let warnings = diagnostics("Metrics.DuplicateInstrument");
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("description"), "{warnings:?}");

    let (_p, _r, meter) = with_views(vec![View::new(
        InstrumentSelector::new().with_name("y"),
        Stream::new().with_description("fixed"),
    )]);
    meter.u64_counter("y").with_description("one").build();
    meter.u64_counter("y").with_description("two").build();
    assert_eq!(
        diagnostics("Metrics.DuplicateInstrument").len(),
        1,
        "no new warning"
    );
}

#[test]
fn invalid_instrument_names_give_noop_instruments() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Cumulative);
    for name in ["", "1abc", "has space", &"a".repeat(256)] {
        let counter = meter.u64_counter(name.to_string()).build();
        counter.add(1, &[]);
        assert!(!counter.enabled());
    }
    let _obs = meter
        .u64_observable_counter("bad name")
        .with_callback(|o| o.observe(1, &[]))
        .build();
    assert!(metrics(&collect(&reader)).is_empty());
    assert_eq!(diagnostics("Metrics.InvalidInstrumentName").len(), 5);
}

#[test]
fn instruments_without_readers_are_disabled() {
    common::record_diagnostics();
    let provider = SdkMeterProvider::builder().build();
    let counter = provider.meter("m").u64_counter("c").build();
    assert!(!counter.enabled());
    counter.add(1, &[]);
}

#[test]
fn every_instrument_kind_and_number_type_is_collected() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Cumulative);
    meter.u64_counter("u64_counter").build().add(1, &[]);
    meter.f64_counter("f64_counter").build().add(1.0, &[]);
    meter.i64_up_down_counter("i64_udc").build().add(-1, &[]);
    meter.f64_up_down_counter("f64_udc").build().add(-1.0, &[]);
    meter.u64_histogram("u64_hist").build().record(1, &[]);
    meter.f64_histogram("f64_hist").build().record(1.0, &[]);
    meter.u64_gauge("u64_gauge").build().record(1, &[]);
    meter.i64_gauge("i64_gauge").build().record(-1, &[]);
    meter.f64_gauge("f64_gauge").build().record(1.0, &[]);
    let _a = meter
        .u64_observable_counter("u64_oc")
        .with_callback(|o| o.observe(1, &[]))
        .build();
    let _b = meter
        .f64_observable_counter("f64_oc")
        .with_callback(|o| o.observe(1.0, &[]))
        .build();
    let _c = meter
        .i64_observable_up_down_counter("i64_oudc")
        .with_callback(|o| o.observe(-1, &[]))
        .build();
    let _d = meter
        .f64_observable_up_down_counter("f64_oudc")
        .with_callback(|o| o.observe(-1.0, &[]))
        .build();
    let _e = meter
        .u64_observable_gauge("u64_og")
        .with_callback(|o| o.observe(1, &[]))
        .build();
    let _f = meter
        .i64_observable_gauge("i64_og")
        .with_callback(|o| o.observe(-1, &[]))
        .build();
    let _g = meter
        .f64_observable_gauge("f64_og")
        .with_callback(|o| o.observe(1.0, &[]))
        .build();
    let rm = collect(&reader);
    assert_eq!(metrics(&rm).len(), 16);
    assert!(metrics(&rm).iter().all(|m| m.data.data_point_count() == 1));
}

#[test]
fn observable_counters_in_both_temporalities() {
    common::record_diagnostics();
    for preference in [
        TemporalityPreference::Cumulative,
        TemporalityPreference::Delta,
    ] {
        let (_provider, reader, meter) = setup(preference);
        let value = Arc::new(AtomicUsize::new(0));
        let v = value.clone();
        let _cpu = meter
            .u64_observable_counter("cpu")
            .with_callback(move |o| o.observe(v.load(Ordering::SeqCst) as u64, &[]))
            .build();
        let mut seen = Vec::new();
        let mut starts = Vec::new();
        for observed in [10, 25, 25, 40] {
            value.store(observed, Ordering::SeqCst);
            let rm = collect(&reader);
            let AggregatedMetrics::U64(MetricData::Sum(sum)) = &metric(&rm, "cpu").data else {
                panic!()
            };
            seen.push(sum.data_points[0].value);
            starts.push((sum.data_points[0].start_time, sum.data_points[0].time));
        }
        match preference {
            TemporalityPreference::Cumulative => {
                assert_eq!(seen, [10, 25, 25, 40]);
                assert!(starts.iter().all(|s| s.0 == starts[0].0));
            }
            _ => {
                assert_eq!(seen, [10, 15, 0, 15]);
                for pair in starts.windows(2) {
                    assert_eq!(pair[1].0, pair[0].1);
                }
            }
        }
    }
}

#[test]
fn async_series_not_observed_are_not_reported() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Cumulative);
    let round = Arc::new(AtomicUsize::new(0));
    let r = round.clone();
    let _g = meter
        .i64_observable_gauge("g")
        .with_callback(move |o| {
            o.observe(1, &[KeyValue::new("always", true)]);
            if r.load(Ordering::SeqCst) == 0 {
                o.observe(2, &[KeyValue::new("first", true)]);
            }
        })
        .build();
    let count = |rm: &ResourceMetrics| metric(rm, "g").data.data_point_count();
    assert_eq!(count(&collect(&reader)), 2);
    round.store(1, Ordering::SeqCst);
    assert_eq!(count(&collect(&reader)), 1);
}

#[test]
fn multi_instrument_callbacks_observe_several_instruments_until_unregistered() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Cumulative);
    let usage = meter.u64_observable_counter("usage").build();
    let pressure = meter.f64_observable_gauge("pressure").build();
    let stranger = meter.i64_observable_gauge("stranger").build();
    let runs = Arc::new(AtomicUsize::new(0));
    let mut registration = meter
        .register_callback(&[&usage, &pressure], {
            let (usage, pressure, stranger, runs) = (
                usage.clone(),
                pressure.clone(),
                stranger.clone(),
                runs.clone(),
            );
            move |o| {
                runs.fetch_add(1, Ordering::SeqCst);
                o.observe_u64(&usage, 42, &[]);
                o.observe_f64(&pressure, 1.5, &[KeyValue::new("unit", "bar")]);
                // Not registered with this callback: ignored and reported.
                o.observe_i64(&stranger, 7, &[]);
            }
        })
        .expect("register");
    let rm = collect(&reader);
    assert_eq!(u64_sums(metric(&rm, "usage")), s(&[("", 42)]));
    assert!(metrics(&rm).iter().all(|m| m.name != "stranger"));
    assert_eq!(runs.load(Ordering::SeqCst), 1, "once per collection");
    assert_eq!(diagnostics("Metrics.ObservationIgnored").len(), 1);

    registration.unregister().expect("unregister");
    registration.unregister().expect("twice is fine");
    assert!(metrics(&collect(&reader)).is_empty());
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[test]
fn a_panicking_callback_is_contained_and_reported() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Cumulative);
    let _bad = meter
        .u64_observable_gauge("bad")
        .with_callback(|_| panic!("callback bug"))
        .build();
    let _good = meter
        .u64_observable_gauge("good")
        .with_callback(|o| o.observe(1, &[]))
        .build();
    let rm = collect(&reader);
    assert_eq!(metrics(&rm).len(), 1);
    assert_eq!(metric(&rm, "good").data.data_point_count(), 1);
    assert_eq!(diagnostics("Metrics.CallbackPanicked").len(), 1);
}

#[test]
fn each_reader_has_its_own_temporality_and_callback_runs() {
    common::record_diagnostics();
    let cumulative = ManualReader::builder().build();
    let delta = ManualReader::builder()
        .with_temporality(TemporalityPreference::Delta)
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(cumulative.clone())
        .with_reader(delta.clone())
        .build();
    let meter = provider.meter("m");
    let counter = meter.u64_counter("c").build();
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let _g = meter
        .u64_observable_gauge("g")
        .with_callback(move |o| {
            r.fetch_add(1, Ordering::SeqCst);
            o.observe(1, &[]);
        })
        .build();
    counter.add(2, &[]);
    assert_eq!(u64_sums(metric(&collect(&cumulative), "c")), s(&[("", 2)]));
    assert_eq!(u64_sums(metric(&collect(&delta), "c")), s(&[("", 2)]));
    counter.add(3, &[]);
    assert_eq!(u64_sums(metric(&collect(&delta), "c")), s(&[("", 3)]));
    assert_eq!(u64_sums(metric(&collect(&cumulative), "c")), s(&[("", 5)]));
    assert_eq!(
        runs.load(Ordering::SeqCst),
        4,
        "once per collection per reader"
    );

    // A reader serves one provider only.
    let second = SdkMeterProvider::builder()
        .with_reader(delta.clone())
        .build();
    second.meter("x").u64_counter("c").build().add(100, &[]);
    assert_eq!(
        diagnostics("MeterProvider.ReaderAlreadyRegistered").len(),
        1
    );
    counter.add(1, &[]);
    assert_eq!(u64_sums(metric(&collect(&delta), "c")), s(&[("", 1)]));
}

#[test]
fn bound_instruments_record_to_their_series() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(TemporalityPreference::Delta);
    let counter = meter.u64_counter("c").build();
    let bound = counter.bind(&[KeyValue::new("b", 1), KeyValue::new("a", 2)]);
    assert!(bound.enabled());
    bound.add(3);
    counter.add(4, &[KeyValue::new("a", 2), KeyValue::new("b", 1)]);
    assert_eq!(
        u64_sums(metric(&collect(&reader), "c")),
        s(&[("a=2,b=1", 7)])
    );
    // Idle intervals do not free a bound series: it keeps recording afterwards.
    assert!(metrics(&collect(&reader)).is_empty());
    assert!(metrics(&collect(&reader)).is_empty());
    bound.add(5);
    assert_eq!(
        u64_sums(metric(&collect(&reader), "c")),
        s(&[("a=2,b=1", 5)])
    );
    let empty = counter.bind(&[]);
    empty.add(1);
    let h = meter
        .f64_histogram("h")
        .build()
        .bind(&[KeyValue::new("k", "v")]);
    h.record(2.0);
    let rm = collect(&reader);
    assert_eq!(u64_sums(metric(&rm, "c")), s(&[("", 1)]));
    assert_eq!(metric(&rm, "h").data.data_point_count(), 1);
}

#[test]
fn binding_beyond_the_limit_resolves_to_the_overflow_series() {
    common::record_diagnostics();
    let (_provider, reader, meter) = with_views(vec![View::new(
        InstrumentSelector::new().with_name("c"),
        Stream::new().with_cardinality_limit(2),
    )]);
    let counter = meter.u64_counter("c").build();
    let first = counter.bind(&[KeyValue::new("k", 1)]);
    let second = counter.bind(&[KeyValue::new("k", 2)]);
    first.add(1);
    second.add(2);
    assert_eq!(
        u64_sums(metric(&collect(&reader), "c")),
        s(&[("k=1", 1), ("otel.metric.overflow=true", 2)])
    );
}

#[test]
fn concurrent_adds_during_collections_are_counted_exactly_once() {
    common::record_diagnostics();
    for preference in [
        TemporalityPreference::Delta,
        TemporalityPreference::Cumulative,
    ] {
        let (_provider, reader, meter) = setup(preference);
        let counter = meter.u64_counter("c").build();
        let fcounter = meter.f64_counter("f").build();
        let hist = meter.u64_histogram("h").build();
        const THREADS: u64 = 4;
        const PER_THREAD: u64 = 20_000;
        let done = Arc::new(AtomicUsize::new(0));
        let mut totals = (0u64, 0f64, 0u64);
        let mut last = (0u64, 0f64, 0u64);
        let mut absorb = |rm: &ResourceMetrics, totals: &mut (u64, f64, u64)| {
            let mut cur = (0u64, 0f64, 0u64);
            for m in metrics(rm) {
                match (&*m.name, &m.data) {
                    ("c", AggregatedMetrics::U64(d)) => {
                        cur.0 = sum_points(d).iter().map(|p| p.1).sum()
                    }
                    ("f", AggregatedMetrics::F64(d)) => {
                        cur.1 = sum_points(d).iter().map(|p| p.1).sum()
                    }
                    ("h", AggregatedMetrics::U64(MetricData::Histogram(h))) => {
                        cur.2 = h.data_points.iter().map(|p| p.count).sum();
                        for p in &h.data_points {
                            assert_eq!(p.bucket_counts.iter().sum::<u64>(), p.count);
                        }
                    }
                    _ => {}
                }
            }
            if preference == TemporalityPreference::Delta {
                totals.0 += cur.0;
                totals.1 += cur.1;
                totals.2 += cur.2;
            } else {
                assert!(
                    cur.0 >= last.0 && cur.2 >= last.2,
                    "cumulative never goes back"
                );
                last = cur;
                *totals = cur;
            }
        };
        std::thread::scope(|scope| {
            for t in 0..THREADS {
                let (counter, fcounter, hist, done) = (
                    counter.clone(),
                    fcounter.clone(),
                    hist.clone(),
                    done.clone(),
                );
                scope.spawn(move || {
                    let bound = counter.bind(&[KeyValue::new("bound", true)]);
                    for i in 0..PER_THREAD {
                        let attrs = [
                            KeyValue::new("t", (t % 2) as i64),
                            KeyValue::new("i", (i % 7) as i64),
                        ];
                        counter.add(1, &attrs);
                        bound.add(1);
                        fcounter.add(0.5, &attrs);
                        hist.record(i % 100, &attrs[..1]);
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                });
            }
            while done.load(Ordering::SeqCst) < THREADS as usize {
                absorb(&collect(&reader), &mut totals);
            }
        });
        absorb(&collect(&reader), &mut totals);
        assert_eq!(totals.0, 2 * THREADS * PER_THREAD, "{preference:?}");
        assert_eq!(totals.1, 0.5 * (THREADS * PER_THREAD) as f64);
        assert_eq!(totals.2, THREADS * PER_THREAD);
    }
}

#[test]
fn shutdown_is_idempotent_and_silences_instruments() {
    common::record_diagnostics();
    let (provider, reader, meter) = setup(TemporalityPreference::Cumulative);
    let counter = meter.u64_counter("c").build();
    let bound = counter.bind(&[]);
    counter.add(1, &[]);
    assert!(counter.enabled());
    provider.shutdown().expect("first shutdown");
    assert!(matches!(
        provider.shutdown(),
        Err(opentelemetry_sdk::Error::AlreadyShutdown)
    ));
    assert!(provider.force_flush().is_err());
    assert!(!counter.enabled());
    assert!(!bound.enabled());
    counter.add(1, &[]);
    bound.add(1);
    let mut rm = ResourceMetrics::default();
    assert!(
        reader.collect(&mut rm).is_err(),
        "no collection after shutdown"
    );
    let late = provider.meter("late").u64_counter("c").build();
    assert!(!late.enabled(), "meters after shutdown are no-ops");
}

#[test]
fn dropping_the_last_provider_handle_exports_and_shuts_down() {
    common::record_diagnostics();
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(
            PeriodicReader::builder(exporter.clone())
                .with_interval(Duration::from_secs(3600))
                .build(),
        )
        .build();
    let counter = provider.meter("m").u64_counter("c").build();
    counter.add(9, &[]);
    drop(provider);
    let batches = exporter.get_finished_metrics();
    assert_eq!(batches.len(), 1);
    assert_eq!(u64_sums(metric(&batches[0], "c")), s(&[("", 9)]));
    assert!(exporter.is_shutdown());
    assert!(!counter.enabled());
}

#[test]
fn periodic_reader_exports_on_its_interval_with_the_exporters_temporality() {
    common::record_diagnostics();
    let exporter = InMemoryMetricExporter::with_temporality(TemporalityPreference::Delta);
    let provider = SdkMeterProvider::builder()
        .with_reader(
            PeriodicReader::builder(exporter.clone())
                .with_interval(Duration::from_millis(20))
                .build(),
        )
        .build();
    let counter = provider.meter("m").u64_counter("c").build();
    counter.add(1, &[]);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while exporter.get_finished_metrics().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let batches = exporter.get_finished_metrics();
    assert!(!batches.is_empty(), "exported without being asked");
    let AggregatedMetrics::U64(MetricData::Sum(sum)) = &metric(&batches[0], "c").data else {
        panic!()
    };
    assert_eq!(sum.temporality, Temporality::Delta);
    provider.shutdown().unwrap();
}

#[test]
fn periodic_reader_splits_exports_by_max_batch_size() {
    common::record_diagnostics();
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(
            PeriodicReader::builder(exporter.clone())
                .with_interval(Duration::from_secs(3600))
                .with_max_export_batch_size(4)
                .build(),
        )
        .build();
    let counter = provider.meter("m").u64_counter("c").build();
    for i in 0..10 {
        counter.add(1, &[KeyValue::new("i", i)]);
    }
    provider.force_flush().unwrap();
    let batches = exporter.get_finished_metrics();
    let sizes: Vec<usize> = batches
        .iter()
        .map(|b| metrics(b).iter().map(|m| m.data.data_point_count()).sum())
        .collect();
    assert_eq!(sizes, [4, 4, 2]);
}

#[derive(Debug)]
struct Bridge;

impl MetricProducer for Bridge {
    fn produce(&self) -> opentelemetry_sdk::Result<ScopeMetrics> {
        Ok(ScopeMetrics {
            scope: InstrumentationScope::builder("bridge").build(),
            metrics: vec![Metric {
                name: "external".into(),
                description: "".into(),
                unit: "".into(),
                data: AggregatedMetrics::U64(MetricData::Sum(opentelemetry_sdk::metrics::Sum {
                    data_points: vec![opentelemetry_sdk::metrics::SumDataPoint {
                        attributes: Default::default(),
                        start_time: SystemTime::UNIX_EPOCH,
                        time: SystemTime::now(),
                        value: 77,
                        exemplars: vec![],
                    }],
                    temporality: Temporality::Cumulative,
                    is_monotonic: true,
                })),
            }],
        })
    }
}

#[test]
fn metric_producers_are_collected_with_the_provider() {
    common::record_diagnostics();
    let reader = ManualReader::builder().with_producer(Bridge).build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    provider.meter("own").u64_counter("c").build().add(1, &[]);
    let rm = collect(&reader);
    assert_eq!(rm.scope_metrics.len(), 2);
    assert_eq!(u64_sums(metric(&rm, "external")), s(&[("", 77)]));
}

#[test]
fn the_resource_and_scope_reach_the_reader() {
    common::record_diagnostics();
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_resource(opentelemetry_sdk::Resource::new([KeyValue::new(
            "service.name",
            "svc",
        )]))
        .with_reader(reader.clone())
        .build();
    let meter = provider.meter_with_scope(
        InstrumentationScope::builder("lib")
            .with_version("2.0")
            .with_schema_url("https://example.com/s")
            .build(),
    );
    meter.u64_counter("c").build().add(1, &[]);
    let rm = collect(&reader);
    assert_eq!(
        rm.resource
            .get(&"service.name".into())
            .map(|v| v.as_str().into_owned()),
        Some("svc".into())
    );
    assert_eq!(rm.scope_metrics[0].scope.version(), Some("2.0"));
    assert_eq!(
        rm.scope_metrics[0].scope.schema_url(),
        Some("https://example.com/s")
    );
    // The same scope gives the same meter: one scope in the output.
    provider
        .meter_with_scope(
            InstrumentationScope::builder("lib")
                .with_version("2.0")
                .with_schema_url("https://example.com/s")
                .build(),
        )
        .u64_counter("d")
        .build()
        .add(1, &[]);
    assert_eq!(collect(&reader).scope_metrics.len(), 1);
}

#[test]
fn an_empty_meter_name_is_reported_but_works() {
    common::record_diagnostics();
    let (provider, reader, _) = setup(TemporalityPreference::Cumulative);
    provider.meter("").u64_counter("c").build().add(1, &[]);
    assert_eq!(u64_sums(metric(&collect(&reader), "c")), s(&[("", 1)]));
    assert_eq!(diagnostics("MeterProvider.InvalidMeterName").len(), 1);
}

#[test]
fn the_global_meter_provider_reaches_the_sdk() {
    common::record_diagnostics();
    let (provider, reader, _) = setup(TemporalityPreference::Cumulative);
    opentelemetry_api::global::set_meter_provider(provider.clone());
    let meter = opentelemetry_api::global::meter("g");
    meter.u64_counter("c").build().add(2, &[]);
    let obs = meter.u64_observable_gauge("o").build();
    let _reg = meter
        .register_callback(&[&obs], {
            let obs = obs.clone();
            move |o| o.observe_u64(&obs, 5, &[])
        })
        .unwrap();
    let rm = collect(&reader);
    assert_eq!(u64_sums(metric(&rm, "c")), s(&[("", 2)]));
    assert_eq!(metric(&rm, "o").data.data_point_count(), 1);
}

/// An exporter that records calls, and can hang in `export` or `shutdown`.
#[derive(Debug, Clone, Default)]
struct Scripted {
    calls: Arc<std::sync::Mutex<Vec<&'static str>>>,
    in_export: Arc<AtomicUsize>,
    overlapped: Arc<AtomicUsize>,
    hang_export: bool,
    slow_shutdown: Option<Duration>,
}

impl opentelemetry_sdk::metrics::PushMetricExporter for Scripted {
    fn export<'a>(
        &'a mut self,
        _metrics: &'a ResourceMetrics,
    ) -> opentelemetry_sdk::trace::BoxFuture<'a, opentelemetry_sdk::Result> {
        self.calls.lock().unwrap().push("export");
        if self.in_export.fetch_add(1, Ordering::SeqCst) > 0 {
            self.overlapped.fetch_add(1, Ordering::SeqCst);
        }
        std::thread::sleep(Duration::from_millis(2));
        self.in_export.fetch_sub(1, Ordering::SeqCst);
        if self.hang_export {
            Box::pin(std::future::pending())
        } else {
            Box::pin(std::future::ready(Ok(())))
        }
    }
    fn force_flush(&mut self) -> opentelemetry_sdk::Result {
        self.calls.lock().unwrap().push("force_flush");
        Ok(())
    }
    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        self.calls.lock().unwrap().push("shutdown");
        if let Some(d) = self.slow_shutdown {
            std::thread::sleep(d);
        }
        Ok(())
    }
}

#[test]
fn exporter_flush_and_shutdown_are_called_and_exports_never_overlap() {
    common::record_diagnostics();
    let exporter = Scripted::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(
            PeriodicReader::builder(exporter.clone())
                .with_interval(Duration::from_millis(1))
                .build(),
        )
        .build();
    provider.meter("m").u64_counter("c").build().add(1, &[]);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10 {
                    provider.force_flush().expect("flush succeeds");
                }
            });
        }
    });
    provider.shutdown().expect("shutdown succeeds");
    let calls = exporter.calls.lock().unwrap().clone();
    assert!(calls.iter().filter(|c| **c == "force_flush").count() >= 40);
    assert_eq!(calls.last(), Some(&"shutdown"));
    assert_eq!(
        exporter.overlapped.load(Ordering::SeqCst),
        0,
        "never concurrent"
    );
}

#[test]
fn a_hanging_export_times_out_with_a_failure() {
    common::record_diagnostics();
    let exporter = Scripted {
        hang_export: true,
        ..Scripted::default()
    };
    let provider = SdkMeterProvider::builder()
        .with_reader(
            PeriodicReader::builder(exporter)
                .with_interval(Duration::from_secs(3600))
                .with_timeout(Duration::from_millis(50))
                .build(),
        )
        .build();
    provider.meter("m").u64_counter("c").build().add(1, &[]);
    let started = std::time::Instant::now();
    let result = provider.force_flush();
    assert!(
        matches!(result, Err(opentelemetry_sdk::Error::Timeout(_))),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(diagnostics("PeriodicReader.ExportFailed").len(), 1);
}

#[test]
fn a_slow_exporter_shutdown_does_not_block_past_the_timeout() {
    common::record_diagnostics();
    let exporter = Scripted {
        slow_shutdown: Some(Duration::from_secs(2)),
        ..Scripted::default()
    };
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter).build())
        .build();
    let started = std::time::Instant::now();
    let result = provider.shutdown_with_timeout(Duration::from_millis(100));
    assert!(
        matches!(result, Err(opentelemetry_sdk::Error::Timeout(_))),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn reader_default_aggregation_applies_per_kind_and_views_override_it() {
    common::record_diagnostics();
    let reader = ManualReader::builder()
        .with_aggregation_selector(|kind| match kind {
            InstrumentKind::Histogram => Aggregation::Sum,
            InstrumentKind::Counter => Aggregation::LastValue,
            _ => Aggregation::Default,
        })
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_view(View::new(
            InstrumentSelector::new().with_name("viewed"),
            Stream::new().with_aggregation(Aggregation::Sum),
        ))
        .build();
    let meter = provider.meter("m");
    meter.f64_histogram("h").build().record(2.0, &[]);
    meter.f64_histogram("h").build().record(3.0, &[]);
    meter.u64_counter("c").build().add(4, &[]);
    meter.u64_counter("c").build().add(5, &[]);
    meter.u64_counter("viewed").build().add(6, &[]);
    meter.u64_counter("viewed").build().add(7, &[]);
    let rm = collect(&reader);
    assert_eq!(f64_sums(metric(&rm, "h")), [("".to_string(), 5.0)]);
    let AggregatedMetrics::U64(MetricData::Gauge(g)) = &metric(&rm, "c").data else {
        panic!()
    };
    assert_eq!(g.data_points[0].value, 5);
    assert_eq!(u64_sums(metric(&rm, "viewed")), s(&[("", 13)]));
}

#[test]
fn series_churn_with_concurrent_collections_counts_exactly_once() {
    // Attribute sets come and go (delta streams free idle series and create them again, and
    // every stream's table grows) while another thread collects as fast as it can.
    for preference in [
        TemporalityPreference::Delta,
        TemporalityPreference::Cumulative,
    ] {
        let (_provider, reader, meter) = setup(preference);
        let counter = meter.u64_counter("churn").build();
        const THREADS: u64 = 3;
        const PER_THREAD: u64 = 30_000;
        let done = Arc::new(AtomicUsize::new(0));
        let mut total = 0u64;
        let absorb = |rm: &ResourceMetrics, total: &mut u64| {
            let sum = metrics(rm)
                .iter()
                .filter(|m| m.name == "churn")
                .map(|m| u64_sums(m).iter().map(|p| p.1).sum::<u64>())
                .sum::<u64>();
            if preference == TemporalityPreference::Delta {
                *total += sum;
            } else {
                *total = sum;
            }
        };
        std::thread::scope(|scope| {
            for t in 0..THREADS {
                let (counter, done) = (counter.clone(), done.clone());
                scope.spawn(move || {
                    for i in 0..PER_THREAD {
                        // A window of 50 sets sliding through 600: older sets go idle.
                        let set = (i / 100 + i % 50) % 600;
                        let attrs = [
                            KeyValue::new("set", set as i64),
                            KeyValue::new("thread", (t % 2) as i64),
                        ];
                        counter.add(1, &attrs);
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                });
            }
            while done.load(Ordering::SeqCst) < THREADS as usize {
                absorb(&collect(&reader), &mut total);
            }
        });
        absorb(&collect(&reader), &mut total);
        assert_eq!(total, THREADS * PER_THREAD, "{preference:?}");
    }
}

#[test]
fn any_number_of_providers_are_independent() {
    let (first, first_reader, first_meter) = setup(TemporalityPreference::Cumulative);
    let (_second, second_reader, second_meter) = setup(TemporalityPreference::Cumulative);
    first_meter.u64_counter("c").build().add(1, &[]);
    second_meter.u64_counter("c").build().add(5, &[]);
    assert_eq!(
        u64_sums(metric(&collect(&first_reader), "c")),
        s(&[("", 1)])
    );
    assert_eq!(
        u64_sums(metric(&collect(&second_reader), "c")),
        s(&[("", 5)])
    );
    // Shutting one down leaves the other working.
    first.shutdown().unwrap();
    second_meter.u64_counter("c").build().add(1, &[]);
    assert_eq!(
        u64_sums(metric(&collect(&second_reader), "c")),
        s(&[("", 6)])
    );
}

#[test]
fn the_same_instrument_name_under_two_meters_makes_two_streams_without_a_warning() {
    common::record_diagnostics();
    let (provider, reader, first) = setup(TemporalityPreference::Cumulative);
    let second = provider.meter("other");
    first.u64_counter("requests").build().add(1, &[]);
    second
        .u64_counter("requests")
        .with_unit("ms")
        .build()
        .add(2, &[]);
    let rm = collect(&reader);
    assert_eq!(rm.scope_metrics.len(), 2);
    for scope in &rm.scope_metrics {
        assert_eq!(scope.metrics.len(), 1);
        let expected = if scope.scope.name() == "test" { 1 } else { 2 };
        assert_eq!(u64_sums(&scope.metrics[0]), s(&[("", expected)]));
    }
    assert!(diagnostics("Metrics.DuplicateInstrument").is_empty());
    assert!(diagnostics("Metrics.DuplicateInstrumentName").is_empty());
}

/// Drops `drop.*` streams, keeps `keep.*` ones whole, and keeps the points of the others
/// whose `tier` is not `debug`; records every call.
#[derive(Debug, Default, Clone)]
struct TierFilter(Arc<std::sync::Mutex<Vec<String>>>);

impl MetricFilter for TierFilter {
    fn test_metric(
        &self,
        scope: &InstrumentationScope,
        name: &str,
        kind: MetricPointKind,
        unit: &str,
    ) -> MetricFilterResult {
        self.0
            .lock()
            .unwrap()
            .push(format!("metric {} {name} {kind:?} {unit}", scope.name()));
        if name.starts_with("drop.") {
            MetricFilterResult::Drop
        } else if name.starts_with("keep.") {
            MetricFilterResult::Accept
        } else {
            MetricFilterResult::AcceptPartial
        }
    }

    fn test_attributes(
        &self,
        _scope: &InstrumentationScope,
        name: &str,
        _kind: MetricPointKind,
        _unit: &str,
        attributes: &[KeyValue],
    ) -> AttributesFilterResult {
        self.0
            .lock()
            .unwrap()
            .push(format!("attributes {name} {}", label(attributes)));
        if attributes
            .iter()
            .any(|kv| kv.key.as_str() == "tier" && kv.value.as_str() == "debug")
        {
            AttributesFilterResult::Drop
        } else {
            AttributesFilterResult::Accept
        }
    }
}

/// A producer that sees the filter itself (and reports whether it got one).
#[derive(Debug, Default, Clone)]
struct FilterAware(Arc<AtomicUsize>);

impl MetricProducer for FilterAware {
    fn produce(&self) -> opentelemetry_sdk::Result<ScopeMetrics> {
        Bridge.produce()
    }
    fn produce_filtered(
        &self,
        filter: Option<&dyn MetricFilter>,
    ) -> opentelemetry_sdk::Result<ScopeMetrics> {
        if filter.is_some() {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
        // Drops everything when filtered (so the scope disappears).
        let mut scope = self.produce()?;
        if filter.is_some() {
            scope.metrics.clear();
        }
        Ok(scope)
    }
}

#[test]
fn a_reader_filter_drops_streams_and_points_of_the_sdk_and_its_producers() {
    let filter = TierFilter::default();
    let aware = FilterAware::default();
    let reader = ManualReader::builder()
        .with_metric_filter(filter.clone())
        .with_producer(Bridge)
        .with_producer(aware.clone())
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    let meter = provider.meter("app");
    meter.u64_counter("drop.me").build().add(1, &[]);
    meter
        .u64_counter("keep.all")
        .build()
        .add(1, &[KeyValue::new("tier", "debug")]);
    let partial = meter.f64_histogram("latency").with_unit("ms").build();
    partial.record(1.0, &[KeyValue::new("tier", "debug")]);
    partial.record(2.0, &[KeyValue::new("tier", "prod")]);
    // A stream whose every point is dropped disappears, and so does its scope.
    provider
        .meter("noisy")
        .u64_counter("all.debug")
        .build()
        .add(1, &[KeyValue::new("tier", "debug")]);

    let rm = collect(&reader);
    let names: Vec<_> = metrics(&rm).iter().map(|m| m.name.to_string()).collect();
    assert_eq!(names, ["keep.all", "latency", "external"]);
    assert_eq!(metric(&rm, "keep.all").data.data_point_count(), 1);
    let AggregatedMetrics::F64(MetricData::Histogram(h)) = &metric(&rm, "latency").data else {
        panic!("not a histogram")
    };
    assert_eq!(h.data_points.len(), 1);
    assert_eq!(label(&h.data_points[0].attributes), "tier=prod");
    // The producer with the default `produce_filtered` was filtered (AcceptPartial, kept);
    // the filter-aware one received the filter and returned nothing.
    assert_eq!(aware.0.load(Ordering::Relaxed), 1);
    assert_eq!(rm.scope_metrics.len(), 2, "the emptied scopes are left out");

    let calls = filter.0.lock().unwrap().clone();
    assert!(calls.contains(&"metric app latency Histogram ms".to_string()));
    assert!(calls.contains(&"metric app drop.me Sum ".to_string()));
    assert!(calls.contains(&"metric bridge external Sum ".to_string()));
    assert!(
        !calls.iter().any(|c| c.starts_with("attributes keep.all")),
        "Accept short-circuits: {calls:?}"
    );
}

#[test]
fn a_periodic_reader_filter_applies_to_its_exports() {
    let exporter = InMemoryMetricExporter::default();
    let reader = PeriodicReader::builder(exporter.clone())
        .with_interval(Duration::from_secs(3600))
        .with_metric_filter(TierFilter::default())
        .build();
    let provider = SdkMeterProvider::builder().with_reader(reader).build();
    let meter = provider.meter("app");
    meter.u64_counter("drop.me").build().add(1, &[]);
    meter.u64_counter("keep.me").build().add(1, &[]);
    provider.force_flush().unwrap();
    let exported = exporter.get_finished_metrics();
    let names: Vec<_> = exported
        .iter()
        .flat_map(|rm| metrics(rm).into_iter().map(|m| m.name.to_string()))
        .collect();
    assert_eq!(names, ["keep.me"]);
}

#[test]
fn advisory_attribute_keys_filter_unless_a_view_chooses_the_keys() {
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_view(View::new(
            InstrumentSelector::new().with_name("viewed"),
            Stream::new().with_allowed_attribute_keys(["user"]),
        ))
        .with_view(View::new(
            InstrumentSelector::new().with_name("excluding"),
            Stream::new().with_excluded_attribute_keys(["tier"]),
        ))
        .build();
    let meter = provider.meter("test");
    let attrs = [
        KeyValue::new("route", "/a"),
        KeyValue::new("user", "u1"),
        KeyValue::new("tier", "gold"),
    ];
    for name in ["advised", "viewed", "excluding"] {
        meter
            .u64_counter(name)
            .with_advisory_attribute_keys(["route", "tier"])
            .build()
            .add(1, &attrs);
    }
    meter
        .f64_histogram("advised.histogram")
        .with_advisory_attribute_keys(["route"])
        .build()
        .record(1.0, &attrs);
    let _observed = meter
        .u64_observable_gauge("advised.gauge")
        .with_advisory_attribute_keys(["route"])
        .with_callback(|o| {
            o.observe(
                7,
                &[KeyValue::new("route", "/b"), KeyValue::new("user", "u2")],
            )
        })
        .build();
    // Through the global meter too (the delegate carries the advice to the SDK).
    opentelemetry_api::global::set_meter_provider(provider.clone());
    opentelemetry_api::global::meter("test")
        .u64_counter("advised.global")
        .with_advisory_attribute_keys(["user"])
        .build()
        .add(1, &attrs);

    let rm = collect(&reader);
    assert_eq!(
        u64_sums(metric(&rm, "advised")),
        s(&[("route=/a,tier=gold", 1)])
    );
    // A view's allow-list takes precedence over the advice.
    assert_eq!(u64_sums(metric(&rm, "viewed")), s(&[("user=u1", 1)]));
    // A view without an allow-list keeps the advice, and its exclusions apply on top.
    assert_eq!(u64_sums(metric(&rm, "excluding")), s(&[("route=/a", 1)]));
    let AggregatedMetrics::F64(MetricData::Histogram(h)) = &metric(&rm, "advised.histogram").data
    else {
        panic!("not a histogram")
    };
    assert_eq!(label(&h.data_points[0].attributes), "route=/a");
    let AggregatedMetrics::U64(MetricData::Gauge(g)) = &metric(&rm, "advised.gauge").data else {
        panic!("not a gauge")
    };
    assert_eq!(label(&g.data_points[0].attributes), "route=/b");
    assert_eq!(
        u64_sums(metric(&rm, "advised.global")),
        s(&[("user=u1", 1)])
    );
}

#[test]
fn composable_views_merge_into_one_stream_per_configured_name() {
    use opentelemetry_sdk::metrics::ViewMatchingMode;
    common::record_diagnostics();
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_view_matching_mode(ViewMatchingMode::Composable)
        // Unnamed: joins every named stream of `requests`, with keys and a description.
        .with_view(View::new(
            InstrumentSelector::new().with_name("requests"),
            Stream::new()
                .with_allowed_attribute_keys(["route", "user"])
                .with_description("first"),
        ))
        // Narrows the keys (AND) and wins the description.
        .with_view(View::new(
            InstrumentSelector::new().with_name("req*"),
            Stream::new()
                .with_allowed_attribute_keys(["route", "tier"])
                .with_description("second"),
        ))
        // Names the stream.
        .with_view(View::new(
            InstrumentSelector::new().with_name("requests"),
            Stream::new()
                .with_name("requests.by_tier")
                .with_allowed_attribute_keys(["tier"]),
        ))
        // A view for another instrument: several views, no names, one stream.
        .with_view(View::new(
            InstrumentSelector::new().with_name("jobs"),
            Stream::new().with_excluded_attribute_keys(["user"]),
        ))
        .with_view(View::new(
            InstrumentSelector::new().with_name("jobs"),
            Stream::new().with_excluded_attribute_keys(["tier"]),
        ))
        .build();
    let meter = provider.meter("test");
    let attrs = [
        KeyValue::new("route", "/a"),
        KeyValue::new("user", "u1"),
        KeyValue::new("tier", "gold"),
    ];
    meter.u64_counter("requests").build().add(2, &attrs);
    meter.u64_counter("jobs").build().add(3, &attrs);
    let rm = collect(&reader);
    let mut names: Vec<_> = metrics(&rm).iter().map(|m| m.name.to_string()).collect();
    names.sort();
    // A view configures a name, so there is no stream under the instrument's own name: the
    // unnamed views join the named group (the spec's grouping).
    assert_eq!(names, ["jobs", "requests.by_tier"]);
    let by_tier = metric(&rm, "requests.by_tier");
    // The last description set in the group.
    assert_eq!(by_tier.description, "second");
    // Allow-lists combine with AND: {route, user} ∩ {route, tier} ∩ {tier} is empty.
    assert_eq!(u64_sums(by_tier), s(&[("", 2)]));
    // Exclusions combine.
    assert_eq!(u64_sums(metric(&rm, "jobs")), s(&[("route=/a", 3)]));
    assert!(diagnostics("Metrics.DuplicateInstrument").is_empty());
}

#[test]
fn composable_views_fall_back_to_an_earlier_aggregation_that_applies() {
    use opentelemetry_sdk::metrics::ViewMatchingMode;
    common::record_diagnostics();
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_view_matching_mode(ViewMatchingMode::Composable)
        .with_view(View::new(
            InstrumentSelector::new().with_name("gauge"),
            Stream::new().with_aggregation(Aggregation::LastValue),
        ))
        // A histogram does not apply to an asynchronous instrument: the last view's choice
        // falls back to the first view's.
        .with_view(View::new(
            InstrumentSelector::new().with_name("gauge"),
            Stream::new()
                .with_aggregation(Aggregation::ExplicitBucketHistogram {
                    boundaries: vec![1.0, 10.0],
                    record_min_max: true,
                })
                .with_cardinality_limit(5),
        ))
        .build();
    let _gauge = provider
        .meter("test")
        .u64_observable_gauge("gauge")
        .with_callback(|o| o.observe(3, &[]))
        .build();
    let rm = collect(&reader);
    let AggregatedMetrics::U64(MetricData::Gauge(g)) = &metric(&rm, "gauge").data else {
        panic!("not a gauge: {rm:#?}")
    };
    assert_eq!(g.data_points[0].value, 3);
    assert_eq!(diagnostics("Metrics.ViewNotApplicable").len(), 1);
}
