//! Builder states and the configuration traits shared by the three exporter builders.

use crate::config::{Compression, ExportConfig, Protocol, Settings, Signal};
use crate::delivery::Fanout;
use crate::error::Error;
use crate::file::Destination;
use crate::retry::RetryPolicy;
use crate::transport::Transport;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Builder state: no transport chosen yet; `build()` picks it from
/// `OTEL_EXPORTER_OTLP_PROTOCOL` (default `http/protobuf`).
#[derive(Clone, Debug, Default)]
pub struct NoExporterBuilderSet;

/// Builder state: OTLP/HTTP (binary protobuf, or JSON with `Protocol::HttpJson`).
#[derive(Clone, Debug, Default)]
pub struct HttpExporterBuilder;

/// Builder state: OTLP/gRPC with tonic.
#[cfg(feature = "grpc-tonic")]
#[derive(Clone, Debug, Default)]
pub struct TonicExporterBuilder;

pub(crate) mod sealed {
    /// Gives the configuration traits access to a builder's settings.
    pub trait HasSettings {
        #[doc(hidden)]
        fn settings_mut(&mut self) -> &mut crate::config::Settings;
    }
    /// A builder whose transport is OTLP/HTTP.
    pub trait IsHttp: HasSettings {}
    /// A builder whose transport is OTLP/gRPC.
    #[cfg_attr(not(feature = "grpc-tonic"), allow(dead_code))]
    pub trait IsTonic: HasSettings {}
}

