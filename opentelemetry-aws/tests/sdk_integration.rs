//! The X-Ray propagator and ID generator inside the SDK: a service receives an X-Ray header,
//! starts its span under it, and calls the next service.
#![cfg(feature = "trace")]

use opentelemetry_api::propagation::TextMapPropagator;
use opentelemetry_api::trace::{Span, TraceContextExt, Tracer, TracerProvider};
use opentelemetry_api::Context;
use opentelemetry_aws::{XrayIdGenerator, XrayPropagator, AWS_XRAY_TRACE_HEADER};
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

fn provider() -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_id_generator(XrayIdGenerator::default())
        .with_sampler(Sampler::parent_based(Sampler::AlwaysOn))
        .build()
}

fn outgoing(cx: &Context) -> String {
    let mut headers = HashMap::new();
    XrayPropagator::new().inject_context(cx, &mut headers);
    headers.remove(AWS_XRAY_TRACE_HEADER).unwrap()
}

#[test]
fn a_span_under_an_incoming_header_continues_its_trace_and_lineage() {
    let provider = provider();
    let tracer = provider.tracer("svc");
    let incoming = HashMap::from([(
        "x-amzn-trace-id".to_string(),
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;\
         Lineage=a87bd80c:1"
            .to_string(),
    )]);
    let parent = XrayPropagator::new().extract_with_context(&Context::new(), &incoming);
    let span = tracer.start_with_context("handle", &parent);
    let span_id = span.span_context().span_id();
    assert!(span.is_recording());
    let cx = parent.with_span(span);
    assert_eq!(
        outgoing(&cx),
        format!(
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent={span_id};Sampled=1;\
             Lineage=a87bd80c:1"
        )
    );
    cx.span().end();
}

#[test]
fn a_root_span_gets_an_xray_trace_id() {
    let provider = provider();
    let mut span = provider
        .tracer("svc")
        .start_with_context("root", &Context::new());
    let sc = span.span_context().clone();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let seconds = (u128::from_be_bytes(sc.trace_id().to_bytes()) >> 96) as u64;
    assert!(now.abs_diff(seconds) <= 2, "{now} vs {seconds}");
    assert!(
        sc.trace_flags().is_random(),
        "the generator says its IDs are random"
    );
    let header = outgoing(&Context::new().with_remote_span_context(sc.clone()));
    let hex = sc.trace_id().to_string();
    assert_eq!(
        header,
        format!(
            "Root=1-{}-{};Parent={};Sampled=1",
            &hex[..8],
            &hex[8..],
            sc.span_id()
        )
    );
    span.end();
}

#[test]
fn a_deferred_decision_is_made_here() {
    // ParentBased follows a not-sampled remote parent: the deferred header arrives as not
    // sampled, and the span made under it says Sampled=0 downstream.
    let provider = provider();
    let incoming = HashMap::from([(
        "X-Amzn-Trace-Id".to_string(),
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?".to_string(),
    )]);
    let parent = XrayPropagator::new().extract_with_context(&Context::new(), &incoming);
    assert!(
        outgoing(&parent).ends_with("Sampled=?"),
        "passed through unchanged"
    );
    let span = provider.tracer("svc").start_with_context("handle", &parent);
    let cx = parent.with_span(span);
    assert!(outgoing(&cx).ends_with("Sampled=0"));
}
