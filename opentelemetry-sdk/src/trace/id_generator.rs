//! Trace and span ID generation.

use opentelemetry_api::trace::{SpanId, TraceId};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::cell::RefCell;
use std::fmt::Debug;

/// Generates trace and span IDs.
///
/// ```
/// use opentelemetry_sdk::trace::{IdGenerator, RandomIdGenerator};
/// let g = RandomIdGenerator::default();
/// assert!(g.new_trace_id().is_valid() && g.new_span_id().is_valid());
/// assert!(g.is_random());
/// ```
pub trait IdGenerator: Send + Sync + Debug {
    /// A new, valid trace ID.
    fn new_trace_id(&self) -> TraceId;

    /// A new, valid span ID.
    fn new_span_id(&self) -> SpanId;

    /// Whether every trace ID's right-most 7 bytes are random (W3C Trace Context Level 2):
    /// root spans then get the `random` trace flag.
    fn is_random(&self) -> bool {
        false
    }
}

thread_local! {
    // Seeded once per thread from the OS-seeded thread RNG; no lock, no syscall per ID.
    static RNG: RefCell<SmallRng> = RefCell::new(SmallRng::from_rng(&mut rand::rng()));
}

/// A random `u64` from the per-thread generator (for sampling randomness).
pub(crate) fn random_u64() -> u64 {
    RNG.with(|rng| rng.borrow_mut().random())
}

/// The default generator: random IDs from a fast per-thread generator.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomIdGenerator {
    _private: (),
}

impl IdGenerator for RandomIdGenerator {
    #[inline]
    fn new_trace_id(&self) -> TraceId {
        RNG.with(|rng| {
            let mut rng = rng.borrow_mut();
            loop {
                let id: u128 = rng.random();
                if id != 0 {
                    return TraceId::from(id);
                }
            }
        })
    }

    #[inline]
    fn new_span_id(&self) -> SpanId {
        RNG.with(|rng| {
            let mut rng = rng.borrow_mut();
            loop {
                let id: u64 = rng.random();
                if id != 0 {
                    return SpanId::from(id);
                }
            }
        })
    }

    fn is_random(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_valid_and_distinct_across_threads() {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    let g = RandomIdGenerator::default();
                    (0..1000)
                        .map(|_| (g.new_trace_id(), g.new_span_id()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut traces = HashSet::new();
        let mut spans = HashSet::new();
        for h in handles {
            for (t, s) in h.join().unwrap() {
                assert!(t.is_valid() && s.is_valid());
                traces.insert(t);
                spans.insert(s);
            }
        }
        assert_eq!(traces.len(), 4000);
        assert_eq!(spans.len(), 4000);
    }
}
