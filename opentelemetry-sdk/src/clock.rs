//! The wall clock behind every timestamp the SDK takes itself: span start and end, span events
//! without a timestamp, log records' observed time, exemplars.
//!
//! `SystemTime::now()` is a vDSO `clock_gettime(CLOCK_REALTIME)`. On a virtual machine it costs
//! about 30 ns, which is a third of a whole `tracing::info!` through the bridge. On x86_64
//! Linux, when the kernel's own clocksource is the TSC (so the kernel has found the TSC
//! invariant and synchronised across CPUs), [`now`] reads the TSC instead and converts it to
//! wall-clock time, about 11 ns in all on the same machine:
//!
//! - Each thread keeps an *anchor*: a TSC value and the `CLOCK_REALTIME` read together with it.
//!   The anchor is refreshed every [`tsc::ANCHOR_PERIOD_NS`] (10 ms) of use, so clock steps and
//!   NTP slewing are followed within that time. A refresh is one `SystemTime::now()`, and
//!   returns what it read (held back as the last point says).
//! - Between refreshes, elapsed ticks are converted to nanoseconds with a ratio measured
//!   against `CLOCK_REALTIME` over one-second windows (50 ms for the first one). On the CI
//!   machine, 200,000 reads all fell within 16 ns of the system clock read around them.
//! - A thread never goes back in time because its anchor was refreshed: a refresh that lands
//!   up to 1 ms before the previous anchor's extrapolation returns that extrapolation until
//!   the clock catches up. A larger jump back is a clock step and is followed.
//!
//! Until the ratio is known, on other platforms, and when the TSC is not the kernel's
//! clocksource, [`now`] is `SystemTime::now()`.

use std::time::SystemTime;

