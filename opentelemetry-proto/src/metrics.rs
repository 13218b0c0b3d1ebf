//! `opentelemetry.proto.metrics.v1`: metrics and their data points, grouped by resource and
//! scope.

/// Version 1 of the package.
pub mod v1 {
    use crate::common::v1::{InstrumentationScope, KeyValue};
    use crate::resource::v1::Resource;

    /// Metrics, grouped by resource and scope: the payload of a metrics export, and the format
    /// of OTLP metric files.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct MetricsData {
        /// The metrics of each resource.
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub resource_metrics: Vec<ResourceMetrics>,
    }

    /// The metrics of one resource.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct ResourceMetrics {
        /// The resource (absent: unknown).
        #[prost(message, optional, tag = "1")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub resource: Option<Resource>,
        /// The metrics, by instrumentation scope.
        #[prost(message, repeated, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub scope_metrics: Vec<ScopeMetrics>,
        /// The schema URL of the resource's attributes.
        #[prost(string, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub schema_url: String,
    }

    /// The metrics of one instrumentation scope.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct ScopeMetrics {
        /// The scope (absent: unknown).
        #[prost(message, optional, tag = "1")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub scope: Option<InstrumentationScope>,
        /// The metrics.
        #[prost(message, repeated, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub metrics: Vec<Metric>,
        /// The schema URL of the scope's attributes and of the metrics' data.
        #[prost(string, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "String::is_empty"
            )
        )]
        pub schema_url: String,
    }

    /// One metric stream: its identity and its data points.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Metric {
        /// The name.
        #[prost(string, tag = "1")]
        pub name: String,
        /// The description.
        #[prost(string, tag = "2")]
        pub description: String,
        /// The unit (UCUM).
        #[prost(string, tag = "3")]
        pub unit: String,
        /// The data, by point kind.
        #[prost(oneof = "metric::Data", tags = "5, 7, 9, 10, 11")]
        pub data: Option<metric::Data>,
        /// Additional metadata (not attributes of the points).
        #[prost(message, repeated, tag = "12")]
        pub metadata: Vec<KeyValue>,
    }

    /// The nested types of [`Metric`].
    pub mod metric {
        /// The data of a metric, by point kind.
        #[derive(Clone, PartialEq, prost::Oneof)]
        pub enum Data {
            /// Sampled values.
            #[prost(message, tag = "5")]
            Gauge(super::Gauge),
            /// Sums.
            #[prost(message, tag = "7")]
            Sum(super::Sum),
            /// Explicit-bucket histograms.
            #[prost(message, tag = "9")]
            Histogram(super::Histogram),
            /// Exponential-bucket histograms.
            #[prost(message, tag = "10")]
            ExponentialHistogram(super::ExponentialHistogram),
            /// Summaries (for legacy systems only).
            #[prost(message, tag = "11")]
            Summary(super::Summary),
        }
    }

    /// Sampled values.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct Gauge {
        /// The points.
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub data_points: Vec<NumberDataPoint>,
    }

    /// Sums.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct Sum {
        /// The points.
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub data_points: Vec<NumberDataPoint>,
        /// Delta or cumulative ([`AggregationTemporality`]).
        #[prost(enumeration = "AggregationTemporality", tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::int32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub aggregation_temporality: i32,
        /// Whether the sum only goes up.
        #[prost(bool, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                deserialize_with = "crate::json::null_default",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub is_monotonic: bool,
    }

    /// Explicit-bucket histograms.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct Histogram {
        /// The points.
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub data_points: Vec<HistogramDataPoint>,
        /// Delta or cumulative ([`AggregationTemporality`]).
        #[prost(enumeration = "AggregationTemporality", tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::int32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub aggregation_temporality: i32,
    }

    /// Exponential-bucket histograms.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct ExponentialHistogram {
        /// The points.
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub data_points: Vec<ExponentialHistogramDataPoint>,
        /// Delta or cumulative ([`AggregationTemporality`]).
        #[prost(enumeration = "AggregationTemporality", tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::int32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub aggregation_temporality: i32,
    }

    /// Summaries (quantiles), for systems that only have those.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct Summary {
        /// The points.
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub data_points: Vec<SummaryDataPoint>,
    }

    /// Whether points cover the time since the previous report or since a fixed start.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum AggregationTemporality {
        /// Not given (invalid for sums and histograms).
        Unspecified = 0,
        /// Since the previous report.
        Delta = 1,
        /// Since a fixed start time.
        Cumulative = 2,
    }

    /// The bits of the data points' `flags`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum DataPointFlags {
        /// Not a flag: the value 0 has no meaning of its own.
        DoNotUse = 0,
        /// The point has no recorded value (it marks a stale series).
        NoRecordedValueMask = 1,
    }

    /// One value of a gauge or a sum.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct NumberDataPoint {
        /// The attributes.
        #[prost(message, repeated, tag = "7")]
        pub attributes: Vec<KeyValue>,
        /// The start of the interval, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "2")]
        pub start_time_unix_nano: u64,
        /// The end of the interval (the collection time), in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "3")]
        pub time_unix_nano: u64,
        /// The value.
        #[prost(oneof = "number_data_point::Value", tags = "4, 6")]
        pub value: Option<number_data_point::Value>,
        /// Example measurements.
        #[prost(message, repeated, tag = "5")]
        pub exemplars: Vec<Exemplar>,
        /// [`DataPointFlags`] bits.
        #[prost(uint32, tag = "8")]
        pub flags: u32,
    }

    /// The nested types of [`NumberDataPoint`].
    pub mod number_data_point {
        /// A number value.
        #[derive(Clone, Copy, PartialEq, prost::Oneof)]
        pub enum Value {
            /// A double.
            #[prost(double, tag = "4")]
            AsDouble(f64),
            /// A signed 64-bit integer.
            #[prost(sfixed64, tag = "6")]
            AsInt(i64),
        }
    }

    /// The distribution of one attribute set's values over an interval, in explicit buckets.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct HistogramDataPoint {
        /// The attributes.
        #[prost(message, repeated, tag = "9")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub attributes: Vec<KeyValue>,
        /// The start of the interval, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub start_time_unix_nano: u64,
        /// The end of the interval, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub time_unix_nano: u64,
        /// How many values were recorded.
        #[prost(fixed64, tag = "4")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub count: u64,
        /// The sum of the values (absent when it is not meaningful).
        #[prost(double, optional, tag = "5")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::opt_double",
                skip_serializing_if = "Option::is_none"
            )
        )]
        pub sum: Option<f64>,
        /// The count of each bucket (`explicit_bounds.len() + 1` of them).
        #[prost(fixed64, repeated, tag = "6")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::vec_uint64",
                skip_serializing_if = "Vec::is_empty"
            )
        )]
        pub bucket_counts: Vec<u64>,
        /// The bucket upper bounds (inclusive), increasing.
        #[prost(double, repeated, tag = "7")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::vec_double",
                skip_serializing_if = "Vec::is_empty"
            )
        )]
        pub explicit_bounds: Vec<f64>,
        /// Example measurements.
        #[prost(message, repeated, tag = "8")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub exemplars: Vec<Exemplar>,
        /// [`DataPointFlags`] bits.
        #[prost(uint32, tag = "10")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub flags: u32,
        /// The smallest value.
        #[prost(double, optional, tag = "11")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::opt_double",
                skip_serializing_if = "Option::is_none"
            )
        )]
        pub min: Option<f64>,
        /// The largest value.
        #[prost(double, optional, tag = "12")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::opt_double",
                skip_serializing_if = "Option::is_none"
            )
        )]
        pub max: Option<f64>,
    }

    /// The distribution of one attribute set's values over an interval, in exponential buckets.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct ExponentialHistogramDataPoint {
        /// The attributes.
        #[prost(message, repeated, tag = "1")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub attributes: Vec<KeyValue>,
        /// The start of the interval, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub start_time_unix_nano: u64,
        /// The end of the interval, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub time_unix_nano: u64,
        /// How many values were recorded.
        #[prost(fixed64, tag = "4")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub count: u64,
        /// The sum of the values (absent when it is not meaningful).
        #[prost(double, optional, tag = "5")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::opt_double",
                skip_serializing_if = "Option::is_none"
            )
        )]
        pub sum: Option<f64>,
        /// The resolution: bucket boundaries are powers of `2^(2^-scale)`.
        #[prost(sint32, tag = "6")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::int32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub scale: i32,
        /// How many values fell in the zero bucket.
        #[prost(fixed64, tag = "7")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub zero_count: u64,
        /// The buckets of the positive values.
        #[prost(message, optional, tag = "8")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub positive: Option<exponential_histogram_data_point::Buckets>,
        /// The buckets of the negative values.
        #[prost(message, optional, tag = "9")]
        #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
        pub negative: Option<exponential_histogram_data_point::Buckets>,
        /// [`DataPointFlags`] bits.
        #[prost(uint32, tag = "10")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub flags: u32,
        /// Example measurements.
        #[prost(message, repeated, tag = "11")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub exemplars: Vec<Exemplar>,
        /// The smallest value.
        #[prost(double, optional, tag = "12")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::opt_double",
                skip_serializing_if = "Option::is_none"
            )
        )]
        pub min: Option<f64>,
        /// The largest value.
        #[prost(double, optional, tag = "13")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::opt_double",
                skip_serializing_if = "Option::is_none"
            )
        )]
        pub max: Option<f64>,
        /// The width of the zero bucket: values whose absolute value is at most this count as
        /// zero.
        #[prost(double, tag = "14")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::double",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub zero_threshold: f64,
    }

    /// The nested types of [`ExponentialHistogramDataPoint`].
    pub mod exponential_histogram_data_point {
        /// A run of consecutive exponential buckets.
        #[derive(Clone, PartialEq, prost::Message)]
        #[cfg_attr(
            feature = "with-serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(rename_all = "camelCase", default)
        )]
        pub struct Buckets {
            /// The index of the first bucket.
            #[prost(sint32, tag = "1")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    with = "crate::json::int32",
                    skip_serializing_if = "crate::json::is_default"
                )
            )]
            pub offset: i32,
            /// The count of each bucket, from `offset` on.
            #[prost(uint64, repeated, tag = "2")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    with = "crate::json::vec_uint64",
                    skip_serializing_if = "Vec::is_empty"
                )
            )]
            pub bucket_counts: Vec<u64>,
        }
    }

    /// Quantiles of one attribute set's values over an interval.
    #[derive(Clone, PartialEq, prost::Message)]
    #[cfg_attr(
        feature = "with-serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(rename_all = "camelCase", default)
    )]
    pub struct SummaryDataPoint {
        /// The attributes.
        #[prost(message, repeated, tag = "7")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub attributes: Vec<KeyValue>,
        /// The start of the interval, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "2")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub start_time_unix_nano: u64,
        /// The end of the interval, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "3")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub time_unix_nano: u64,
        /// How many values were recorded.
        #[prost(fixed64, tag = "4")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub count: u64,
        /// The sum of the values.
        #[prost(double, tag = "5")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::double",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub sum: f64,
        /// The quantiles.
        #[prost(message, repeated, tag = "6")]
        #[cfg_attr(
            feature = "with-serde",
            serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
        )]
        pub quantile_values: Vec<summary_data_point::ValueAtQuantile>,
        /// [`DataPointFlags`] bits.
        #[prost(uint32, tag = "8")]
        #[cfg_attr(
            feature = "with-serde",
            serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )
        )]
        pub flags: u32,
    }

    /// The nested types of [`SummaryDataPoint`].
    pub mod summary_data_point {
        /// The value at one quantile.
        #[derive(Clone, PartialEq, prost::Message)]
        #[cfg_attr(
            feature = "with-serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(rename_all = "camelCase", default)
        )]
        pub struct ValueAtQuantile {
            /// The quantile, in `[0.0, 1.0]`.
            #[prost(double, tag = "1")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    with = "crate::json::double",
                    skip_serializing_if = "crate::json::is_default"
                )
            )]
            pub quantile: f64,
            /// The value at that quantile.
            #[prost(double, tag = "2")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    with = "crate::json::double",
                    skip_serializing_if = "crate::json::is_default"
                )
            )]
            pub value: f64,
        }
    }

    /// An example measurement kept with a data point.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Exemplar {
        /// The measurement's attributes that the data point does not carry.
        #[prost(message, repeated, tag = "7")]
        pub filtered_attributes: Vec<KeyValue>,
        /// When it was recorded, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "2")]
        pub time_unix_nano: u64,
        /// The measured value.
        #[prost(oneof = "exemplar::Value", tags = "3, 6")]
        pub value: Option<exemplar::Value>,
        /// The span active when it was recorded (empty: none).
        #[prost(bytes = "vec", tag = "4")]
        pub span_id: Vec<u8>,
        /// The trace of that span (empty: none).
        #[prost(bytes = "vec", tag = "5")]
        pub trace_id: Vec<u8>,
    }

    /// The nested types of [`Exemplar`].
    pub mod exemplar {
        /// A measured value.
        #[derive(Clone, Copy, PartialEq, prost::Oneof)]
        pub enum Value {
            /// A double.
            #[prost(double, tag = "3")]
            AsDouble(f64),
            /// A signed 64-bit integer.
            #[prost(sfixed64, tag = "6")]
            AsInt(i64),
        }
    }

    /// The JSON forms of the messages holding a oneof: their fields and the oneof's members
    /// side by side, as the proto3 JSON mapping lays them out.
    #[cfg(feature = "with-serde")]
    mod oneof_json {
        use super::*;
        use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

        fn one_of<T, E: de::Error>(members: [Option<T>; 2], message: &str) -> Result<Option<T>, E> {
            match members {
                [Some(_), Some(_)] => Err(E::custom(format_args!(
                    "{message} holds more than one value"
                ))),
                [a, b] => Ok(a.or(b)),
            }
        }

        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct MetricOut<'a> {
            #[serde(skip_serializing_if = "str::is_empty")]
            name: &'a str,
            #[serde(skip_serializing_if = "str::is_empty")]
            description: &'a str,
            #[serde(skip_serializing_if = "str::is_empty")]
            unit: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            gauge: Option<&'a Gauge>,
            #[serde(skip_serializing_if = "Option::is_none")]
            sum: Option<&'a Sum>,
            #[serde(skip_serializing_if = "Option::is_none")]
            histogram: Option<&'a Histogram>,
            #[serde(skip_serializing_if = "Option::is_none")]
            exponential_histogram: Option<&'a ExponentialHistogram>,
            #[serde(skip_serializing_if = "Option::is_none")]
            summary: Option<&'a Summary>,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            metadata: &'a [KeyValue],
        }

        impl Serialize for Metric {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use metric::Data;
                let mut out = MetricOut {
                    name: &self.name,
                    description: &self.description,
                    unit: &self.unit,
                    gauge: None,
                    sum: None,
                    histogram: None,
                    exponential_histogram: None,
                    summary: None,
                    metadata: &self.metadata,
                };
                match &self.data {
                    Some(Data::Gauge(d)) => out.gauge = Some(d),
                    Some(Data::Sum(d)) => out.sum = Some(d),
                    Some(Data::Histogram(d)) => out.histogram = Some(d),
                    Some(Data::ExponentialHistogram(d)) => out.exponential_histogram = Some(d),
                    Some(Data::Summary(d)) => out.summary = Some(d),
                    None => {}
                }
                out.serialize(serializer)
            }
        }

        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase", default)]
        struct MetricIn {
            #[serde(deserialize_with = "crate::json::null_default")]
            name: String,
            #[serde(deserialize_with = "crate::json::null_default")]
            description: String,
            #[serde(deserialize_with = "crate::json::null_default")]
            unit: String,
            gauge: Option<Gauge>,
            sum: Option<Sum>,
            histogram: Option<Histogram>,
            exponential_histogram: Option<ExponentialHistogram>,
            summary: Option<Summary>,
            #[serde(with = "crate::json::vec")]
            metadata: Vec<KeyValue>,
        }

        impl<'de> Deserialize<'de> for Metric {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use metric::Data;
                let m = MetricIn::deserialize(deserializer)?;
                let members = [
                    m.gauge.map(Data::Gauge),
                    m.sum.map(Data::Sum),
                    m.histogram.map(Data::Histogram),
                    m.exponential_histogram.map(Data::ExponentialHistogram),
                    m.summary.map(Data::Summary),
                ];
                if members.iter().filter(|m| m.is_some()).count() > 1 {
                    return Err(de::Error::custom(
                        "a Metric holds more than one kind of data",
                    ));
                }
                Ok(Metric {
                    name: m.name,
                    description: m.description,
                    unit: m.unit,
                    data: members.into_iter().flatten().next(),
                    metadata: m.metadata,
                })
            }
        }

        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct NumberDataPointOut<'a> {
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            attributes: &'a [KeyValue],
            #[serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )]
            start_time_unix_nano: u64,
            #[serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )]
            time_unix_nano: u64,
            #[serde(
                with = "crate::json::opt_double",
                skip_serializing_if = "Option::is_none"
            )]
            as_double: Option<f64>,
            #[serde(
                with = "crate::json::opt_int64",
                skip_serializing_if = "Option::is_none"
            )]
            as_int: Option<i64>,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            exemplars: &'a [Exemplar],
            #[serde(
                with = "crate::json::uint32",
                skip_serializing_if = "crate::json::is_default"
            )]
            flags: u32,
        }

        impl Serialize for NumberDataPoint {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use number_data_point::Value;
                NumberDataPointOut {
                    attributes: &self.attributes,
                    start_time_unix_nano: self.start_time_unix_nano,
                    time_unix_nano: self.time_unix_nano,
                    as_double: match self.value {
                        Some(Value::AsDouble(v)) => Some(v),
                        _ => None,
                    },
                    as_int: match self.value {
                        Some(Value::AsInt(v)) => Some(v),
                        _ => None,
                    },
                    exemplars: &self.exemplars,
                    flags: self.flags,
                }
                .serialize(serializer)
            }
        }

        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase", default)]
        struct NumberDataPointIn {
            #[serde(with = "crate::json::vec")]
            attributes: Vec<KeyValue>,
            #[serde(with = "crate::json::uint64")]
            start_time_unix_nano: u64,
            #[serde(with = "crate::json::uint64")]
            time_unix_nano: u64,
            #[serde(with = "crate::json::opt_double")]
            as_double: Option<f64>,
            #[serde(with = "crate::json::opt_int64")]
            as_int: Option<i64>,
            #[serde(with = "crate::json::vec")]
            exemplars: Vec<Exemplar>,
            #[serde(with = "crate::json::uint32")]
            flags: u32,
        }

        impl<'de> Deserialize<'de> for NumberDataPoint {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use number_data_point::Value;
                let p = NumberDataPointIn::deserialize(deserializer)?;
                Ok(NumberDataPoint {
                    attributes: p.attributes,
                    start_time_unix_nano: p.start_time_unix_nano,
                    time_unix_nano: p.time_unix_nano,
                    value: one_of(
                        [p.as_double.map(Value::AsDouble), p.as_int.map(Value::AsInt)],
                        "a NumberDataPoint",
                    )?,
                    exemplars: p.exemplars,
                    flags: p.flags,
                })
            }
        }

        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct ExemplarOut<'a> {
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            filtered_attributes: &'a [KeyValue],
            #[serde(
                with = "crate::json::uint64",
                skip_serializing_if = "crate::json::is_default"
            )]
            time_unix_nano: u64,
            #[serde(
                with = "crate::json::opt_double",
                skip_serializing_if = "Option::is_none"
            )]
            as_double: Option<f64>,
            #[serde(
                with = "crate::json::opt_int64",
                skip_serializing_if = "Option::is_none"
            )]
            as_int: Option<i64>,
            #[serde(with = "crate::json::hex_id", skip_serializing_if = "<[_]>::is_empty")]
            span_id: &'a [u8],
            #[serde(with = "crate::json::hex_id", skip_serializing_if = "<[_]>::is_empty")]
            trace_id: &'a [u8],
        }

        impl Serialize for Exemplar {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use exemplar::Value;
                ExemplarOut {
                    filtered_attributes: &self.filtered_attributes,
                    time_unix_nano: self.time_unix_nano,
                    as_double: match self.value {
                        Some(Value::AsDouble(v)) => Some(v),
                        _ => None,
                    },
                    as_int: match self.value {
                        Some(Value::AsInt(v)) => Some(v),
                        _ => None,
                    },
                    span_id: &self.span_id,
                    trace_id: &self.trace_id,
                }
                .serialize(serializer)
            }
        }

        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase", default)]
        struct ExemplarIn {
            #[serde(with = "crate::json::vec")]
            filtered_attributes: Vec<KeyValue>,
            #[serde(with = "crate::json::uint64")]
            time_unix_nano: u64,
            #[serde(with = "crate::json::opt_double")]
            as_double: Option<f64>,
            #[serde(with = "crate::json::opt_int64")]
            as_int: Option<i64>,
            #[serde(with = "crate::json::hex_id")]
            span_id: Vec<u8>,
            #[serde(with = "crate::json::hex_id")]
            trace_id: Vec<u8>,
        }

        impl<'de> Deserialize<'de> for Exemplar {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use exemplar::Value;
                let e = ExemplarIn::deserialize(deserializer)?;
                Ok(Exemplar {
                    filtered_attributes: e.filtered_attributes,
                    time_unix_nano: e.time_unix_nano,
                    value: one_of(
                        [e.as_double.map(Value::AsDouble), e.as_int.map(Value::AsInt)],
                        "an Exemplar",
                    )?,
                    span_id: e.span_id,
                    trace_id: e.trace_id,
                })
            }
        }
    }
}
