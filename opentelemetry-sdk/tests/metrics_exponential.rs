//! The base-2 exponential histogram aggregation end to end: selected by views (and reader
//! defaults), parameters validated, temporalities over several collections, invalid values,
//! and the exporters that carry or print it.

mod common;

use common::diagnostics;
use opentelemetry_api::metrics::{Meter, MeterProvider};
use opentelemetry_api::KeyValue;
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, Aggregation, ConsoleMetricExporter, ExponentialBucket,
    ExponentialHistogramDataPoint, InMemoryMetricExporter, InstrumentKind, InstrumentSelector,
    ManualReader, MetricData, PeriodicReader, ResourceMetrics, SdkMeterProvider,
    StdoutMetricExporter, Stream, Temporality, TemporalityPreference, View,
};
use std::io::Write;
use std::sync::{Arc, Mutex};

fn exponential(max_size: u32, max_scale: i8) -> Aggregation {
    Aggregation::Base2ExponentialHistogram {
        max_size,
        max_scale,
        record_min_max: true,
    }
}

fn view(name: &'static str, aggregation: Aggregation) -> View {
    View::new(
        InstrumentSelector::new().with_name(name),
        Stream::new().with_aggregation(aggregation),
    )
}

fn setup(
    preference: TemporalityPreference,
    views: Vec<View>,
) -> (SdkMeterProvider, ManualReader, Meter) {
    let reader = ManualReader::builder().with_temporality(preference).build();
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

/// The data of metric `name`, if collected.
fn find<'a>(rm: &'a ResourceMetrics, name: &str) -> Option<&'a AggregatedMetrics> {
    rm.scope_metrics
        .iter()
        .flat_map(|s| &s.metrics)
        .find(|m| m.name == name)
        .map(|m| &m.data)
}

fn f64_points(
    rm: &ResourceMetrics,
    name: &str,
) -> (Temporality, Vec<ExponentialHistogramDataPoint<f64>>) {
    match find(rm, name) {
        Some(AggregatedMetrics::F64(MetricData::ExponentialHistogram(h))) => {
            (h.temporality, h.data_points.clone())
        }
        other => panic!("{name}: {other:?}"),
    }
}

fn bucket(offset: i32, bucket_counts: &[u64]) -> ExponentialBucket {
    ExponentialBucket {
        offset,
        bucket_counts: bucket_counts.to_vec(),
    }
}

#[test]
fn a_view_selects_the_exponential_histogram() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(
        TemporalityPreference::Cumulative,
        vec![view("latency", exponential(4, 20))],
    );
    let h = meter.f64_histogram("latency").with_unit("s").build();
    let other = meter.f64_histogram("other").build();
    let attrs = [KeyValue::new("route", "/a")];
    for k in 0..8 {
        h.record(2f64.powi(k), &attrs);
    }
    h.record(0.0, &attrs);
    other.record(1.0, &[]);
    let rm = collect(&reader);
    let (temporality, points) = f64_points(&rm, "latency");
    assert_eq!(temporality, Temporality::Cumulative);
    let p = &points[0];
    assert_eq!(*p.attributes, attrs);
    // 1, 2, 4 ... 128 in 4 buckets: scale -2 (base 16): (1/16,1] (1,16] (16,256].
    assert_eq!(p.scale, -2);
    assert_eq!(p.positive_bucket, bucket(-1, &[1, 4, 3]));
    assert_eq!(p.negative_bucket, ExponentialBucket::default());
    assert_eq!((p.zero_count, p.zero_threshold), (1, 0.0));
    assert_eq!(p.count, 9);
    assert_eq!(p.sum, Some(255.0));
    assert_eq!((p.min, p.max), (Some(0.0), Some(128.0)));
    assert!(p.exemplars.is_empty());
    assert!(
        matches!(
            find(&rm, "other"),
            Some(AggregatedMetrics::F64(MetricData::Histogram(_)))
        ),
        "instruments no view selects keep the explicit-bucket default"
    );
    assert!(diagnostics("MeterProvider.InvalidView").is_empty());
}

#[test]
fn the_default_parameters_give_scale_20_for_one_value() {
    let (_provider, reader, meter) = setup(
        TemporalityPreference::Cumulative,
        vec![view("h", Aggregation::default_exponential_histogram())],
    );
    let h = meter.u64_histogram("h").build();
    h.record(3, &[]);
    let rm = collect(&reader);
    let Some(AggregatedMetrics::U64(MetricData::ExponentialHistogram(hist))) = find(&rm, "h")
    else {
        panic!("{rm:?}")
    };
    let p = &hist.data_points[0];
    // 3 = 1.5 · 2^1; log2(1.5) · 2^20 = 613377.64: index 2^20 + 613377.
    assert_eq!(p.scale, 20);
    assert_eq!(p.positive_bucket, bucket((1 << 20) + 613_377, &[1]));
    assert_eq!((p.sum, p.min, p.max), (Some(3), Some(3), Some(3)));
}