/// The current wall-clock time (see the module documentation for how it is read).
#[inline]
pub(crate) fn now() -> SystemTime {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    {
        tsc::now()
    }
    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    {
        SystemTime::now()
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub(crate) mod tsc {
    use std::cell::Cell;
    use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};
    use std::sync::Mutex;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    /// How long a thread extrapolates from one anchor before reading `CLOCK_REALTIME` again.
    /// Must stay under 2^32 ns (4.29 s) for the tick conversion to fit in 64 bits.
    pub(crate) const ANCHOR_PERIOD_NS: u64 = 10_000_000;
    /// The first measurement window of the tick ratio.
    const FIRST_WINDOW_NS: u64 = 50_000_000;
    /// Later measurement windows: the ratio follows NTP's frequency corrections with this lag.
    const WINDOW_NS: u64 = 1_000_000_000;
    /// A disagreement between the model and `CLOCK_REALTIME` beyond this is a clock step:
    /// the measurement window restarts, and threads do not hold time back across it.
    const STEP_NS: u64 = 1_000_000;
    /// A (TSC, `CLOCK_REALTIME`) pair whose two TSC reads are further apart than this was
    /// interrupted and is not used (about 0.5 µs at 4 GHz; an uninterrupted read is ~100).
    const MAX_PAIR_TICKS: u64 = 2_000;
    /// After this many refreshes in a row found no uninterrupted pair, the TSC is not used:
    /// the machine cannot read the two clocks together, and each failed refresh costs four
    /// clock reads.
    const MAX_PAIR_FAILURES: u32 = 16;

    const UNKNOWN: u8 = 0;
    const USABLE: u8 = 1;
    const UNUSABLE: u8 = 2;
    /// Whether the TSC may be used, decided once per process.
    static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);
    /// The start of the first measurement window in ns since the epoch (0: not started): until
    /// a window is long enough, threads read `SystemTime::now()` and compare with this only.
    static FIRST_WINDOW_START: AtomicU64 = AtomicU64::new(0);
    /// Refreshes in a row that found no uninterrupted pair (process-wide).
    static PAIR_FAILURES: AtomicU32 = AtomicU32::new(0);
    static CALIBRATION: Mutex<Calibration> = Mutex::new(Calibration {
        origin_tsc: 0,
        origin_ns: 0,
        mult: 0,
    });

    /// The tick ratio and the pair its current measurement window started at.
    struct Calibration {
        origin_tsc: u64,
        origin_ns: u64,
        /// Nanoseconds per tick in 32.32 fixed point; 0 until the first window is complete.
        mult: u64,
    }

    /// One thread's anchor. `limit == 0` means none: the next read refreshes it.
    #[derive(Clone, Copy)]
    struct Anchor {
        tsc: u64,
        ns: u64,
        mult: u64,
        /// Ticks after `tsc` that the anchor may be extrapolated over.
        limit: u64,
        /// The latest time the previous anchor could have returned: nothing earlier is returned.
        floor: u64,
    }

    thread_local! {
        static ANCHOR: Cell<Anchor> = const { Cell::new(Anchor::NONE) };
    }

    #[inline(always)]
    fn rdtsc() -> u64 {
        // SAFETY: `rdtsc` has no preconditions on x86_64 (every x86_64 CPU has it).
        #[allow(unused_unsafe)]
        let ticks = unsafe { core::arch::x86_64::_rdtsc() };
        ticks
    }

    #[inline(always)]
    fn at(ns: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(ns)
    }

    #[inline]
    pub(super) fn now() -> SystemTime {
        ANCHOR.with(|cell| {
            let a = cell.get();
            if a.limit != 0 {
                let delta = rdtsc().wrapping_sub(a.tsc);
                if delta < a.limit {
                    // `delta * mult` < ANCHOR_PERIOD_NS * 2^32 < 2^64 (see `limit_for`).
                    let ns = a.ns + ((delta * a.mult) >> 32);
                    return at(if ns >= a.floor { ns } else { a.floor });
                }
            }
            refresh(cell)
        })
    }

    /// Reads `CLOCK_REALTIME` and, when the tick ratio is known, anchors the thread on it.
    #[cold]
    #[inline(never)]
    fn refresh(cell: &Cell<Anchor>) -> SystemTime {
        match STATE.load(Ordering::Relaxed) {
            USABLE => {}
            UNKNOWN => {
                let usable = tsc_is_kernel_clocksource();
                // Several threads may decide at once (they all read the same file); only an
                // undecided state is set, so that a later "unusable" is never undone.
                let decided = if usable { USABLE } else { UNUSABLE };
                let _ =
                    STATE.compare_exchange(UNKNOWN, decided, Ordering::Relaxed, Ordering::Relaxed);
                if STATE.load(Ordering::Relaxed) != USABLE {
                    return SystemTime::now();
                }
            }
            _ => {
                // Given up on after this thread anchored: drop the anchor, so that the fast
                // path stops reading the TSC.
                cell.set(Anchor::NONE);
                return SystemTime::now();
            }
        }
        let old = cell.get();
        if old.mult == 0 {
            // Not calibrated yet: read the clock, and take part in calibrating only once the
            // first window is long enough (so early reads cost one comparison more).
            let now = SystemTime::now();
            let Some(ns) = nanos(now) else { return now };
            let start = FIRST_WINDOW_START.load(Ordering::Relaxed);
            if start != 0 && ns >= start && ns - start < FIRST_WINDOW_NS {
                return now;
            }
        }
        let Some((tsc, ns)) = read_pair() else {
            if PAIR_FAILURES.fetch_add(1, Ordering::Relaxed) + 1 >= MAX_PAIR_FAILURES {
                STATE.store(UNUSABLE, Ordering::Relaxed);
            }
            return SystemTime::now();
        };
        if PAIR_FAILURES.load(Ordering::Relaxed) != 0 {
            PAIR_FAILURES.store(0, Ordering::Relaxed);
        }
        let Some(mult) = calibrate(tsc, ns) else {
            return at(ns);
        };
        let anchor = old.next(tsc, ns, mult);
        cell.set(anchor);
        at(ns.max(anchor.floor))
    }

    impl Anchor {
        const NONE: Anchor = Anchor {
            tsc: 0,
            ns: 0,
            mult: 0,
            limit: 0,
            floor: 0,
        };

        /// The anchor that follows `self` at the pair (`tsc`, `ns`).
        fn next(self, tsc: u64, ns: u64, mult: u64) -> Anchor {
            // The latest the old anchor could have returned: its extrapolation to its limit.
            let floor = if self.limit == 0 {
                0
            } else {
                (self.ns + (((self.limit - 1) * self.mult) >> 32)).max(self.floor)
            };
            // A step back larger than STEP_NS is followed, not held back.
            let floor = if floor > ns && floor - ns > STEP_NS {
                0
            } else {
                floor
            };
            Anchor {
                tsc,
                ns,
                mult,
                limit: limit_for(mult),
                floor,
            }
        }
    }

    /// Ticks in one anchor period at `mult` ns per tick (32.32), at least 1.
    fn limit_for(mult: u64) -> u64 {
        (((ANCHOR_PERIOD_NS as u128) << 32) / mult as u128).max(1) as u64
    }

    fn nanos(t: SystemTime) -> Option<u64> {
        u64::try_from(t.duration_since(UNIX_EPOCH).ok()?.as_nanos()).ok()
    }

    /// A TSC value and the `CLOCK_REALTIME` read with it (the midpoint of two TSC reads around
    /// the clock read). `None` when three tries were all interrupted, or before the epoch.
    fn read_pair() -> Option<(u64, u64)> {
        for _ in 0..3 {
            let t1 = rdtsc();
            let now = SystemTime::now();
            let t2 = rdtsc();
            let spread = t2.wrapping_sub(t1);
            if spread <= MAX_PAIR_TICKS {
                return Some((t1 + spread / 2, nanos(now)?));
            }
        }
        None
    }

    /// Feeds one pair to the process-wide tick-ratio measurement; the ratio, once known.
    fn calibrate(tsc: u64, ns: u64) -> Option<u64> {
        let mut c = CALIBRATION.lock().unwrap_or_else(|e| e.into_inner());
        let fed = c.feed(tsc, ns);
        if c.mult == 0 {
            FIRST_WINDOW_START.store(c.origin_ns, Ordering::Relaxed);
        }
        match fed {
            Ok(mult) => mult,
            Err(Implausible) => {
                STATE.store(UNUSABLE, Ordering::Relaxed);
                None
            }
        }
    }

    /// The measured ratio would make the TSC run outside 100 MHz to 20 GHz.
    #[derive(Debug, PartialEq)]
    struct Implausible;

    impl Calibration {
        /// Takes one (TSC, `CLOCK_REALTIME`) pair: starts or restarts the measurement window,
        /// or closes it and sets the ratio. The ratio, once known.
        fn feed(&mut self, tsc: u64, ns: u64) -> Result<Option<u64>, Implausible> {
            let known = |c: &Calibration| Ok((c.mult != 0).then_some(c.mult));
            if self.origin_ns == 0 || tsc <= self.origin_tsc || ns <= self.origin_ns {
                // The first pair, or the clock (or the TSC) stepped back: a new window.
                self.origin_tsc = tsc;
                self.origin_ns = ns;
                return known(self);
            }
            let (ticks, elapsed) = (tsc - self.origin_tsc, ns - self.origin_ns);
            if self.mult != 0 {
                let predicted =
                    self.origin_ns as u128 + ((ticks as u128 * self.mult as u128) >> 32);
                if (ns as u128).abs_diff(predicted) > STEP_NS as u128 {
                    // A clock step inside the window: measure the ratio again from here.
                    self.origin_tsc = tsc;
                    self.origin_ns = ns;
                    return known(self);
                }
            }
            let window = if self.mult == 0 {
                FIRST_WINDOW_NS
            } else {
                WINDOW_NS
            };
            if elapsed >= window {
                let mult = ((elapsed as u128) << 32) / ticks as u128;
                // A plausible TSC runs between 100 MHz and 20 GHz; anything else means the
                // pairs are not what we think, and the TSC is not used.
                if !(((1u128 << 32) / 20)..=(10u128 << 32)).contains(&mult) {
                    return Err(Implausible);
                }
                self.mult = mult as u64;
                self.origin_tsc = tsc;
                self.origin_ns = ns;
            }
            known(self)
        }
    }

    /// Whether the kernel keeps time with the TSC, which it does only after finding it invariant
    /// and synchronised across CPUs (and it switches away if the TSC later misbehaves).
    fn tsc_is_kernel_clocksource() -> bool {
        std::fs::read_to_string("/sys/devices/system/clocksource/clocksource0/current_clocksource")
            .is_ok_and(|s| s.trim() == "tsc")
    }

    #[cfg(test)]
    pub(crate) fn is_calibrated() -> bool {
        ANCHOR.with(|cell| cell.get().limit != 0)
    }

    #[cfg(test)]
    pub(crate) fn uses_tsc() -> bool {
        tsc_is_kernel_clocksource()
    }
    #[cfg(test)]
    mod tests {
        use super::*;

        const GHZ3: u64 = (1u64 << 32) / 3; // 1/3 ns per tick

        fn empty() -> Calibration {
            Calibration {
                origin_tsc: 0,
                origin_ns: 0,
                mult: 0,
            }
        }

        #[test]
        fn the_first_window_sets_the_ratio_after_50_ms() {
            let mut c = empty();
            let t0 = 1_000_000;
            let n0 = 1_700_000_000_000_000_000;
            assert_eq!(c.feed(t0, n0), Ok(None));
            // 49 ms at 3 GHz: not yet.
            assert_eq!(c.feed(t0 + 147_000_000, n0 + 49_000_000), Ok(None));
            let mult = c.feed(t0 + 150_000_000, n0 + 50_000_000).unwrap().unwrap();
            assert!(mult.abs_diff(GHZ3) <= 1, "{mult} vs {GHZ3}");
        }

        #[test]
        fn a_clock_step_restarts_the_window_and_keeps_the_ratio() {
            let mut c = Calibration {
                origin_tsc: 3_000,
                origin_ns: 1_000,
                mult: GHZ3,
            };
            // 100 ms of ticks but 105 ms of clock: a 5 ms step forward.
            assert_eq!(
                c.feed(3_000 + 300_000_000, 1_000 + 105_000_000),
                Ok(Some(GHZ3))
            );
            assert_eq!((c.origin_tsc, c.origin_ns), (300_003_000, 105_001_000));
            // A step back restarts it too.
            assert_eq!(c.feed(300_003_000 + 3_000, 50_000_000), Ok(Some(GHZ3)));
            assert_eq!(c.origin_ns, 50_000_000);
        }

        #[test]
        fn later_windows_follow_a_changed_frequency() {
            let mut c = Calibration {
                origin_tsc: 0,
                origin_ns: 1,
                mult: GHZ3,
            };
            // NTP has corrected the clock by 100 ppm: 1 s of clock is now 1.0001 s of ticks.
            let ticks = 3_000_300_000;
            assert_eq!(c.feed(ticks / 2, 1 + 500_000_000), Ok(Some(GHZ3)));
            let mult = c.feed(ticks, 1 + 1_000_000_000).unwrap().unwrap();
            let expected = ((1_000_000_000u128 << 32) / ticks as u128) as u64;
            assert!(mult.abs_diff(expected) <= 1, "{mult} vs {expected}");
            assert!(mult < GHZ3);
        }

        #[test]
        fn an_implausible_ratio_is_refused() {
            let mut c = empty();
            c.feed(1, 1).unwrap();
            // 50 ms in 10 ticks: a 200 Hz "TSC".
            assert_eq!(c.feed(11, 50_000_001), Err(Implausible));
        }

        #[test]
        fn a_refreshed_anchor_never_returns_less_than_the_old_one_could() {
            let old = Anchor {
                tsc: 0,
                ns: 1_000_000_000,
                mult: GHZ3,
                limit: limit_for(GHZ3),
                floor: 0,
            };
            // The old anchor extrapolates to 10 ms (less a tick) at its limit.
            let last = 1_000_000_000 + (((old.limit - 1) * GHZ3) >> 32);
            // The new pair reads 20 ns earlier than that: held back to the old extrapolation.
            let next = old.next(old.limit, last - 20, GHZ3);
            assert_eq!(next.floor, last);
            assert_eq!(next.limit, old.limit);
            // A thread idle for a second: no effect.
            let next = old.next(3_000_000_000, 2_000_000_000, GHZ3);
            assert!(next.floor < next.ns);
            // The clock stepped back by 2 ms: followed.
            let next = old.next(old.limit, last - 2_000_000, GHZ3);
            assert_eq!(next.floor, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::now;
    use std::time::{Duration, Instant, SystemTime};

    /// Reads `now()` until the thread is anchored on the TSC (skipped where it is not used).
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn calibrated() -> bool {
        if !super::tsc::uses_tsc() {
            return false;
        }
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            now();
            if super::tsc::is_calibrated() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!("the TSC clock was not calibrated within 5 s");
    }

    #[test]
    fn now_agrees_with_the_system_clock() {
        #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
        calibrated();
        // Bracketed by the system clock, within a tolerance far above the model's errors (tens
        // of ns) and far below anything a timestamp's reader could mistake (1 ms).
        let slack = Duration::from_micros(100);
        for _ in 0..10_000 {
            let before = SystemTime::now();
            let t = now();
            let after = SystemTime::now();
            assert!(t + slack >= before, "{t:?} is before {before:?}");
            assert!(t <= after + slack, "{t:?} is after {after:?}");
        }
    }

    #[test]
    fn now_does_not_go_back_on_a_thread_across_anchor_refreshes() {
        #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
        calibrated();
        // 50 ms of reads cover several 10 ms anchor periods.
        let start = Instant::now();
        let mut last = now();
        let mut reads = 0u64;
        while start.elapsed() < Duration::from_millis(50) {
            let t = now();
            assert!(t >= last, "{t:?} < {last:?}");
            last = t;
            reads += 1;
        }
        assert!(reads > 1000);
    }

    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    #[test]
    fn extrapolated_times_are_within_a_microsecond_of_the_system_clock() {
        if !calibrated() {
            return;
        }
        // Reads bracketed by two system-clock reads less than 200 ns apart (the others were
        // interrupted), spread over many anchor periods. How far each read falls outside its
        // bracket is its error. (Measured on the CI machine: within 16 ns of the bracket's
        // midpoint, over 200,000 reads.)
        let mut outside = Vec::new();
        let start = Instant::now();
        while outside.len() < 20_000 && start.elapsed() < Duration::from_secs(10) {
            let before = SystemTime::now();
            let t = now();
            let after = SystemTime::now();
            if after.duration_since(before).unwrap_or(Duration::MAX) > Duration::from_nanos(200) {
                continue;
            }
            let error = before
                .duration_since(t)
                .or_else(|_| t.duration_since(after))
                .unwrap_or(Duration::ZERO);
            outside.push(error);
            if outside.len() % 1000 == 0 {
                std::thread::sleep(Duration::from_millis(3));
            }
        }
        assert!(
            outside.len() >= 1000,
            "only {} clean brackets",
            outside.len()
        );
        outside.sort_unstable();
        let p99 = outside[outside.len() * 99 / 100];
        assert!(
            p99 < Duration::from_micros(1),
            "99th percentile error {p99:?}"
        );
    }
}
