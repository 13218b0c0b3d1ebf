//! The base-2 exponential bucket histogram aggregation (spec: SDK "Base2 Exponential Bucket
//! Histogram Aggregation", data model "ExponentialHistogram").
//!
//! At scale `s` the bucket of index `i` holds the absolute values in
//! `(2^(i / 2^s), 2^((i + 1) / 2^s)]` (upper-inclusive). The index of a value comes from its
//! exact IEEE 754 decomposition `|v| = m · 2^e` with `m` in `[1, 2)` (subnormals normalised,
//! exactly): for `s <= 0` it is the scale-0 index (`e`, minus one for exact powers of two)
//! shifted right by `-s`, which is exact; for `s > 0` it is `(e << s) + k` with `k` the
//! bucket of `m` among the `2^s` buckets of `[1, 2]`. Up to [`TABLE_SCALE`] `k` comes from
//! lookup tables of the boundaries `2^(k / 2^s)` (two loads and a comparison; exact up to
//! the rounding of the boundaries to `f64`); above it from `⌊log2(m) · 2^s⌋` (the logarithm
//! method the data model allows, within one bucket of the exact answer), kept within the
//! bucket the tables give at [`TABLE_SCALE`]. Both methods give, at scale `s - j`, the
//! index at scale `s` shifted right by `j` (the boundaries at a lower scale are every other
//! boundary of the higher one, and the logarithm is computed once and scaled by powers of
//! two): downscaling recorded buckets and mapping new values at the lower scale agree.
//!
//! A series starts at the configured maximum scale and lowers it by the least amount that
//! keeps every value of the positive range, and of the negative range, within `max_size`
//! consecutive buckets: the ideal scale for the values seen. Zero (either sign) goes to the
//! zero bucket (`zero_threshold` 0). Delta collections empty the series and return it to the
//! maximum scale; cumulative ones keep scale and buckets.

use super::aggregators::Aggregator;
use super::data::{
    ExponentialBucket, ExponentialHistogram, ExponentialHistogramDataPoint, MetricData, Temporality,
};
use super::number::Number;
use opentelemetry_api::KeyValue;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

/// The lowest scale the aggregation ever uses. At scale -11 every finite non-zero value maps
/// to index -1 or 0 (the scale-0 indexes span -1075..=1023), so any `max_size >= 2` fits.
pub(crate) const MIN_SCALE: i8 = -11;

/// The highest scale the aggregation accepts as its maximum: scale-0 indexes times 2^20 stay
/// within `i32`, as the data model asks.
pub(crate) const MAX_SCALE: i8 = 20;

const SIGNIFICAND_WIDTH: u32 = 52;
const SIGNIFICAND_MASK: u64 = (1 << SIGNIFICAND_WIDTH) - 1;
const EXPONENT_BIAS: i32 = 1023;
/// The exponent of the smallest subnormal's only bit: `2^-1074`.
const SUBNORMAL_EXPONENT: i32 = 1 - EXPONENT_BIAS - SIGNIFICAND_WIDTH as i32;

/// Splits a finite, non-zero `value` exactly into `(e, f)` with
/// `|value| = (1 + f / 2^52) · 2^e`; subnormal values are normalised (their `e` is below
/// -1022), so `f == 0` exactly for powers of two.
fn decompose(value: f64) -> (i32, u64) {
    let bits = value.to_bits();
    let raw_exponent = ((bits >> SIGNIFICAND_WIDTH) & 0x7ff) as i32;
    let fraction = bits & SIGNIFICAND_MASK;
    if raw_exponent == 0 {
        // Subnormal: |value| = fraction · 2^-1074 with fraction in 1..2^52. Its highest set
        // bit becomes the implicit leading one.
        let top = 63 - fraction.leading_zeros(); // 0..=51
        let exponent = SUBNORMAL_EXPONENT + top as i32;
        let normalised = (fraction << (SIGNIFICAND_WIDTH - top)) & SIGNIFICAND_MASK;
        (exponent, normalised)
    } else {
        (raw_exponent - EXPONENT_BIAS, fraction)
    }
}

/// The highest scale whose bucket within an octave comes from [`Tables`].
pub(crate) const TABLE_SCALE: i8 = 10;

/// For each scale `s` in `1..=TABLE_SCALE`, the boundaries of the `2^s` buckets of an octave,
/// as 52-bit significand fractions: bucket `k` holds the significands `m` in
/// `(2^(k / 2^s), 2^((k + 1) / 2^s)]`.
struct Tables {
    /// `bounds[s][k]`: the fraction of `2^(k / 2^s)` for `k` in `0..2^s`, then `2^52` (the
    /// fraction of 2, above every fraction).
    bounds: Vec<Box<[u64]>>,
    /// `first[s][t]`: for the fractions whose top `s + 1` bits are `t`, the highest `k` with
    /// `bounds[s][k]` below `t · 2^(51 - s)` (0 for `t = 0`). Boundaries are more than
    /// `2^(51 - s)` apart (`2^(1 / 2^s) - 1 > ln 2 / 2^s`), so at most one lies within such
    /// a run of fractions: the bucket is `first` or the next one.
    first: Vec<Box<[u16]>>,
}

