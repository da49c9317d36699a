//! Fake HTTP servers for the provider tests: a tiny_http server on 127.0.0.1:0 whose answers
//! come from a closure, with the faults the providers must survive (delays, stalled bodies,
//! garbage). Each request is answered on its own thread, so a stalled one blocks nothing.
#![allow(dead_code)]

pub mod engine;
pub mod openssh;
pub mod smsdesk;
pub mod snapshots;
pub mod term;
pub mod tmux;
pub mod world;

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path and query, exactly as sent.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.url.split('?').next().unwrap_or("")
    }

    pub fn query(&self) -> &str {
        self.url.split_once('?').map(|(_, q)| q).unwrap_or("")
    }

    /// Decoded query pairs (form rules: `+` is a space).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        decode_form(self.query())
    }

    pub fn query_value(&self, key: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Decoded form body pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        decode_form(&self.body)
    }

    pub fn form_value(&self, key: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// An independent `application/x-www-form-urlencoded` decoder (not the crate's own).
pub fn decode_form(s: &str) -> Vec<(String, String)> {
    fn dec(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'+' {
                out.push(b' ');
                i += 1;
            } else if b[i] == b'%' && i + 2 < b.len() {
                let h = u8::from_str_radix(&s[i + 1..i + 3], 16).expect("bad % escape");
                out.push(h);
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("query is not UTF-8")
    }
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (dec(k), dec(v))
        })
        .collect()
}

/// How to answer one request.
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// Sleep this long before answering anything (a slow server).
    pub delay: Duration,
    /// Send the headers and the first bytes, then stall this long before the rest.
    pub stall: Option<Duration>,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            body: body.into(),
            headers: Vec::new(),
            delay: Duration::ZERO,
            stall: None,
        }
    }

    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply::new(status, body.into()).header("Content-Type", "application/json")
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }

    pub fn delayed(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }

    pub fn stalled(mut self, d: Duration) -> Reply {
        self.stall = Some(d);
        self
    }
}

/// A body reader that gives a few bytes, then sleeps (the peer sees a stalled transfer).
struct StallingReader {
    first: Vec<u8>,
    sent: bool,
    stall: Duration,
}

impl Read for StallingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.sent {
            self.sent = true;
            let n = self.first.len().min(buf.len());
            buf[..n].copy_from_slice(&self.first[..n]);
            return Ok(n);
        }
        std::thread::sleep(self.stall);
        Ok(0)
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

/// A running fake server; dropping it stops accepting requests.
pub struct FakeServer {
    pub base: String,
    pub port: u16,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    pub fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> FakeServer {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind fake server");
        let addr = server.server_addr().to_ip().expect("ip address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let Ok(Some(mut rq)) = server.recv_timeout(Duration::from_millis(50)) else {
                        continue;
                    };
                    let mut body = String::new();
                    let _ = rq.as_reader().read_to_string(&mut body);
                    let rec = Recorded {
                        method: rq.method().to_string(),
                        url: rq.url().to_string(),
                        headers: rq
                            .headers()
                            .iter()
                            .map(|h| (h.field.to_string(), h.value.to_string()))
                            .collect(),
                        body,
                    };
                    requests.lock().unwrap().push(rec.clone());
                    let handler = Arc::clone(&handler);
                    std::thread::spawn(move || {
                        let reply = handler(&rec);
                        std::thread::sleep(reply.delay);
                        let headers: Vec<tiny_http::Header> = reply
                            .headers
                            .iter()
                            .filter_map(|(k, v)| {
                                tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).ok()
                            })
                            .collect();
                        let len = reply.body.len();
                        match reply.stall {
                            None => {
                                let mut r = tiny_http::Response::from_data(reply.body)
                                    .with_status_code(reply.status);
                                for h in headers {
                                    r.add_header(h);
                                }
                                let _ = rq.respond(r);
                            }
                            Some(stall) => {
                                let first = reply.body[..len.min(8)].to_vec();
                                let reader = StallingReader {
                                    first,
                                    sent: false,
                                    stall,
                                };
                                let r = tiny_http::Response::new(
                                    tiny_http::StatusCode(reply.status),
                                    headers,
                                    reader,
                                    Some(len.max(1000)),
                                    None,
                                );
                                let _ = rq.respond(r);
                            }
                        }
                    });
                }
            })
        };
        FakeServer {
            base: format!("http://{addr}"),
            port: addr.port(),
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    pub fn last(&self) -> Recorded {
        self.requests().pop().expect("no request received")
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// An address where nothing listens (bound then released).
pub fn dead_address() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    drop(l);
    format!("http://{addr}")
}

/// Runs `f` and returns its result with the time it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed())
}

