//! The service the W3C Trace Context conformance harness drives.
//!
//! The harness sends `POST /test` with a JSON array `[{"url": U, "arguments": A}, ...]` and
//! trace context headers. For each item the service starts a child span of the extracted
//! context (a new parent-id for every call) and POSTs `A` as JSON to `U` with the child's
//! `traceparent` and `tracestate`. When the incoming `traceparent` is missing or invalid, a new
//! trace is started (and the incoming `tracestate` is dropped).
//!
//! Until an SDK exists, the child span context is made here: the same trace ID, a fresh
//! random span ID, the flags and trace state carried over.

use crate::http::{self, Message};
use opentelemetry_api::propagation::{TextMapPropagator, TraceContextPropagator};
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::Context;
use serde_json::Value;
use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A running server; [`Server::shutdown`] (or dropping it) stops it and waits for its threads.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept_thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts serving on `addr` (`127.0.0.1:0` picks a free port).
    pub fn start(addr: &str) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let accept_stop = stop.clone();
        let accept_thread = std::thread::Builder::new()
            .name("trace-context-accept".into())
            .spawn(move || accept_loop(listener, &accept_stop))?;
        Ok(Server {
            addr,
            stop,
            accept_thread: Some(accept_thread),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks until the server stops (it stops only through [`Server::shutdown`] from another
    /// handle, so for a binary this means forever).
    pub fn wait(mut self) {
        if let Some(t) = self.accept_thread.take() {
            let _ = t.join();
        }
    }

    /// Stops accepting, waits for requests in progress, and returns.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(t) = self.accept_thread.take() {
            self.stop.store(true, Ordering::SeqCst);
            // Wake the blocking accept; the loop sees the flag and exits.
            let _ = TcpStream::connect_timeout(&self.addr, http::TIMEOUT);
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

fn accept_loop(listener: TcpListener, stop: &AtomicBool) {
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        workers.retain(|w| !w.is_finished());
        if let Ok(worker) = std::thread::Builder::new()
            .name("trace-context-conn".into())
            .spawn(move || handle_connection(stream))
        {
            workers.push(worker);
        }
    }
    for worker in workers {
        let _ = worker.join();
    }
}

fn handle_connection(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(http::TIMEOUT));
    let _ = stream.set_write_timeout(Some(http::TIMEOUT));
    let (status, reason, body) = match http::read_message(&mut stream) {
        Ok(request) if request.method == "POST" && request.target == "/test" => {
            match handle_test(&request) {
                Ok(()) => (200, "OK", String::new()),
                Err(e) => (400, "Bad Request", e),
            }
        }
        Ok(_) => (404, "Not Found", String::new()),
        Err(e) => (400, "Bad Request", e.to_string()),
    };
    let _ = http::write_response(&mut stream, status, reason, &body);
}

/// One outgoing call of a `/test` request.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Where to POST.
    pub url: String,
    /// The JSON body to send.
    pub arguments: Value,
}

