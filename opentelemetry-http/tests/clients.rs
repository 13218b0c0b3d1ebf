//! Every client against a local server on 127.0.0.1: from a plain thread, inside a tokio
//! runtime, with a server that never answers.
#![cfg(all(
    feature = "hyper",
    feature = "reqwest-rustls",
    feature = "reqwest-blocking"
))]

use opentelemetry_http::{Bytes, DedicatedThread, HttpClient, HttpError, HyperClient};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

/// A one-thread HTTP/1.1 server: answers every request with `status` and the request body
/// reversed, with an `x-path` header echoing the path; `hang` makes it read and never answer.
fn server(status: u16, hang: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split(' ').nth(1).unwrap_or("").to_string();
                    let mut length = 0;
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap();
                        let header = header.trim_end();
                        if header.is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':') {
                            if name.eq_ignore_ascii_case("content-length") {
                                length = value.trim().parse().unwrap();
                            }
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    if hang {
                        std::thread::sleep(Duration::from_secs(60));
                        return;
                    }
                    body.reverse();
                    let head = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nx-path: {path}\r\n\r\n",
                        body.len()
                    );
                    stream.write_all(head.as_bytes()).unwrap();
                    stream.write_all(&body).unwrap();
                }
            });
        }
    });
    addr
}

fn reqwest_client() -> reqwest::Client {
    opentelemetry_http::install_rustls_provider();
    reqwest::Client::new()
}

fn request(addr: SocketAddr, body: &'static str) -> http::Request<Bytes> {
    http::Request::post(format!("http://{addr}/v1/traces"))
        .header("content-type", "application/x-protobuf")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap()
}

fn check(response: http::Response<Bytes>, status: u16) {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(response.headers()["x-path"], "/v1/traces");
    assert_eq!(response.body(), "olleh");
}

fn clients() -> Vec<DedicatedThread> {
    vec![
        DedicatedThread::new(HyperClient::new()).unwrap(),
        DedicatedThread::new(reqwest_client()).unwrap(),
    ]
}

#[test]
fn dedicated_thread_serves_a_plain_thread() {
    let addr = server(200, false);
    for client in clients() {
        for _ in 0..3 {
            check(
                futures_executor::block_on(client.send_bytes(request(addr, "hello"))).unwrap(),
                200,
            );
        }
    }
}

#[test]
fn error_statuses_are_responses_not_errors() {
    let addr = server(503, false);
    for client in clients() {
        check(
            futures_executor::block_on(client.send_bytes(request(addr, "hello"))).unwrap(),
            503,
        );
    }
}

#[test]
fn dedicated_thread_works_inside_either_tokio_runtime() {
    let addr = server(200, false);
    for runtime in [
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap(),
    ] {
        for client in clients() {
            let response = runtime
                .block_on(client.send_bytes(request(addr, "hello")))
                .unwrap();
            check(response, 200);
        }
    }
}

#[test]
fn async_clients_work_directly_inside_tokio() {
    let addr = server(200, false);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        check(
            HyperClient::new()
                .send_bytes(request(addr, "hello"))
                .await
                .unwrap(),
            200,
        );
        check(
            reqwest_client()
                .send_bytes(request(addr, "hello"))
                .await
                .unwrap(),
            200,
        );
    });
}

#[test]
fn async_clients_outside_a_runtime_fail_without_panicking() {
    let addr = server(200, false);
    let hyper = futures_executor::block_on(HyperClient::new().send_bytes(request(addr, "x")));
    assert!(matches!(hyper, Err(HttpError::NoRuntime)));
    let reqwest = futures_executor::block_on(reqwest_client().send_bytes(request(addr, "x")));
    assert!(matches!(reqwest, Err(HttpError::NoRuntime)));
}

