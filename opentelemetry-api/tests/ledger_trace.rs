//! Trace API promises named by rows of the compliance ledger (`compliance/rust.yaml`) that no
//! other test proves directly.

use opentelemetry_api::trace::{
    get_active_span, Span, SpanContext, SpanId, Status, TraceContextExt, TraceFlags, TraceId,
    TraceState,
};
use opentelemetry_api::{Context, KeyValue};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// What a span had seen when it ended.
#[derive(Clone, Debug, Default, PartialEq)]
struct Tally {
    attributes: u64,
    events: u64,
    links: u64,
    ends: u64,
}

/// A recording span with plain (unsynchronised) counters: `Span` methods take `&mut self`,
/// so sharing it between threads is up to the API.
struct CountingSpan {
    cx: SpanContext,
    tally: Tally,
    ended: Arc<Mutex<Option<Tally>>>,
}

impl Span for CountingSpan {
    fn span_context(&self) -> &SpanContext {
        &self.cx
    }
    fn is_recording(&self) -> bool {
        self.tally.ends == 0
    }
    fn set_attribute(&mut self, _: KeyValue) {
        self.tally.attributes += 1;
    }
    fn set_status(&mut self, _: Status) {}
    fn record_event(&mut self, _: Cow<'static, str>, _: Option<SystemTime>, _: Vec<KeyValue>) {
        self.tally.events += 1;
    }
    fn add_link(&mut self, _: SpanContext, _: Vec<KeyValue>) {
        self.tally.links += 1;
    }
    fn rename(&mut self, _: Cow<'static, str>) {}
    fn end_at(&mut self, _: Option<SystemTime>) {
        self.tally.ends += 1;
        *self.ended.lock().unwrap() = Some(self.tally.clone());
    }
}

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn a_span_shared_through_a_context_is_safe_to_call_from_many_threads() {
    assert_send_sync::<Context>();
    let sc = SpanContext::new(
        TraceId::from(1u128),
        SpanId::from(2u64),
        TraceFlags::SAMPLED,
        false,
        TraceState::NONE,
    );
    let ended = Arc::new(Mutex::new(None));
    let cx = Context::new().with_span(CountingSpan {
        cx: sc.clone(),
        tally: Tally::default(),
        ended: ended.clone(),
    });

    const THREADS: u64 = 8;
    const CALLS: u64 = 1_000;
    let start = Arc::new(std::sync::Barrier::new(THREADS as usize));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (cx, start, sc) = (cx.clone(), start.clone(), sc.clone());
            std::thread::spawn(move || {
                start.wait();
                let _guard = cx.clone().attach();
                for i in 0..CALLS {
                    let span = cx.span();
                    assert!(span.is_recording());
                    assert_eq!(span.span_context(), &sc);
                    span.set_attribute(KeyValue::new("thread", t as i64));
                    span.add_event("tick", vec![KeyValue::new("i", i as i64)]);
                    if i % 10 == 0 {
                        span.add_link(sc.clone(), vec![]);
                    }
                    // The same span reached through the current context.
                    get_active_span(|active| active.add_event("via current", vec![]));
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    cx.span().end();
    assert!(!cx.span().is_recording());
    assert_eq!(
        ended.lock().unwrap().take(),
        Some(Tally {
            attributes: THREADS * CALLS,
            events: 2 * THREADS * CALLS,
            links: THREADS * CALLS / 10,
            ends: 1,
        }),
        "no call was lost or torn"
    );
}
