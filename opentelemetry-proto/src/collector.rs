//! `opentelemetry.proto.collector.{trace,metrics,logs}.v1`: the export requests and responses
//! of the three OTLP services, and (feature `gen-tonic`) their gRPC clients and servers.

#[cfg(feature = "gen-tonic")]
pub(crate) mod grpc;

macro_rules! partial_success {
    ($name:ident, $rejected:ident, $what:literal) => {
        #[doc = concat!("What the receiver rejected of an accepted request (", $what, ").")]
        #[derive(Clone, PartialEq, prost::Message)]
        #[cfg_attr(
            feature = "with-serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(rename_all = "camelCase", default)
        )]
        pub struct $name {
            #[doc = concat!("How many ", $what, " were rejected (0 with a message: a warning).")]
            #[prost(int64, tag = "1")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    with = "crate::json::int64",
                    skip_serializing_if = "crate::json::is_default"
                )
            )]
            pub $rejected: i64,
            /// Why (for people).
            #[prost(string, tag = "2")]
            #[cfg_attr(
                feature = "with-serde",
                serde(
                    deserialize_with = "crate::json::null_default",
                    skip_serializing_if = "String::is_empty"
                )
            )]
            pub error_message: String,
        }
    };
}

macro_rules! export_messages {
    ($request:ident, $response:ident, $partial:ident, $field:ident, $item:ty, $rejected:ident, $what:literal) => {
        #[doc = concat!("An export of ", $what, ", grouped by resource and scope.")]
        #[derive(Clone, PartialEq, prost::Message)]
        #[cfg_attr(
            feature = "with-serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(rename_all = "camelCase", default)
        )]
        pub struct $request {
            #[doc = concat!("The ", $what, " of each resource.")]
            #[prost(message, repeated, tag = "1")]
            #[cfg_attr(
                feature = "with-serde",
                serde(with = "crate::json::vec", skip_serializing_if = "Vec::is_empty")
            )]
            pub $field: Vec<$item>,
        }

        #[doc = concat!("The answer to an export of ", $what, ".")]
        #[derive(Clone, PartialEq, prost::Message)]
        #[cfg_attr(
            feature = "with-serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(rename_all = "camelCase", default)
        )]
        pub struct $response {
            /// Set when the receiver accepted only part of the request (or has a warning).
            #[prost(message, optional, tag = "1")]
            #[cfg_attr(feature = "with-serde", serde(skip_serializing_if = "Option::is_none"))]
            pub partial_success: Option<$partial>,
        }

        partial_success!($partial, $rejected, $what);
    };
}

/// `opentelemetry.proto.collector.trace`.
pub mod trace {
    /// Version 1 of the package.
    pub mod v1 {
        export_messages!(
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
            ExportTracePartialSuccess,
            resource_spans,
            crate::trace::v1::ResourceSpans,
            rejected_spans,
            "spans"
        );

        #[cfg(feature = "gen-tonic")]
        crate::collector::grpc::service!(
            "opentelemetry.proto.collector.trace.v1.TraceService",
            trace_service_client,
            TraceServiceClient,
            trace_service_server,
            TraceServiceServer,
            TraceService,
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
            "spans"
        );
    }
}

/// `opentelemetry.proto.collector.metrics`.
pub mod metrics {
    /// Version 1 of the package.
    pub mod v1 {
        export_messages!(
            ExportMetricsServiceRequest,
            ExportMetricsServiceResponse,
            ExportMetricsPartialSuccess,
            resource_metrics,
            crate::metrics::v1::ResourceMetrics,
            rejected_data_points,
            "data points"
        );

        #[cfg(feature = "gen-tonic")]
        crate::collector::grpc::service!(
            "opentelemetry.proto.collector.metrics.v1.MetricsService",
            metrics_service_client,
            MetricsServiceClient,
            metrics_service_server,
            MetricsServiceServer,
            MetricsService,
            ExportMetricsServiceRequest,
            ExportMetricsServiceResponse,
            "metrics"
        );
    }
}

/// `opentelemetry.proto.collector.logs`.
pub mod logs {
    /// Version 1 of the package.
    pub mod v1 {
        export_messages!(
            ExportLogsServiceRequest,
            ExportLogsServiceResponse,
            ExportLogsPartialSuccess,
            resource_logs,
            crate::logs::v1::ResourceLogs,
            rejected_log_records,
            "log records"
        );

        #[cfg(feature = "gen-tonic")]
        crate::collector::grpc::service!(
            "opentelemetry.proto.collector.logs.v1.LogsService",
            logs_service_client,
            LogsServiceClient,
            logs_service_server,
            LogsServiceServer,
            LogsService,
            ExportLogsServiceRequest,
            ExportLogsServiceResponse,
            "log records"
        );
    }
}
