//! Summaries (`min`, `max`, `sum`, `count`) of histogram points, with min and max estimated
//! from the buckets when the point does not carry them, as Dynatrace documents for its
//! OpenTelemetry exporters.

use crate::serialize::Number;

/// The estimate of the smallest value: the lower bound of the first non-empty bucket; for
/// the first bucket (unbounded below) its upper bound or the mean, whichever is smaller.
pub(crate) fn estimate_min(bounds: &[f64], counts: &[u64], sum: f64, count: u64) -> f64 {
    let mean = sum / count as f64;
    if bounds.is_empty() || counts.len() != bounds.len() + 1 {
        return mean;
    }
    match counts.iter().position(|&c| c > 0) {
        Some(0) | None => bounds[0].min(mean),
        Some(i) => bounds[i - 1],
    }
}

/// The estimate of the largest value: the upper bound of the last non-empty bucket; for the
/// last bucket (unbounded above) its lower bound or the mean, whichever is larger.
pub(crate) fn estimate_max(bounds: &[f64], counts: &[u64], sum: f64, count: u64) -> f64 {
    let mean = sum / count as f64;
    if bounds.is_empty() || counts.len() != bounds.len() + 1 {
        return mean;
    }
    match counts.iter().rposition(|&c| c > 0) {
        Some(i) if i == counts.len() - 1 => bounds[bounds.len() - 1].max(mean),
        None => bounds[bounds.len() - 1].max(mean),
        Some(i) => bounds[i],
    }
}

/// Min and max of an explicit-bucket point: the recorded ones (a non-finite one makes the
/// line invalid), else estimates.
pub(crate) fn min_max(
    min: Option<Number>,
    max: Option<Number>,
    bounds: &[f64],
    counts: &[u64],
    sum: Number,
    count: u64,
) -> (Number, Number) {
    let sum = sum.as_f64();
    let min = min.unwrap_or_else(|| Number::Float(estimate_min(bounds, counts, sum, count)));
    let max = max.unwrap_or_else(|| Number::Float(estimate_max(bounds, counts, sum, count)));
    (min, max)
}

/// Bounds of an exponential histogram's populated range, from its buckets: `(min, max)`
/// estimates (the outer boundaries of the outermost non-empty buckets).
pub(crate) fn exponential_min_max(
    scale: i8,
    zero_count: u64,
    positive: (i32, &[u64]),
    negative: (i32, &[u64]),
) -> Option<(f64, f64)> {
    let base = 2f64.powf(2f64.powi(-(scale as i32)));
    let bound = |index: i32| base.powi(index);
    let first = |(offset, counts): (i32, &[u64])| {
        counts
            .iter()
            .position(|&c| c > 0)
            .map(|i| offset + i as i32)
    };
    let last = |(offset, counts): (i32, &[u64])| {
        counts
            .iter()
            .rposition(|&c| c > 0)
            .map(|i| offset + i as i32)
    };
    // Bucket i holds absolute values in (base^i, base^(i+1)].
    let min = match (last(negative), zero_count > 0, first(positive)) {
        (Some(n), _, _) => -bound(n + 1),
        (None, true, _) => 0.0,
        (None, false, Some(p)) => bound(p),
        (None, false, None) => return None,
    };
    let max = match (last(positive), zero_count > 0, first(negative)) {
        (Some(p), _, _) => bound(p + 1),
        (None, true, _) => 0.0,
        (None, false, Some(n)) => -bound(n),
        (None, false, None) => return None,
    };
    Some((min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_estimates() {
        let bounds = [1.0, 2.0, 3.0];
        // Values in (1, 2] and (2, 3]: min 1, max 3.
        assert_eq!(estimate_min(&bounds, &[0, 2, 1, 0], 5.0, 3), 1.0);
        assert_eq!(estimate_max(&bounds, &[0, 2, 1, 0], 5.0, 3), 3.0);
        // First bucket: the bound or the mean, whichever is smaller.
        assert_eq!(estimate_min(&bounds, &[2, 0, 0, 0], 0.5, 2), 0.25);
        // Last bucket: the last bound or the mean, whichever is larger.
        assert_eq!(estimate_max(&bounds, &[0, 0, 0, 2], 20.0, 2), 10.0);
        // No bounds: the mean.
        assert_eq!(estimate_min(&[], &[4], 8.0, 4), 2.0);
        assert_eq!(estimate_max(&[], &[4], 8.0, 4), 2.0);
    }

    #[test]
    fn exponential_estimates() {
        // Scale 0: bucket 1 is (2, 4].
        assert_eq!(
            exponential_min_max(0, 0, (1, &[1]), (0, &[])),
            Some((2.0, 4.0))
        );
        assert_eq!(
            exponential_min_max(0, 1, (1, &[1]), (0, &[])),
            Some((0.0, 4.0))
        );
        assert_eq!(
            exponential_min_max(0, 0, (0, &[]), (1, &[1])),
            Some((-4.0, -2.0))
        );
        assert_eq!(exponential_min_max(0, 0, (0, &[]), (0, &[])), None);
    }
}