/// Settings every builder has: endpoint, protocol, timeout, retries.
pub trait WithExportConfig: sealed::HasSettings + Sized {
    /// The endpoint. OTLP/HTTP: the full URL, used as-is (e.g.
    /// `http://collector:4318/v1/traces`). OTLP/gRPC: the server's URL (e.g.
    /// `http://collector:4317`).
    fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.settings_mut().export.endpoint = Some(endpoint.into());
        self
    }

    /// The protocol; on an HTTP builder, `HttpBinary` or `HttpJson`.
    fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.settings_mut().export.protocol = Some(protocol);
        self
    }

    /// The timeout of one export, retries included (default 10 s).
    fn with_timeout(mut self, timeout: Duration) -> Self {
        self.settings_mut().export.timeout = Some(timeout);
        self
    }

    /// Sets endpoint, protocol and timeout at once (`None` fields are left as they are).
    fn with_export_config(mut self, config: ExportConfig) -> Self {
        let export = &mut self.settings_mut().export;
        if config.endpoint.is_some() {
            export.endpoint = config.endpoint;
        }
        if config.protocol.is_some() {
            export.protocol = config.protocol;
        }
        if config.timeout.is_some() {
            export.timeout = config.timeout;
        }
        self
    }

    /// Records the exporter's self-observability metrics into `meter_provider` (any provider:
    /// a dedicated one, or
    /// [`global::meter_provider()`](opentelemetry_api::global::meter_provider)). Off by
    /// default. The conventions' `otel.sdk.exporter.{span,log,metric_data_point}.inflight`
    /// and `.exported` (failures and items the receiver rejected with `error.type`: the HTTP
    /// status, the gRPC status name, `rejected`, `timeout`, ...) and
    /// `otel.sdk.exporter.operation.duration` (one per export, retries included, with
    /// `http.response.status_code` or `rpc.response.status_code`), per
    /// `otel.component.type` (`otlp_grpc_span_exporter`, `otlp_http_log_exporter`,
    /// `otlp_http_json_metric_exporter`, ...), `otel.component.name` (`<type>/<n>`),
    /// `server.address` and `server.port`. Meter scope: `opentelemetry-otlp`.
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// use opentelemetry_otlp::{SpanExporter, WithExportConfig};
    ///
    /// let exporter = SpanExporter::builder()
    ///     .with_http()
    ///     .with_endpoint("http://localhost:4318/v1/traces")
    ///     .with_self_observability(&global::meter_provider())
    ///     .build()?;
    /// # Ok::<(), opentelemetry_otlp::Error>(())
    /// ```
    fn with_self_observability<P: opentelemetry_api::metrics::MeterProvider + ?Sized>(
        mut self,
        meter_provider: &P,
    ) -> Self {
        self.settings_mut().self_observability =
            Some(crate::self_observability::meter(meter_provider));
        self
    }

    /// How failed exports are retried (default: [`RetryPolicy::default`]).
    fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.settings_mut().retry = Some(policy);
        self
    }

    /// The largest request the exporter sends, in bytes of the encoded message before
    /// compression (protobuf, or JSON with `Protocol::HttpJson`); default
    /// [`DEFAULT_MAX_REQUEST_SIZE`](crate::DEFAULT_MAX_REQUEST_SIZE), 64 MiB.
    ///
    /// An export whose request is larger is not sent: it fails at once with
    /// [`Error::RequestTooLarge`] (never retried, the batch is dropped), reported as an
    /// `Otlp.RequestTooLarge` diagnostic. Export smaller batches (the batch processors'
    /// `max_export_batch_size`) to stay under it.
    ///
    /// ```
    /// use opentelemetry_otlp::{SpanExporter, WithExportConfig};
    ///
    /// let exporter = SpanExporter::builder()
    ///     .with_http()
    ///     .with_endpoint("http://localhost:4318/v1/traces")
    ///     .with_max_request_size(8 * 1024 * 1024)
    ///     .build()?;
    /// # Ok::<(), opentelemetry_otlp::Error>(())
    /// ```
    fn with_max_request_size(mut self, bytes: usize) -> Self {
        self.settings_mut().max_request_size = Some(bytes);
        self
    }

    /// The largest response the exporter accepts, in bytes, after decompression; default
    /// [`DEFAULT_MAX_RESPONSE_SIZE`](crate::DEFAULT_MAX_RESPONSE_SIZE), 4 MiB.
    ///
    /// A larger response ends the export with [`Error::ResponseTooLarge`] (never retried),
    /// reported as an `Otlp.ResponseTooLarge` diagnostic. The exporter stops reading at the
    /// limit: OTLP/gRPC refuses a message whose length prefix is over it, OTLP/HTTP a
    /// `Content-Length` over it, a body that grows past it, or a gzip body that inflates
    /// past it.
    ///
    /// ```
    /// use opentelemetry_otlp::{LogExporter, WithExportConfig};
    ///
    /// let exporter = LogExporter::builder()
    ///     .with_tonic()
    ///     .with_endpoint("http://localhost:4317")
    ///     .with_max_response_size(64 * 1024)
    ///     .build()?;
    /// # Ok::<(), opentelemetry_otlp::Error>(())
    /// ```
    fn with_max_response_size(mut self, bytes: usize) -> Self {
        self.settings_mut().max_response_size = Some(bytes);
        self
    }

    /// How many export requests may be in flight at once, not yet acknowledged by the
    /// receiver (OTLP's concurrent requests); default 1, and 0 counts as 1.
    ///
    /// With 1, each export sends its request and waits for the receiver's answer (retries
    /// included): the export's result is the receiver's. With `n` > 1, an export encodes the
    /// batch, hands the request to the exporter's worker and returns once it is in flight,
    /// waiting only while `n` requests already are (at most the export timeout; then the
    /// batch is dropped with [`Error::Busy`]). The request's outcome, after the usual
    /// retries, is reported through the diagnostics (`Otlp.ExportFailed` for a lost batch,
    /// `Otlp.Delivered` at debug level) and counted; `force_flush` and `shutdown` wait for
    /// every request in flight, within the export timeout (at shutdown, requests still
    /// unacknowledged then are cancelled and reported as `Otlp.Undelivered`). Requests may
    /// reach the receiver in another order than the exports. Over OTLP/gRPC the requests
    /// share one HTTP/2 connection; over OTLP/HTTP the client opens parallel connections.
    ///
    /// In multi-destination exporting
    /// ([`with_additional_destination`](crate::SpanExporterBuilder::with_additional_destination)),
    /// each destination's own setting applies to that destination.
    ///
    /// ```
    /// use opentelemetry_otlp::{SpanExporter, WithExportConfig};
    ///
    /// let exporter = SpanExporter::builder()
    ///     .with_tonic()
    ///     .with_endpoint("http://collector.far-away:4317")
    ///     .with_max_concurrent_requests(8)
    ///     .build()?;
    /// # Ok::<(), opentelemetry_otlp::Error>(())
    /// ```
    fn with_max_concurrent_requests(mut self, n: usize) -> Self {
        self.settings_mut().max_concurrent_requests = Some(n);
        self
    }

    /// In multi-destination exporting, how many encoded requests may wait for this
    /// destination's in-flight window (default 32; 0 counts as 1). When it is full, a batch
    /// is dropped for this destination only, reported as `Otlp.QueueFull` and counted. The
    /// queued requests reference the bytes every destination shares. Without additional
    /// destinations it is not used.
    fn with_max_queued_requests(mut self, requests: usize) -> Self {
        self.settings_mut().max_queued_requests = Some(requests);
        self
    }

    /// Whether `shutdown` waits, up to the export timeout, for the requests still queued or
    /// in flight (default `true`). With `false` it cancels them at once, reporting them as
    /// `Otlp.Undelivered` (counted as dropped). Only asynchronous delivery
    /// ([`with_max_concurrent_requests`](Self::with_max_concurrent_requests) over 1, or
    /// several destinations) has requests left at shutdown.
    fn with_wait_on_shutdown(mut self, wait: bool) -> Self {
        self.settings_mut().wait_on_shutdown = Some(wait);
        self
    }
}

