//! Context: an immutable, cheaply cloned bag of typed values that carries the active span,
//! baggage and anything else across API boundaries.
//!
//! Each thread has a *current* context. [`Context::attach`] makes a context current and returns
//! a [`ContextGuard`] that restores the previous one when dropped, even when guards are dropped
//! out of order. Futures carry a context with [`FutureExt::with_context`]; threads receive one
//! by explicit hand-off (clone it, move it, attach it).
//!
//! ```
//! use opentelemetry_api::Context;
//!
//! #[derive(Debug, PartialEq)]
//! struct RequestId(u64);
//!
//! let cx = Context::current().with_value(RequestId(7));
//! {
//!     let _guard = cx.attach();
//!     assert_eq!(Context::current().get::<RequestId>(), Some(&RequestId(7)));
//! }
//! assert_eq!(Context::current().get::<RequestId>(), None);
//! ```

mod future;

pub use future::{FutureExt, WithContext};

use crate::trace::context::ActiveSpan;
use crate::trace::{SpanId, TraceFlags, TraceId};
use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

type Entry = (TypeId, Arc<dyn Any + Send + Sync>);

/// An immutable set of typed values, plus the active span.
///
/// Cloning is two reference-count increments at most; an empty context clones for free.
#[derive(Clone, Default)]
pub struct Context {
    pub(crate) span: Option<Arc<ActiveSpan>>,
    entries: Option<Arc<[Entry]>>,
    suppress_telemetry: bool,
}

thread_local! {
    static CURRENT: RefCell<ContextStack> = const { RefCell::new(ContextStack::new()) };
    /// A summary of the current context (the `STATE_*` bits), kept up to date whenever the
    /// stack changes: a plain thread-local load (no destructor state, no borrow) for the
    /// checks made on every log record and metric measurement (suppression, whether a span
    /// is active at all, trace-based exemplar filtering).
    static CURRENT_STATE: Cell<u8> = const { Cell::new(0) };
    /// The IDs and flags of the current context's active span, kept up to date with
    /// `CURRENT_STATE` and meaningful only while its `STATE_HAS_SPAN` bit is set: a log
    /// record emitted inside a span reads them without borrowing the stack.
    static CURRENT_IDS: Cell<SpanIds> = const {
        Cell::new((TraceId::INVALID, SpanId::INVALID, TraceFlags::NOT_SAMPLED))
    };
}

/// A span's trace ID, span ID and trace flags.
type SpanIds = (TraceId, SpanId, TraceFlags);

/// `CURRENT_STATE`: the current context's active span is sampled.
const STATE_SAMPLED: u8 = 1;
/// `CURRENT_STATE`: telemetry is suppressed in the current context.
const STATE_SUPPRESSED: u8 = 2;
/// `CURRENT_STATE`: the current context has an active span (valid or not).
const STATE_HAS_SPAN: u8 = 4;
/// `CURRENT_STATE`: the current context holds values. A summary of 0 means the current
/// context is equal to the empty one, which [`Context::current`] then makes without reading
/// the stack.
const STATE_HAS_VALUES: u8 = 8;

/// The `CURRENT_STATE` bits of `cx`.
#[inline]
fn state_of(cx: &Context) -> u8 {
    let mut state = 0;
    if let Some(active) = &cx.span {
        state |= STATE_HAS_SPAN;
        if active.span_context().is_sampled() {
            state |= STATE_SAMPLED;
        }
    }
    if cx.suppress_telemetry {
        state |= STATE_SUPPRESSED;
    }
    if cx.entries.is_some() {
        state |= STATE_HAS_VALUES;
    }
    state
}

