//! The three number types measurements come in, and the atomic cells that hold them.

use super::data::{AggregatedMetrics, MetricData};
use super::exemplar::{CustomReservoir, CustomReservoirFactory};
use opentelemetry_api::KeyValue;
use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// A measurement's number type: `u64`, `i64` or `f64`.
pub(crate) trait Number:
    Copy + PartialOrd + Default + Send + Sync + fmt::Debug + fmt::Display + 'static
{
    /// The atomic cell that sums or stores values of this type.
    type Atomic: AtomicNumber<Self>;
    /// The additive identity.
    const ZERO: Self;
    /// Whether the type has negative values.
    const SIGNED: bool;
    /// Whether the value is finite (always true for integers).
    fn is_finite(self) -> bool;
    /// Whether the value is `>= 0` (false for NaN).
    fn is_non_negative(self) -> bool;
    /// The value as `f64` (for bucketing and display).
    fn to_f64(self) -> f64;
    /// Addition that wraps for integers instead of panicking.
    fn add(self, other: Self) -> Self;
    /// Subtraction that wraps for integers instead of panicking.
    fn sub(self, other: Self) -> Self;
    /// Wraps typed metric data into the type-erased form exporters receive.
    fn wrap(data: MetricData<Self>) -> AggregatedMetrics;
    /// A user's exemplar reservoir for a series of this type.
    fn custom_reservoir(
        factory: &dyn CustomReservoirFactory,
        series: &[KeyValue],
    ) -> Box<dyn CustomReservoir<Self>>;
}

/// An atomic cell holding a [`Number`].
pub(crate) trait AtomicNumber<T>: Send + Sync + Default + 'static {
    /// Adds `value`.
    fn add(&self, value: T);
    /// The current value.
    fn load(&self) -> T;
    /// Replaces the value.
    fn store(&self, value: T);
    /// Takes the value, leaving zero.
    fn take(&self) -> T;
}

impl AtomicNumber<u64> for AtomicU64 {
    #[inline]
    fn add(&self, value: u64) {
        self.fetch_add(value, Ordering::Relaxed);
    }
    #[inline]
    fn load(&self) -> u64 {
        AtomicU64::load(self, Ordering::Relaxed)
    }
    #[inline]
    fn store(&self, value: u64) {
        AtomicU64::store(self, value, Ordering::Relaxed)
    }
    #[inline]
    fn take(&self) -> u64 {
        self.swap(0, Ordering::Relaxed)
    }
}

impl AtomicNumber<i64> for AtomicI64 {
    #[inline]
    fn add(&self, value: i64) {
        self.fetch_add(value, Ordering::Relaxed);
    }
    #[inline]
    fn load(&self) -> i64 {
        AtomicI64::load(self, Ordering::Relaxed)
    }
    #[inline]
    fn store(&self, value: i64) {
        AtomicI64::store(self, value, Ordering::Relaxed)
    }
    #[inline]
    fn take(&self) -> i64 {
        self.swap(0, Ordering::Relaxed)
    }
}

/// An `f64` kept as its bits in an `AtomicU64`; additions are a compare-and-swap loop.
#[derive(Default)]
pub(crate) struct AtomicF64(AtomicU64);

impl AtomicNumber<f64> for AtomicF64 {
    #[inline]
    fn add(&self, value: f64) {
        let mut current = self.0.load(Ordering::Relaxed);
        loop {
            let new = (f64::from_bits(current) + value).to_bits();
            match self
                .0
                .compare_exchange_weak(current, new, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }
    #[inline]
    fn load(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }
    #[inline]
    fn store(&self, value: f64) {
        self.0.store(value.to_bits(), Ordering::Relaxed)
    }
    #[inline]
    fn take(&self) -> f64 {
        f64::from_bits(self.0.swap(0.0_f64.to_bits(), Ordering::Relaxed))
    }
}

impl Number for u64 {
    type Atomic = AtomicU64;
    const ZERO: Self = 0;
    const SIGNED: bool = false;
    #[inline]
    fn is_finite(self) -> bool {
        true
    }
    #[inline]
    fn is_non_negative(self) -> bool {
        true
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn add(self, other: Self) -> Self {
        self.wrapping_add(other)
    }
    fn sub(self, other: Self) -> Self {
        self.wrapping_sub(other)
    }
    fn wrap(data: MetricData<Self>) -> AggregatedMetrics {
        AggregatedMetrics::U64(data)
    }
    fn custom_reservoir(
        factory: &dyn CustomReservoirFactory,
        series: &[KeyValue],
    ) -> Box<dyn CustomReservoir<Self>> {
        factory.reservoir_u64(series)
    }
}

impl Number for i64 {
    type Atomic = AtomicI64;
    const ZERO: Self = 0;
    const SIGNED: bool = true;
    #[inline]
    fn is_finite(self) -> bool {
        true
    }
    #[inline]
    fn is_non_negative(self) -> bool {
        self >= 0
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn add(self, other: Self) -> Self {
        self.wrapping_add(other)
    }
    fn sub(self, other: Self) -> Self {
        self.wrapping_sub(other)
    }
    fn wrap(data: MetricData<Self>) -> AggregatedMetrics {
        AggregatedMetrics::I64(data)
    }
    fn custom_reservoir(
        factory: &dyn CustomReservoirFactory,
        series: &[KeyValue],
    ) -> Box<dyn CustomReservoir<Self>> {
        factory.reservoir_i64(series)
    }
}

impl Number for f64 {
    type Atomic = AtomicF64;
    const ZERO: Self = 0.0;
    const SIGNED: bool = true;
    #[inline]
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
    #[inline]
    fn is_non_negative(self) -> bool {
        self >= 0.0
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn add(self, other: Self) -> Self {
        self + other
    }
    fn sub(self, other: Self) -> Self {
        self - other
    }
    fn wrap(data: MetricData<Self>) -> AggregatedMetrics {
        AggregatedMetrics::F64(data)
    }
    fn custom_reservoir(
        factory: &dyn CustomReservoirFactory,
        series: &[KeyValue],
    ) -> Box<dyn CustomReservoir<Self>> {
        factory.reservoir_f64(series)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f64_cells_add_take_and_store() {
        let cell = AtomicF64::default();
        cell.add(1.5);
        cell.add(2.25);
        assert_eq!(cell.load(), 3.75);
        assert_eq!(cell.take(), 3.75);
        assert_eq!(cell.load(), 0.0);
        cell.store(-7.0);
        assert_eq!(cell.load(), -7.0);
    }

    #[test]
    fn integer_cells_wrap_instead_of_panicking() {
        let cell = AtomicU64::default();
        AtomicNumber::store(&cell, u64::MAX);
        AtomicNumber::add(&cell, 2);
        assert_eq!(AtomicNumber::load(&cell), 1);
        assert_eq!(u64::MAX.add(2), 1);
        assert_eq!(i64::MIN.sub(1), i64::MAX);
    }

    #[test]
    fn validity_checks() {
        assert!(!f64::NAN.is_non_negative());
        assert!(!f64::INFINITY.is_finite());
        assert!(!(-0.5f64).is_non_negative());
        assert!(0.0f64.is_non_negative());
        assert!(!(-1i64).is_non_negative());
    }
}