impl Tables {
    fn build() -> Tables {
        let mut bounds = vec![Box::default()];
        let mut first = vec![Box::default()];
        for scale in 1..=TABLE_SCALE {
            let buckets = 1usize << scale;
            let b: Box<[u64]> = (0..buckets)
                // k · 2^-scale is exact; exp2 is monotonic, so the boundaries increase.
                .map(|k| {
                    (k as f64 * 2f64.powi(-i32::from(scale))).exp2().to_bits() & SIGNIFICAND_MASK
                })
                .chain(std::iter::once(1u64 << SIGNIFICAND_WIDTH))
                .collect();
            let width = 1u64 << (SIGNIFICAND_WIDTH - 1 - scale as u32);
            let mut k = 0usize;
            let f: Box<[u16]> = (0..2 * buckets as u64)
                .map(|t| {
                    while k + 1 < buckets && b[k + 1] < t * width {
                        k += 1;
                    }
                    // k < 2^TABLE_SCALE fits in u16.
                    k as u16
                })
                .collect();
            bounds.push(b);
            first.push(f);
        }
        Tables { bounds, first }
    }

    fn get() -> &'static Tables {
        static TABLES: OnceLock<Tables> = OnceLock::new();
        TABLES.get_or_init(Tables::build)
    }

    /// The bucket, among the `2^scale` of an octave (`1 <= scale <= TABLE_SCALE`), of the
    /// significand with the non-zero `fraction`.
    #[inline]
    fn within(&self, scale: i8, fraction: u64) -> i32 {
        let s = scale as usize;
        let t = (fraction >> (SIGNIFICAND_WIDTH - 1 - scale as u32)) as usize;
        let k = usize::from(self.first[s][t]);
        let bounds = &self.bounds[s];
        (k + usize::from(bounds[k + 1] < fraction)) as i32
    }
}

/// The index, at `scale` (`MIN_SCALE..=MAX_SCALE`), of the bucket holding the finite,
/// non-zero absolute value `abs`.
#[inline]
pub(crate) fn map_to_index(abs: f64, scale: i8) -> i32 {
    let (exponent, fraction) = decompose(abs);
    if scale <= 0 {
        // Scale 0: the exponent; a power of two is the upper bound of the bucket below.
        let index0 = if fraction == 0 {
            exponent - 1
        } else {
            exponent
        };
        // Arithmetic shift: rounds towards negative infinity, as bucket indexes must.
        return index0 >> -scale;
    }
    let first = exponent << scale;
    if fraction == 0 {
        return first - 1;
    }
    let tables = Tables::get();
    if scale <= TABLE_SCALE {
        return first + tables.within(scale, fraction);
    }
    first + within_by_logarithm(tables, scale, fraction)
}

/// The bucket within an octave above [`TABLE_SCALE`]: the logarithm of the significand,
/// kept within the bucket the tables give at `TABLE_SCALE` (so that the two methods agree
/// when buckets are merged down to the tables' scales).
#[inline(never)]
fn within_by_logarithm(tables: &Tables, scale: i8, fraction: u64) -> i32 {
    // The significand m in (1, 2), exactly, and its position among the 2^scale buckets of
    // [1, 2]. Multiplying by 2^scale is exact, so this is consistent across scales; the
    // product is not negative, so truncation is the floor.
    let significand = f64::from_bits(((EXPONENT_BIAS as u64) << SIGNIFICAND_WIDTH) | fraction);
    let within = (significand.log2() * f64::from(1i32 << scale)) as i32;
    let shift = (scale - TABLE_SCALE) as u32;
    let coarse = tables.within(TABLE_SCALE, fraction);
    within.clamp(coarse << shift, ((coarse + 1) << shift) - 1)
}

/// The lower boundary (exclusive) of the bucket `index` at `scale`: `2^(index / 2^scale)`.
/// May underflow to 0 or overflow to infinity for the partially representable buckets at
/// the ends of the `f64` range.
pub(crate) fn lower_boundary(index: i32, scale: i8) -> f64 {
    // index · 2^-scale is exact in f64 (at most 31 significant bits).
    (f64::from(index) * 2f64.powi(-i32::from(scale))).exp2()
}

/// The buckets of one sign: a window `start..=end` of bucket indexes in a ring buffer, so
/// that extending the window at either end moves nothing. Invariants while not empty:
/// `start <= base <= end` and `end - start < counts.len() <= max_size`.
#[derive(Debug, Default)]
struct Range {
    /// The counts; position `(index - base) mod len` holds bucket `index`. Grows up to
    /// `max_size` as the window widens; empty until the first value.
    counts: Vec<u64>,
    base: i32,
    start: i32,
    /// `end < start` when the range has no value.
    end: i32,
}

