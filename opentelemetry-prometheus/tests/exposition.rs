//! The exposition the exporter renders, line by line, for each conversion rule.

use opentelemetry_api::metrics::MeterProvider;
use opentelemetry_api::trace::{SpanId, TraceId};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_prometheus::{exporter, ExporterBuilder, Format, PrometheusExporter};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, Exemplar, ExponentialBucket, ExponentialHistogram,
    ExponentialHistogramDataPoint, Histogram, HistogramDataPoint, Metric, MetricData,
    MetricProducer, ScopeMetrics, SdkMeterProvider, Sum, SumDataPoint, Temporality,
};
use opentelemetry_sdk::Resource;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn setup(builder: ExporterBuilder) -> (PrometheusExporter, SdkMeterProvider) {
    let exporter = builder.build();
    let provider = SdkMeterProvider::builder()
        .with_resource(Resource::empty())
        .with_reader(exporter.reader())
        .build();
    (exporter, provider)
}

fn text(e: &PrometheusExporter) -> String {
    e.render_format(Format::Text)
}

fn lines(body: &str) -> Vec<&str> {
    body.lines().collect()
}

#[derive(Debug)]
struct Fixed(ScopeMetrics);

impl MetricProducer for Fixed {
    fn produce(&self) -> opentelemetry_sdk::Result<ScopeMetrics> {
        Ok(self.0.clone())
    }
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn metric(name: &'static str, unit: &'static str, data: AggregatedMetrics) -> Metric {
    Metric {
        name: name.into(),
        description: "".into(),
        unit: unit.into(),
        data,
    }
}

fn producer_scope(metrics: Vec<Metric>) -> ScopeMetrics {
    ScopeMetrics {
        scope: InstrumentationScope::builder("producer").build(),
        metrics,
    }
}

#[test]
fn counters_get_unit_and_total_suffixes() {
    let (e, p) = setup(exporter());
    let c = p
        .meter("m")
        .u64_counter("http.requests")
        .with_unit("By")
        .with_description("Bytes\nserved \\ total")
        .build();
    c.add(5, &[KeyValue::new("route", "/a")]);
    assert_eq!(
        lines(&text(&e)),
        [
            "# HELP http_requests_bytes_total Bytes\\nserved \\\\ total",
            "# TYPE http_requests_bytes_total counter",
            "http_requests_bytes_total{route=\"/a\",otel_scope_name=\"m\"} 5",
        ]
    );
}

#[test]
fn openmetrics_names_counter_families_without_total_and_ends_with_eof() {
    let (e, p) = setup(exporter());
    let c = p.meter("m").f64_counter("latency").with_unit("ms").build();
    c.add(1.5, &[]);
    let body = e.render_format(Format::OpenMetrics);
    let l = lines(&body);
    assert_eq!(l[0], "# TYPE latency_milliseconds counter");
    assert_eq!(l[1], "# UNIT latency_milliseconds milliseconds");
    assert_eq!(
        l[2],
        "latency_milliseconds_total{otel_scope_name=\"m\"} 1.5"
    );
    assert!(l[3].starts_with("latency_milliseconds_created{otel_scope_name=\"m\"} 1"));
    assert_eq!(l[4], "# EOF");
    assert_eq!(l.len(), 5);
}

#[test]
fn units_and_counter_suffixes_can_be_turned_off() {
    let (e, p) = setup(exporter().without_units().without_counter_suffixes());
    p.meter("m")
        .u64_counter("sent")
        .with_unit("By")
        .build()
        .add(2, &[]);
    p.meter("m")
        .f64_gauge("load")
        .with_unit("1")
        .build()
        .record(0.5, &[]);
    let body = text(&e);
    assert!(
        body.contains("# TYPE sent counter\nsent{otel_scope_name=\"m\"} 2\n"),
        "{body}"
    );
    assert!(
        body.contains("# TYPE load gauge\nload{otel_scope_name=\"m\"} 0.5\n"),
        "{body}"
    );
    let om = e.render_format(Format::OpenMetrics);
    assert!(!om.contains("# UNIT"), "{om}");
}

#[test]
fn gauges_and_up_down_counters_become_gauges() {
    let (e, p) = setup(exporter().without_scope_info());
    let m = p.meter("m");
    m.f64_gauge("temperature")
        .with_unit("Cel")
        .build()
        .record(21.5, &[]);
    m.i64_up_down_counter("queue")
        .with_unit("{item}")
        .build()
        .add(-3, &[]);
    m.f64_gauge("usage")
        .with_unit("1")
        .build()
        .record(0.25, &[]);
    assert_eq!(
        lines(&text(&e)),
        [
            "# TYPE temperature_celsius gauge",
            "temperature_celsius 21.5",
            "# TYPE queue gauge",
            "queue -3",
            "# TYPE usage_ratio gauge",
            "usage_ratio 0.25",
        ]
    );
}

#[test]
fn histograms_have_cumulative_buckets_inf_sum_and_count() {
    let (e, p) = setup(exporter().without_scope_info());
    let h = p
        .meter("m")
        .f64_histogram("duration")
        .with_unit("s")
        .with_boundaries(vec![0.1, 1.0])
        .build();
    for v in [0.05, 0.5, 0.7, 3.0] {
        h.record(v, &[KeyValue::new("k", "v")]);
    }
    assert_eq!(
        lines(&text(&e)),
        [
            "# TYPE duration_seconds histogram",
            "duration_seconds_bucket{k=\"v\",le=\"0.1\"} 1",
            "duration_seconds_bucket{k=\"v\",le=\"1\"} 3",
            "duration_seconds_bucket{k=\"v\",le=\"+Inf\"} 4",
            "duration_seconds_sum{k=\"v\"} 4.25",
            "duration_seconds_count{k=\"v\"} 4",
        ]
    );
    let om = e.render_format(Format::OpenMetrics);
    assert!(
        om.contains("duration_seconds_bucket{k=\"v\",le=\"1.0\"} 3\n"),
        "{om}"
    );
}

#[test]
fn a_histogram_attribute_named_le_is_dropped() {
    let (e, p) = setup(exporter().without_scope_info());
    let h = p
        .meter("m")
        .u64_histogram("h")
        .with_boundaries(vec![1.0])
        .build();
    h.record(1, &[KeyValue::new("le", "x"), KeyValue::new("k", "v")]);
    assert_eq!(
        lines(&text(&e))[1..3],
        [
            "h_bucket{k=\"v\",le=\"1\"} 1",
            "h_bucket{k=\"v\",le=\"+Inf\"} 1"
        ]
    );
}

#[test]
fn metadata_is_written_once_per_name_and_conflicting_types_are_dropped() {
    let (e, p) = setup(exporter());
    p.meter("a")
        .u64_counter("jobs")
        .with_description("first")
        .build()
        .add(1, &[]);
    p.meter("b")
        .u64_counter("jobs")
        .with_description("second")
        .build()
        .add(2, &[]);
    // `jobs` as a gauge conflicts with the counter family `jobs`: dropped.
    p.meter("c").i64_gauge("jobs").build().record(7, &[]);
    let body = text(&e);
    assert_eq!(
        lines(&body),
        [
            "# HELP jobs_total first",
            "# TYPE jobs_total counter",
            "jobs_total{otel_scope_name=\"a\"} 1",
            "jobs_total{otel_scope_name=\"b\"} 2",
        ]
    );
}

#[test]
fn scope_labels_are_on_every_point_and_can_be_disabled() {
    let (e, p) = setup(exporter());
    let scope = InstrumentationScope::builder("lib")
        .with_version("1.2")
        .with_schema_url("https://s/1")
        .with_attributes([
            KeyValue::new("team.name", "core"),
            KeyValue::new("name", "dropped"),
        ])
        .build();
    p.meter_with_scope(scope)
        .i64_gauge("g")
        .build()
        .record(1, &[KeyValue::new("x", 1)]);
    assert_eq!(
        lines(&text(&e))[1],
        "g{x=\"1\",otel_scope_name=\"lib\",otel_scope_version=\"1.2\",otel_scope_schema_url=\"https://s/1\",otel_scope_team_name=\"core\"} 1"
    );
    let (e, p) = setup(exporter().without_scope_info());
    p.meter("lib").i64_gauge("g").build().record(1, &[]);
    assert_eq!(lines(&text(&e)), ["# TYPE g gauge", "g 1"]);
}

#[test]
fn label_keys_are_sanitized_and_collisions_merged_in_key_order() {
    let (e, p) = setup(exporter().without_scope_info());
    let attrs = [
        KeyValue::new("a.b", "dot"),
        KeyValue::new("a_b", "underscore"),
        KeyValue::new("a-b", "dash"),
        KeyValue::new("1x", true),
        KeyValue::new("q", "say \"hi\"\n"),
    ];
    p.meter("m").u64_counter("c").build().add(1, &attrs);
    assert_eq!(
        lines(&text(&e))[1],
        "c_total{_1x=\"true\",a_b=\"dash;dot;underscore\",q=\"say \\\"hi\\\"\\n\"} 1"
    );
}

#[test]
fn metric_names_are_sanitized() {
    // The SDK refuses such instrument names; producers may still bring them.
    let gauge = opentelemetry_sdk::metrics::Gauge {
        data_points: vec![opentelemetry_sdk::metrics::GaugeDataPoint {
            attributes: Default::default(),
            start_time: None,
            time: at(1),
            value: 1i64,
            exemplars: vec![],
        }],
    };
    let scope = producer_scope(vec![metric(
        "1st.value/x é",
        "",
        AggregatedMetrics::I64(MetricData::Gauge(gauge)),
    )]);
    let (e, _p) = setup(exporter().without_scope_info().with_producer(Fixed(scope)));
    assert_eq!(
        lines(&text(&e)),
        ["# TYPE _1st_value_x_ gauge", "_1st_value_x_ 1"]
    );
}

#[test]
fn target_info_carries_the_resource_with_job_and_instance() {
    let exporter = exporter().without_scope_info().build();
    let provider = SdkMeterProvider::builder()
        .with_resource(
            Resource::builder_empty()
                .with_attributes([
                    KeyValue::new("service.name", "shop"),
                    KeyValue::new("service.namespace", "prod"),
                    KeyValue::new("service.instance.id", "i-1"),
                    KeyValue::new("host.arch", "amd64"),
                ])
                .build(),
        )
        .with_reader(exporter.reader())
        .build();
    provider.meter("m").i64_gauge("g").build().record(1, &[]);
    let body = text(&exporter);
    assert_eq!(
        lines(&body)[..3],
        [
            "# HELP target_info Target metadata",
            "# TYPE target_info gauge",
            "target_info{host_arch=\"amd64\",instance=\"i-1\",job=\"prod/shop\",service_instance_id=\"i-1\",service_name=\"shop\",service_namespace=\"prod\"} 1",
        ]
    );
    let om = exporter.render_format(Format::OpenMetrics);
    assert!(
        om.starts_with("# HELP target Target metadata\n# TYPE target info\ntarget_info{"),
        "{om}"
    );
}

#[test]
fn target_info_can_be_disabled_and_is_absent_for_an_empty_resource() {
    let (e, p) = setup(exporter());
    p.meter("m").i64_gauge("g").build().record(1, &[]);
    assert!(!text(&e).contains("target_info"));
    let exporter = exporter().without_target_info().build();
    let provider = SdkMeterProvider::builder()
        .with_resource(Resource::builder_empty().with_service_name("svc").build())
        .with_reader(exporter.reader())
        .build();
    provider.meter("m").i64_gauge("g").build().record(1, &[]);
    assert!(!text(&exporter).contains("target_info"));
}

fn delta_scope() -> ScopeMetrics {
    let sum = Sum {
        data_points: vec![SumDataPoint {
            attributes: vec![KeyValue::new("k", "v")].into(),
            start_time: at(100),
            time: at(110),
            value: 3u64,
            exemplars: vec![],
        }],
        temporality: Temporality::Delta,
        is_monotonic: true,
    };
    let updown = Sum {
        data_points: vec![SumDataPoint {
            attributes: Default::default(),
            start_time: at(100),
            time: at(110),
            value: -2i64,
            exemplars: vec![],
        }],
        temporality: Temporality::Delta,
        is_monotonic: false,
    };
    let hist = Histogram {
        data_points: vec![HistogramDataPoint {
            attributes: Default::default(),
            start_time: at(100),
            time: at(110),
            count: 3,
            bounds: vec![1.0, 5.0],
            bucket_counts: vec![1, 1, 1],
            min: None,
            max: None,
            sum: Some(9.5f64),
            exemplars: vec![],
        }],
        temporality: Temporality::Delta,
    };
    producer_scope(vec![
        metric("events", "", AggregatedMetrics::U64(MetricData::Sum(sum))),
        metric("level", "", AggregatedMetrics::I64(MetricData::Sum(updown))),
        metric(
            "sizes",
            "",
            AggregatedMetrics::F64(MetricData::Histogram(hist)),
        ),
    ])
}

#[test]
fn delta_sums_and_histograms_are_accumulated_into_cumulative_series() {
    let (e, _p) = setup(
        exporter()
            .without_scope_info()
            .with_producer(Fixed(delta_scope())),
    );
    let first = text(&e);
    assert!(first.contains("events_total{k=\"v\"} 3\n"), "{first}");
    let second = text(&e);
    assert_eq!(
        lines(&second),
        [
            "# TYPE events_total counter",
            "events_total{k=\"v\"} 6",
            "# TYPE level gauge",
            "level -4",
            "# TYPE sizes histogram",
            "sizes_bucket{le=\"1\"} 2",
            "sizes_bucket{le=\"5\"} 4",
            "sizes_bucket{le=\"+Inf\"} 6",
            "sizes_sum 19",
            "sizes_count 6",
        ]
    );
}

fn exponential_scope(temporality: Temporality) -> ScopeMetrics {
    let point = ExponentialHistogramDataPoint {
        attributes: Default::default(),
        start_time: at(100),
        time: at(110),
        count: 6,
        min: None,
        max: None,
        sum: Some(10.0f64),
        scale: 0,
        zero_count: 1,
        zero_threshold: 0.0,
        // (1, 2]: 2 values, (2, 4]: 0, (4, 8]: 1.
        positive_bucket: ExponentialBucket {
            offset: 0,
            bucket_counts: vec![2, 0, 1],
        },
        // [-2, -1): 2 values.
        negative_bucket: ExponentialBucket {
            offset: 0,
            bucket_counts: vec![2],
        },
        exemplars: vec![],
    };
    producer_scope(vec![metric(
        "spread",
        "",
        AggregatedMetrics::F64(MetricData::ExponentialHistogram(ExponentialHistogram {
            data_points: vec![point],
            temporality,
        })),
    )])
}

#[test]
fn exponential_histograms_become_explicit_bucket_histograms() {
    let scope = exponential_scope(Temporality::Cumulative);
    let (e, _p) = setup(exporter().without_scope_info().with_producer(Fixed(scope)));
    assert_eq!(
        lines(&text(&e)),
        [
            "# TYPE spread histogram",
            "spread_bucket{le=\"-1\"} 2",
            "spread_bucket{le=\"0\"} 3",
            "spread_bucket{le=\"2\"} 5",
            "spread_bucket{le=\"4\"} 5",
            "spread_bucket{le=\"8\"} 6",
            "spread_bucket{le=\"+Inf\"} 6",
            "spread_sum 10",
            "spread_count 6",
        ]
    );
}

#[test]
fn delta_exponential_histograms_are_accumulated() {
    let scope = exponential_scope(Temporality::Delta);
    let (e, _p) = setup(exporter().without_scope_info().with_producer(Fixed(scope)));
    text(&e);
    let body = text(&e);
    assert!(body.contains("spread_bucket{le=\"8\"} 12\nspread_bucket{le=\"+Inf\"} 12\nspread_sum 20\nspread_count 12\n"), "{body}");
    assert!(body.contains("spread_bucket{le=\"-1\"} 4\n"), "{body}");
}

#[test]
fn exemplars_are_rendered_in_openmetrics_only() {
    let trace_id = TraceId::from_hex("0af7651916cd43dd8448eb211c80319c").unwrap();
    let span_id = SpanId::from_hex("b7ad6b7169203331").unwrap();
    let exemplar = |value: f64, secs: u64| Exemplar {
        filtered_attributes: vec![KeyValue::new("user.id", "u1")],
        time: at(secs),
        value,
        trace_id,
        span_id,
    };
    let counter = Sum {
        data_points: vec![SumDataPoint {
            attributes: Default::default(),
            start_time: at(100),
            time: at(110),
            value: 4.0,
            exemplars: vec![exemplar(1.0, 101), exemplar(3.0, 105)],
        }],
        temporality: Temporality::Cumulative,
        is_monotonic: true,
    };
    let hist = Histogram {
        data_points: vec![HistogramDataPoint {
            attributes: Default::default(),
            start_time: at(100),
            time: at(110),
            count: 2,
            bounds: vec![1.0],
            bucket_counts: vec![1, 1],
            min: None,
            max: None,
            sum: Some(2.5),
            exemplars: vec![exemplar(0.5, 102), exemplar(2.0, 103)],
        }],
        temporality: Temporality::Cumulative,
    };
    let scope = producer_scope(vec![
        metric("hits", "", AggregatedMetrics::F64(MetricData::Sum(counter))),
        metric(
            "lat",
            "",
            AggregatedMetrics::F64(MetricData::Histogram(hist)),
        ),
    ]);
    let (e, _p) = setup(exporter().without_scope_info().with_producer(Fixed(scope)));
    let om = e.render_format(Format::OpenMetrics);
    let ex =
        "trace_id=\"0af7651916cd43dd8448eb211c80319c\",span_id=\"b7ad6b7169203331\",user_id=\"u1\"";
    assert!(
        om.contains(&format!("hits_total 4.0 # {{{ex}}} 3.0 105.000\n")),
        "{om}"
    );
    assert!(
        om.contains(&format!(
            "lat_bucket{{le=\"1.0\"}} 1 # {{{ex}}} 0.5 102.000\n"
        )),
        "{om}"
    );
    assert!(
        om.contains(&format!(
            "lat_bucket{{le=\"+Inf\"}} 2 # {{{ex}}} 2.0 103.000\n"
        )),
        "{om}"
    );
    assert!(om.contains("hits_created 100.000\n"), "{om}");
    assert!(!text(&e).contains('#') || !text(&e).contains("trace_id"));
}

#[test]
fn render_negotiates_the_format() {
    let (e, p) = setup(exporter());
    p.meter("m").u64_counter("c").build().add(1, &[]);
    let (ct, body) = e.render(Some(
        "application/openmetrics-text;version=1.0.0,text/plain;q=0.5",
    ));
    assert!(ct.starts_with("application/openmetrics-text; version=1.0.0"));
    assert!(body.ends_with("# EOF\n"));
    let (ct, body) = e.render(None);
    assert!(ct.starts_with("text/plain; version=0.0.4"));
    assert!(!body.contains("# EOF"));
}

#[test]
fn an_unregistered_exporter_renders_an_empty_exposition() {
    let e = exporter().build();
    assert_eq!(text(&e), "");
    assert_eq!(e.render_format(Format::OpenMetrics), "# EOF\n");
}
