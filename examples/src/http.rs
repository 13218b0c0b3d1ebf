//! A deliberately small HTTP/1.1 client and request reader over `std::net`, enough for the
//! examples and their tests: one request per connection (`Connection: close`), bodies sized by
//! `Content-Length`, `http://` URLs only. Not for production use.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The largest request or response head (request line and headers) read.
const MAX_HEAD: usize = 64 * 1024;
/// The largest body read.
const MAX_BODY: usize = 1024 * 1024;
/// Connect, read and write timeout.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A received HTTP request (or response: `method` then holds the status code).
#[derive(Debug, Clone, Default)]
pub struct Message {
    /// The method (`POST`) of a request, or the status code (`200`) of a response.
    pub method: String,
    /// The request target (`/test`), or the reason phrase of a response.
    pub target: String,
    /// Header names in lowercase; a header received several times is combined with `,` as
    /// RFC 9110 describes.
    pub headers: HashMap<String, String>,
    /// The body.
    pub body: Vec<u8>,
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

/// Reads one request (or response) from `stream`.
pub fn read_message<R: Read>(stream: R) -> io::Result<Message> {
    let mut reader = BufReader::new(stream.take((MAX_HEAD + MAX_BODY) as u64));
    let mut line = String::new();
    let mut head_len = 0;
    let mut read_line = |reader: &mut BufReader<_>, line: &mut String| -> io::Result<()> {
        line.clear();
        let n = reader.read_line(line)?;
        head_len += n;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        if head_len > MAX_HEAD {
            return Err(invalid("head too large"));
        }
        Ok(())
    };
    read_line(&mut reader, &mut line)?;
    let mut parts = line.trim_end().splitn(3, ' ');
    let first = parts.next().unwrap_or_default();
    let second = parts.next().unwrap_or_default();
    let third = parts.next().unwrap_or_default();
    let mut message = if first.starts_with("HTTP/") {
        Message {
            method: second.to_string(),
            target: third.to_string(),
            ..Message::default()
        }
    } else {
        Message {
            method: first.to_string(),
            target: second.to_string(),
            ..Message::default()
        }
    };
    if message.method.is_empty() {
        return Err(invalid("empty start line"));
    }
    loop {
        read_line(&mut reader, &mut line)?;
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| invalid("bad header"))?;
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim_matches([' ', '\t']);
        message
            .headers
            .entry(name)
            .and_modify(|v| {
                v.push(',');
                v.push_str(value);
            })
            .or_insert_with(|| value.to_string());
    }
    let len = match message.headers.get("content-length") {
        Some(len) => len
            .trim()
            .parse::<usize>()
            .map_err(|_| invalid("bad content-length"))?,
        None => 0,
    };
    if len > MAX_BODY {
        return Err(invalid("body too large"));
    }
    message.body = vec![0; len];
    reader.read_exact(&mut message.body)?;
    Ok(message)
}

/// Writes a response with `status` and an optional plain-text body, and closes.
pub fn write_response<W: Write>(
    mut stream: W,
    status: u16,
    reason: &str,
    body: &str,
) -> io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

/// Splits `http://host:port/path` into the address and the path.
fn split_url(url: &str) -> io::Result<(&str, &str)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid("only http:// URLs are supported"))?;
    Ok(match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    })
}

/// POSTs `body` to `url` with `headers` (and a JSON content type), and returns the response.
pub fn post(url: &str, headers: &[(&str, &str)], body: &[u8]) -> io::Result<Message> {
    let (authority, path) = split_url(url)?;
    let host_port = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = host_port
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| invalid("address did not resolve"))?;
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(name);
        request.push_str(": ");
        request.push_str(value);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    read_message(&mut stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requests_and_combines_repeated_headers() {
        let raw = b"POST /test HTTP/1.1\r\nHost: x\r\nTraceState: a=1\r\ntracestate:  b=2 \r\nContent-Length: 2\r\n\r\n[]";
        let m = read_message(&raw[..]).unwrap();
        assert_eq!(m.method, "POST");
        assert_eq!(m.target, "/test");
        assert_eq!(m.headers["tracestate"], "a=1,b=2");
        assert_eq!(m.body, b"[]");
    }

    #[test]
    fn reads_responses() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        let m = read_message(&raw[..]).unwrap();
        assert_eq!(m.method, "200");
        assert_eq!(m.target, "OK");
    }

    #[test]
    fn rejects_malformed_input() {
        assert!(read_message(&b""[..]).is_err());
        assert!(read_message(&b"POST / HTTP/1.1\r\nno-colon\r\n\r\n"[..]).is_err());
        assert!(read_message(&b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"[..]).is_err());
        assert!(read_message(&b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"[..]).is_err());
    }

    #[test]
    fn urls() {
        assert_eq!(
            split_url("http://127.0.0.1:1/a/b").unwrap(),
            ("127.0.0.1:1", "/a/b")
        );
        assert_eq!(split_url("http://h").unwrap(), ("h", "/"));
        assert!(split_url("https://h/").is_err());
    }
}
