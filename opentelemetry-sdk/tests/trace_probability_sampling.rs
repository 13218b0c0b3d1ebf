//! Consistent probability sampling through the tracer provider: the `ot` trace state of
//! sampled spans, the random flag of root spans, parent-threshold propagation, and the
//! probability sampler's compatibility warning (a process-global diagnostic handler, hence
//! its own test binary).

use opentelemetry_api::global::{self, DiagnosticLevel};
use opentelemetry_api::trace::{
    Span as _, SpanContext, SpanId, SpanKind, TraceContextExt, TraceFlags, TraceId, TraceState,
    Tracer, TracerProvider,
};
use opentelemetry_api::{Context, KeyValue};
use opentelemetry_sdk::trace::{
    ComposableAnnotating, ComposableParentThreshold, ComposableProbability, InMemorySpanExporter,
    ProbabilitySampler, Sampler, SdkTracerProvider, ShouldSample,
};
use std::sync::{Arc, Mutex};

#[test]
fn sampled_spans_carry_the_threshold_and_children_follow_it() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_sampler(Sampler::composite(ComposableParentThreshold::new(
            ComposableAnnotating::new(
                vec![KeyValue::new("sampling.rule", "root")],
                ComposableProbability::new(0.5),
            ),
        )))
        .with_simple_exporter(exporter.clone())
        .build();
    let tracer = provider.tracer("t");
    for _ in 0..400 {
        tracer.in_span("root", |cx| {
            let sc = cx.span().span_context().clone();
            assert!(
                sc.trace_flags().is_random(),
                "root spans get the random flag"
            );
            let randomness = u128::from(sc.trace_id()) as u64 & ((1 << 56) - 1);
            assert_eq!(sc.is_sampled(), randomness >= 0x80_0000_0000_0000);
            if sc.is_sampled() {
                assert_eq!(sc.trace_state().header(), "ot=th:8");
            } else {
                assert!(sc.trace_state().is_empty());
            }
            let child = tracer.start("child");
            assert_eq!(child.span_context().is_sampled(), sc.is_sampled());
            assert_eq!(child.span_context().trace_state(), sc.trace_state());
        });
    }
    let spans = exporter.get_finished_spans();
    let roots: Vec<_> = spans.iter().filter(|s| s.name == "root").collect();
    assert!(
        (120..280).contains(&roots.len()),
        "about half sampled: {}",
        roots.len()
    );
    assert_eq!(spans.len(), 2 * roots.len());
    for s in &spans {
        let annotated = s
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "sampling.rule");
        // Only root spans are decided by the annotated root sampler.
        assert_eq!(annotated, s.name == "root", "{}", s.name);
    }
}

#[test]
fn probability_sampler_records_th_in_spans_of_a_remote_trace() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_sampler(Sampler::probability(0.25))
        .with_simple_exporter(exporter.clone())
        .build();
    let tracer = provider.tracer("t");
    let parent = SpanContext::new(
        TraceId::from(0x1111_2222_3333_4444_55d0_0000_0000_0000u128),
        SpanId::from(9u64),
        TraceFlags::RANDOM,
        true,
        "vendor=x,ot=rv:c8000000000000;k:v".parse().unwrap(),
    );
    let cx = Context::new().with_remote_span_context(parent);
    // rv (0xc8..) >= th (0xc0..): sampled, though the parent was not; rv kept.
    let span = tracer.start_with_context("s", &cx);
    assert!(span.span_context().is_sampled());
    assert_eq!(
        span.span_context().trace_state().header(),
        "ot=th:c;rv:c8000000000000;k:v,vendor=x"
    );
}

#[test]
fn probability_sampler_warns_once_when_presuming_random_trace_ids() {
    let seen: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let sink = seen.clone();
    global::set_diagnostic_handler(DiagnosticLevel::Warn, move |d| {
        sink.lock().unwrap().push(d.name);
    });
    let warnings = || {
        seen.lock()
            .unwrap()
            .iter()
            .filter(|n| **n == "ProbabilitySampler.PresumedRandomTraceId")
            .count()
    };
    let decide = |s: &ProbabilitySampler, flags: TraceFlags, ts: &str, parent: bool| {
        let cx = if parent {
            Context::new().with_remote_span_context(SpanContext::new(
                TraceId::from(0xabcdu128),
                SpanId::from(1u64),
                flags,
                true,
                ts.parse::<TraceState>().unwrap(),
            ))
        } else {
            Context::new()
        };
        s.should_sample(
            &cx,
            TraceId::from(0xabcdu128),
            "n",
            SpanKind::Internal,
            &[],
            &[],
        );
    };

    let s = ProbabilitySampler::new(0.5);
    // Root spans, parents with the random flag, and explicit randomness: no warning.
    decide(&s, TraceFlags::default(), "", false);
    decide(&s, TraceFlags::SAMPLED | TraceFlags::RANDOM, "", true);
    decide(&s, TraceFlags::SAMPLED, "ot=rv:00000000000001", true);
    assert_eq!(warnings(), 0);
    // A parent without the random flag: one warning, however often.
    decide(&s, TraceFlags::SAMPLED, "", true);
    decide(&s, TraceFlags::default(), "", true);
    assert_eq!(warnings(), 1);
    // Ratio 1 still decides by randomness (R >= 0) but needs none: no warning.
    let all = ProbabilitySampler::new(1.0);
    decide(&all, TraceFlags::SAMPLED, "", true);
    assert_eq!(warnings(), 1);
}

#[test]
fn ratio_sampler_warns_once_as_a_child_sampler_and_decides_as_before() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = seen.clone();
    global::set_diagnostic_handler(DiagnosticLevel::Warn, move |d| {
        if d.name == "TraceIdRatioBased.ChildSampler" {
            sink.lock().unwrap().push(d.message.to_string());
        }
    });
    let ratio = Sampler::TraceIdRatioBased(0.5);
    let decide = |cx: &Context, id: u128| {
        ratio
            .should_sample(cx, TraceId::from(id), "n", SpanKind::Internal, &[], &[])
            .decision
    };
    let parent = Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from(5u128),
        SpanId::from(1u64),
        TraceFlags::SAMPLED,
        true,
        "ot=th:8".parse().unwrap(),
    ));
    // As a root sampler: no warning.
    let root_decision = decide(&Context::new(), 0x10);
    assert!(seen.lock().unwrap().is_empty());
    // As a child: the same decisions, and one warning naming the ProbabilitySampler parent.
    assert_eq!(decide(&parent, 0x10), root_decision);
    decide(&parent, 0x20);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].contains("a parent is using ProbabilitySampler"),
        "{}",
        seen[0]
    );
}
