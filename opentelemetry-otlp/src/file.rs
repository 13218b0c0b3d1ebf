//! The OTLP file exporter (`otlp/stdout`): each export call's batch written as one line of
//! OTLP/JSON (`TracesData`, `MetricsData` or `LogsData`, the JSON of the export request)
//! followed by `\n`, to standard output, a file or a writer: a [JSON lines](https://jsonlines.org)
//! stream.

use crate::delivery::Fanout;
use crate::error::Error;
use crate::transport::{Format, Transport};
use opentelemetry_sdk::trace::BoxFuture;
use std::collections::HashMap;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

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
    /// An exporter's `export` of a batch of `items` spans, log records or data points: the
    /// request `encode` writes (protobuf or JSON, as the transport asks) goes to the
    /// receiver; or its JSON is written as one line, unless the batch is `empty` (no line
    /// for an empty batch).
    pub(crate) fn export<'a>(
        destination: &'a mut Option<Self>,
        empty: bool,
        items: usize,
        encode: impl Fn(Format, &mut Vec<u8>),
    ) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        match destination {
            None => Box::pin(std::future::ready(Err(Error::Shutdown.into()))),
            Some(Destination::Otlp(transport)) => {
                let sent = transport.export(items, encode);
                Box::pin(async move { sent.await.map_err(Into::into) })
            }
            Some(Destination::Fanout(fanout)) => Box::pin(std::future::ready(
                fanout.export(items, encode).map_err(Into::into),
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

/// Held while a line is written to a writer given by the user, by every file exporter with
/// one: clones of one writer given to several exporters never interleave their lines. (Lines
/// to standard output are written under its own lock, and lines to a file under a lock of
/// that file: a writer that blocks stalls only the exporters writing to writers.)
static WRITERS: Mutex<()> = Mutex::new(());

/// One lock per file (by canonical path) that file exporters of the process write to: two
/// exporters appending to the same file never interleave their lines. Exports are batched,
/// so a lock is taken once per batch, not per item.
fn file_lock(path: &std::path::Path) -> Arc<Mutex<()>> {
    static FILES: Mutex<Option<HashMap<PathBuf, Arc<Mutex<()>>>>> = Mutex::new(None);
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut files = FILES.lock().unwrap_or_else(PoisonError::into_inner);
    files
        .get_or_insert_with(HashMap::new)
        .entry(key)
        .or_default()
        .clone()
}

enum Output {
    Stdout,
    File(File, Arc<Mutex<()>>),
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
            Output::File(..) => "LineWriter(file)",
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
                    Ok(file) => Output::File(file, file_lock(&path)),
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
        // A panic elsewhere while a lock was held leaves no line half-built here: go on.
        let written = match &mut self.output {
            // Standard output is line-buffered and locked: a whole line goes out at once.
            Output::Stdout => io::stdout().lock().write_all(&self.line),
            Output::File(file, lock) => {
                let _file = lock.lock().unwrap_or_else(PoisonError::into_inner);
                file.write_all(&self.line)
            }
            Output::Writer(writer) => {
                let _writers = WRITERS.lock().unwrap_or_else(PoisonError::into_inner);
                writer.write_all(&self.line)
            }
        };
        written.map_err(Error::Write)
    }

    /// Flushes what the output buffers.
    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        match &mut self.output {
            Output::Stdout => io::stdout().lock().flush(),
            Output::File(file, lock) => {
                let _file = lock.lock().unwrap_or_else(PoisonError::into_inner);
                file.flush()
            }
            Output::Writer(writer) => {
                let _writers = WRITERS.lock().unwrap_or_else(PoisonError::into_inner);
                writer.flush()
            }
        }
        .map_err(Error::Write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A writer whose first write blocks until `release` is sent.
    struct Blocking(std::sync::mpsc::Receiver<()>);

    impl Write for Blocking {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let _ = self.0.recv();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn temp_file(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("otlp-file-{}-{name}", std::process::id()))
    }

    #[test]
    fn a_blocked_writer_does_not_stall_an_exporter_writing_to_a_file() {
        let (release, blocked) = std::sync::mpsc::channel();
        let mut stuck = LineWriter::open(OutputSpec::Writer(Box::new(Blocking(blocked)))).unwrap();
        let writer = std::thread::spawn(move || stuck.write_line(|out| out.push(b'1')));
        // Give the writer's thread time to block inside its write (the test holds either way).
        std::thread::sleep(std::time::Duration::from_millis(50));

        let path = temp_file("unblocked");
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut file = LineWriter::open(OutputSpec::File(path.clone())).unwrap();
            file.write_line(|out| out.extend_from_slice(b"{}")).unwrap();
            file.flush().unwrap();
            let _ = done.send(std::fs::read(&path).unwrap());
            let _ = std::fs::remove_file(&path);
        });
        let written = finished
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the file exporter was stalled by the blocked writer");
        assert_eq!(written, b"{}\n");
        release.send(()).unwrap();
        writer.join().unwrap().unwrap();
    }

    #[test]
    fn two_exporters_appending_to_one_file_never_interleave_lines() {
        let path = temp_file("shared");
        let _ = std::fs::remove_file(&path);
        let threads: Vec<_> = [b'a', b'b']
            .into_iter()
            .map(|byte| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut w = LineWriter::open(OutputSpec::File(path)).unwrap();
                    for _ in 0..200 {
                        // Lines longer than a pipe buffer, written with one `write_all` each.
                        w.write_line(|out| out.extend(std::iter::repeat_n(byte, 70_000)))
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = std::fs::read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        let lines: Vec<&[u8]> = text
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines.len(), 400);
        for line in lines {
            assert_eq!(line.len(), 70_000);
            assert!(line.iter().all(|&b| b == line[0]), "an interleaved line");
        }
    }
}