/// Records the summary of `stack`'s current context, and its active span's IDs (called after
/// every change of it).
#[inline]
fn note_state(stack: &ContextStack) {
    let cx = stack.current();
    let mut state = 0;
    if cx.suppress_telemetry {
        state |= STATE_SUPPRESSED;
    }
    if cx.entries.is_some() {
        state |= STATE_HAS_VALUES;
    }
    // The span context is read once for both the state bits and the IDs.
    if let Some(active) = &cx.span {
        let sc = active.span_context();
        let flags = sc.trace_flags();
        state |= STATE_HAS_SPAN;
        if flags.is_sampled() {
            state |= STATE_SAMPLED;
        }
        let ids = (sc.trace_id(), sc.span_id(), flags);
        let _ = CURRENT_IDS.try_with(|c| c.set(ids));
    }
    debug_assert_eq!(state, state_of(cx));
    let _ = CURRENT_STATE.try_with(|c| c.set(state));
}

/// The summary of this thread's current context (0, the empty context's, once the thread's
/// stack is gone).
#[inline(always)]
fn current_state() -> u8 {
    CURRENT_STATE.try_with(Cell::get).unwrap_or(0)
}

impl Context {
    /// An empty context.
    #[inline]
    pub const fn new() -> Self {
        Context {
            span: None,
            entries: None,
            suppress_telemetry: false,
        }
    }

    /// A clone of this thread's current context.
    #[inline]
    pub fn current() -> Self {
        // Nothing attached (or only contexts equal to the empty one): no stack to read.
        if current_state() == 0 {
            return Context::new();
        }
        Self::current_from_stack()
    }

    #[inline]
    fn current_from_stack() -> Self {
        CURRENT
            .try_with(|stack| {
                stack
                    .try_borrow()
                    .map(|s| s.current().clone())
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    }

    /// Calls `f` with this thread's current context (which it may not keep).
    ///
    /// `f` may itself attach contexts: it runs on a clone, not under a borrow.
    #[inline]
    pub fn map_current<T>(f: impl FnOnce(&Context) -> T) -> T {
        f(&Context::current())
    }

    /// The current context with `value` added.
    pub fn current_with_value<T: Send + Sync + 'static>(value: T) -> Self {
        Context::current().with_value(value)
    }

    /// The value of type `T` in this context, if any.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.entries
            .as_deref()?
            .iter()
            .find(|(tid, _)| *tid == id)
            .and_then(|(_, v)| v.downcast_ref::<T>())
    }

