//! The agent exporter: `Agent.emitBatch` calls in the Thrift compact protocol, one UDP
//! datagram each.

use crate::model::{write_batch, write_span, Process};
use crate::thrift::{Compact, Protocol};
use crate::{env_var, Error};
use opentelemetry_api::otel_warn;
use opentelemetry_sdk::trace::{BoxFuture, SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};

/// The agent's default host.
pub const DEFAULT_AGENT_HOST: &str = "localhost";
/// The agent's default port for the compact protocol.
pub const DEFAULT_AGENT_PORT: u16 = 6831;
/// The default largest datagram: what the Jaeger agent accepts by default.
pub const DEFAULT_MAX_PACKET_SIZE: usize = 65_000;

/// The method name of the call.
const EMIT_BATCH: &str = "emitBatch";
/// The bytes of a datagram outside the process and the spans, at most: message header
/// (2 bytes, a 5-byte sequence ID, the method name), the argument and process field headers,
/// the spans' field and list headers (at most 1 + 1 + 5), the sequence number (1 + 10), the
/// statistics (1 + 3 × 11 + 1) and the two stop fields.
const OVERHEAD: usize = 2 + 5 + 1 + EMIT_BATCH.len() + 1 + 1 + 7 + 11 + 35 + 2;

/// Exports spans to a Jaeger agent (or an OpenTelemetry Collector's `jaeger_thrift_compact`
/// receiver) over UDP, in the Thrift compact protocol.
///
/// A batch larger than one datagram is split over several, each at most
/// [`max_packet_size`](AgentExporterBuilder::with_max_packet_size) bytes; a single span too
/// large for any datagram is dropped, reported through the diagnostic handler, and counted
/// in the `tooLargeDroppedSpans` statistic sent with the next datagrams.
///
/// ```no_run
/// use opentelemetry_sdk::trace::SdkTracerProvider;
///
/// let exporter = opentelemetry_jaeger::AgentExporter::builder()
///     .with_endpoint("127.0.0.1:6831")
///     .build()
///     .expect("a UDP socket");
/// let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct AgentExporter {
    socket: UdpSocket,
    max_packet_size: usize,
    process: Vec<u8>,
    seq_no: i64,
    too_large_dropped: i64,
    spans: Compact,
    /// Where each span of `spans` ends (reused between exports).
    ends: Vec<usize>,
    packet: Compact,
    shut_down: bool,
}

/// Configures an [`AgentExporter`]; the defaults come from `OTEL_EXPORTER_JAEGER_AGENT_HOST`
/// and `OTEL_EXPORTER_JAEGER_AGENT_PORT` (else `localhost:6831`).
#[derive(Clone, Debug, Default)]
pub struct AgentExporterBuilder {
    endpoint: Option<String>,
    max_packet_size: Option<usize>,
}

impl AgentExporterBuilder {
    /// The agent's `host:port`.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The largest datagram to send (default 65 000 bytes; at least 512 is used).
    pub fn with_max_packet_size(mut self, size: usize) -> Self {
        self.max_packet_size = Some(size);
        self
    }

    fn endpoint(&self) -> String {
        if let Some(e) = &self.endpoint {
            return e.clone();
        }
        let host = env_var("OTEL_EXPORTER_JAEGER_AGENT_HOST")
            .unwrap_or_else(|| DEFAULT_AGENT_HOST.to_owned());
        let port = match env_var("OTEL_EXPORTER_JAEGER_AGENT_PORT") {
            None => DEFAULT_AGENT_PORT,
            Some(p) => p.parse().unwrap_or_else(|_| {
                otel_warn!(
                    "Env.InvalidAgentPort",
                    "OTEL_EXPORTER_JAEGER_AGENT_PORT={p:?} is not a port; using {DEFAULT_AGENT_PORT}"
                );
                DEFAULT_AGENT_PORT
            }),
        };
        if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        }
    }

    /// Resolves the agent's address and opens the socket.
    ///
    /// # Errors
    ///
    /// When the address does not resolve or the socket cannot be opened.
    pub fn build(self) -> Result<AgentExporter, Error> {
        let endpoint = self.endpoint();
        let addr: SocketAddr = endpoint
            .to_socket_addrs()
            .map_err(|e| Error::InvalidEndpoint(format!("{endpoint}: {e}")))?
            .next()
            .ok_or_else(|| Error::InvalidEndpoint(endpoint.clone()))?;
        let local: SocketAddr = if addr.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(local).map_err(Error::Io)?;
        socket.connect(addr).map_err(Error::Io)?;
        let mut exporter = AgentExporter {
            socket,
            max_packet_size: self
                .max_packet_size
                .unwrap_or(DEFAULT_MAX_PACKET_SIZE)
                .max(512),
            process: Vec::new(),
            seq_no: 0,
            too_large_dropped: 0,
            spans: Compact::default(),
            ends: Vec::new(),
            packet: Compact::default(),
            shut_down: false,
        };
        exporter.set_resource(&Resource::default());
        Ok(exporter)
    }
}