#[test]
fn delta_collections_reset_and_cumulative_ones_accumulate() {
    let views = || vec![view("h", exponential(4, 3))];
    let (_dp, delta, dm) = setup(TemporalityPreference::Delta, views());
    let (_cp, cumulative, cm) = setup(TemporalityPreference::Cumulative, views());
    let dh = dm.f64_histogram("h").build();
    let ch = cm.f64_histogram("h").build();
    let record = |v: f64| {
        dh.record(v, &[]);
        ch.record(v, &[]);
    };

    // Interval 1: 1 and 4 at max scale 3 are buckets -1 and 15: scale 0 (-1, 1) fits 4.
    record(1.0);
    record(4.0);
    let (t, d) = f64_points(&collect(&delta), "h");
    assert_eq!(t, Temporality::Delta);
    assert_eq!(
        (d[0].scale, &d[0].positive_bucket),
        (0, &bucket(-1, &[1, 0, 1]))
    );
    let (t, c) = f64_points(&collect(&cumulative), "h");
    assert_eq!(t, Temporality::Cumulative);
    assert_eq!(c[0], {
        let mut expected = d[0].clone();
        expected.start_time = c[0].start_time;
        expected.time = c[0].time;
        expected
    });

    // Interval 2: 1.5 alone. Delta starts again at the maximum scale: at scale 3,
    // log2(1.5) · 8 = 4.68, bucket 4. Cumulative stays at scale 0: bucket 0 (1, 2].
    record(1.5);
    let (_, d) = f64_points(&collect(&delta), "h");
    assert_eq!((d[0].scale, &d[0].positive_bucket), (3, &bucket(4, &[1])));
    assert_eq!(
        (d[0].count, d[0].sum, d[0].min, d[0].max),
        (1, Some(1.5), Some(1.5), Some(1.5))
    );
    let (_, c) = f64_points(&collect(&cumulative), "h");
    assert_eq!(
        (c[0].scale, &c[0].positive_bucket),
        (0, &bucket(-1, &[1, 1, 1]))
    );
    assert_eq!(
        (c[0].count, c[0].sum, c[0].min, c[0].max),
        (3, Some(6.5), Some(1.0), Some(4.0))
    );

    // Interval 3: nothing recorded. Delta has no point; cumulative repeats itself.
    assert!(find(&collect(&delta), "h").is_none());
    let (_, again) = f64_points(&collect(&cumulative), "h");
    assert_eq!(
        (
            again[0].count,
            &again[0].positive_bucket,
            again[0].start_time
        ),
        (3, &c[0].positive_bucket, c[0].start_time)
    );

    // Interval 4: 1000. Cumulative: scale-0 buckets -1..=9 are 11 > 4, scale -1 still needs
    // -1..=4, scale -2 fits in -1..=2.
    record(1000.0);
    let (_, d) = f64_points(&collect(&delta), "h");
    // Alone in its interval: scale 3; 1000 = 1.953 · 2^9, log2(1.953) · 8 = 7.73.
    assert_eq!((d[0].scale, &d[0].positive_bucket), (3, &bucket(79, &[1])));
    let (_, c) = f64_points(&collect(&cumulative), "h");
    // Scale -2 (base 16): (1/16,1] (1,16] (16,256] (256,4096].
    assert_eq!(
        (c[0].scale, &c[0].positive_bucket),
        (-2, &bucket(-1, &[1, 2, 0, 1]))
    );
    assert_eq!(c[0].count, 4);
}

#[test]
fn nan_and_infinities_are_ignored_and_reported_once() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(
        TemporalityPreference::Cumulative,
        vec![view("h", Aggregation::default_exponential_histogram())],
    );
    let h = meter.f64_histogram("h").build();
    h.record(f64::NAN, &[]);
    h.record(2.0, &[]);
    h.record(f64::INFINITY, &[]);
    h.record(f64::NEG_INFINITY, &[]);
    let bound = h.bind(&[]);
    bound.record(f64::NAN);
    let rm = collect(&reader);
    let (_, points) = f64_points(&rm, "h");
    let p = &points[0];
    assert_eq!(
        (p.count, p.sum, p.min, p.max),
        (1, Some(2.0), Some(2.0), Some(2.0))
    );
    assert_eq!(p.positive_bucket, bucket((1 << 20) - 1, &[1]));
    let reported = diagnostics("Metrics.InvalidMeasurement");
    assert_eq!(reported.len(), 1, "{reported:?}");
}