    /// A copy of this context with `value` added, replacing any value of the same type.
    pub fn with_value<T: Send + Sync + 'static>(&self, value: T) -> Self {
        let id = TypeId::of::<T>();
        let value: Arc<dyn Any + Send + Sync> = Arc::new(value);
        let existing = self.entries.as_deref().unwrap_or(&[]);
        let mut entries: Vec<Entry> = Vec::with_capacity(existing.len() + 1);
        entries.extend(existing.iter().filter(|(tid, _)| *tid != id).cloned());
        entries.push((id, value));
        Context {
            span: self.span.clone(),
            entries: Some(entries.into()),
            suppress_telemetry: self.suppress_telemetry,
        }
    }

    /// Makes this context the thread's current one until the returned guard is dropped.
    ///
    /// Guards may be dropped in any order: the current context is always the most recently
    /// attached one whose guard is still alive.
    pub fn attach(self) -> ContextGuard {
        let index = CURRENT
            .try_with(|stack| {
                stack.try_borrow_mut().ok().map(|mut s| {
                    let index = s.push(self);
                    note_state(&s);
                    index
                })
            })
            .ok()
            .flatten();
        ContextGuard {
            index,
            _not_send: PhantomData,
        }
    }

    /// A copy of this context in which telemetry is suppressed: SDKs record nothing for
    /// operations run under it. Exporters use it so that their own HTTP or gRPC clients'
    /// telemetry is never exported back into themselves.
    pub fn with_telemetry_suppressed(&self) -> Self {
        let mut cx = self.clone();
        cx.suppress_telemetry = true;
        cx
    }

    /// Whether telemetry is suppressed in this context.
    #[inline]
    pub fn is_telemetry_suppressed(&self) -> bool {
        self.suppress_telemetry
    }

    /// Attaches a copy of the current context with telemetry suppressed.
    pub fn enter_telemetry_suppressed_scope() -> ContextGuard {
        // One access to the thread's stack: the current context is cloned straight into its
        // new entry (cloning a context cannot re-enter the context API).
        let index = CURRENT
            .try_with(|stack| {
                let mut stack = stack.try_borrow_mut().ok()?;
                let mut cx = stack.current().clone();
                cx.suppress_telemetry = true;
                let index = stack.push(cx);
                note_state(&stack);
                Some(index)
            })
            .ok()
            .flatten();
        ContextGuard {
            index,
            _not_send: PhantomData,
        }
    }

    /// Whether telemetry is suppressed in the current context (cheap: one thread-local load,
    /// no clone, no borrow).
    #[inline]
    pub fn is_current_telemetry_suppressed() -> bool {
        current_state() & STATE_SUPPRESSED != 0
    }

    /// Whether the current context has an active span (one thread-local load). `false`
    /// means [`active_span_ids`](crate::trace::active_span_ids) would return `None`.
    #[inline]
    pub(crate) fn current_has_span() -> bool {
        current_state() & STATE_HAS_SPAN != 0
    }

    /// A copy of the current context's active span context, read under the thread's borrow
    /// (no reference count touched: cloning a span context cannot re-enter the context API).
    #[inline]
    pub(crate) fn current_span_context() -> Option<crate::trace::SpanContext> {
        if !Context::current_has_span() {
            return None;
        }
        CURRENT
            .try_with(|stack| {
                stack
                    .try_borrow()
                    .ok()
                    .and_then(|s| s.current().span.as_ref().map(|a| a.span_context().clone()))
            })
            .ok()
            .flatten()
    }

    /// Whether the current context's active span is sampled (one thread-local load).
    #[inline]
    pub(crate) fn current_span_sampled() -> bool {
        current_state() & STATE_SAMPLED != 0
    }

    /// The IDs and flags of the current context's active span: two thread-local loads, the
    /// stack is not read (its summary keeps a copy of them).
    #[inline]
    pub(crate) fn current_span_ids() -> Option<SpanIds> {
        if !Context::current_has_span() {
            return None;
        }
        CURRENT_IDS.try_with(Cell::get).ok()
    }

    /// The active span of the current context: the `Arc` only when the span records.
    #[inline]
    pub(crate) fn current_span_for_ref() -> crate::trace::context::CurrentSpan {
        use crate::trace::context::CurrentSpan;
        if !Context::current_has_span() {
            return CurrentSpan::None;
        }
        CURRENT
            .try_with(|stack| match stack.try_borrow() {
                Ok(s) => match &s.current().span {
                    Some(a) if a.is_recording_at_start() => CurrentSpan::Recording(a.clone()),
                    Some(a) => CurrentSpan::NonRecording(a.span_context().clone()),
                    None => CurrentSpan::None,
                },
                Err(_) => CurrentSpan::None,
            })
            .unwrap_or(CurrentSpan::None)
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Context");
        match &self.span {
            Some(span) => d.field("span", span.span_context()),
            None => d.field("span", &"None"),
        };
        d.field("entries", &self.entries.as_ref().map_or(0, |e| e.len()))
            .field("suppress_telemetry", &self.suppress_telemetry)
            .finish()
    }
}

/// Restores the previous current context when dropped. Not `Send`: a guard belongs to the
/// thread that attached its context.
#[must_use = "the context is detached as soon as the guard is dropped"]
pub struct ContextGuard {
    index: Option<usize>,
    _not_send: PhantomData<*const ()>,
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        if let Some(index) = self.index {
            // The detached context is dropped after the borrow ends: a span ending in its drop
            // may look at the current context again.
            let _detached = CURRENT
                .try_with(|stack| {
                    stack.try_borrow_mut().ok().and_then(|mut s| {
                        let detached = s.remove(index);
                        note_state(&s);
                        detached
                    })
                })
                .ok()
                .flatten();
        }
    }
}

