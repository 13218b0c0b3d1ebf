//! Plays the W3C harness: sends `/test` to the server and checks what a tiny receiving server
//! gets. Everything listens on 127.0.0.1 ephemeral ports and is stopped at the end.

use examples::http::{self, Message};
use examples::trace_context_server::Server;
use serde_json::json;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

/// Records every request it receives and answers 200.
struct Receiver {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Message>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (received.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let mut stream = stream.unwrap();
                stream.set_read_timeout(Some(http::TIMEOUT)).unwrap();
                if let Ok(m) = http::read_message(&mut stream) {
                    r.lock().unwrap().push(m);
                }
                http::write_response(&mut stream, 200, "OK", "").unwrap();
            }
        });
        Receiver {
            addr,
            received,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn take(&self) -> Vec<Message> {
        std::mem::take(&mut *self.received.lock().unwrap())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Sends `/test` with `headers` and calls to `paths` of the receiver; returns what it got.
fn run(
    server: &Server,
    receiver: &Receiver,
    headers: &[(&str, &str)],
    paths: &[&str],
) -> Vec<Message> {
    let items: Vec<_> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"url": receiver.url(p), "arguments": [{"call": i}]}))
        .collect();
    let body = serde_json::to_vec(&items).unwrap();
    let url = format!("http://{}/test", server.local_addr());
    let response = http::post(&url, headers, &body).unwrap();
    assert_eq!(response.method, "200");
    let received = receiver.take();
    assert_eq!(received.len(), paths.len());
    for (i, (m, p)) in received.iter().zip(paths).enumerate() {
        assert_eq!(m.target, *p, "calls are made in order");
        let args: serde_json::Value = serde_json::from_slice(&m.body).unwrap();
        assert_eq!(args, json!([{"call": i}]), "arguments are the body");
    }
    received
}

/// Splits and checks a version-00 traceparent: (trace id, parent id, flags).
fn fields(m: &Message) -> (String, String, String) {
    let tp = &m.headers["traceparent"];
    let parts: Vec<&str> = tp.split('-').collect();
    assert_eq!(parts.len(), 4, "{tp}");
    assert_eq!(parts[0], "00");
    let lower_hex = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    assert!(
        lower_hex(parts[1], 32) && parts[1] != "0".repeat(32),
        "{tp}"
    );
    assert!(
        lower_hex(parts[2], 16) && parts[2] != "0".repeat(16),
        "{tp}"
    );
    assert!(lower_hex(parts[3], 2), "{tp}");
    (parts[1].into(), parts[2].into(), parts[3].into())
}

#[test]
fn continues_the_incoming_trace_with_a_new_parent_id_per_call() {
    let receiver = Receiver::start();
    let server = Server::start("127.0.0.1:0").unwrap();

    let traceparent = format!("00-{TRACE_ID}-{PARENT_ID}-01");
    let received = run(
        &server,
        &receiver,
        &[
            ("traceparent", &traceparent),
            ("tracestate", "rojo=00f067aa0ba902b7"),
            ("tracestate", "congo=t61rcWkgMzE"),
        ],
        &["/a", "/b", "/c"],
    );
    let mut parent_ids = Vec::new();
    for m in &received {
        let (trace_id, parent_id, flags) = fields(m);
        assert_eq!(trace_id, TRACE_ID);
        assert_ne!(parent_id, PARENT_ID);
        assert_eq!(flags, "01");
        assert_eq!(
            m.headers["tracestate"],
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
        );
        parent_ids.push(parent_id);
    }
    parent_ids.sort();
    parent_ids.dedup();
    assert_eq!(parent_ids.len(), 3, "a new parent id for every call");

    // The random flag is carried; a higher version is continued and written as 00.
    let received = run(
        &server,
        &receiver,
        &[(
            "traceparent",
            &format!("cc-{TRACE_ID}-{PARENT_ID}-03-what-the-future-will-be-like"),
        )],
        &["/d"],
    );
    let (trace_id, _, flags) = fields(&received[0]);
    assert_eq!((trace_id.as_str(), flags.as_str()), (TRACE_ID, "03"));
    assert!(!received[0].headers.contains_key("tracestate"));

    server.shutdown();
}

#[test]
fn restarts_the_trace_when_traceparent_is_malformed_or_missing() {
    let receiver = Receiver::start();
    let server = Server::start("127.0.0.1:0").unwrap();

    for headers in [
        vec![
            ("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-0g")),
            ("tracestate", "foo=1".to_string()),
        ],
        vec![(
            "traceparent",
            format!("00-{}-{PARENT_ID}-01", TRACE_ID.to_uppercase()),
        )],
        vec![
            ("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01")),
            ("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01")),
        ],
        vec![("tracestate", "foo=1".to_string())],
        vec![],
    ] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let received = run(&server, &receiver, &headers, &["/x", "/y"]);
        let (t1, p1, _) = fields(&received[0]);
        let (t2, p2, _) = fields(&received[1]);
        assert_ne!(t1, TRACE_ID, "{headers:?}: a new trace");
        assert_eq!(t1, t2, "{headers:?}: one new trace per request");
        assert_ne!(p1, p2);
        assert!(
            !received[0].headers.contains_key("tracestate"),
            "{headers:?}: incoming tracestate dropped"
        );
    }

    server.shutdown();
}

#[test]
fn bad_requests_are_answered_and_do_not_stop_the_server() {
    let server = Server::start("127.0.0.1:0").unwrap();
    let url = format!("http://{}/test", server.local_addr());
    assert_eq!(http::post(&url, &[], b"not json").unwrap().method, "400");
    assert_eq!(http::post(&url, &[], b"{}").unwrap().method, "400");
    let other = format!("http://{}/other", server.local_addr());
    assert_eq!(http::post(&other, &[], b"[]").unwrap().method, "404");
    // A call to a closed port is reported, not fatal.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let body = json!([{"url": format!("http://{closed}/gone"), "arguments": []}]);
    let response = http::post(&url, &[], body.to_string().as_bytes()).unwrap();
    assert_eq!(response.method, "200");
    assert_eq!(http::post(&url, &[], b"[]").unwrap().method, "200");
    server.shutdown();
}