#[test]
fn negative_values_of_up_down_counters_go_to_the_negative_range() {
    let (_provider, reader, meter) = setup(
        TemporalityPreference::Cumulative,
        vec![view("u", exponential(4, 20))],
    );
    let u = meter.i64_up_down_counter("u").build();
    for v in [-1, -2, -4, -8, 0, 5] {
        u.add(v, &[]);
    }
    let rm = collect(&reader);
    let Some(AggregatedMetrics::I64(MetricData::ExponentialHistogram(h))) = find(&rm, "u") else {
        panic!("{rm:?}")
    };
    let p = &h.data_points[0];
    // Scale 0: |v| in (0.5,1] (1,2] (2,4] (4,8]; 5 in (4,8] of the positive range.
    assert_eq!(p.scale, 0);
    assert_eq!(p.negative_bucket, bucket(-1, &[1, 1, 1, 1]));
    assert_eq!(p.positive_bucket, bucket(2, &[1]));
    assert_eq!(p.zero_count, 1);
    assert_eq!((p.min, p.max), (Some(-8), Some(5)));
    assert_eq!(
        p.sum, None,
        "no sum for instruments that may record negative values"
    );
}

#[test]
fn invalid_parameters_are_reported() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(
        TemporalityPreference::Cumulative,
        vec![
            view("small", exponential(1, 20)),
            view("fine", exponential(2, 21)),
            view("coarse", exponential(160, -11)),
        ],
    );
    for name in ["small", "fine", "coarse"] {
        meter.f64_histogram(name).build().record(1.0, &[]);
    }
    let rm = collect(&reader);
    let invalid = diagnostics("MeterProvider.InvalidView");
    assert_eq!(invalid.len(), 3, "{invalid:?}");
    assert!(
        invalid[0].contains("max_size 1 must be at least 2"),
        "{invalid:?}"
    );
    assert!(invalid[1].contains("max_scale 21"), "{invalid:?}");
    assert!(invalid[2].contains("max_scale -11"), "{invalid:?}");
    // The invalid views are ignored: the instruments keep their default aggregation.
    for name in ["small", "fine", "coarse"] {
        assert!(matches!(
            find(&rm, name),
            Some(AggregatedMetrics::F64(MetricData::Histogram(_)))
        ));
    }
}

#[test]
fn a_reader_default_selects_it_for_histograms_and_is_validated() {
    common::record_diagnostics();
    let reader = ManualReader::builder()
        .with_aggregation_selector(|kind| match kind {
            InstrumentKind::Histogram => exponential(8, 2),
            InstrumentKind::Counter => exponential(0, 2),
            _ => Aggregation::Default,
        })
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    let meter = provider.meter("test");
    meter.f64_histogram("h").build().record(1.0, &[]);
    meter.u64_counter("c").build().add(1, &[]);
    let rm = collect(&reader);
    let (_, points) = f64_points(&rm, "h");
    // 1.0 is a power of two: bucket (0 << 2) - 1 at scale 2.
    assert_eq!(
        (points[0].scale, &points[0].positive_bucket),
        (2, &bucket(-1, &[1]))
    );
    assert!(
        find(&rm, "c").is_none(),
        "an invalid reader default drops the stream"
    );
    let reported = diagnostics("Metrics.ReaderAggregationNotApplicable");
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(reported[0].contains("max_size 0"), "{reported:?}");
}

#[test]
fn asynchronous_instruments_cannot_use_it() {
    common::record_diagnostics();
    let (_provider, reader, meter) = setup(
        TemporalityPreference::Cumulative,
        vec![view("g", Aggregation::default_exponential_histogram())],
    );
    let _g = meter
        .f64_observable_gauge("g")
        .with_callback(|o| o.observe(1.0, &[]))
        .build();
    let rm = collect(&reader);
    assert!(matches!(
        find(&rm, "g"),
        Some(AggregatedMetrics::F64(MetricData::Gauge(_)))
    ));
    assert_eq!(diagnostics("Metrics.ViewNotApplicable").len(), 1);
}