impl fmt::Debug for ContextGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContextGuard")
            .field("index", &self.index)
            .finish()
    }
}

/// The attached contexts of one thread. Entry `i` is the context attached by the guard holding
/// index `i`; a guard dropped out of order leaves a hole (`None`) that is popped once every
/// guard above it is gone, so the current context is always the last entry.
struct ContextStack {
    attached: Vec<Option<Context>>,
}

static EMPTY: Context = Context::new();

impl Drop for ContextStack {
    fn drop(&mut self) {
        // The thread's stack is going away (thread exit): from now on the current context
        // is the empty one, whose summary is 0. The contexts still attached are dropped
        // after this, when reading the stack already fails.
        let _ = CURRENT_STATE.try_with(|c| c.set(0));
    }
}

impl ContextStack {
    const fn new() -> Self {
        ContextStack {
            attached: Vec::new(),
        }
    }

    #[inline]
    fn current(&self) -> &Context {
        match self.attached.last() {
            Some(Some(cx)) => cx,
            _ => &EMPTY,
        }
    }

    fn push(&mut self, cx: Context) -> usize {
        self.attached.push(Some(cx));
        self.attached.len() - 1
    }

    #[inline]
    fn remove(&mut self, index: usize) -> Option<Context> {
        // In order (the usual case): the last entry goes, and holes below it, if any.
        let detached = if index + 1 == self.attached.len() {
            self.attached.pop().flatten()
        } else {
            self.attached.get_mut(index)?.take()
        };
        if matches!(self.attached.last(), Some(None)) {
            self.pop_holes();
        }
        detached
    }

