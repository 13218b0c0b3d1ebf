//! X-Ray compatible trace IDs.

use opentelemetry_api::trace::{SpanId, TraceId};
use opentelemetry_sdk::trace::{IdGenerator, RandomIdGenerator};
use std::time::{SystemTime, UNIX_EPOCH};

/// The random part of an X-Ray trace ID: its low 96 bits.
const RANDOM_BITS: u128 = (1u128 << 96) - 1;

/// Generates trace IDs that AWS X-Ray accepts: the first 32 bits are the current time in
/// seconds since the Unix epoch, the other 96 bits random. Span IDs are random.
///
/// The right-most 7 bytes are random, so [`is_random`](IdGenerator::is_random) is true.
///
/// ```
/// use opentelemetry_aws::XrayIdGenerator;
/// use opentelemetry_sdk::trace::IdGenerator;
/// use std::time::{SystemTime, UNIX_EPOCH};
///
/// let id = XrayIdGenerator::default().new_trace_id();
/// let seconds = (u128::from(id) >> 96) as u64;
/// let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
/// assert!(now - seconds <= 1);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct XrayIdGenerator {
    _private: (),
}

/// The current epoch seconds as X-Ray's 32-bit field (wraps in 2106, as X-Ray's does).
///
/// On Linux the coarse real-time clock is read: it is served from the vDSO without reading the
/// hardware clock (a few nanoseconds where `SystemTime::now()` can cost tens), and its
/// millisecond resolution is far finer than the seconds needed here.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[inline]
fn epoch_seconds() -> u32 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call, and
    // CLOCK_REALTIME_COARSE exists on every Linux since 2.6.32.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut ts) };
    if rc == 0 && ts.tv_sec > 0 {
        ts.tv_sec as u32
    } else {
        precise_epoch_seconds()
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
#[inline]
fn epoch_seconds() -> u32 {
    precise_epoch_seconds()
}

fn precise_epoch_seconds() -> u32 {
    // A clock before 1970 gives 0: the random bits still make the ID valid and unique.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as u32)
}

impl IdGenerator for XrayIdGenerator {
    #[inline]
    fn new_trace_id(&self) -> TraceId {
        // The random bits come from the SDK's generator (a per-thread generator, no lock).
        let seconds = u128::from(epoch_seconds()) << 96;
        loop {
            let random = u128::from(RandomIdGenerator::default().new_trace_id()) & RANDOM_BITS;
            // Zero only if the clock reads 0 and the 96 random bits are all zero.
            if seconds | random != 0 {
                return TraceId::from(seconds | random);
            }
        }
    }

    #[inline]
    fn new_span_id(&self) -> SpanId {
        RandomIdGenerator::default().new_span_id()
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
    fn trace_ids_start_with_the_epoch_seconds() {
        let g = XrayIdGenerator::default();
        // The coarse clock may lag the precise one by a tick (milliseconds): allow a second.
        let before = u128::from(precise_epoch_seconds()) - 1;
        let ids: Vec<u128> = (0..1000).map(|_| u128::from(g.new_trace_id())).collect();
        let after = u128::from(precise_epoch_seconds());
        for id in &ids {
            let seconds = id >> 96;
            assert!(before <= seconds && seconds <= after);
        }
        let distinct: HashSet<u128> = ids.iter().map(|id| id & ((1 << 96) - 1)).collect();
        assert_eq!(distinct.len(), ids.len(), "the random parts differ");
        // The random 96 bits use all their bits (not, say, only the low 64).
        assert!(ids.iter().any(|id| (id >> 64) as u32 != 0));
    }

    #[test]
    fn ids_are_valid_and_distinct_across_threads() {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    let g = XrayIdGenerator::default();
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
        assert_eq!((traces.len(), spans.len()), (4000, 4000));
        assert!(XrayIdGenerator::default().is_random());
    }
}
