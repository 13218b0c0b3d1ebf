//! Metric exemplars end to end: the filters (builder and `OTEL_METRICS_EXEMPLAR_FILTER`),
//! the default and configured reservoirs, trace and span IDs from the active span, filtered
//! attributes, bound instruments, and reset per collection by temporality.
//!
//! Each test runs in its own process (nextest), so setting environment variables is safe.

mod common;

use opentelemetry_api::metrics::{Meter, MeterProvider};
use opentelemetry_api::trace::{
    Span, SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer,
    TracerProvider,
};
use opentelemetry_api::{Context, ContextGuard, KeyValue};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, CustomReservoir, CustomReservoirFactory, Exemplar, ExemplarFilter,
    ExemplarReservoir, InstrumentSelector, ManualReader, MetricData, ResourceMetrics,
    SdkMeterProvider, Stream, TemporalityPreference, View,
};
use opentelemetry_sdk::trace::SdkTracerProvider;

fn provider(
    filter: Option<ExemplarFilter>,
    preference: TemporalityPreference,
    views: Vec<View>,
) -> (SdkMeterProvider, ManualReader, Meter) {
    let reader = ManualReader::builder().with_temporality(preference).build();
    let mut builder = SdkMeterProvider::builder().with_reader(reader.clone());
    if let Some(filter) = filter {
        builder = builder.with_exemplar_filter(filter);
    }
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

/// The exemplars of every point of the u64 sum `name`.
fn sum_exemplars(rm: &ResourceMetrics, name: &str) -> Vec<Exemplar<u64>> {
    let mut out = Vec::new();
    for m in rm.scope_metrics.iter().flat_map(|s| &s.metrics) {
        if m.name == name {
            if let AggregatedMetrics::U64(MetricData::Sum(sum)) = &m.data {
                for p in &sum.data_points {
                    out.extend(p.exemplars.iter().cloned());
                }
            }
        }
    }
    out
}

/// Attaches a context whose active span is a remote span with these IDs.
fn in_span(trace: u128, span: u64, sampled: bool) -> ContextGuard {
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::NOT_SAMPLED
    };
    let sc = SpanContext::new(
        TraceId::from(trace),
        SpanId::from(span),
        flags,
        true,
        TraceState::NONE,
    );
    Context::new().with_remote_span_context(sc).attach()
}

#[test]
fn trace_based_is_the_default_and_samples_only_in_sampled_spans() {
    let (_p, reader, meter) = provider(None, TemporalityPreference::Cumulative, vec![]);
    let counter = meter.u64_counter("c").build();
    let attrs = [KeyValue::new("k", "v")];
    counter.add(1, &attrs);
    {
        let _g = in_span(5, 6, false);
        counter.add(2, &attrs);
    }
    assert!(sum_exemplars(&collect(&reader), "c").is_empty());
    let before = std::time::SystemTime::now();
    {
        let _g = in_span(0xabc, 0xdef, true);
        counter.add(3, &attrs);
    }
    let after = std::time::SystemTime::now();
    let ex = sum_exemplars(&collect(&reader), "c");
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0].value, 3);
    assert_eq!(ex[0].trace_id, TraceId::from(0xabcu128));
    assert_eq!(ex[0].span_id, SpanId::from(0xdefu64));
    assert!(ex[0].filtered_attributes.is_empty());
    assert!(
        before <= ex[0].time && ex[0].time <= after,
        "the time of the measurement"
    );
}

#[test]
fn exemplars_carry_the_ids_of_an_sdk_span() {
    let tracer_provider = SdkTracerProvider::builder().build();
    let tracer = tracer_provider.tracer("t");
    let (_p, reader, meter) = provider(None, TemporalityPreference::Cumulative, vec![]);
    let hist = meter.f64_histogram("latency").build();
    let span = tracer.start("work");
    let sc = span.span_context().clone();
    {
        let _g = Context::current_with_span(span).attach();
        hist.record(12.0, &[KeyValue::new("route", "/a")]);
    }
    let rm = collect(&reader);
    let m = &rm.scope_metrics[0].metrics[0];
    let AggregatedMetrics::F64(MetricData::Histogram(h)) = &m.data else {
        panic!("not a histogram: {m:?}");
    };
    let ex = &h.data_points[0].exemplars;
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0].value, 12.0);
    assert_eq!(
        (ex[0].trace_id, ex[0].span_id),
        (sc.trace_id(), sc.span_id())
    );
}

