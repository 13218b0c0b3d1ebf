//! The OTLP file exporter (`otlp/stdout`): each export call's batch written as one line of
//! OTLP/JSON (`TracesData`, `MetricsData` or `LogsData`, the JSON of the export request)
//! followed by `\n`, to standard output, a file or a writer: a [JSON lines](https://jsonlines.org)
//! stream.

use crate::delivery::Fanout;
use crate::error::Error;
use crate::transport::{Format, Transport};
use opentelemetry_sdk::trace::BoxFuture;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// Builder state: the OTLP file exporter, writing JSON lines to standard output, a file or a
/// writer (chosen with `with_stdout()`, `with_file(path)` or `with_writer(writer)`).
#[derive(Debug)]
pub struct FileExporterBuilder {
    pub(crate) output: OutputSpec,
}

/// Where the builder's exporter will write.
pub(crate) enum OutputSpec {
    Stdout,
    File(PathBuf),
    Writer(Box<dyn Write + Send>),
}

impl fmt::Debug for OutputSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputSpec::Stdout => f.write_str("Stdout"),
            OutputSpec::File(path) => f.debug_tuple("File").field(path).finish(),
            OutputSpec::Writer(_) => f.write_str("Writer"),
        }
    }
}

/// Where an exporter sends what it exports.
// One per exporter, built once and never moved on a hot path: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Destination {
    /// An OTLP receiver, over gRPC or HTTP.
    Otlp(Transport),
    /// Several OTLP receivers, each with its own queue (multi-destination exporting).
    Fanout(Fanout),
    /// JSON lines.
    Lines(LineWriter),
}

impl Destination {
    /// An exporter's `export`: the request `encode` writes (protobuf or JSON, as the
    /// transport asks) goes to the receiver; or its JSON is written as one line, unless the
    /// batch is `empty` (no line for an empty batch).
    pub(crate) fn export<'a>(
        destination: &'a mut Option<Self>,
        empty: bool,
        encode: impl Fn(Format, &mut Vec<u8>),
    ) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        match destination {
            None => Box::pin(std::future::ready(Err(Error::Shutdown.into()))),
            Some(Destination::Otlp(transport)) => {
                let sent = transport.export(encode);
                Box::pin(async move { sent.await.map_err(Into::into) })
            }
            Some(Destination::Fanout(fanout)) => Box::pin(std::future::ready(
                fanout.export(encode).map_err(Into::into),
            )),
            Some(Destination::Lines(lines)) => {
                let written = if empty {
                    Ok(())
                } else {
                    lines.write_line(|out| encode(Format::Json, out))
                };
                Box::pin(std::future::ready(written.map_err(Into::into)))
            }
        }
    }

    /// An exporter's `force_flush`: the file exporter flushes its output; OTLP destinations
    /// with asynchronous delivery wait for their requests, within the export timeout.
    pub(crate) fn force_flush(destination: &mut Option<Self>) -> opentelemetry_sdk::Result {
        match destination {
            Some(Destination::Lines(lines)) => lines.flush().map_err(Into::into),
            Some(Destination::Otlp(transport)) => transport.flush().map_err(Into::into),
            Some(Destination::Fanout(fanout)) => fanout.flush().map_err(Into::into),
            None => Err(opentelemetry_sdk::Error::AlreadyShutdown),
        }
    }

    /// An exporter's `shutdown`: the file exporter flushes its output, then closes it; OTLP
    /// destinations with asynchronous delivery wait for their requests, within the export
    /// timeout, then cancel (and report) what is left.
    pub(crate) fn shutdown(destination: &mut Option<Self>) -> opentelemetry_sdk::Result {
        match destination.take() {
            Some(Destination::Lines(mut lines)) => lines.flush().map_err(Into::into),
            Some(Destination::Otlp(transport)) => transport.shutdown().map_err(Into::into),
            Some(Destination::Fanout(fanout)) => fanout.shutdown().map_err(Into::into),
            None => Err(opentelemetry_sdk::Error::AlreadyShutdown),
        }
    }
}