impl<B: sealed::HasSettings> WithExportConfig for B {}

/// OTLP/HTTP settings: headers, compression, the HTTP client.
pub trait WithHttpConfig: sealed::IsHttp + Sized {
    /// Headers sent with every request (added to `OTEL_EXPORTER_OTLP_HEADERS`'s, replacing
    /// those of the same name).
    fn with_headers(mut self, headers: HashMap<String, String>) -> Self {
        let mut sorted: Vec<_> = headers.into_iter().collect();
        sorted.sort();
        self.settings_mut().headers.extend(sorted);
        self
    }

    /// Compresses request bodies (`None`: no compression, whatever the environment says).
    fn with_compression(mut self, compression: impl Into<Option<Compression>>) -> Self {
        self.settings_mut().compression = Some(compression.into());
        self
    }

    /// The HTTP client (default: hyper's, or reqwest's with feature `reqwest-client`). It is
    /// driven on the exporter's own tokio runtime thread, so any tokio-based async client
    /// works, whatever executor polls the exporter.
    fn with_http_client(mut self, client: impl opentelemetry_http::HttpClient + 'static) -> Self {
        self.settings_mut().http_client = Some(Arc::new(client));
        self
    }
}

impl<B: sealed::IsHttp> WithHttpConfig for B {}

/// OTLP/gRPC settings: metadata, compression, TLS.
#[cfg(feature = "grpc-tonic")]
pub trait WithTonicConfig: sealed::IsTonic + Sized {
    /// Metadata (headers) sent with every request (added to `OTEL_EXPORTER_OTLP_HEADERS`'s).
    fn with_metadata(mut self, metadata: tonic::metadata::MetadataMap) -> Self {
        let headers: Vec<(String, String)> = metadata
            .into_headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        self.settings_mut().headers.extend(headers);
        self
    }

    /// Metadata (headers) sent with every request, as a map.
    fn with_headers(mut self, headers: HashMap<String, String>) -> Self {
        let mut sorted: Vec<_> = headers.into_iter().collect();
        sorted.sort();
        self.settings_mut().headers.extend(sorted);
        self
    }

    /// Compresses requests (`None`: no compression, whatever the environment says).
    fn with_compression(mut self, compression: impl Into<Option<Compression>>) -> Self {
        self.settings_mut().compression = Some(compression.into());
        self
    }

    /// Whether an endpoint without a scheme is reached without TLS (`OTEL_EXPORTER_OTLP_INSECURE`).
    fn with_insecure(mut self, insecure: bool) -> Self {
        self.settings_mut().insecure = Some(insecure);
        self
    }

    /// The TLS settings for `https://` endpoints (instead of the CERTIFICATE, CLIENT_KEY and
    /// CLIENT_CERTIFICATE variables).
    #[cfg(feature = "tls")]
    fn with_tls_config(mut self, tls: tonic::transport::ClientTlsConfig) -> Self {
        self.settings_mut().tls = Some(tls);
        self
    }
}

#[cfg(feature = "grpc-tonic")]
impl<B: sealed::IsTonic> WithTonicConfig for B {}

/// The protocol a builder in state `state` ends with.
pub(crate) fn protocol_for(state: State, settings: &Settings, signal: Signal) -> Protocol {
    let env = crate::config::env_protocol(signal);
    match state {
        State::Unset => settings
            .export
            .protocol
            .or(env)
            .unwrap_or(Protocol::HttpBinary),
        State::Http => match settings.export.protocol.or(env) {
            Some(Protocol::HttpJson) => Protocol::HttpJson,
            _ => Protocol::HttpBinary,
        },
        State::Tonic => Protocol::Grpc,
    }
}