/// The initial number of buckets of a range (grown on demand up to `max_size`).
const INITIAL_BUCKETS: usize = 16;

impl Range {
    fn empty() -> Self {
        Range {
            counts: Vec::new(),
            base: 0,
            start: 0,
            end: -1,
        }
    }

    fn is_empty(&self) -> bool {
        self.end < self.start
    }

    /// The slot of bucket `index`. `base` always lies within the window, and the window
    /// (with `index`) is shorter than the buffer, so `index - base` is within
    /// `(-len, len)`: one correction instead of a division.
    #[inline]
    fn position(&self, index: i32) -> usize {
        let offset = i64::from(index) - i64::from(self.base);
        let len = self.counts.len() as i64;
        let at = if offset < 0 { offset + len } else { offset };
        debug_assert!((0..len).contains(&at), "index {index} outside the ring");
        at as usize
    }

    /// How many scales the range must go down so that `index` joins the window within
    /// `max_size` buckets (at most `room`).
    fn scale_change(&self, index: i32, max_size: usize, room: u32) -> u32 {
        if self.is_empty() {
            return 0;
        }
        let mut low = i64::from(self.start.min(index));
        let mut high = i64::from(self.end.max(index));
        let mut change = 0;
        while high - low >= max_size as i64 && change < room {
            low >>= 1;
            high >>= 1;
            change += 1;
        }
        change
    }

    /// Moves the window so that `counts[0]` holds `start`.
    fn align(&mut self) {
        if !self.counts.is_empty() {
            let at = self.position(self.start);
            self.counts.rotate_left(at);
        }
        self.base = self.start;
    }

    /// Counts one value in bucket `index`, which the caller made fit within `max_size`.
    fn increment(&mut self, index: i32, max_size: usize) {
        if self.is_empty() {
            if self.counts.is_empty() {
                self.counts = vec![0; INITIAL_BUCKETS.min(max_size)];
            }
            self.base = index;
            self.start = index;
            self.end = index;
        } else {
            let start = self.start.min(index);
            let end = self.end.max(index);
            let needed = (i64::from(end) - i64::from(start) + 1) as usize;
            if needed > self.counts.len() {
                self.align();
                let len = (self.counts.len() * 2).max(needed).min(max_size);
                self.counts.resize(len, 0);
            }
            self.start = start;
            self.end = end;
        }
        let at = self.position(index);
        self.counts[at] += 1;
    }

    /// Merges buckets for a scale `change` lower: bucket `i` becomes `i >> change`.
    fn downscale(&mut self, change: u32) {
        if change == 0 || self.is_empty() {
            return;
        }
        self.align();
        let new_start = self.start >> change;
        let span = (i64::from(self.end) - i64::from(self.start)) as usize;
        for i in 0..=span {
            let index = self.start + i as i32;
            // Never past i: buckets only move towards the front, into processed slots.
            let to = ((index >> change) - new_start) as usize;
            if to != i {
                let count = std::mem::take(&mut self.counts[i]);
                self.counts[to] += count;
            }
        }
        self.start = new_start;
        self.end >>= change;
        self.base = new_start;
    }

    /// The exported form: offset and the dense counts of the window.
    fn export(&self) -> ExponentialBucket {
        if self.is_empty() {
            return ExponentialBucket::default();
        }
        ExponentialBucket {
            offset: self.start,
            bucket_counts: (self.start..=self.end)
                .map(|i| self.counts[self.position(i)])
                .collect(),
        }
    }

    /// Empties the range, keeping its allocation.
    fn clear(&mut self) {
        if !self.is_empty() {
            for i in self.start..=self.end {
                let at = self.position(i);
                self.counts[at] = 0;
            }
        }
        self.start = 0;
        self.end = -1;
    }
}

/// Parameters of an exponential histogram stream (validated: `max_size >= 2`,
/// `max_scale` within `-10..=20`).
pub(crate) struct ExponentialConfig {
    pub(crate) max_size: usize,
    pub(crate) max_scale: i8,
    pub(crate) record_min_max: bool,
    /// False for instruments whose values may be negative (the spec asks not to sum them).
    pub(crate) record_sum: bool,
}

struct State<T> {
    scale: i8,
    count: u64,
    zero_count: u64,
    sum: T,
    min: T,
    max: T,
    positive: Range,
    negative: Range,
}

impl<T: Number> State<T> {
    fn new(max_scale: i8) -> Self {
        State {
            scale: max_scale,
            count: 0,
            zero_count: 0,
            sum: T::ZERO,
            min: T::ZERO,
            max: T::ZERO,
            positive: Range::empty(),
            negative: Range::empty(),
        }
    }