#[test]
fn always_on_samples_without_a_span_and_always_off_never() {
    let (_p, reader, meter) = provider(
        Some(ExemplarFilter::AlwaysOn),
        TemporalityPreference::Cumulative,
        vec![],
    );
    let counter = meter.u64_counter("c").build();
    counter.add(4, &[]);
    let ex = sum_exemplars(&collect(&reader), "c");
    assert_eq!(ex.len(), 1);
    assert_eq!(
        (ex[0].trace_id, ex[0].span_id),
        (TraceId::INVALID, SpanId::INVALID)
    );

    let (_p, reader, meter) = provider(
        Some(ExemplarFilter::AlwaysOff),
        TemporalityPreference::Cumulative,
        vec![],
    );
    let counter = meter.u64_counter("c").build();
    let _g = in_span(1, 2, true);
    counter.add(4, &[KeyValue::new("k", 1)]);
    assert!(sum_exemplars(&collect(&reader), "c").is_empty());
}

#[test]
fn the_environment_variable_sets_the_filter_and_the_builder_wins() {
    std::env::set_var("OTEL_METRICS_EXEMPLAR_FILTER", "always_on");
    let (_p, reader, meter) = provider(None, TemporalityPreference::Cumulative, vec![]);
    meter.u64_counter("c").build().add(1, &[]);
    assert_eq!(sum_exemplars(&collect(&reader), "c").len(), 1);

    let (_p, reader, meter) = provider(
        Some(ExemplarFilter::AlwaysOff),
        TemporalityPreference::Cumulative,
        vec![],
    );
    meter.u64_counter("c").build().add(1, &[]);
    assert!(sum_exemplars(&collect(&reader), "c").is_empty());
}

#[test]
fn an_invalid_environment_filter_is_reported_and_trace_based_is_used() {
    common::record_diagnostics();
    std::env::set_var("OTEL_METRICS_EXEMPLAR_FILTER", "sometimes");
    let (_p, reader, meter) = provider(None, TemporalityPreference::Cumulative, vec![]);
    let counter = meter.u64_counter("c").build();
    counter.add(1, &[]);
    assert!(sum_exemplars(&collect(&reader), "c").is_empty(), "no span");
    {
        let _g = in_span(1, 2, true);
        counter.add(1, &[]);
    }
    assert_eq!(sum_exemplars(&collect(&reader), "c").len(), 1);
    let reported = common::diagnostics("Env.InvalidExemplarFilter");
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(reported[0].contains("sometimes"));
}

#[test]
fn attributes_a_view_removes_are_the_exemplars_filtered_attributes() {
    let view = View::new(
        InstrumentSelector::new().with_name("c"),
        Stream::new().with_allowed_attribute_keys(["route"]),
    );
    let (_p, reader, meter) = provider(None, TemporalityPreference::Cumulative, vec![view]);
    let counter = meter.u64_counter("c").build();
    {
        let _g = in_span(1, 2, true);
        counter.add(
            1,
            &[
                KeyValue::new("user", "u1"),
                KeyValue::new("route", "/a"),
                KeyValue::new("shard", 3),
            ],
        );
    }
    let rm = collect(&reader);
    let m = &rm.scope_metrics[0].metrics[0];
    let AggregatedMetrics::U64(MetricData::Sum(sum)) = &m.data else {
        panic!("not a sum");
    };
    let point = &sum.data_points[0];
    assert_eq!(*point.attributes, [KeyValue::new("route", "/a")]);
    assert_eq!(
        point.exemplars[0].filtered_attributes,
        [KeyValue::new("user", "u1"), KeyValue::new("shard", 3)],
        "point attributes + filtered attributes = the measurement's"
    );
}

#[test]
fn bound_instruments_offer_exemplars_with_their_filtered_attributes() {
    let view = View::new(
        InstrumentSelector::new().with_name("c"),
        Stream::new().with_excluded_attribute_keys(["user"]),
    );
    let (_p, reader, meter) = provider(None, TemporalityPreference::Cumulative, vec![view]);
    let bound = meter
        .u64_counter("c")
        .build()
        .bind(&[KeyValue::new("user", "u1"), KeyValue::new("route", "/a")]);
    bound.add(1);
    assert!(sum_exemplars(&collect(&reader), "c").is_empty(), "no span");
    {
        let _g = in_span(3, 4, true);
        bound.add(5);
    }
    let ex = sum_exemplars(&collect(&reader), "c");
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0].value, 5);
    assert_eq!(ex[0].span_id, SpanId::from(4u64));
    assert_eq!(ex[0].filtered_attributes, [KeyValue::new("user", "u1")]);
}