    #[cold]
    fn pop_holes(&mut self) {
        while matches!(self.attached.last(), Some(None)) {
            self.attached.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct A(u32);
    #[derive(Debug, PartialEq)]
    struct B(&'static str);

    #[test]
    fn values_are_typed_and_replaced_by_type() {
        let cx = Context::new().with_value(A(1)).with_value(B("b"));
        assert_eq!(cx.get::<A>(), Some(&A(1)));
        assert_eq!(cx.get::<B>(), Some(&B("b")));
        let cx2 = cx.with_value(A(2));
        assert_eq!(cx2.get::<A>(), Some(&A(2)));
        assert_eq!(cx.get::<A>(), Some(&A(1)), "contexts are immutable");
        assert_eq!(cx2.get::<u8>(), None);
    }

    #[test]
    fn nested_attach_restores_in_order() {
        assert!(Context::current().get::<A>().is_none());
        let g1 = Context::current_with_value(A(1)).attach();
        let g2 = Context::current_with_value(A(2)).attach();
        assert_eq!(Context::current().get::<A>(), Some(&A(2)));
        drop(g2);
        assert_eq!(Context::current().get::<A>(), Some(&A(1)));
        drop(g1);
        assert!(Context::current().get::<A>().is_none());
    }

    #[test]
    fn out_of_order_drops_do_not_corrupt_state() {
        let g1 = Context::new().with_value(A(1)).attach();
        let g2 = Context::new().with_value(A(2)).attach();
        let g3 = Context::new().with_value(A(3)).attach();
        drop(g2);
        assert_eq!(Context::current().get::<A>(), Some(&A(3)));
        drop(g1);
        assert_eq!(Context::current().get::<A>(), Some(&A(3)));
        let g4 = Context::new().with_value(A(4)).attach();
        assert_eq!(Context::current().get::<A>(), Some(&A(4)));
        drop(g3);
        assert_eq!(Context::current().get::<A>(), Some(&A(4)));
        drop(g4);
        assert!(Context::current().get::<A>().is_none());
    }

    #[test]
    fn map_current_allows_attach_inside() {
        let _g = Context::new().with_value(A(1)).attach();
        Context::map_current(|cx| {
            let _inner = cx.with_value(A(2)).attach();
            assert_eq!(Context::current().get::<A>(), Some(&A(2)));
        });
        assert_eq!(Context::current().get::<A>(), Some(&A(1)));
    }

    #[test]
    fn threads_have_their_own_current_and_take_contexts_by_hand_off() {
        let cx = Context::new().with_value(A(9));
        let _g = cx.clone().attach();
        std::thread::spawn(move || {
            assert!(Context::current().get::<A>().is_none());
            let _g = cx.attach();
            assert_eq!(Context::current().get::<A>(), Some(&A(9)));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn the_thread_summary_follows_every_change_of_the_current_context() {
        use crate::trace::{
            active_span_ids, active_span_is_sampled, SpanContext, SpanId, TraceContextExt,
            TraceFlags, TraceId, TraceState,
        };
        // The summary always equals the one computed from the current context.
        let check = |expected: u8| {
            assert_eq!(current_state(), expected);
            assert_eq!(current_state(), state_of(&Context::current()));
            assert_eq!(
                Context::is_current_telemetry_suppressed(),
                expected & STATE_SUPPRESSED != 0
            );
            assert_eq!(active_span_is_sampled(), expected & STATE_SAMPLED != 0);
            assert_eq!(active_span_ids().is_some(), expected & STATE_HAS_SPAN != 0);
            // The copied IDs are the current span's.
            let cx = Context::current();
            let from_stack = cx.span.as_ref().map(|a| {
                let sc = a.span_context();
                (sc.trace_id(), sc.span_id(), sc.trace_flags())
            });
            assert_eq!(active_span_ids(), from_stack);
        };
        let span = |flags: TraceFlags| {
            SpanContext::new(
                TraceId::from(1u128 + u128::from(flags.to_u8())),
                SpanId::from(2u64 + u64::from(flags.to_u8())),
                flags,
                true,
                TraceState::NONE,
            )
        };
        check(0);
        let g1 = Context::new()
            .with_remote_span_context(span(TraceFlags::SAMPLED))
            .attach();
        check(STATE_HAS_SPAN | STATE_SAMPLED);
        let g2 = Context::enter_telemetry_suppressed_scope();
        check(STATE_HAS_SPAN | STATE_SAMPLED | STATE_SUPPRESSED);
        let g3 = Context::new().attach();
        check(0);
        let g4 = Context::new()
            .with_remote_span_context(span(TraceFlags::default()))
            .with_telemetry_suppressed()
            .attach();
        check(STATE_HAS_SPAN | STATE_SUPPRESSED);
        // Out of order: the most recent live context stays current.
        drop(g2);
        check(STATE_HAS_SPAN | STATE_SUPPRESSED);
        drop(g4);
        check(0);
        drop(g3);
        check(STATE_HAS_SPAN | STATE_SAMPLED);
        drop(g1);
        check(0);
    }

    #[test]
    fn contexts_dropped_at_thread_exit_see_the_empty_context() {
        use std::sync::mpsc;
        /// Reports, when dropped, whether the current context then looks suppressed.
        struct Probe(mpsc::Sender<bool>);
        impl Drop for Probe {
            fn drop(&mut self) {
                let _ = self.0.send(Context::is_current_telemetry_suppressed());
            }
        }
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let cx = Context::new()
                .with_value(Probe(tx))
                .with_telemetry_suppressed();
            // Never detached: the context is dropped with the thread's stack.
            std::mem::forget(cx.attach());
            assert!(Context::is_current_telemetry_suppressed());
        })
        .join()
        .unwrap();
        assert_eq!(rx.recv().ok(), Some(false));
    }

    #[test]
    fn suppression_is_carried_by_the_context() {
        assert!(!Context::is_current_telemetry_suppressed());
        {
            let _g = Context::enter_telemetry_suppressed_scope();
            assert!(Context::is_current_telemetry_suppressed());
            assert!(Context::current()
                .with_value(A(1))
                .is_telemetry_suppressed());
        }
        assert!(!Context::is_current_telemetry_suppressed());
    }
}