#[derive(Clone, Copy, Debug)]
#[doc(hidden)]
pub enum State {
    Unset,
    Http,
    Tonic,
}

/// A builder state: which transport it builds.
pub trait BuilderState: sealed_state::Sealed {}
mod sealed_state {
    pub trait Sealed {
        fn state() -> super::State;
    }
}
impl sealed_state::Sealed for NoExporterBuilderSet {
    fn state() -> State {
        State::Unset
    }
}
impl BuilderState for NoExporterBuilderSet {}
impl sealed_state::Sealed for HttpExporterBuilder {
    fn state() -> State {
        State::Http
    }
}
impl BuilderState for HttpExporterBuilder {}
#[cfg(feature = "grpc-tonic")]
impl sealed_state::Sealed for TonicExporterBuilder {
    fn state() -> State {
        State::Tonic
    }
}
#[cfg(feature = "grpc-tonic")]
impl BuilderState for TonicExporterBuilder {}

/// Builds the destination of a builder in state `S`: its transport, or with additional
/// destinations one transport (with its own queue) per destination.
pub(crate) fn build_destination<S: BuilderState>(
    settings: &Settings,
    signal: Signal,
) -> Result<Destination, Error> {
    let protocol = protocol_for(S::state(), settings, signal);
    if settings.additional.is_empty() {
        return Ok(Destination::Otlp(Transport::build(
            settings, signal, protocol, false,
        )?));
    }
    let mut destinations = Vec::with_capacity(1 + settings.additional.len());
    destinations.push(Transport::build(settings, signal, protocol, true)?);
    for (state, extra) in &settings.additional {
        let protocol = protocol_for(*state, extra, signal);
        // Self-observability turned on for the exporter covers every destination (each its
        // own component), unless a destination's builder chose its own meter provider.
        if extra.self_observability.is_none() && settings.self_observability.is_some() {
            let mut extra = extra.clone();
            extra.self_observability = settings.self_observability.clone();
            destinations.push(Transport::build(&extra, signal, protocol, true)?);
        } else {
            destinations.push(Transport::build(extra, signal, protocol, true)?);
        }
    }
    Ok(Destination::Fanout(Fanout::new(destinations)))
}

/// Adds the settings of the builder `destination` (in state `S`), and its own additional
/// destinations, to `settings`' additional destinations.
pub(crate) fn add_destination<S: BuilderState>(settings: &mut Settings, mut destination: Settings) {
    let nested = std::mem::take(&mut destination.additional);
    settings.additional.push((S::state(), destination));
    settings.additional.extend(nested);
}