#[test]
fn histograms_keep_the_last_exemplar_of_each_bucket_by_default() {
    let (_p, reader, meter) = provider(
        Some(ExemplarFilter::AlwaysOn),
        TemporalityPreference::Cumulative,
        vec![],
    );
    let hist = meter
        .u64_histogram("h")
        .with_boundaries(vec![10.0, 100.0])
        .build();
    for v in [1, 7, 50, 20, 500, 1000, 10] {
        hist.record(v, &[]);
    }
    let rm = collect(&reader);
    let AggregatedMetrics::U64(MetricData::Histogram(h)) = &rm.scope_metrics[0].metrics[0].data
    else {
        panic!("not a histogram");
    };
    let mut values: Vec<u64> = h.data_points[0].exemplars.iter().map(|e| e.value).collect();
    values.sort_unstable();
    // (-inf,10]: 1, 7, 10 → 10; (10,100]: 50, 20 → 20; (100,inf): 500, 1000 → 1000.
    assert_eq!(values, [10, 20, 1000]);
}

#[test]
fn a_view_sets_a_fixed_size_reservoir() {
    let view = View::new(
        InstrumentSelector::new().with_name("c"),
        Stream::new().with_exemplar_reservoir(ExemplarReservoir::SimpleFixedSize { size: 3 }),
    );
    let (_p, reader, meter) = provider(
        Some(ExemplarFilter::AlwaysOn),
        TemporalityPreference::Cumulative,
        vec![view],
    );
    let counter = meter.u64_counter("c").build();
    for v in 1..=100 {
        counter.add(v, &[KeyValue::new("k", "v")]);
    }
    let ex = sum_exemplars(&collect(&reader), "c");
    assert_eq!(ex.len(), 3);
    assert!(ex.iter().all(|e| (1..=100).contains(&e.value)));

    // Without a view: one exemplar per series.
    let (_p, reader, meter) = provider(
        Some(ExemplarFilter::AlwaysOn),
        TemporalityPreference::Cumulative,
        vec![],
    );
    let counter = meter.u64_counter("c").build();
    for v in 1..=100 {
        counter.add(v, &[KeyValue::new("k", "v")]);
    }
    assert_eq!(sum_exemplars(&collect(&reader), "c").len(), 1);
}

#[test]
fn an_invalid_reservoir_makes_the_view_invalid() {
    common::record_diagnostics();
    let view = View::new(
        InstrumentSelector::new().with_name("c"),
        Stream::new()
            .with_name("renamed")
            .with_exemplar_reservoir(ExemplarReservoir::SimpleFixedSize { size: 0 }),
    );
    let (_p, reader, meter) = provider(None, TemporalityPreference::Cumulative, vec![view]);
    meter.u64_counter("c").build().add(1, &[]);
    let rm = collect(&reader);
    assert_eq!(
        rm.scope_metrics[0].metrics[0].name, "c",
        "the view is ignored"
    );
    assert!(!common::diagnostics("MeterProvider.InvalidView").is_empty());
}

#[test]
fn delta_exemplars_reset_each_collection_and_cumulative_ones_stay() {
    let (_p, reader, meter) = provider(None, TemporalityPreference::Delta, vec![]);
    let counter = meter.u64_counter("c").build();
    let attrs = [KeyValue::new("k", "v")];
    {
        let _g = in_span(1, 2, true);
        counter.add(1, &attrs);
    }
    assert_eq!(sum_exemplars(&collect(&reader), "c").len(), 1);
    counter.add(1, &attrs);
    let rm = collect(&reader);
    assert!(
        sum_exemplars(&rm, "c").is_empty(),
        "the delta point of the next interval has no exemplar: none was sampled in it"
    );

    let (_p, reader, meter) = provider(None, TemporalityPreference::Cumulative, vec![]);
    let counter = meter.u64_counter("c").build();
    {
        let _g = in_span(1, 2, true);
        counter.add(1, &attrs);
    }
    assert_eq!(sum_exemplars(&collect(&reader), "c").len(), 1);
    counter.add(1, &attrs);
    let ex = sum_exemplars(&collect(&reader), "c");
    assert_eq!(
        ex.len(),
        1,
        "a cumulative point keeps exemplars from its whole interval"
    );
    {
        let _g = in_span(7, 8, true);
        counter.add(9, &attrs);
    }
    let ex = sum_exemplars(&collect(&reader), "c");
    assert_eq!(
        (ex.len(), ex[0].value),
        (1, 9),
        "newer measurements replace older ones"
    );
}