/// Lowercase hex SHA-1, computed here independently of the crate's OVH signer.
pub fn sha1_hex(data: &str) -> String {
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(data.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What a [`RawServer`] does once it has read a whole request.
#[derive(Clone, Debug)]
pub enum Misbehave {
    /// Writes these bytes as they are (status line, headers, body: anything), then closes.
    Bytes(Vec<u8>),
    /// Closes the connection without a byte of answer.
    Close,
    /// Resets the connection (RST, through SO_LINGER 0) without a byte of answer.
    Reset,
    /// Writes these bytes, then says nothing for this long before closing.
    StallAfter(Vec<u8>, Duration),
}

impl Misbehave {
    /// A complete, well-formed answer (`Content-Length`, `Connection: close`).
    pub fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Misbehave {
        let mut out = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status));
        for (k, v) in headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ));
        Misbehave::Bytes(out.into_bytes())
    }

    /// A success status whose body stops short of its announced `Content-Length`.
    pub fn cut_body(status: u16, body: &str) -> Misbehave {
        let half = &body[..body.len() / 2];
        Misbehave::Bytes(
            format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{half}",
                reason_phrase(status),
                body.len()
            )
            .into_bytes(),
        )
    }

    /// A chunked body whose last chunk is cut and never terminated.
    pub fn cut_chunked(status: u16, body: &str) -> Misbehave {
        Misbehave::Bytes(
            format!(
                "HTTP/1.1 {status} {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{}",
                reason_phrase(status),
                body.len(),
                &body[..body.len() / 2]
            )
            .into_bytes(),
        )
    }

    /// A "chunked" body that is not chunked data at all.
    pub fn bad_chunked(status: u16) -> Misbehave {
        Misbehave::Bytes(
            format!(
                "HTTP/1.1 {status} {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nnot-hex\r\nhello\r\n0\r\n\r\n",
                reason_phrase(status)
            )
            .into_bytes(),
        )
    }

    /// Status line and headers announcing a body, then silence for `stall`.
    pub fn stall_in_body(status: u16, stall: Duration) -> Misbehave {
        Misbehave::StallAfter(
            format!(
                "HTTP/1.1 {status} {}\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"si",
                reason_phrase(status)
            )
            .into_bytes(),
            stall,
        )
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Whatever",
    }
}

type RawHandler = dyn Fn(&Recorded) -> Misbehave + Send + Sync;

/// A server on a raw `TcpListener` that reads each request completely, records it, then
/// answers as its handler says — including the ways no HTTP library lets a server misbehave
/// (cut or broken bodies, a close or a reset instead of an answer, a stall). One request per
/// connection, each on its own thread.
pub struct RawServer {
    pub base: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RawServer {
    pub fn start(handler: impl Fn(&Recorded) -> Misbehave + Send + Sync + 'static) -> RawServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind raw server");
        let addr = listener.local_addr().expect("raw server address");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<RawHandler> = Arc::new(handler);
        let thread = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let stream = match listener.accept() {
                        Ok((s, _)) => s,
                        Err(_) => {
                            std::thread::sleep(Duration::from_millis(5));
                            continue;
                        }
                    };
                    let requests = Arc::clone(&requests);
                    let handler = Arc::clone(&handler);
                    std::thread::spawn(move || serve_raw(stream, &requests, &*handler));
                }
            })
        };
        RawServer {
            base: format!("http://{addr}"),
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request (headers, then `Content-Length` bytes of body) and misbehaves.
fn serve_raw(
    mut stream: std::net::TcpStream,
    requests: &Mutex<Vec<Recorded>>,
    handler: &RawHandler,
) {
    use std::io::Write;
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let url = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let rec = Recorded {
        method,
        url,
        headers,
        body: String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned(),
    };
    requests.lock().unwrap().push(rec.clone());
    match handler(&rec) {
        Misbehave::Bytes(b) => {
            let _ = stream.write_all(&b);
            let _ = stream.flush();
        }
        Misbehave::Close => {}
        Misbehave::Reset => reset_on_close(&stream),
        Misbehave::StallAfter(b, d) => {
            let _ = stream.write_all(&b);
            let _ = stream.flush();
            std::thread::sleep(d);
        }
    }
}

/// SO_LINGER with a zero time-out: closing the socket sends a RST instead of a FIN.
/// (`TcpStream::set_linger` is unstable.)
fn reset_on_close(stream: &std::net::TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a correctly sized `linger` value.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt(SO_LINGER)");
}
