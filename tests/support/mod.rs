//! Fake HTTP servers for the provider tests: a tiny_http server on 127.0.0.1:0 whose answers
//! come from a closure, with the faults the providers must survive (delays, stalled bodies,
//! garbage). Each request is answered on its own thread, so a stalled one blocks nothing.
#![allow(dead_code)]

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