impl AgentExporter {
    /// A builder with the defaults.
    pub fn builder() -> AgentExporterBuilder {
        AgentExporterBuilder::default()
    }

    /// The agent's address.
    pub fn endpoint(&self) -> Option<SocketAddr> {
        self.socket.peer_addr().ok()
    }

    /// Sends one datagram of the spans `self.spans.buf[bounds]`.
    fn send(&mut self, start: usize, end: usize, count: usize) -> std::io::Result<()> {
        self.seq_no += 1;
        let packet = &mut self.packet;
        packet.buf.clear();
        packet.message_begin(EMIT_BATCH, Compact::ONEWAY, self.seq_no as i32);
        packet.struct_begin();
        packet.field(crate::thrift::Ty::Struct, 1);
        let stats = (self.too_large_dropped > 0).then_some(self.too_large_dropped);
        write_batch(
            packet,
            &self.process,
            &self.spans.buf[start..end],
            count,
            Some(self.seq_no),
            stats,
        );
        packet.struct_end();
        self.socket.send(&packet.buf).map(|_| ())
    }

    fn export_now(&mut self, batch: &[SpanData]) -> opentelemetry_sdk::Result {
        if self.shut_down {
            return Err(opentelemetry_sdk::Error::AlreadyShutdown);
        }
        let budget = self
            .max_packet_size
            .saturating_sub(OVERHEAD + self.process.len());
        // Every span encoded once, back to back; `ends[i]` is where span `i` ends.
        self.spans.buf.clear();
        let mut ends = std::mem::take(&mut self.ends);
        ends.clear();
        for span in batch {
            write_span(&mut self.spans, span);
            ends.push(self.spans.buf.len());
        }
        let mut first_error = None;
        let (mut start, mut count, mut prev_end) = (0, 0, 0);
        for (i, &end) in ends.iter().enumerate() {
            let size = end - prev_end;
            if size > budget {
                self.too_large_dropped += 1;
                otel_warn!(
                    "AgentExporter.SpanTooLarge",
                    "span {:?} takes {} bytes, more than a datagram of {} bytes can carry: dropped",
                    batch[i].name,
                    size,
                    self.max_packet_size
                );
                if count > 0 {
                    if let Err(e) = self.send(start, prev_end, count) {
                        first_error.get_or_insert(e);
                    }
                }
                start = end;
                count = 0;
            } else if end - start > budget {
                if let Err(e) = self.send(start, prev_end, count) {
                    first_error.get_or_insert(e);
                }
                start = prev_end;
                count = 1;
            } else {
                count += 1;
            }
            prev_end = end;
        }
        if count > 0 {
            if let Err(e) = self.send(start, prev_end, count) {
                first_error.get_or_insert(e);
            }
        }
        self.ends = ends;
        match first_error {
            None => Ok(()),
            Some(e) => Err(opentelemetry_sdk::Error::ExportFailed(format!(
                "sending to the Jaeger agent: {e}"
            ))),
        }
    }
}

impl SpanExporter for AgentExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        // UDP sends do not wait for the peer: the export completes here.
        Box::pin(std::future::ready(self.export_now(batch)))
    }

    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        self.shut_down = true;
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        let mut p = Compact::default();
        Process::from_resource(resource).write(&mut p);
        self.process = p.buf;
    }
}
