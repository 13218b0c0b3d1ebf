//! SDK self-observability of the metrics SDK: `otel.sdk.metric_reader.collection.duration`,
//! recorded into another meter provider read by a manual reader.

mod self_observability_common;

use opentelemetry_api::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::{
    InMemoryMetricExporter, ManualReader, MetricProducer, PeriodicReader, ResourceMetrics,
    ScopeMetrics, SdkMeterProvider,
};
use opentelemetry_sdk::Error;
use self_observability_common::{collect, component, component_name, histogram, recorder};
use std::time::Duration;

const NAME: &str = "otel.sdk.metric_reader.collection.duration";

#[test]
fn manual_reader_records_each_collection_with_error_type_on_failure() {
    let (meters, recorded) = recorder();
    let reader = ManualReader::builder()
        .with_self_observability(&meters)
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    provider
        .meter("app")
        .u64_counter("work")
        .build()
        .add(1, &[]);
    for _ in 0..3 {
        reader.collect(&mut ResourceMetrics::default()).unwrap();
    }
    let metrics = collect(&recorded);
    let points = histogram(&metrics, NAME, "s");
    let component_type = "opentelemetry_sdk::metrics::ManualReader";
    let name = component_name(&points, component_type);
    let me = component(component_type, &name, None);
    let (count, sum) = points[&me];
    assert_eq!(count, 3, "{points:?}");
    assert!((0.0..10.0).contains(&sum), "{sum}");
    // Advised buckets for seconds.
    let opentelemetry_sdk::metrics::AggregatedMetrics::F64(
        opentelemetry_sdk::metrics::MetricData::Histogram(h),
    ) = &self_observability_common::find(&metrics, NAME).data
    else {
        unreachable!("checked by `histogram`")
    };
    assert_eq!(h.data_points[0].bounds.first(), Some(&0.005));
    assert_eq!(h.data_points[0].bounds.last(), Some(&10.0));

    // A failed collection carries error.type.
    provider.shutdown().unwrap();
    assert_eq!(
        reader.collect(&mut ResourceMetrics::default()),
        Err(Error::AlreadyShutdown)
    );
    let points = histogram(&collect(&recorded), NAME, "s");
    let failed = component(component_type, &name, Some("already_shutdown"));
    assert_eq!(points[&failed].0, 1, "{points:?}");
    assert_eq!(points[&me].0, 3, "{points:?}");
}

/// A producer that always fails.
#[derive(Debug)]
struct Failing;

impl MetricProducer for Failing {
    fn produce(&self) -> opentelemetry_sdk::Result<ScopeMetrics> {
        Err(Error::InternalFailure("the bridge is down".into()))
    }
}

#[test]
fn the_provider_turns_it_on_for_its_periodic_reader() {
    let (meters, recorded) = recorder();
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(
            PeriodicReader::builder(exporter.clone())
                .with_interval(Duration::from_secs(3600))
                .build(),
        )
        .with_reader(
            PeriodicReader::builder(InMemoryMetricExporter::default())
                .with_interval(Duration::from_secs(3600))
                .with_producer(Failing)
                .build(),
        )
        .with_self_observability(&meters)
        .build();
    provider
        .meter("app")
        .u64_counter("work")
        .build()
        .add(1, &[]);
    let _ = provider.force_flush(); // the second reader's producer fails
    let _ = provider.force_flush();
    assert_eq!(exporter.get_finished_metrics().len(), 2);

    let points = histogram(&collect(&recorded), NAME, "s");
    let mut names: Vec<&String> = points.keys().map(|a| &a["otel.component.name"]).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 2, "one name per reader: {points:?}");
    assert!(names
        .iter()
        .all(|n| n.starts_with("periodic_metric_reader/")));
    let ok: Vec<_> = points
        .iter()
        .filter(|(a, _)| !a.contains_key("error.type"))
        .collect();
    assert_eq!(ok.len(), 1, "{points:?}");
    assert_eq!(ok[0].1 .0, 2);
    let failed: Vec<_> = points
        .iter()
        .filter(|(a, _)| a.get("error.type").map(String::as_str) == Some("_OTHER"))
        .collect();
    assert_eq!(failed.len(), 1, "{points:?}");
    assert_eq!(failed[0].1 .0, 2);
    assert!(points
        .keys()
        .all(|a| a["otel.component.type"] == "periodic_metric_reader"));
    let _ = provider.shutdown();
}

#[test]
fn off_by_default_nothing_is_recorded() {
    let (_meters, recorded) = recorder();
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    reader.collect(&mut ResourceMetrics::default()).unwrap();
    assert!(collect(&recorded).is_empty());
    provider.shutdown().unwrap();
}

#[test]
fn a_reader_given_its_own_meter_provider_keeps_it() {
    let (meters, recorded) = recorder();
    let (own, own_recorded) = recorder();
    let reader = ManualReader::builder()
        .with_self_observability(&own)
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_self_observability(&meters)
        .build();
    reader.collect(&mut ResourceMetrics::default()).unwrap();
    reader.collect(&mut ResourceMetrics::default()).unwrap();
    let points = histogram(&collect(&own_recorded), NAME, "s");
    assert_eq!(points.values().map(|(count, _)| count).sum::<u64>(), 2);
    assert!(collect(&recorded).is_empty());
    provider.shutdown().unwrap();
}