#[test]
fn the_overflow_series_exemplars_carry_every_attribute() {
    let reader = ManualReader::builder().with_cardinality_limit(2).build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_exemplar_filter(ExemplarFilter::AlwaysOn)
        .build();
    let counter = provider.meter("m").u64_counter("c").build();
    counter.add(1, &[KeyValue::new("k", 1)]);
    counter.add(1, &[KeyValue::new("k", 2)]);
    let rm = collect(&reader);
    let AggregatedMetrics::U64(MetricData::Sum(sum)) = &rm.scope_metrics[0].metrics[0].data else {
        panic!("not a sum");
    };
    let overflow = sum
        .data_points
        .iter()
        .find(|p| *p.attributes == [KeyValue::new("otel.metric.overflow", true)])
        .expect("an overflow point");
    assert_eq!(
        overflow.exemplars[0].filtered_attributes,
        [KeyValue::new("k", 2)]
    );
}

#[test]
fn exponential_histograms_keep_up_to_twenty_exemplars_by_default() {
    use opentelemetry_sdk::metrics::Aggregation;
    let view = View::new(
        InstrumentSelector::new().with_name("latency"),
        Stream::new().with_aggregation(Aggregation::default_exponential_histogram()),
    );
    let (_p, reader, meter) = provider(
        Some(ExemplarFilter::AlwaysOn),
        TemporalityPreference::Cumulative,
        vec![view],
    );
    let histogram = meter.f64_histogram("latency").build();
    for i in 0..100 {
        histogram.record(f64::from(i) + 0.5, &[]);
    }
    let rm = collect(&reader);
    let mut found = None;
    for m in rm.scope_metrics.iter().flat_map(|s| &s.metrics) {
        if let AggregatedMetrics::F64(MetricData::ExponentialHistogram(h)) = &m.data {
            found = Some(h.data_points[0].exemplars.clone());
        }
    }
    let exemplars = found.expect("an exponential histogram");
    assert_eq!(exemplars.len(), 20, "min(20, max_size) exemplars");
    assert!(exemplars.iter().all(|e| (0.5..100.0).contains(&e.value)));
}

/// What a [`Recording`] reservoir saw: the series it was made for, and each offer.
#[derive(Debug, Default)]
struct Seen {
    series: Vec<Vec<KeyValue>>,
    /// (value, filtered attributes, the span ID of the measurement's context)
    offers: Vec<(u64, Vec<KeyValue>, SpanId)>,
}

/// A user reservoir that keeps every offer until a delta collection resets it.
struct Recording {
    kept: Vec<Exemplar<u64>>,
    seen: std::sync::Arc<std::sync::Mutex<Seen>>,
}

impl CustomReservoir<u64> for Recording {
    fn offer(
        &mut self,
        value: u64,
        time: std::time::SystemTime,
        filtered: &[KeyValue],
        cx: &Context,
    ) {
        assert_ne!(value, 13, "the SDK contains a reservoir's panic");
        let span = cx.span();
        let sc = span.span_context();
        self.seen
            .lock()
            .unwrap()
            .offers
            .push((value, filtered.to_vec(), sc.span_id()));
        self.kept.push(Exemplar {
            filtered_attributes: filtered.to_vec(),
            time,
            value,
            trace_id: sc.trace_id(),
            span_id: sc.span_id(),
        });
    }

    fn collect(&mut self, reset: bool) -> Vec<Exemplar<u64>> {
        if reset {
            std::mem::take(&mut self.kept)
        } else {
            self.kept.clone()
        }
    }
}

/// A reservoir that keeps nothing (for the number types the test does not use).
struct Nothing;

impl<T> CustomReservoir<T> for Nothing {
    fn offer(&mut self, _: T, _: std::time::SystemTime, _: &[KeyValue], _: &Context) {}
    fn collect(&mut self, _: bool) -> Vec<Exemplar<T>> {
        Vec::new()
    }
}

