//! Aggregations: how a stream turns measurements into data points.

/// The spec's default explicit bucket boundaries.
pub const DEFAULT_HISTOGRAM_BOUNDARIES: [f64; 15] = [
    0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 2500.0, 5000.0, 7500.0,
    10000.0,
];

/// How a metric stream aggregates measurements; chosen by a [`View`](super::View) or, by
/// default, per instrument kind by the reader.
///
/// ```
/// use opentelemetry_sdk::metrics::Aggregation;
/// let latency = Aggregation::ExplicitBucketHistogram {
///     boundaries: vec![0.005, 0.01, 0.1, 1.0],
///     record_min_max: true,
/// };
/// assert_ne!(latency, Aggregation::Default);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub enum Aggregation {
    /// Ignore every measurement: the stream is not collected.
    Drop,
    /// The instrument kind's default: Sum for counters and up-down counters, LastValue for
    /// gauges, ExplicitBucketHistogram (with the instrument's advisory boundaries, if any)
    /// for histograms.
    #[default]
    Default,
    /// The arithmetic sum of the measurements (monotonic for counters and histograms).
    Sum,
    /// The last measurement.
    LastValue,
    /// Count, sum, min, max and per-bucket counts with explicit bucket upper bounds.
    ExplicitBucketHistogram {
        /// Increasing, finite bucket upper bounds (inclusive). Empty: count, sum, min and
        /// max only.
        boundaries: Vec<f64>,
        /// Whether to record min and max.
        record_min_max: bool,
    },
    /// Count, sum, min, max and per-bucket counts with base-2 exponential buckets whose
    /// scale (resolution) adjusts to the recorded values: the highest scale, up to
    /// `max_scale`, at which the positive values, and the negative ones, each fit in
    /// `max_size` buckets. See [`Aggregation::default_exponential_histogram`] for the spec's
    /// defaults.
    Base2ExponentialHistogram {
        /// Maximum number of buckets in each of the positive and negative ranges, not
        /// counting the zero bucket (spec default 160; at least 2).
        max_size: u32,
        /// Maximum scale (spec default 20; within -10..=20).
        max_scale: i8,
        /// Whether to record min and max.
        record_min_max: bool,
    },
}

impl Aggregation {
    /// The explicit-bucket histogram with the spec's default boundaries.
    pub fn default_histogram() -> Self {
        Aggregation::ExplicitBucketHistogram {
            boundaries: DEFAULT_HISTOGRAM_BOUNDARIES.to_vec(),
            record_min_max: true,
        }
    }

    /// The base-2 exponential histogram with the spec's defaults: 160 buckets, maximum scale
    /// 20, min and max recorded.
    ///
    /// ```
    /// use opentelemetry_sdk::metrics::Aggregation;
    /// assert_eq!(
    ///     Aggregation::default_exponential_histogram(),
    ///     Aggregation::Base2ExponentialHistogram { max_size: 160, max_scale: 20, record_min_max: true }
    /// );
    /// ```
    pub fn default_exponential_histogram() -> Self {
        Aggregation::Base2ExponentialHistogram {
            max_size: 160,
            max_scale: 20,
            record_min_max: true,
        }
    }

    /// Checks the parameters; the error says what is wrong.
    pub(crate) fn validate(&self) -> Result<(), String> {
        match self {
            Aggregation::ExplicitBucketHistogram { boundaries, .. } => {
                validate_boundaries(boundaries)
            }
            Aggregation::Base2ExponentialHistogram {
                max_size,
                max_scale,
                ..
            } => {
                if *max_size < 2 {
                    return Err(format!("max_size {max_size} must be at least 2"));
                }
                if !(-10..=super::exponential::MAX_SCALE).contains(max_scale) {
                    return Err(format!("max_scale {max_scale} must be within -10..=20"));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Boundaries must be finite and strictly increasing.
pub(crate) fn validate_boundaries(boundaries: &[f64]) -> Result<(), String> {
    if let Some(b) = boundaries.iter().find(|b| !b.is_finite()) {
        return Err(format!("bucket boundary {b} is not finite"));
    }
    if boundaries.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!(
            "bucket boundaries {boundaries:?} are not strictly increasing"
        ));
    }
    Ok(())
}

/// What a stream actually does, resolved from the configured aggregation, the reader's
/// default and the instrument kind.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Resolved {
    Drop,
    Sum {
        monotonic: bool,
    },
    LastValue,
    Histogram {
        boundaries: Vec<f64>,
        record_min_max: bool,
    },
    ExponentialHistogram {
        max_size: u32,
        max_scale: i8,
        record_min_max: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_must_be_finite_and_increasing() {
        assert!(validate_boundaries(&[]).is_ok());
        assert!(validate_boundaries(&DEFAULT_HISTOGRAM_BOUNDARIES).is_ok());
        assert!(validate_boundaries(&[1.0, 1.0]).is_err());
        assert!(validate_boundaries(&[2.0, 1.0]).is_err());
        assert!(validate_boundaries(&[f64::NAN]).is_err());
        assert!(validate_boundaries(&[0.0, f64::INFINITY]).is_err());
    }

    #[test]
    fn exponential_parameters_are_checked() {
        let ok = Aggregation::Base2ExponentialHistogram {
            max_size: 160,
            max_scale: 20,
            record_min_max: true,
        };
        assert!(ok.validate().is_ok());
        let bad = Aggregation::Base2ExponentialHistogram {
            max_size: 1,
            max_scale: 20,
            record_min_max: true,
        };
        assert!(bad.validate().is_err());
        let smallest = Aggregation::Base2ExponentialHistogram {
            max_size: 2,
            max_scale: -10,
            record_min_max: false,
        };
        assert!(smallest.validate().is_ok());
        for max_scale in [-11, 21] {
            let bad = Aggregation::Base2ExponentialHistogram {
                max_size: 160,
                max_scale,
                record_min_max: true,
            };
            assert!(bad.validate().is_err(), "{max_scale}");
        }
    }
}
