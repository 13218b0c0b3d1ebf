//! The global text map propagator: a no-op until set, then the installed one, replaceable.
//! (Each test runs in its own process under nextest.)

use opentelemetry_api::baggage::BaggageExt;
use opentelemetry_api::global;
use opentelemetry_api::propagation::{
    BaggagePropagator, TextMapCompositePropagator, TraceContextPropagator,
};
use opentelemetry_api::trace::TraceContextExt;
use opentelemetry_api::{Context, KeyValue};
use std::collections::HashMap;

const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

#[test]
fn noop_until_set_then_installed_then_replaced() {
    let incoming = HashMap::from([
        ("traceparent".to_string(), TP.to_string()),
        ("baggage".to_string(), "a=1".to_string()),
    ]);
    let cx = global::get_text_map_propagator(|p| p.extract(&incoming));
    assert!(!cx.has_active_span(), "no-op before a propagator is set");
    assert_eq!(global::get_text_map_propagator(|p| p.fields().count()), 0);

    global::set_text_map_propagator(TextMapCompositePropagator::new(vec![
        Box::new(TraceContextPropagator::new()),
        Box::new(BaggagePropagator::new()),
    ]));
    let cx = global::get_text_map_propagator(|p| p.extract(&incoming));
    assert!(cx.span().span_context().is_remote());
    assert_eq!(cx.baggage().get("a").unwrap().as_str(), "1");

    let _guard = cx.with_baggage([KeyValue::new("b", "2")]).attach();
    let mut outgoing = HashMap::new();
    global::get_text_map_propagator(|p| p.inject(&mut outgoing));
    assert_eq!(outgoing["traceparent"], TP);
    assert_eq!(outgoing["baggage"], "a=1,b=2");

    global::set_text_map_propagator(BaggagePropagator::new());
    let mut outgoing = HashMap::new();
    global::get_text_map_propagator(|p| p.inject_context(&Context::current(), &mut outgoing));
    assert!(!outgoing.contains_key("traceparent"), "replaced");
    assert_eq!(outgoing["baggage"], "a=1,b=2");
}

#[test]
fn readers_on_other_threads_see_the_installed_propagator() {
    global::set_text_map_propagator(TraceContextPropagator::new());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                global::get_text_map_propagator(|p| p.fields().collect::<Vec<_>>().join(","))
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), "traceparent,tracestate");
    }
}
