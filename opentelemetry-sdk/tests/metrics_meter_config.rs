//! Meter configuration (`MeterConfig`, the meter configurator): disabled meters behave as
//! no-op meters, and a configurator set later applies to meters already handed out.

mod common;

use common::diagnostics;
use opentelemetry_api::metrics::MeterProvider;
use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::metrics::{ManualReader, MeterConfig, ResourceMetrics, SdkMeterProvider};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn collect(reader: &ManualReader) -> ResourceMetrics {
    let mut metrics = ResourceMetrics::default();
    reader.collect(&mut metrics).expect("collect");
    metrics
}

/// The names of the collected metrics, as `scope/metric`.
fn collected(reader: &ManualReader) -> Vec<String> {
    let mut names: Vec<String> = collect(reader)
        .scope_metrics
        .iter()
        .flat_map(|s| {
            s.metrics
                .iter()
                .map(move |m| format!("{}/{}", s.scope.name(), m.name))
        })
        .collect();
    names.sort();
    names
}

fn disable(name: &'static str) -> impl Fn(&InstrumentationScope) -> MeterConfig {
    move |scope| {
        if scope.name() == name {
            MeterConfig::disabled()
        } else {
            MeterConfig::default()
        }
    }
}

#[test]
fn a_disabled_meter_behaves_as_a_noop_meter() {
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_meter_configurator(disable("noisy"))
        .build();
    let calls = Arc::new(AtomicUsize::new(0));
    let noisy = provider.meter("noisy");
    let counter = noisy.u64_counter("requests").build();
    let histogram = noisy.f64_histogram("latency").build();
    let bound = noisy
        .u64_counter("bound")
        .build()
        .bind(&[KeyValue::new("k", "v")]);
    let observed = calls.clone();
    let _gauge = noisy
        .i64_observable_gauge("queue")
        .with_callback(move |o| {
            observed.fetch_add(1, Ordering::SeqCst);
            o.observe(1, &[]);
        })
        .build();
    let kept = provider.meter("checkout").u64_counter("orders").build();

    assert!(!counter.enabled());
    assert!(!histogram.enabled());
    assert!(!bound.enabled());
    assert!(kept.enabled());
    counter.add(1, &[]);
    histogram.record(0.5, &[]);
    bound.add(1);
    kept.add(1, &[]);

    assert_eq!(collected(&reader), ["checkout/orders"]);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "no callback of a disabled meter runs"
    );
}

#[test]
fn a_new_configurator_applies_to_meters_already_handed_out() {
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_meter_configurator(disable("b"))
        .build();
    let a = provider.meter("a").u64_counter("a_total").build();
    let b = provider.meter("b").u64_counter("b_total").build();
    let calls = Arc::new(AtomicUsize::new(0));
    let observed = calls.clone();
    let _b_gauge = provider
        .meter("b")
        .u64_observable_gauge("b_gauge")
        .with_callback(move |o| {
            observed.fetch_add(1, Ordering::SeqCst);
            o.observe(7, &[]);
        })
        .build();
    a.add(1, &[]);
    b.add(1, &[]);
    assert_eq!(collected(&reader), ["a/a_total"]);
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    // Swap: `a` off, `b` on, for the meters and instruments already created.
    provider.set_meter_configurator(disable("a"));
    assert!(!a.enabled());
    assert!(b.enabled());
    a.add(10, &[]);
    b.add(2, &[]);
    let metrics = collect(&reader);
    let names: Vec<_> = metrics
        .scope_metrics
        .iter()
        .flat_map(|s| s.metrics.iter().map(|m| m.name.to_string()))
        .collect();
    assert_eq!(names, ["b_total", "b_gauge"]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // A meter created after the update gets the new configuration too.
    assert!(!provider.meter("a").u64_counter("later").build().enabled());
    assert!(provider.meter("c").u64_counter("c_total").build().enabled());

    // Everything back on: `a` records again (its cumulative sum kept the measurement taken
    // before it was disabled, not the one taken while disabled).
    provider.set_meter_configurator(|_| MeterConfig::default());
    a.add(1, &[]);
    let metrics = collect(&reader);
    let a_scope = metrics
        .scope_metrics
        .iter()
        .find(|s| s.scope.name() == "a")
        .expect("meter a is collected again");
    let opentelemetry_sdk::metrics::AggregatedMetrics::U64(
        opentelemetry_sdk::metrics::MetricData::Sum(sum),
    ) = &a_scope.metrics[0].data
    else {
        panic!("a u64 sum: {:?}", a_scope.metrics[0]);
    };
    assert_eq!(sum.data_points[0].value, 2);
}

#[test]
fn a_configurator_update_after_shutdown_turns_nothing_back_on() {
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    let counter = provider.meter("a").u64_counter("a_total").build();
    provider.shutdown().expect("shutdown");
    assert!(!counter.enabled());
    provider.set_meter_configurator(|_| MeterConfig::enabled());
    assert!(!counter.enabled());
}

#[test]
fn a_panicking_configurator_is_reported_and_the_meter_stays_enabled() {
    common::record_diagnostics();
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_meter_configurator(|scope| {
            if scope.name() == "bad" {
                panic!("configurator bug");
            }
            MeterConfig::disabled()
        })
        .build();
    let counter = provider.meter("bad").u64_counter("c").build();
    assert!(counter.enabled());
    assert!(!provider.meter("other").u64_counter("c").build().enabled());
    let reported = diagnostics("MeterProvider.ConfiguratorPanicked");
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(reported[0].contains("\"bad\""), "{reported:?}");
}