#[test]
fn blocking_client_serves_a_plain_thread_and_refuses_a_runtime_without_panicking() {
    let addr = server(200, false);
    opentelemetry_http::install_rustls_provider();
    let client = reqwest::blocking::Client::new();
    check(
        futures_executor::block_on(client.send_bytes(request(addr, "hello"))).unwrap(),
        200,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let inside = runtime.block_on(client.send_bytes(request(addr, "hello")));
    assert!(matches!(inside, Err(HttpError::Transport(_))), "{inside:?}");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let addr = server(200, true);
    for client in clients() {
        let client = client.with_timeout(Duration::from_millis(300));
        let started = Instant::now();
        let result = futures_executor::block_on(client.send_bytes(request(addr, "hello")));
        assert!(matches!(result, Err(HttpError::Timeout(t)) if t == Duration::from_millis(300)));
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}

#[test]
fn connection_refused_is_a_transport_error() {
    // Bind then drop, so the port is very likely closed.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    for client in clients() {
        let result = futures_executor::block_on(client.send_bytes(request(addr, "x")));
        assert!(matches!(result, Err(HttpError::Transport(_))), "{result:?}");
    }
}

/// An HTTP/1.1 server answering each request (one per connection) with `len` bytes, declared with a
/// `Content-Length` or sent in 1 KiB chunks (`chunked`) so that only reading tells the size.
fn sized_server(len: usize, chunked: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            length = value.trim().parse().unwrap();
                        }
                    }
                }
                let mut request = vec![0; length];
                reader.read_exact(&mut request).unwrap();
                let body = vec![b'x'; len];
                // Write errors: the client may hang up once it has read enough.
                if chunked {
                    let head = "HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n";
                    let _ = stream.write_all(head.as_bytes());
                    for chunk in body.chunks(1024) {
                        let _ = write!(stream, "{:x}\r\n", chunk.len());
                        let _ = stream.write_all(chunk);
                        let _ = stream.write_all(b"\r\n");
                    }
                    let _ = stream.write_all(b"0\r\n\r\n");
                } else {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: {len}\r\n\r\n"
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(&body);
                }
            });
        }
    });
    addr
}

/// Every client, from the plain thread through a `DedicatedThread` and the blocking one.
fn limited_clients() -> Vec<Box<dyn HttpClient>> {
    opentelemetry_http::install_rustls_provider();
    vec![
        Box::new(DedicatedThread::new(HyperClient::new()).unwrap()),
        Box::new(DedicatedThread::new(reqwest_client()).unwrap()),
        Box::new(reqwest::blocking::Client::new()),
    ]
}

#[test]
fn response_bodies_over_the_limit_are_refused() {
    for chunked in [false, true] {
        let addr = sized_server(10_000, chunked);
        for client in limited_clients() {
            let result =
                futures_executor::block_on(client.send_bytes_with_limit(request(addr, "x"), 4096));
            match result {
                Err(HttpError::ResponseTooLarge {
                    limit: 4096,
                    content_length,
                }) => assert_eq!(content_length, (!chunked).then_some(10_000), "{client:?}"),
                other => panic!("{client:?} chunked={chunked}: {other:?}"),
            }
        }
    }
}

#[test]
fn response_bodies_up_to_the_limit_are_read() {
    for chunked in [false, true] {
        let addr = sized_server(4096, chunked);
        for client in limited_clients() {
            let response =
                futures_executor::block_on(client.send_bytes_with_limit(request(addr, "x"), 4096))
                    .unwrap();
            assert_eq!(response.body().len(), 4096, "{client:?}");
            // Without a limit, as before.
            let response =
                futures_executor::block_on(client.send_bytes(request(addr, "x"))).unwrap();
            assert_eq!(response.body().len(), 4096, "{client:?}");
        }
    }
}

/// A client that only implements `send_bytes` gets the default check, after reading.
#[test]
fn the_default_limit_checks_clients_without_their_own() {
    #[derive(Debug)]
    struct Fixed(usize);
    impl HttpClient for Fixed {
        fn send_bytes(
            &self,
            _: http::Request<Bytes>,
        ) -> opentelemetry_http::BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
            let body = Bytes::from(vec![0u8; self.0]);
            Box::pin(async move { Ok(http::Response::new(body)) })
        }
    }
    let request = || http::Request::new(Bytes::new());
    assert!(futures_executor::block_on(Fixed(10).send_bytes_with_limit(request(), 10)).is_ok());
    let error = futures_executor::block_on(Fixed(11).send_bytes_with_limit(request(), 10));
    assert!(matches!(
        error,
        Err(HttpError::ResponseTooLarge { limit: 10, .. })
    ));
    // Through `Arc` and `Box` the same.
    let boxed: Box<dyn HttpClient> = Box::new(Fixed(11));
    assert!(futures_executor::block_on(boxed.send_bytes_with_limit(request(), 10)).is_err());
    let shared = std::sync::Arc::new(Fixed(11));
    assert!(futures_executor::block_on(shared.send_bytes_with_limit(request(), 10)).is_err());
}