/// Declares a signal's builder type with its states.
macro_rules! signal_builder {
    ($builder:ident, $what:literal $(, $field:ident : $ty:ty)*) => {
        impl<S: crate::builder::BuilderState> $builder<S> {
            /// Also exports to the destination `destination` configures (its transport,
            /// endpoint, protocol, headers, compression, timeout, retry policy, request
            /// limits; settings it leaves unset come from the environment, as for any
            /// builder): multi-destination exporting.
            ///
            /// Each batch is then encoded once (once per encoding the destinations take,
            /// protobuf or JSON) into shared, immutable bytes, queued for every destination;
            /// each destination has its own worker thread, queue
            /// ([`with_max_queued_requests`](crate::WithExportConfig::with_max_queued_requests)),
            /// in-flight window
            /// ([`with_max_concurrent_requests`](crate::WithExportConfig::with_max_concurrent_requests))
            /// and retries, so that a slow or failing destination never delays another. An
            /// export returns once the batch is queued, without waiting for any answer; a full
            /// queue drops the batch for that destination only (`Otlp.QueueFull`, counted);
            /// the export fails only when no destination could queue it. Each request's
            /// outcome is reported through the diagnostics (`Otlp.ExportFailed`,
            /// `Otlp.Delivered` at debug level); `force_flush` and `shutdown` wait for every
            /// destination's requests, each within its export timeout. Settings of the
            /// builder that are not about sending (a metric exporter's temporality) are
            /// taken from this builder.
            ///
            /// ```
            /// use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
            ///
            /// let exporter = SpanExporter::builder()
            ///     .with_tonic()
            ///     .with_endpoint("http://collector-a:4317")
            ///     .with_additional_destination(
            ///         SpanExporter::builder()
            ///             .with_http()
            ///             .with_protocol(Protocol::HttpJson)
            ///             .with_endpoint("http://collector-b:4318/v1/traces")
            ///             .with_max_queued_requests(64),
            ///     )
            ///     .build()?;
            /// # Ok::<(), opentelemetry_otlp::Error>(())
            /// ```
            pub fn with_additional_destination<T: crate::builder::BuilderState>(
                mut self,
                destination: $builder<T>,
            ) -> Self {
                crate::builder::add_destination::<T>(&mut self.settings, destination.settings);
                self
            }
        }

        #[doc = concat!("Builds a [`", $what, "`](crate::", $what, "): choose a transport with `with_http()` or `with_tonic()` (or neither: `OTEL_EXPORTER_OTLP_PROTOCOL` decides), or OTLP/JSON lines with `with_stdout()`, `with_file(path)` or `with_writer(writer)`; configure, `build()`.")]
        #[derive(Debug, Default)]
        pub struct $builder<S = crate::builder::NoExporterBuilderSet> {
            #[allow(dead_code)] // the state is in the type
            pub(crate) state: S,
            pub(crate) settings: crate::config::Settings,
            $(pub(crate) $field: $ty,)*
        }

        // The file exporter has no endpoint, headers or timeout: only the transports' states
        // get the settings traits.
        impl crate::builder::sealed::HasSettings for $builder<crate::builder::NoExporterBuilderSet> {
            fn settings_mut(&mut self) -> &mut crate::config::Settings {
                &mut self.settings
            }
        }
        impl crate::builder::sealed::HasSettings for $builder<crate::builder::HttpExporterBuilder> {
            fn settings_mut(&mut self) -> &mut crate::config::Settings {
                &mut self.settings
            }
        }
        #[cfg(feature = "grpc-tonic")]
        impl crate::builder::sealed::HasSettings for $builder<crate::builder::TonicExporterBuilder> {
            fn settings_mut(&mut self) -> &mut crate::config::Settings {
                &mut self.settings
            }
        }
        impl crate::builder::sealed::IsHttp for $builder<crate::builder::HttpExporterBuilder> {}
        #[cfg(feature = "grpc-tonic")]
        impl crate::builder::sealed::IsTonic for $builder<crate::builder::TonicExporterBuilder> {}

        impl<S> $builder<S> {
            /// Sends over OTLP/HTTP (binary protobuf; JSON with `with_protocol(Protocol::HttpJson)`
            /// or `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`).
            pub fn with_http(self) -> $builder<crate::builder::HttpExporterBuilder> {
                $builder {
                    state: crate::builder::HttpExporterBuilder,
                    settings: self.settings,
                    $($field: self.$field,)*
                }
            }

            /// Sends over OTLP/gRPC with tonic.
            #[cfg(feature = "grpc-tonic")]
            pub fn with_tonic(self) -> $builder<crate::builder::TonicExporterBuilder> {
                $builder {
                    state: crate::builder::TonicExporterBuilder,
                    settings: self.settings,
                    $($field: self.$field,)*
                }
            }

            /// Writes OTLP/JSON lines to standard output (the OTLP file exporter,
            /// `otlp/stdout`): each export call's batch as one line.
            pub fn with_stdout(self) -> $builder<crate::file::FileExporterBuilder> {
                self.with_output(crate::file::OutputSpec::Stdout)
            }

            /// Appends OTLP/JSON lines to the file at `path` (the OTLP file exporter): each
            /// export call's batch as one line. `build()` opens the file for appending,
            /// creating it if missing.
            pub fn with_file(
                self,
                path: impl Into<std::path::PathBuf>,
            ) -> $builder<crate::file::FileExporterBuilder> {
                self.with_output(crate::file::OutputSpec::File(path.into()))
            }

            /// Writes OTLP/JSON lines to `writer` (the OTLP file exporter): each export call's
            /// batch as one line, given to the writer in one `write_all` call; the writer is
            /// flushed by `force_flush` and `shutdown`.
            pub fn with_writer(
                self,
                writer: impl std::io::Write + Send + 'static,
            ) -> $builder<crate::file::FileExporterBuilder> {
                self.with_output(crate::file::OutputSpec::Writer(Box::new(writer)))
            }

            fn with_output(
                self,
                output: crate::file::OutputSpec,
            ) -> $builder<crate::file::FileExporterBuilder> {
                $builder {
                    state: crate::file::FileExporterBuilder { output },
                    settings: self.settings,
                    $($field: self.$field,)*
                }
            }
        }
    };
}
pub(crate) use signal_builder;