/// Parses a `/test` body: a JSON array of `{"url": ..., "arguments": ...}`.
pub fn parse_calls(body: &[u8]) -> Result<Vec<Call>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let items = value.as_array().ok_or("the body must be a JSON array")?;
    items
        .iter()
        .map(|item| {
            let url = item
                .get("url")
                .and_then(Value::as_str)
                .ok_or("each item needs a string \"url\"")?;
            Ok(Call {
                url: url.to_string(),
                arguments: item.get("arguments").cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

fn random_trace_id() -> TraceId {
    loop {
        let id: u128 = rand::random();
        if id != 0 {
            return TraceId::from(id);
        }
    }
}

fn random_span_id() -> SpanId {
    loop {
        let id: u64 = rand::random();
        if id != 0 {
            return SpanId::from(id);
        }
    }
}

/// The span context of a new child of `parent`, or of a new trace root when `parent` is not
/// valid.
pub fn child_span_context(parent: &SpanContext) -> SpanContext {
    if parent.is_valid() {
        SpanContext::new(
            parent.trace_id(),
            random_span_id(),
            parent.trace_flags(),
            false,
            parent.trace_state().clone(),
        )
    } else {
        SpanContext::new(
            random_trace_id(),
            random_span_id(),
            TraceFlags::SAMPLED | TraceFlags::RANDOM,
            false,
            TraceState::NONE,
        )
    }
}

/// The parent of this request's calls: the extracted incoming span context, or (when the
/// incoming `traceparent` is missing or invalid) the root of one new trace shared by all the
/// calls of this request.
fn request_parent(incoming: &HashMap<String, String>) -> SpanContext {
    let cx = TraceContextPropagator::new().extract_with_context(&Context::new(), incoming);
    let sc = cx.span().span_context().clone();
    if sc.is_valid() {
        sc
    } else {
        child_span_context(&SpanContext::NONE)
    }
}

/// The headers of one outgoing call: those of a new child of `parent`.
fn call_headers(parent: &SpanContext) -> HashMap<String, String> {
    let child = child_span_context(parent);
    let mut headers = HashMap::new();
    TraceContextPropagator::new().inject_context(
        &Context::new().with_remote_span_context(child),
        &mut headers,
    );
    headers
}

fn handle_test(request: &Message) -> Result<(), String> {
    let calls = parse_calls(&request.body)?;
    let parent = request_parent(&request.headers);
    for call in calls {
        let headers = call_headers(&parent);
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let body = serde_json::to_vec(&call.arguments).map_err(|e| e.to_string())?;
        if let Err(e) = http::post(&call.url, &headers, &body) {
            opentelemetry_api::otel_warn!(
                "TraceContextServer.CallFailed",
                "POST {} failed: {}",
                call.url,
                e
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_harness_body() {
        let calls = parse_calls(
            br#"[{"url": "http://h/a", "arguments": [1, {"b": 2}]}, {"url": "http://h/b"}]"#,
        )
        .unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].arguments, serde_json::json!([1, {"b": 2}]));
        assert_eq!(calls[1].arguments, Value::Null);
        assert!(parse_calls(b"{}").is_err());
        assert!(parse_calls(b"[{}]").is_err());
        assert!(parse_calls(b"nope").is_err());
    }

    #[test]
    fn children_keep_trace_flags_and_state_with_new_span_ids() {
        let parent = SpanContext::new(
            TraceId::from(5u128),
            SpanId::from(6u64),
            TraceFlags::RANDOM,
            true,
            "a=1".parse().unwrap(),
        );
        let a = child_span_context(&parent);
        let b = child_span_context(&parent);
        assert_eq!(a.trace_id(), parent.trace_id());
        assert_eq!(a.trace_flags(), TraceFlags::RANDOM);
        assert_eq!(a.trace_state(), parent.trace_state());
        assert!(a.is_valid() && a.span_id() != parent.span_id() && a.span_id() != b.span_id());
        let root = child_span_context(&SpanContext::NONE);
        assert!(root.is_valid() && root.trace_state().is_empty());
    }

    #[test]
    fn outgoing_headers_for_valid_and_invalid_parents() {
        let incoming = HashMap::from([
            (
                "traceparent".to_string(),
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string(),
            ),
            ("tracestate".to_string(), "congo=t61rcWkgMzE".to_string()),
        ]);
        let out = call_headers(&request_parent(&incoming));
        assert!(out["traceparent"].starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        assert!(out["traceparent"].ends_with("-01"));
        assert_eq!(out["tracestate"], "congo=t61rcWkgMzE");
        let restarted = call_headers(&request_parent(&HashMap::from([(
            "traceparent".to_string(),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g".to_string(),
        )])));
        assert!(!restarted["traceparent"].contains("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert!(!restarted.contains_key("tracestate"));
    }
}
