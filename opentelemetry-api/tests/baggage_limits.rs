//! The W3C Baggage limits belong to the propagator, not the Baggage API: a baggage holds any
//! number of entries of any size, and injection leaves out (with one diagnostic per
//! injection) the members that do not fit. Installs a diagnostic handler, so it runs in its
//! own process under nextest.

use opentelemetry_api::baggage::{Baggage, BaggageExt};
use opentelemetry_api::global::{self, DiagnosticLevel};
use opentelemetry_api::propagation::{BaggagePropagator, TextMapPropagator};
use opentelemetry_api::{Context, KeyValue};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn record_diagnostics() -> Arc<Mutex<Vec<(&'static str, String)>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    global::set_diagnostic_handler(DiagnosticLevel::Debug, move |d| {
        sink.lock().unwrap().push((d.name, d.message.to_string()));
    });
    seen
}

#[test]
fn inject_drops_what_does_not_fit_with_one_diagnostic() {
    let seen = record_diagnostics();
    let mut baggage = Baggage::new();
    for i in 0..200 {
        baggage.insert(format!("k{i}"), "v");
    }
    baggage.insert("big", "x".repeat(10_000));
    assert_eq!(baggage.len(), 201, "Set accepts every entry");
    assert_eq!(
        baggage.get("big").unwrap().as_str().len(),
        10_000,
        "Get returns it"
    );
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing dropped by the API"
    );

    let cx = Context::new().with_value(baggage);
    let mut headers = HashMap::new();
    BaggagePropagator::new().inject_context(&cx, &mut headers);
    let header = &headers["baggage"];
    assert_eq!(
        header.split(',').count(),
        BaggagePropagator::MAX_LIST_MEMBERS
    );
    assert!(header.starts_with("k0=v,k1=v,"));
    assert!(header.ends_with(",k63=v"));

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "one diagnostic per injection: {seen:?}");
    assert_eq!(seen[0].0, "BaggagePropagator.LimitExceeded");
    assert!(seen[0].1.starts_with("137 "), "{}", seen[0].1);
}

#[test]
fn inject_reports_invalid_names_once() {
    let seen = record_diagnostics();
    let cx = Context::new().with_baggage([
        KeyValue::new("a b", "1"),
        KeyValue::new("ok", "2"),
        KeyValue::new("é", "3"),
    ]);
    let mut headers = HashMap::new();
    BaggagePropagator::new().inject_context(&cx, &mut headers);
    assert_eq!(headers["baggage"], "ok=2");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].0, "BaggagePropagator.InvalidKey");
}

#[test]
fn nothing_is_reported_when_everything_fits() {
    let seen = record_diagnostics();
    let cx = Context::new().with_baggage(
        (0..BaggagePropagator::MAX_LIST_MEMBERS).map(|i| KeyValue::new(format!("k{i}"), "v")),
    );
    let mut headers = HashMap::new();
    BaggagePropagator::new().inject_context(&cx, &mut headers);
    assert_eq!(
        headers["baggage"].split(',').count(),
        BaggagePropagator::MAX_LIST_MEMBERS
    );
    assert!(seen.lock().unwrap().is_empty());
}