#[test]
fn the_in_memory_exporter_carries_exponential_histograms() {
    let exporter = InMemoryMetricExporter::with_temporality(TemporalityPreference::Delta);
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .with_view(view("h", exponential(160, 0)))
        .build();
    let h = provider.meter("test").f64_histogram("h").build();
    h.record(3.0, &[]);
    h.record(0.0, &[]);
    provider.force_flush().expect("flush");
    h.record(5.0, &[]);
    provider.force_flush().expect("flush");
    let batches = exporter.get_finished_metrics();
    let points: Vec<_> = batches
        .iter()
        .map(|rm| f64_points(rm, "h").1[0].clone())
        .collect();
    assert_eq!(points.len(), 2);
    // Scale 0: 3 in (2, 4], then 5 in (4, 8] alone in the next delta interval.
    assert_eq!(points[0].positive_bucket, bucket(1, &[1]));
    assert_eq!((points[0].zero_count, points[0].count), (1, 2));
    assert_eq!(points[1].positive_bucket, bucket(2, &[1]));
    assert_eq!((points[1].zero_count, points[1].count), (0, 1));
    assert_eq!(points[1].negative_bucket, ExponentialBucket::default());
    assert_eq!(
        points[1].start_time, points[0].time,
        "delta intervals follow each other"
    );
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

fn print_with(exporter: impl opentelemetry_sdk::metrics::PushMetricExporter) {
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter).build())
        .with_view(view("temp", exponential(160, 0)))
        .build();
    let t = provider.meter("test").i64_gauge("temp").build();
    for v in [-3, 0, 3, 3, 5] {
        t.record(v, &[KeyValue::new("room", "a")]);
    }
    provider.force_flush().expect("flush");
}

#[test]
fn the_stdout_exporter_prints_scale_zero_bucket_and_ranges() {
    let buffer = Buffer::default();
    print_with(StdoutMetricExporter::with_writer(buffer.clone()));
    let text = buffer.text();
    assert!(
        text.contains("metric \"temp\" exponential_histogram cumulative"),
        "{text}"
    );
    // Scale 0: 3 is bucket 1 (2, 4], 5 bucket 2 (4, 8].
    assert!(
        text.contains(
            "count=5 sum=- min=-3 max=5 scale=0 zero_count=1 zero_threshold=0 \
             positive={offset=1 counts=[2, 1]} negative={offset=1 counts=[1]}"
        ),
        "{text}"
    );
}

#[test]
fn the_console_exporter_draws_a_bar_per_bucket() {
    let buffer = Buffer::default();
    print_with(ConsoleMetricExporter::with_writer(buffer.clone()));
    let text = buffer.text();
    assert!(
        text.contains("exponential histogram (cumulative)"),
        "{text}"
    );
    assert!(text.contains("count 5  min -3  max 5  scale 0"), "{text}");
    // The first export (force_flush); shutdown exports the same again.
    let bars: Vec<&str> = text.lines().filter(|l| l.contains('|')).take(4).collect();
    assert!(
        bars[0].contains("[-4, -2) ") && bars[0].ends_with("| 1"),
        "{text}"
    );
    assert!(
        bars[1].trim_start().starts_with("0 ") && bars[1].ends_with("| 1"),
        "{text}"
    );
    assert!(
        bars[2].contains("(2, 4] ") && bars[2].ends_with("| 2"),
        "{text}"
    );
    assert!(
        bars[3].contains("(4, 8] ") && bars[3].ends_with("| 1"),
        "{text}"
    );
}

#[test]
fn concurrent_recording_gives_the_same_histogram_as_sequential() {
    let values: Vec<f64> = (0..2000)
        .map(|i| {
            let v = 10f64.powf(-6.0 + 12.0 * f64::from(i % 997) / 996.0);
            if i % 5 == 0 {
                -v
            } else {
                v
            }
        })
        .collect();
    let run = |threads: usize| {
        let (_provider, reader, meter) = setup(
            TemporalityPreference::Cumulative,
            vec![view("u", exponential(20, 20))],
        );
        let u = meter.f64_up_down_counter("u").build();
        std::thread::scope(|s| {
            for chunk in values.chunks(values.len() / threads) {
                let u = &u;
                s.spawn(move || {
                    for v in chunk {
                        u.add(*v, &[KeyValue::new("k", "v")]);
                    }
                });
            }
        });
        let rm = collect(&reader);
        f64_points(&rm, "u").1.remove(0)
    };
    let sequential = run(1);
    let concurrent = run(4);
    assert_eq!(sequential.count, 2000);
    assert!(sequential.scale < 20);
    assert_eq!(
        (
            concurrent.scale,
            &concurrent.positive_bucket,
            &concurrent.negative_bucket,
            concurrent.count,
            concurrent.min,
            concurrent.max
        ),
        (
            sequential.scale,
            &sequential.positive_bucket,
            &sequential.negative_bucket,
            sequential.count,
            sequential.min,
            sequential.max
        )
    );
}