    fn record(&mut self, value: T, config: &ExponentialConfig) {
        let v = value.to_f64();
        if !v.is_finite() {
            // The stream drops (and reports) non-finite values before they get here.
            return;
        }
        self.count += 1;
        self.sum = self.sum.add(value);
        if self.count == 1 {
            self.min = value;
            self.max = value;
        } else {
            if value < self.min {
                self.min = value;
            }
            if value > self.max {
                self.max = value;
            }
        }
        if v == 0.0 {
            self.zero_count += 1;
            return;
        }
        let index = map_to_index(v.abs(), self.scale);
        let range = if v > 0.0 {
            &mut self.positive
        } else {
            &mut self.negative
        };
        // The common case once a series has settled: a bucket within the current window.
        if range.start <= index && index <= range.end {
            let at = range.position(index);
            range.counts[at] += 1;
            return;
        }
        self.record_outside(v, index, config);
    }

    /// Counts a value whose bucket lies outside its range's window: the window widens, and
    /// the scale goes down if it must.
    #[cold]
    fn record_outside(&mut self, v: f64, mut index: i32, config: &ExponentialConfig) {
        let room = (self.scale - MIN_SCALE) as u32;
        let range = if v > 0.0 {
            &self.positive
        } else {
            &self.negative
        };
        let change = range.scale_change(index, config.max_size, room);
        if change > 0 {
            self.positive.downscale(change);
            self.negative.downscale(change);
            self.scale -= change as i8;
            index >>= change;
        }
        let range = if v > 0.0 {
            &mut self.positive
        } else {
            &mut self.negative
        };
        range.increment(index, config.max_size);
    }

    fn clear(&mut self, max_scale: i8) {
        self.scale = max_scale;
        self.count = 0;
        self.zero_count = 0;
        self.sum = T::ZERO;
        self.min = T::ZERO;
        self.max = T::ZERO;
        self.positive.clear();
        self.negative.clear();
    }
}

/// An exponential histogram series.
pub(crate) struct ExponentialHistogramCell<T: Number> {
    state: Mutex<State<T>>,
}