/// Held while a line is written, by every file exporter of the process: lines of exporters
/// writing to the same place (standard output, one file opened twice, clones of one writer)
/// never interleave. Exports are batched, so this is taken once per batch, not per item.
static LINES: Mutex<()> = Mutex::new(());

enum Output {
    Stdout,
    File(File),
    Writer(Box<dyn Write + Send>),
}

/// Writes each encoded batch as one line.
pub(crate) struct LineWriter {
    output: Output,
    /// The line being written, reused from one export to the next.
    line: Vec<u8>,
}

impl fmt::Debug for LineWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.output {
            Output::Stdout => "LineWriter(stdout)",
            Output::File(_) => "LineWriter(file)",
            Output::Writer(_) => "LineWriter(writer)",
        })
    }
}

impl LineWriter {
    /// Opens the output: a file is opened for appending, created if missing.
    pub(crate) fn open(spec: OutputSpec) -> Result<Self, Error> {
        let output = match spec {
            OutputSpec::Stdout => Output::Stdout,
            OutputSpec::File(path) => {
                match OpenOptions::new().append(true).create(true).open(&path) {
                    Ok(file) => Output::File(file),
                    Err(source) => return Err(Error::OpenFile { path, source }),
                }
            }
            OutputSpec::Writer(writer) => Output::Writer(writer),
        };
        Ok(LineWriter {
            output,
            line: Vec::new(),
        })
    }

    /// Encodes one line with `encode` (which appends a JSON object) and writes it, `\n`
    /// included, with one `write_all`.
    pub(crate) fn write_line(&mut self, encode: impl FnOnce(&mut Vec<u8>)) -> Result<(), Error> {
        self.line.clear();
        encode(&mut self.line);
        self.line.push(b'\n');
        // A panic elsewhere while the lock was held leaves no line half-built here: go on.
        let _lines = LINES.lock().unwrap_or_else(PoisonError::into_inner);
        let written = match &mut self.output {
            // Standard output is line-buffered: a whole line goes out at once.
            Output::Stdout => io::stdout().lock().write_all(&self.line),
            Output::File(file) => file.write_all(&self.line),
            Output::Writer(writer) => writer.write_all(&self.line),
        };
        written.map_err(Error::Write)
    }

    /// Flushes what the output buffers.
    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        let _lines = LINES.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut self.output {
            Output::Stdout => io::stdout().lock().flush(),
            Output::File(file) => file.flush(),
            Output::Writer(writer) => writer.flush(),
        }
        .map_err(Error::Write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>, Arc<Mutex<usize>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            *self.1.lock().unwrap() += 1;
            Ok(())
        }
    }

    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::other("still on fire"))
        }
    }

    #[test]
    fn each_line_ends_with_a_newline_and_flush_reaches_the_writer() {
        let shared = Shared::default();
        let mut w = LineWriter::open(OutputSpec::Writer(Box::new(shared.clone()))).unwrap();
        w.write_line(|out| out.extend_from_slice(b"{\"a\":1}"))
            .unwrap();
        w.write_line(|out| out.extend_from_slice(b"{}")).unwrap();
        assert_eq!(&*shared.0.lock().unwrap(), b"{\"a\":1}\n{}\n");
        assert_eq!(*shared.1.lock().unwrap(), 0);
        w.flush().unwrap();
        assert_eq!(*shared.1.lock().unwrap(), 1);
    }

    #[test]
    fn write_errors_are_errors() {
        let mut w = LineWriter::open(OutputSpec::Writer(Box::new(Broken))).unwrap();
        let err = w.write_line(|out| out.push(b'x')).unwrap_err();
        assert!(err.to_string().contains("disk on fire"), "{err}");
        assert!(matches!(w.flush(), Err(Error::Write(_))));
    }

    #[test]
    fn a_file_that_cannot_be_opened_is_an_error() {
        let dir = std::env::temp_dir().join(format!("otlp-file-missing-{}", std::process::id()));
        let path = dir.join("no-such-dir").join("x.jsonl");
        match LineWriter::open(OutputSpec::File(path.clone())) {
            Err(Error::OpenFile { path: p, .. }) => assert_eq!(p, path),
            other => panic!("{other:?}"),
        }
    }
}
