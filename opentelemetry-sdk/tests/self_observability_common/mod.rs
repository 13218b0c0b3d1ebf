//! Helpers shared by the self-observability tests: a meter provider with a manual reader to
//! record the SDK's own metrics into, and readers of what it collected.
#![allow(dead_code)]

use opentelemetry_api::KeyValue;
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, ManualReader, Metric, MetricData, ResourceMetrics, SdkMeterProvider,
};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Attributes as a sorted `key -> value` map (values as their display strings).
pub type Attrs = BTreeMap<String, String>;

pub fn attrs(attributes: &[KeyValue]) -> Attrs {
    attributes
        .iter()
        .map(|kv| (kv.key.as_str().to_owned(), kv.value.to_string()))
        .collect()
}

/// `[(key, value)]` as [`Attrs`].
pub fn expect(pairs: &[(&str, &str)]) -> Attrs {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A meter provider to record the SDK's metrics into, and its reader.
pub fn recorder() -> (SdkMeterProvider, ManualReader) {
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    (provider, reader)
}

/// Collects and returns the metrics of the SDK's scope (checking the scope's version and
/// schema URL); empty when the SDK recorded nothing.
pub fn collect(reader: &ManualReader) -> Vec<Metric> {
    let mut metrics = ResourceMetrics::default();
    reader.collect(&mut metrics).unwrap();
    sdk_scope(metrics)
}

/// The metrics of the SDK's scope in `metrics`.
pub fn sdk_scope(metrics: ResourceMetrics) -> Vec<Metric> {
    let mut found = Vec::new();
    for scope in metrics.scope_metrics {
        if scope.scope.name() == "opentelemetry_sdk" {
            assert_eq!(scope.scope.version(), Some(env!("CARGO_PKG_VERSION")));
            assert_eq!(
                scope.scope.schema_url(),
                Some(opentelemetry_semantic_conventions::SCHEMA_URL)
            );
            found.extend(scope.metrics);
        }
    }
    found
}

pub fn find<'a>(metrics: &'a [Metric], name: &str) -> &'a Metric {
    metrics
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no metric {name:?} in {:?}", names(metrics)))
}

pub fn names(metrics: &[Metric]) -> Vec<&str> {
    metrics.iter().map(|m| m.name.as_ref()).collect()
}

/// A `u64` counter's points (checking the unit and that it is a monotonic sum).
pub fn counter(metrics: &[Metric], name: &str, unit: &str) -> BTreeMap<Attrs, u64> {
    let metric = find(metrics, name);
    assert_eq!(metric.unit, unit, "{name}");
    let AggregatedMetrics::U64(MetricData::Sum(sum)) = &metric.data else {
        panic!("{name} is not a u64 sum: {:?}", metric.data);
    };
    assert!(sum.is_monotonic, "{name} is a counter");
    sum.data_points
        .iter()
        .map(|p| (attrs(&p.attributes), p.value))
        .collect()
}

/// An `i64` up-down counter's points (checking the unit and that it is a non-monotonic sum).
pub fn up_down(metrics: &[Metric], name: &str, unit: &str) -> BTreeMap<Attrs, i64> {
    let metric = find(metrics, name);
    assert_eq!(metric.unit, unit, "{name}");
    let AggregatedMetrics::I64(MetricData::Sum(sum)) = &metric.data else {
        panic!("{name} is not an i64 sum: {:?}", metric.data);
    };
    assert!(!sum.is_monotonic, "{name} is an up-down counter");
    sum.data_points
        .iter()
        .map(|p| (attrs(&p.attributes), p.value))
        .collect()
}

/// An `f64` histogram's points as (count, sum) (checking the unit).
pub fn histogram(metrics: &[Metric], name: &str, unit: &str) -> BTreeMap<Attrs, (u64, f64)> {
    let metric = find(metrics, name);
    assert_eq!(metric.unit, unit, "{name}");
    let AggregatedMetrics::F64(MetricData::Histogram(h)) = &metric.data else {
        panic!("{name} is not an f64 histogram: {:?}", metric.data);
    };
    h.data_points
        .iter()
        .map(|p| (attrs(&p.attributes), (p.count, p.sum.unwrap_or(f64::NAN))))
        .collect()
}

/// The `otel.component.name` of the only component of `component_type` in `points`, after
/// checking it follows `<type>/<n>`.
pub fn component_name<V>(points: &BTreeMap<Attrs, V>, component_type: &str) -> String {
    let mut names: Vec<&String> = points
        .keys()
        .filter(|a| a.get("otel.component.type").map(String::as_str) == Some(component_type))
        .filter_map(|a| a.get("otel.component.name"))
        .collect();
    names.dedup();
    assert_eq!(names.len(), 1, "{names:?}");
    let name = names[0].clone();
    let n = name
        .strip_prefix(&format!("{component_type}/"))
        .unwrap_or_else(|| panic!("{name} does not follow <type>/<n>"));
    assert!(n.parse::<u64>().is_ok(), "{name}");
    name
}

/// The attributes identifying a component, with `error.type` when given.
pub fn component(component_type: &str, name: &str, error: Option<&str>) -> Attrs {
    let mut a = expect(&[
        ("otel.component.type", component_type),
        ("otel.component.name", name),
    ]);
    if let Some(error) = error {
        a.insert("error.type".into(), error.into());
    }
    a
}

/// Waits (up to 10 s) until `cond` holds.
pub fn wait_until(mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "condition not met within 10 s");
        std::thread::sleep(Duration::from_millis(2));
    }
}