impl<T: Number> ExponentialHistogramCell<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        // Nothing under this lock panics half-way through an update (indexes are bounded,
        // positions are taken modulo the buffer length).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<T: Number> Aggregator<T> for ExponentialHistogramCell<T> {
    type Config = ExponentialConfig;
    type Point = ExponentialHistogramDataPoint<T>;

    fn new(config: &ExponentialConfig) -> Self {
        ExponentialHistogramCell {
            state: Mutex::new(State::new(config.max_scale)),
        }
    }

    #[inline]
    fn record(&self, value: T, config: &ExponentialConfig) {
        self.lock().record(value, config);
    }

    fn point(
        &self,
        config: &ExponentialConfig,
        reset: bool,
        attributes: Arc<[KeyValue]>,
        start_time: SystemTime,
        time: SystemTime,
    ) -> ExponentialHistogramDataPoint<T> {
        let mut s = self.lock();
        let has_values = s.count > 0;
        let point = ExponentialHistogramDataPoint {
            attributes,
            start_time,
            time,
            count: s.count,
            min: (config.record_min_max && has_values).then_some(s.min),
            max: (config.record_min_max && has_values).then_some(s.max),
            sum: config.record_sum.then_some(s.sum),
            scale: s.scale,
            zero_count: s.zero_count,
            zero_threshold: 0.0,
            positive_bucket: s.positive.export(),
            negative_bucket: s.negative.export(),
            exemplars: Vec::new(),
        };
        if reset {
            s.clear(config.max_scale);
        }
        point
    }

    fn data(
        _: &ExponentialConfig,
        temporality: Temporality,
        data_points: Vec<ExponentialHistogramDataPoint<T>>,
    ) -> MetricData<T> {
        MetricData::ExponentialHistogram(ExponentialHistogram {
            data_points,
            temporality,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> SystemTime {
        SystemTime::UNIX_EPOCH
    }

    fn config(max_size: usize, max_scale: i8) -> ExponentialConfig {
        ExponentialConfig {
            max_size,
            max_scale,
            record_min_max: true,
            record_sum: true,
        }
    }

    fn bucket(offset: i32, bucket_counts: &[u64]) -> ExponentialBucket {
        ExponentialBucket {
            offset,
            bucket_counts: bucket_counts.to_vec(),
        }
    }

    const SMALLEST_SUBNORMAL: f64 = 5e-324; // 2^-1074, the nearest f64 to 5e-324

    #[test]
    fn scale_zero_indexes_are_the_exponent_with_powers_of_two_below() {
        let cases = [
            (1.0, -1), // (0.5, 1]
            (1.5, 0),  // (1, 2]
            (2.0, 0),
            (3.0, 1), // (2, 4]
            (4.0, 1),
            (4.000001, 2),
            (0.75, -1),
            (0.5, -2),
            (1024.0, 9),
            (1025.0, 10),
            (f64::MAX, 1023),
            (f64::MIN_POSITIVE, -1023), // 2^-1022, the smallest normal
            (f64::from_bits(1 << 51), -1024), // 2^-1023, subnormal
            (f64::from_bits(SIGNIFICAND_MASK), -1023), // the largest subnormal
            (f64::from_bits(3), -1073), // 3·2^-1074 in (2^-1073, 2^-1072]
            (f64::from_bits(2), -1074), // 2^-1073
            (SMALLEST_SUBNORMAL, -1075),
        ];
        for (value, index) in cases {
            assert_eq!(map_to_index(value, 0), index, "{value:e}");
        }
        assert_eq!(f64::from_bits(1), SMALLEST_SUBNORMAL);
    }

    #[test]
    fn negative_scales_shift_the_exponent() {
        // Scale -1: base 4, bucket i is (4^i, 4^(i+1)].
        let cases = [
            (1.0, -1),
            (2.0, 0),
            (4.0, 0),
            (5.0, 1),
            (16.0, 1),
            (17.0, 2),
            (0.3, -1),
            (0.25, -2),
        ];
        for (value, index) in cases {
            assert_eq!(map_to_index(value, -1), index, "{value}");
        }
        // Scale -10: base 2^1024. Everything above 1 up to f64::MAX is bucket 0.
        assert_eq!(map_to_index(f64::MAX, -10), 0);
        assert_eq!(map_to_index(1.5, -10), 0);
        assert_eq!(map_to_index(1.0, -10), -1);
        assert_eq!(map_to_index(f64::MIN_POSITIVE, -10), -1); // -1023 >> 10
        assert_eq!(map_to_index(SMALLEST_SUBNORMAL, -10), -2); // -1075 >> 10
                                                               // Scale -11: every value is in bucket -1 or 0.
        assert_eq!(map_to_index(SMALLEST_SUBNORMAL, MIN_SCALE), -1);
        assert_eq!(map_to_index(f64::MAX, MIN_SCALE), 0);
    }

    #[test]
    fn positive_scales_use_the_logarithm_and_are_exact_at_powers_of_two() {
        // Expected values computed with 80-digit decimal logarithms:
        // index = ceil(log2(v) · 2^scale) - 1.
        let cases = [
            (1.0, 1, -1),
            (2.0, 1, 1),
            (4.0, 1, 3),
            (0.5, 1, -3),
            (1.4, 1, 0), // below √2
            (3.0, 1, 3), // (2^1.5, 4]
            (1.09, 3, 0),
            (1.1, 3, 1),
            (1.5, 3, 4), // (2^(4/8), 2^(5/8)] = (1.41421, 1.54221]
            (2.0, 3, 7),
            (10.0, 3, 26),
            (12345.678, 5, 434),
            (1.0, 20, -1),
            (2.0, 20, 1_048_575),
            (1.5, 20, 613_377),
            (100.0, 20, 6_966_588),
            (0.1, 20, -3_483_295),
            (1e300, 10, 1_020_496),
            (1e-300, 10, -1_020_497),
        ];
        for (value, scale, index) in cases {
            assert_eq!(
                map_to_index(value, scale),
                index,
                "{value} at scale {scale}"
            );
        }
    }

    #[test]
    fn extreme_values_at_the_maximum_scale_stay_in_i32() {
        // f64::MAX = 2^1024·(1 - 2^-53) is in the last bucket below 2^1024.
        assert_eq!(map_to_index(f64::MAX, 20), (1024 << 20) - 1);
        assert_eq!(map_to_index(f64::MIN_POSITIVE, 20), (-1022 << 20) - 1);
        // 2^-1074 is a power of two: the bucket just below its scale-0 boundary.
        assert_eq!(map_to_index(SMALLEST_SUBNORMAL, 20), (-1074 << 20) - 1);
        // 3·2^-1074 = 2^-1073 · 1.5: same fraction position as 1.5 at scale 20.
        assert_eq!(map_to_index(f64::from_bits(3), 20), (-1073 << 20) + 613_377);
    }

    #[test]
    fn lower_boundaries_invert_the_mapping() {
        assert_eq!(lower_boundary(0, 0), 1.0);
        assert_eq!(lower_boundary(1, 0), 2.0);
        assert_eq!(lower_boundary(1, -1), 4.0);
        assert_eq!(lower_boundary(-2, 1), 0.5);
        assert!((lower_boundary(4, 3) - std::f64::consts::SQRT_2).abs() < 1e-15);
        for scale in [-3i8, 0, 1, 3, 8, 20] {
            for value in [1e-300, 0.001, 0.3, 1.7, 3.0, 1000.0, 6.02e23, 1e300] {
                let index = map_to_index(value, scale);
                let (low, high) = (
                    lower_boundary(index, scale),
                    lower_boundary(index + 1, scale),
                );
                let slack = 1e-12 * value;
                assert!(
                    low - slack <= value && value <= high + slack,
                    "{value} at scale {scale}: index {index} covers ({low}, {high}]"
                );
            }
        }
    }

    #[test]
    fn lower_scales_are_shifted_higher_ones() {
        let values = [
            SMALLEST_SUBNORMAL,
            f64::from_bits(12345),
            f64::MIN_POSITIVE,
            1e-200,
            0.1,
            1.0,
            1.0000001,
            1.5,
            1.9999999999,
            2.0,
            3.0,
            1e9,
            1.7e308,
            f64::MAX,
        ];
        for value in values {
            for high in MIN_SCALE..=MAX_SCALE {
                for low in MIN_SCALE..=high {
                    assert_eq!(
                        map_to_index(value, high) >> (high - low),
                        map_to_index(value, low),
                        "{value:e} from scale {high} to {low}"
                    );
                }
            }
        }
    }

    #[test]
    fn tables_find_the_bucket_a_search_of_the_boundaries_finds() {
        use rand::{Rng, SeedableRng};
        let tables = Tables::get();
        let mut rng = rand::rngs::SmallRng::seed_from_u64(11);
        for scale in 1..=TABLE_SCALE {
            let bounds = &tables.bounds[scale as usize];
            assert_eq!(bounds.len(), (1 << scale) + 1);
            assert!(bounds.windows(2).all(|w| w[0] < w[1]), "scale {scale}");
            // Every boundary, its neighbours, and random fractions.
            let mut fractions: Vec<u64> = bounds[1..bounds.len() - 1]
                .iter()
                .flat_map(|b| [b - 1, *b, b + 1])
                .collect();
            fractions.extend([1, SIGNIFICAND_MASK]);
            fractions.extend((0..2000).map(|_| rng.random_range(1..=SIGNIFICAND_MASK)));
            for fraction in fractions {
                // The highest k whose lower boundary is below the fraction.
                let expected = bounds.partition_point(|b| *b < fraction) as i32 - 1;
                assert_eq!(
                    tables.within(scale, fraction),
                    expected,
                    "scale {scale}, fraction {fraction:#x}"
                );
            }
        }
    }

    #[test]
    fn tables_and_logarithm_agree_within_one_bucket_and_across_scales() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(5);
        for _ in 0..3000 {
            let value = f64::from_bits(rng.random_range(1..0x7fef_ffff_ffff_ffffu64));
            for scale in 1..=MAX_SCALE {
                let index = map_to_index(value, scale);
                // The logarithm method, unclamped.
                let (exponent, fraction) = decompose(value);
                if fraction != 0 {
                    let m =
                        f64::from_bits(((EXPONENT_BIAS as u64) << SIGNIFICAND_WIDTH) | fraction);
                    let by_log = (exponent << scale) + (m.log2() * f64::from(1i32 << scale)) as i32;
                    assert!((index - by_log).abs() <= 1, "{value:e} at scale {scale}");
                }
                assert_eq!(
                    index >> 1,
                    map_to_index(value, scale - 1),
                    "{value:e} from scale {scale} to {}",
                    scale - 1
                );
            }
        }
    }

    #[test]
    fn a_single_value_keeps_the_maximum_scale() {
        let c = config(160, 20);
        let h = ExponentialHistogramCell::<f64>::new(&c);
        h.record(1.5, &c);
        h.record(1.5, &c);
        let p = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!(p.scale, 20);
        assert_eq!(p.positive_bucket, bucket(613_377, &[2]));
        assert_eq!(p.negative_bucket, ExponentialBucket::default());
    }

    #[test]
    fn powers_of_two_rescale_to_fit_max_size() {
        let c = config(4, 20);
        let h = ExponentialHistogramCell::<f64>::new(&c);
        let mut expected = vec![
            // After 1: scale 20, bucket -1.
            (20, bucket(-1, &[1])),
            // 2 is bucket 2^20 - 1 at scale 20: scale 1 is the highest where -1 and 1 fit.
            (1, bucket(-1, &[1, 0, 1])),
            // 4: scale 0, buckets -1 (0.5, 1], 0 (1, 2], 1 (2, 4].
            (0, bucket(-1, &[1, 1, 1])),
            (0, bucket(-1, &[1, 1, 1, 1])),
            // 16: scale -1 (base 4): (0.25,1] (1,4] (4,16].
            (-1, bucket(-1, &[1, 2, 2])),
            (-1, bucket(-1, &[1, 2, 2, 1])),
            (-1, bucket(-1, &[1, 2, 2, 2])),
            // 128: scale -2 (base 16): (1/16,1] (1,16] (16,256].
            (-2, bucket(-1, &[1, 4, 3])),
        ]
        .into_iter();
        for k in 0..8 {
            h.record(2f64.powi(k), &c);
            let p = h.point(&c, false, Arc::default(), at(), at());
            let (scale, positive) = expected.next().unwrap_or_else(|| unreachable!());
            assert_eq!(
                (p.scale, &p.positive_bucket),
                (scale, &positive),
                "after 2^{k}"
            );
        }
        let p = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!(p.count, 8);
        assert_eq!(p.sum, Some(255.0));
        assert_eq!((p.min, p.max), (Some(1.0), Some(128.0)));
        assert_eq!(p.zero_count, 0);
    }

    #[test]
    fn negative_and_zero_values() {
        let c = config(4, 20);
        let h = ExponentialHistogramCell::<f64>::new(&c);
        for v in [-1.0, -2.0, -4.0, -8.0, 0.0, -0.0, 5.0] {
            h.record(v, &c);
        }
        let p = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!(p.scale, 0);
        // |v| in (0.5,1] (1,2] (2,4] (4,8].
        assert_eq!(p.negative_bucket, bucket(-1, &[1, 1, 1, 1]));
        assert_eq!(p.positive_bucket, bucket(2, &[1]));
        assert_eq!((p.zero_count, p.zero_threshold), (2, 0.0));
        assert_eq!(p.count, 7);
        assert_eq!(p.sum, Some(-10.0));
        assert_eq!((p.min, p.max), (Some(-8.0), Some(5.0)));

        // 1000 is bucket 9 at scale 0: the positive range needs scale -1, and the negative
        // range goes down with it.
        h.record(1000.0, &c);
        let p = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!(p.scale, -1);
        assert_eq!(p.negative_bucket, bucket(-1, &[1, 2, 1]));
        assert_eq!(p.positive_bucket, bucket(1, &[1, 0, 0, 1]));
    }

    #[test]
    fn ranges_are_limited_separately() {
        // Both ranges use 4 buckets at scale 0 without rescaling.
        let c = config(4, 0);
        let h = ExponentialHistogramCell::<i64>::new(&c);
        for v in [1, 2, 4, 8, -1, -2, -4, -8] {
            h.record(v, &c);
        }
        let p = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!(p.scale, 0);
        assert_eq!(p.positive_bucket, bucket(-1, &[1, 1, 1, 1]));
        assert_eq!(p.negative_bucket, bucket(-1, &[1, 1, 1, 1]));
        assert_eq!((p.sum, p.min, p.max), (Some(0), Some(-8), Some(8)));
    }

    #[test]
    fn the_whole_f64_range_fits_in_two_buckets() {
        let c = config(2, 20);
        let h = ExponentialHistogramCell::<f64>::new(&c);
        for v in [SMALLEST_SUBNORMAL, 1.0, f64::MAX] {
            h.record(v, &c);
        }
        let p = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!(p.scale, MIN_SCALE);
        assert_eq!(p.positive_bucket, bucket(-1, &[2, 1]));
        assert_eq!(p.count, 3);
    }

    #[test]
    fn very_large_and_very_small_values_at_default_size() {
        let c = config(160, 20);
        let h = ExponentialHistogramCell::<f64>::new(&c);
        h.record(1e-300, &c);
        h.record(1e300, &c);
        let p = h.point(&c, false, Arc::default(), at(), at());
        // Scale-0 indexes -997 and 996: 1994 buckets at scale 0, 125 at scale -4
        // (-997 >> 4 = -63, 996 >> 4 = 62), 250 at scale -3.
        assert_eq!(p.scale, -4);
        assert_eq!(p.positive_bucket.offset, -63);
        assert_eq!(p.positive_bucket.bucket_counts.len(), 126);
        assert_eq!(p.positive_bucket.bucket_counts[0], 1);
        assert_eq!(p.positive_bucket.bucket_counts[125], 1);
        assert_eq!(p.positive_bucket.bucket_counts.iter().sum::<u64>(), 2);
    }

    /// The highest scale at which `values` fit in `max_size` buckets per sign, found by
    /// trying every scale: what the incremental rescaling must arrive at.
    fn ideal_scale(values: &[f64], max_size: i64, max_scale: i8) -> i8 {
        (MIN_SCALE..=max_scale)
            .rev()
            .find(|&scale| {
                [1.0, -1.0].iter().all(|sign| {
                    let indexes: Vec<i64> = values
                        .iter()
                        .filter(|v| **v * sign > 0.0)
                        .map(|v| i64::from(map_to_index(v.abs(), scale)))
                        .collect();
                    match (indexes.iter().min(), indexes.iter().max()) {
                        (Some(low), Some(high)) => high - low < max_size,
                        _ => true,
                    }
                })
            })
            .unwrap_or(MIN_SCALE)
    }

    #[test]
    fn rescaling_reaches_the_ideal_scale_and_keeps_every_count() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(7);
        for round in 0..200 {
            let max_size = rng.random_range(2..=40usize);
            let max_scale = rng.random_range(-10..=20i8);
            let c = config(max_size, max_scale);
            let h = ExponentialHistogramCell::<f64>::new(&c);
            let n = rng.random_range(1..60);
            let spread = rng.random_range(0.0..40.0);
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    let magnitude = 10f64.powf(rng.random_range(-spread..=spread));
                    match rng.random_range(0..10) {
                        0 => 0.0,
                        1..=3 => -magnitude,
                        _ => magnitude,
                    }
                })
                .collect();
            for v in &values {
                h.record(*v, &c);
            }
            let p = h.point(&c, false, Arc::default(), at(), at());
            assert_eq!(
                p.scale,
                ideal_scale(&values, max_size as i64, max_scale),
                "round {round}"
            );
            // Every value is counted in the bucket the final scale maps it to.
            let mut positive = vec![0u64; p.positive_bucket.bucket_counts.len()];
            let mut negative = vec![0u64; p.negative_bucket.bucket_counts.len()];
            for v in values.iter().filter(|v| **v != 0.0) {
                let index = map_to_index(v.abs(), p.scale);
                let (counts, offset) = if *v > 0.0 {
                    (&mut positive, p.positive_bucket.offset)
                } else {
                    (&mut negative, p.negative_bucket.offset)
                };
                counts[(index - offset) as usize] += 1;
            }
            assert_eq!(positive, p.positive_bucket.bucket_counts, "round {round}");
            assert_eq!(negative, p.negative_bucket.bucket_counts, "round {round}");
            assert!(positive.len() <= max_size && negative.len() <= max_size);
            assert_eq!(
                p.zero_count,
                values.iter().filter(|v| **v == 0.0).count() as u64
            );
            assert_eq!(p.count, n as u64);
        }
    }

    #[test]
    fn delta_points_reset_to_the_maximum_scale() {
        let c = config(4, 20);
        let h = ExponentialHistogramCell::<u64>::new(&c);
        for v in [1, 2, 4, 8, 16, 0] {
            h.record(v, &c);
        }
        let p = h.point(&c, true, Arc::default(), at(), at());
        assert_eq!(p.scale, -1);
        assert_eq!(p.positive_bucket, bucket(-1, &[1, 2, 2]));
        assert_eq!((p.count, p.zero_count, p.sum), (6, 1, Some(31)));
        assert_eq!((p.min, p.max), (Some(0), Some(16)));

        let empty = h.point(&c, true, Arc::default(), at(), at());
        assert_eq!((empty.count, empty.zero_count, empty.scale), (0, 0, 20));
        assert_eq!((empty.min, empty.max, empty.sum), (None, None, Some(0)));
        assert_eq!(empty.positive_bucket, ExponentialBucket::default());

        h.record(3, &c);
        let p = h.point(&c, true, Arc::default(), at(), at());
        // 3 = 2 · 1.5: (1 << 20) + 613377 at scale 20.
        assert_eq!(p.scale, 20);
        assert_eq!(p.positive_bucket, bucket((1 << 20) + 613_377, &[1]));
        assert_eq!(
            (p.count, p.sum, p.min, p.max),
            (1, Some(3), Some(3), Some(3))
        );
    }

    #[test]
    fn cumulative_points_keep_scale_and_buckets() {
        let c = config(4, 20);
        let h = ExponentialHistogramCell::<u64>::new(&c);
        for v in [1, 2, 4, 8, 16] {
            h.record(v, &c);
        }
        let first = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!(first.scale, -1);
        assert_eq!(first.positive_bucket, bucket(-1, &[1, 2, 2]));
        h.record(3, &c);
        let second = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!(second.scale, -1, "a small value does not raise the scale");
        assert_eq!(second.positive_bucket, bucket(-1, &[1, 3, 2]));
        assert_eq!((second.count, second.sum), (6, Some(34)));
        assert_eq!(h.point(&c, false, Arc::default(), at(), at()), second);
    }

    #[test]
    fn min_max_and_sum_can_be_off() {
        let c = ExponentialConfig {
            max_size: 160,
            max_scale: 20,
            record_min_max: false,
            record_sum: false,
        };
        let h = ExponentialHistogramCell::<i64>::new(&c);
        h.record(-3, &c);
        h.record(4, &c);
        let p = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!((p.min, p.max, p.sum), (None, None, None));
        assert_eq!(p.count, 2);
    }

    #[test]
    fn the_ring_buffer_grows_and_wraps_both_ways() {
        // 40 buckets at scale 0, filled from the middle outwards in both directions.
        let c = config(40, 0);
        let h = ExponentialHistogramCell::<f64>::new(&c);
        let mut values = Vec::new();
        for k in 0..20 {
            values.push(2f64.powi(k) * 1.5); // scale-0 index k
            values.push(2f64.powi(-k - 1) * 1.5); // scale-0 index -k-1
        }
        for v in &values {
            h.record(*v, &c);
        }
        let p = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!(p.scale, 0);
        assert_eq!(p.positive_bucket, bucket(-20, &[1; 40]));
        // One more below needs 41 buckets: scale -1 merges pairs.
        h.record(2f64.powi(-21) * 1.5, &c);
        let p = h.point(&c, false, Arc::default(), at(), at());
        assert_eq!(p.scale, -1);
        // Indexes -21..=19 shifted: -11 holds -21 alone, -10 holds -20 and -19, ..., 9 holds
        // 18 and 19.
        let mut expected = vec![2u64; 21];
        expected[0] = 1;
        assert_eq!(p.positive_bucket, bucket(-11, &expected));
    }
}
