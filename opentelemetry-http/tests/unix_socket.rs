//! `UnixSocketClient`: HTTP/1.1 over a Unix domain socket, against a plain listener that
//! records what it receives.
#![cfg(all(unix, feature = "hyper"))]

use opentelemetry_http::{Bytes, DedicatedThread, HttpClient, HttpError, UnixSocketClient};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread;

/// A request as the listener read it: the request line, the headers (lower-cased names), the
/// body.
type Seen = (String, Vec<(String, String)>, Vec<u8>);

/// A listener on a fresh socket path answering each request with `reply`; what it read comes
/// back on the channel.
fn listener(reply: &'static [u8]) -> (PathBuf, mpsc::Receiver<Seen>, tempdir::Dir) {
    let dir = tempdir::Dir::new();
    let path = dir.0.join("agent.sock");
    let socket = UnixListener::bind(&path).unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in socket.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                let (name, value) = header.split_once(':').unwrap();
                headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
            }
            let length = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            stream.write_all(reply).unwrap();
            let _ = tx.send((line.trim_end().to_owned(), headers, body));
        }
    });
    (path, rx, dir)
}

mod tempdir {
    use std::path::PathBuf;

    /// A directory removed when dropped.
    pub struct Dir(pub PathBuf);

    impl Dir {
        pub fn new() -> Dir {
            let path = std::env::temp_dir().join(format!(
                "otel-http-uds-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn post(body: &'static [u8]) -> http::Request<Bytes> {
    http::Request::post("http://localhost/v0.5/traces?x=1")
        .header("content-type", "application/msgpack")
        .body(Bytes::from_static(body))
        .unwrap()
}

#[test]
fn a_request_goes_over_the_socket_with_its_path_host_headers_and_body() {
    let (path, seen, _dir) = listener(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    let client = DedicatedThread::new(UnixSocketClient::new(&path)).unwrap();
    let response = futures_executor::block_on(client.send_bytes(post(b"payload"))).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body().as_ref(), b"ok");

    let (line, headers, body) = seen.recv().unwrap();
    assert_eq!(line, "POST /v0.5/traces?x=1 HTTP/1.1");
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("host"), Some("localhost"));
    assert_eq!(header("content-type"), Some("application/msgpack"));
    assert_eq!(body, b"payload");

    // A second request opens a new connection and works the same.
    let response = futures_executor::block_on(client.send_bytes(post(b"again"))).unwrap();
    assert_eq!(response.body().as_ref(), b"ok");
    assert_eq!(seen.recv().unwrap().2, b"again");
}

#[test]
fn a_response_over_the_limit_is_refused() {
    let (path, _seen, _dir) = listener(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n0123456789");
    let client = DedicatedThread::new(UnixSocketClient::new(&path)).unwrap();
    let error =
        futures_executor::block_on(client.send_bytes_with_limit(post(b"p"), 4)).unwrap_err();
    assert!(
        matches!(error, HttpError::ResponseTooLarge { limit: 4, .. }),
        "{error:?}"
    );
}

#[test]
fn a_missing_socket_is_a_transport_error_and_no_runtime_is_reported() {
    let client = DedicatedThread::new(UnixSocketClient::new("/nonexistent/agent.sock")).unwrap();
    let error = futures_executor::block_on(client.send_bytes(post(b"p"))).unwrap_err();
    assert!(matches!(error, HttpError::Transport(_)), "{error:?}");

    // Polled outside a tokio runtime, without DedicatedThread.
    let bare = UnixSocketClient::new("/nonexistent/agent.sock");
    let error = futures_executor::block_on(bare.send_bytes(post(b"p"))).unwrap_err();
    assert!(matches!(error, HttpError::NoRuntime), "{error:?}");
}