#[derive(Debug, Default)]
struct RecordingFactory(std::sync::Arc<std::sync::Mutex<Seen>>);

impl CustomReservoirFactory for RecordingFactory {
    fn reservoir_u64(&self, series: &[KeyValue]) -> Box<dyn CustomReservoir<u64>> {
        self.0.lock().unwrap().series.push(series.to_vec());
        Box::new(Recording {
            kept: Vec::new(),
            seen: self.0.clone(),
        })
    }
    fn reservoir_i64(&self, _: &[KeyValue]) -> Box<dyn CustomReservoir<i64>> {
        Box::new(Nothing)
    }
    fn reservoir_f64(&self, _: &[KeyValue]) -> Box<dyn CustomReservoir<f64>> {
        Box::new(Nothing)
    }
}

#[test]
fn a_custom_reservoir_gets_eligible_offers_with_context_and_its_series_attributes() {
    common::record_diagnostics();
    let factory = std::sync::Arc::new(RecordingFactory::default());
    let seen = factory.0.clone();
    let view = View::new(
        InstrumentSelector::new().with_name("c"),
        Stream::new()
            .with_allowed_attribute_keys(["route"])
            .with_exemplar_reservoir(ExemplarReservoir::Custom(factory)),
    );
    let (_p, reader, meter) = provider(None, TemporalityPreference::Delta, vec![view]);
    let counter = meter.u64_counter("c").build();
    let attrs = [KeyValue::new("route", "/a"), KeyValue::new("user", "u1")];

    // Trace-based filter (the default): outside a sampled span, nothing is offered.
    counter.add(1, &attrs);
    {
        let _unsampled = in_span(5, 6, false);
        counter.add(2, &attrs);
    }
    {
        let _sampled = in_span(7, 8, true);
        counter.add(3, &attrs);
        counter.add(4, &[KeyValue::new("route", "/b")]);
        // A panicking reservoir loses the exemplar, never the measurement.
        counter.add(13, &attrs);
    }
    {
        let seen = seen.lock().unwrap();
        // One reservoir per series, made with the series' own (view-kept) attributes.
        assert_eq!(
            seen.series,
            [
                vec![KeyValue::new("route", "/a")],
                vec![KeyValue::new("route", "/b")]
            ]
        );
        // Offers carry the attributes the series dropped, and the measurement's context.
        assert_eq!(
            seen.offers,
            [
                (3, vec![KeyValue::new("user", "u1")], SpanId::from(8u64)),
                (4, vec![], SpanId::from(8u64)),
            ]
        );
    }
    assert_eq!(
        common::diagnostics("Metrics.ExemplarReservoirPanicked").len(),
        1
    );

    let rm = collect(&reader);
    let exemplars = sum_exemplars(&rm, "c");
    assert_eq!(exemplars.len(), 2);
    assert_eq!(exemplars[0].value, 3);
    assert_eq!(exemplars[0].trace_id, TraceId::from(7u128));
    assert_eq!(
        exemplars[0].filtered_attributes,
        [KeyValue::new("user", "u1")]
    );
    // The sums themselves are untouched by the reservoir (1+2+3+13 and 4).
    let mut sums: Vec<u64> = rm
        .scope_metrics
        .iter()
        .flat_map(|s| &s.metrics)
        .filter_map(|m| match &m.data {
            AggregatedMetrics::U64(MetricData::Sum(sum)) => Some(sum),
            _ => None,
        })
        .flat_map(|sum| sum.data_points.iter().map(|p| p.value))
        .collect();
    sums.sort_unstable();
    assert_eq!(sums, [4, 19]);
    // Delta: the reservoir was told to reset.
    counter.add(1, &attrs);
    assert!(sum_exemplars(&collect(&reader), "c").is_empty());
}

/// The documentation row of the matrix: the View docs warn that attributes a view removes
/// still appear on exemplars (which `attributes_a_view_removes_are_the_exemplars_filtered_attributes`
/// shows happening).
#[test]
fn view_docs_note_that_filtered_attributes_appear_on_exemplars() {
    let view_docs = include_str!("../src/metrics/view.rs");
    assert!(view_docs.contains(
        "/// Attributes a view removes from a stream are gone from its data points, but they still\n/// appear on exemplars as filtered attributes"
    ));
}
