//! The callback listener's HTTP/1.1 server: just enough of the protocol for Kannel's dlr-url
//! and get-url calls, with every read bounded so that no client can freeze it or grow the
//! process:
//!
//! * request line and headers together at most [`Limits::max_head`] (431 beyond), a body at
//!   most [`Limits::max_body`] (413, from `Content-Length` or while reading a chunked body);
//! * the key (`key=`) is checked on the request line, before any header or body is read (403);
//! * each connection has [`Limits::read_timeout`] to send its whole request (408 after);
//! * a thread per connection, at most [`Limits::max_connections`] at once (503 beyond), so a
//!   slow client never delays another;
//! * `Expect: 100-continue` gets `100 Continue` only once the request is known acceptable;
//! * a callback is answered 200 only once the scheduler says it is committed; 503 when
//!   storing failed or no answer came within [`Limits::answer_wait`], so Kannel retries.
//!
//! Every answer closes the connection: Kannel opens a new one per callback anyway.

use super::CallbackEvent;
use super::kannel::{CallbackError, carries_secret, parse_callback};
use chrono::Utc;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Bounds of the listener; [`Limits::default`] is what smsdesk uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Request line and headers, in bytes.
    pub max_head: usize,
    /// Body, in bytes (Kannel's callbacks carry everything in the URL; a body is read and
    /// dropped).
    pub max_body: usize,
    /// Time a connection has to send its whole request.
    pub read_timeout: Duration,
    /// Connections served at once; more get 503.
    pub max_connections: usize,
    /// How long a callback waits for the scheduler to commit it before 503.
    pub answer_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head: 8 * 1024,
            max_body: 64 * 1024,
            read_timeout: Duration::from_secs(5),
            max_connections: 256,
            answer_wait: Duration::from_secs(10),
        }
    }
}

/// A callback waiting to be committed: whoever applies `event` must call
/// [`Answer::send`] once it is stored (or failed to be), which decides the HTTP answer.
#[derive(Debug)]
pub struct Callback {
    pub event: CallbackEvent,
    pub answer: Answer,
}

/// The way back to the waiting HTTP request. Dropped without an answer, the request gets 503.
#[derive(Debug)]
pub struct Answer(SyncSender<Result<(), NotStored>>);

/// The event could not be stored: the request is answered 503 (Kannel tries again). Why is
/// logged where it failed, never sent to the network (it may name files).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotStored;

impl NotStored {
    /// Logs why the event could not be stored.
    pub fn logged(why: impl std::fmt::Display) -> NotStored {
        tracing::error!("callback not stored (answered 503): {why}");
        NotStored
    }
}

impl Answer {
    /// `Ok` once the event is committed (or was already: a duplicate is a success),
    /// [`NotStored`] when storing failed.
    pub fn send(self, result: Result<(), NotStored>) {
        // The request may have given up waiting; nothing else to tell it.
        let _ = self.0.send(result);
    }
}

impl Callback {
    /// A callback and the receiver its answer arrives on.
    pub fn new(event: CallbackEvent) -> (Callback, Receiver<Result<(), NotStored>>) {
        let (tx, rx) = mpsc::sync_channel(1);
        (
            Callback {
                event,
                answer: Answer(tx),
            },
            rx,
        )
    }
}

/// A running callback listener; dropping it (or [`ListenerHandle::stop`]) stops it and frees
/// the port.
pub struct ListenerHandle {
    thread: Option<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
    addr: SocketAddr,
}

impl std::fmt::Debug for ListenerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenerHandle")
            .field("addr", &self.addr)
            .field("running", &self.thread.is_some())
            .finish()
    }
}

impl ListenerHandle {
    /// The bound address (the real port when `:0` was asked).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and frees the port (within ~20 ms). Requests already accepted finish on
    /// their own threads.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How long the accept loop sleeps when nobody is connecting (also how soon it sees a stop).
const ACCEPT_IDLE: Duration = Duration::from_millis(20);
/// Stack of a connection thread: parsing needs little, and 256 of them must stay cheap.
const CONNECTION_STACK: usize = 256 * 1024;

/// Binds `addr` and serves callbacks on a thread of its own; every accepted request becomes a
/// [`Callback`] on `tx`. The error says which address could not be bound and why.
pub fn serve(
    addr: &str,
    secret: &str,
    limits: Limits,
    tx: Sender<Callback>,
) -> io::Result<ListenerHandle> {
    let listener = TcpListener::bind(addr.trim())?;
    let bound = listener.local_addr()?;
    // Non-blocking so the accept loop sees a stop request promptly.
    listener.set_nonblocking(true)?;
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let stop = Arc::clone(&stop);
        let secret = secret.to_string();
        std::thread::Builder::new()
            .name("callback-accept".into())
            .spawn(move || accept_loop(&listener, &stop, &secret, limits, &tx))?
    };
    Ok(ListenerHandle {
        thread: Some(thread),
        stop,
        addr: bound,
    })
}

fn accept_loop(
    listener: &TcpListener,
    stop: &AtomicBool,
    secret: &str,
    limits: Limits,
    tx: &Sender<Callback>,
) {
    let active = Arc::new(AtomicUsize::new(0));
    let secret: Arc<str> = Arc::from(secret);
    while !stop.load(Ordering::SeqCst) {
        let stream = match listener.accept() {
            Ok((s, _)) => s,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(ACCEPT_IDLE);
                continue;
            }
            Err(e) => {
                // Out of descriptors and the like: wait rather than spin.
                tracing::warn!("callback listener: accept: {e}");
                std::thread::sleep(ACCEPT_IDLE);
                continue;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= limits.max_connections {
            active.fetch_sub(1, Ordering::SeqCst);
            refuse_busy(stream);
            continue;
        }
        let guard = ActiveGuard(Arc::clone(&active));
        let secret = Arc::clone(&secret);
        let tx = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("callback-conn".into())
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                let _guard = guard;
                connection(stream, &secret, limits, &tx);
            });
        if let Err(e) = spawned {
            tracing::warn!("callback listener: cannot start a connection thread: {e}");
        }
    }
}

/// Counts a connection thread until it ends (even by a panic).
struct ActiveGuard(Arc<AtomicUsize>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Too many connections at once: say so without reading anything.
fn refuse_busy(mut stream: TcpStream) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    let _ = stream.write_all(&response(503, "too many connections"));
    let _ = stream.shutdown(Shutdown::Write);
}

/// A TCP connection with the request's deadline applied to every read.
struct Wire {
    stream: TcpStream,
    deadline: Instant,
}

impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

fn connection(stream: TcpStream, secret: &str, limits: Limits, tx: &Sender<Callback>) {
    // Accepted sockets may inherit the listener's non-blocking mode on some systems.
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(limits.read_timeout));
    let mut wire = Wire {
        stream,
        deadline: Instant::now() + limits.read_timeout,
    };
    let code = exchange(&mut wire, secret, &limits, |event| {
        dispatch(event, tx, limits.answer_wait)
    });
    if code != 200 {
        tracing::warn!("callback answered {code}");
    }
    linger(wire.stream);
}

/// Hands the event to the scheduler and waits for it to be committed.
fn dispatch(event: CallbackEvent, tx: &Sender<Callback>, wait: Duration) -> (u16, String) {
    let (callback, answer) = Callback::new(event);
    if tx.send(callback).is_err() {
        return (503, "smsdesk is not receiving reports".into());
    }
    match answer.recv_timeout(wait) {
        Ok(Ok(())) => (200, "OK".into()),
        Ok(Err(NotStored)) => (503, "not stored, try again later".into()),
        Err(RecvTimeoutError::Timeout) => (503, "not stored in time".into()),
        Err(RecvTimeoutError::Disconnected) => (503, "smsdesk is not receiving reports".into()),
    }
}

/// After the answer: stop sending, then read (and drop) what the client still sends for a
/// moment, so that closing does not reset the connection before it has read the answer.
fn linger(mut stream: TcpStream) {
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + Duration::from_secs(1);
    let mut drained = 0usize;
    let mut buf = [0u8; 4096];
    while drained < 256 * 1024 {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => drained += n,
        }
    }
}

/// Why a request was refused before it reached the scheduler: the HTTP status and a line of
/// text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: u16,
    pub reason: String,
}

fn refuse(code: u16, reason: impl Into<String>) -> Refusal {
    Refusal {
        code,
        reason: reason.into(),
    }
}

/// Reads one request from `wire`, answers it, and gives the status sent. `dispatch` is called
/// with the event once the whole request is read and gives the answer.
pub fn exchange<W: Read + Write>(
    wire: &mut W,
    secret: &str,
    limits: &Limits,
    dispatch: impl FnOnce(CallbackEvent) -> (u16, String),
) -> u16 {
    let (code, text) = match read_request(wire, secret, limits) {
        Ok(event) => dispatch(event),
        Err(r) => (r.code, r.reason),
    };
    let _ = wire.write_all(&response(code, &text));
    let _ = wire.flush();
    code
}

/// Reads and checks one request up to its end; the event it carries, or the refusal to send.
fn read_request<W: Read + Write>(
    wire: &mut W,
    secret: &str,
    limits: &Limits,
) -> Result<CallbackEvent, Refusal> {
    let mut reader = Bounded::new(wire);
    let line = reader.line(limits.max_head, 431)?;
    let request = parse_request_line(&line)?;
    // Before anything else is read: a forged callback costs us one line.
    if !carries_secret(&request.target, secret) {
        return Err(refuse(403, "Forbidden"));
    }
    let mut headers = Vec::new();
    let mut head_left = limits.max_head.saturating_sub(line.len());
    loop {
        let h = reader.line(head_left, 431)?;
        head_left = head_left.saturating_sub(h.len());
        if h.is_empty() {
            break;
        }
        headers.push(parse_header_line(&h)?);
    }
    let framing = body_framing(&headers, limits.max_body)?;
    let event = match parse_callback(&request.target, Utc::now()) {
        Ok(e) => e,
        Err(CallbackError::NotFound) => return Err(refuse(404, "Not found")),
        Err(e) => return Err(refuse(400, e.to_string())),
    };
    if !matches!(request.method.as_str(), "GET" | "POST") {
        return Err(refuse(405, "only GET and POST"));
    }
    let expect = header(&headers, "expect");
    if let Some(e) = expect
        && !e.eq_ignore_ascii_case("100-continue")
    {
        return Err(refuse(417, "unsupported Expect"));
    }
    if framing != Framing::None && expect.is_some() && request.minor >= 1 {
        // Only now that the request is acceptable: the client may send its body.
        reader
            .wire
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .and_then(|()| reader.wire.flush())
            .map_err(|_| refuse(400, "connection lost"))?;
    }
    match framing {
        Framing::None => {}
        Framing::Length(n) => reader.skip(n)?,
        Framing::Chunked => reader.skip_chunked(limits.max_body, limits.max_head)?,
    }
    Ok(event)
}

/// A reader that keeps what it read ahead and never holds more than the caller allows.
struct Bounded<'a, W> {
    wire: &'a mut W,
    buf: Vec<u8>,
}

impl<'a, W: Read> Bounded<'a, W> {
    fn new(wire: &'a mut W) -> Self {
        Bounded {
            wire,
            buf: Vec::with_capacity(4096),
        }
    }

    /// Reads more bytes into the buffer (at most 4 KiB at a time).
    fn fill(&mut self) -> Result<(), Refusal> {
        let mut chunk = [0u8; 4096];
        loop {
            match self.wire.read(&mut chunk) {
                Ok(0) => return Err(refuse(400, "connection closed mid-request")),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(refuse(408, "request not received in time"));
                }
                Err(_) => return Err(refuse(400, "connection lost")),
            }
        }
    }

    /// One line without its CRLF (or bare LF); `too_long` when it exceeds `max` bytes.
    fn line(&mut self, max: usize, too_long: u16) -> Result<String, Refusal> {
        let mut scanned = 0;
        loop {
            if let Some(i) = self.buf[scanned..].iter().position(|&b| b == b'\n') {
                let end = scanned + i;
                let mut line: Vec<u8> = self.buf.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if line.len() > max {
                    return Err(refuse(too_long, "request header too large"));
                }
                return String::from_utf8(line).map_err(|_| refuse(400, "request is not UTF-8"));
            }
            scanned = self.buf.len();
            // One more byte for a CR.
            if scanned > max + 1 {
                return Err(refuse(too_long, "request header too large"));
            }
            self.fill()?;
        }
    }

    /// Reads and drops exactly `n` bytes.
    fn skip(&mut self, mut n: u64) -> Result<(), Refusal> {
        loop {
            let have = (self.buf.len() as u64).min(n);
            self.buf.drain(..have as usize);
            n -= have;
            if n == 0 {
                return Ok(());
            }
            self.fill()?;
        }
    }

    /// Reads and drops a chunked body of at most `max_body` bytes, then its trailers.
    fn skip_chunked(&mut self, max_body: usize, max_head: usize) -> Result<(), Refusal> {
        let mut total: u64 = 0;
        loop {
            let size_line = self.line(1024, 400)?;
            let size = parse_chunk_size(&size_line)?;
            total = total.saturating_add(size);
            if total > max_body as u64 {
                return Err(refuse(413, "body too large"));
            }
            if size == 0 {
                break;
            }
            self.skip(size)?;
            if !self.line(0, 400)?.is_empty() {
                return Err(refuse(400, "chunk not followed by CRLF"));
            }
        }
        let mut left = max_head;
        loop {
            let t = self.line(left, 431)?;
            left = left.saturating_sub(t.len());
            if t.is_empty() {
                return Ok(());
            }
        }
    }
}

/// The parts of a request line we use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    pub method: String,
    /// Path and query (the path only from an absolute-form target).
    pub target: String,
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub minor: u8,
}

/// `GET /dlr?ref=m1 HTTP/1.1` → its parts; 400 for anything else, 505 for another version.
pub fn parse_request_line(line: &str) -> Result<RequestLine, Refusal> {
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refuse(400, "malformed request line"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(refuse(400, "malformed method"));
    }
    let minor = match version {
        "HTTP/1.1" => 1,
        "HTTP/1.0" => 0,
        v if v.starts_with("HTTP/") => return Err(refuse(505, "HTTP/1.x only")),
        _ => return Err(refuse(400, "malformed request line")),
    };
    // Absolute form (`http://host:port/dlr?…`), as a proxy would send it: keep path and query.
    let target = match target.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => &rest[i..],
            None => "/",
        },
        None => target,
    };
    if !target.starts_with('/') {
        return Err(refuse(400, "malformed request target"));
    }
    Ok(RequestLine {
        method: method.to_string(),
        target: target.to_string(),
        minor,
    })
}

/// `Name: value` → (lower-case name, trimmed value).
pub fn parse_header_line(line: &str) -> Result<(String, String), Refusal> {
    if line.starts_with([' ', '\t']) {
        return Err(refuse(400, "folded header lines are not accepted"));
    }
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| refuse(400, "malformed header line"))?;
    if name.is_empty()
        || name
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(refuse(400, "malformed header name"));
    }
    Ok((
        name.to_ascii_lowercase(),
        value.trim_matches([' ', '\t']).to_string(),
    ))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// How the request's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    None,
    Length(u64),
    Chunked,
}

/// The body's framing from the headers; 413 when `Content-Length` is over `max_body`, 400 when
/// the framing is ambiguous, 501 for a transfer coding other than chunked.
pub fn body_framing(headers: &[(String, String)], max_body: usize) -> Result<Framing, Refusal> {
    let lengths: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n == "content-length")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .collect();
    let codings: Vec<String> = headers
        .iter()
        .filter(|(n, _)| n == "transfer-encoding")
        .flat_map(|(_, v)| v.split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    if !codings.is_empty() {
        if !lengths.is_empty() {
            return Err(refuse(400, "both Content-Length and Transfer-Encoding"));
        }
        return match codings.as_slice() {
            [only] if only == "chunked" => Ok(Framing::Chunked),
            _ => Err(refuse(501, "only the chunked transfer coding is supported")),
        };
    }
    let Some(first) = lengths.first() else {
        return Ok(Framing::None);
    };
    if lengths.iter().any(|l| l != first) {
        return Err(refuse(400, "conflicting Content-Length"));
    }
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse(400, "malformed Content-Length"));
    }
    // Too many digits to parse is too large as well.
    let n: u64 = first.parse().unwrap_or(u64::MAX);
    if n > max_body as u64 {
        return Err(refuse(413, "body too large"));
    }
    Ok(if n == 0 {
        Framing::None
    } else {
        Framing::Length(n)
    })
}

/// The size of a chunk from its line (`1a;ext=…` → 26).
pub fn parse_chunk_size(line: &str) -> Result<u64, Refusal> {
    let hex = line.split(';').next().unwrap_or("").trim();
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(refuse(400, "malformed chunk size"));
    }
    // More than 15 hex digits is beyond any body we accept.
    u64::from_str_radix(hex, 16).or(Ok(u64::MAX))
}

fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        417 => "Expectation Failed",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

/// A complete answer that closes the connection.
pub fn response(code: u16, text: &str) -> Vec<u8> {
    // Reasons come from parsing the request: one line, no control characters.
    let body: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = format!(
        "HTTP/1.1 {code} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason_phrase(code),
        body.len()
    );
    if code == 503 {
        out.push_str("Retry-After: 10\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::ReportedStatus;
    use std::io::Cursor;

    /// A connection whose client already sent `input`; what we write is kept.
    struct Fake {
        input: Cursor<Vec<u8>>,
        output: Vec<u8>,
    }

    impl Fake {
        fn new(input: impl Into<Vec<u8>>) -> Fake {
            Fake {
                input: Cursor::new(input.into()),
                output: Vec::new(),
            }
        }
        fn output(&self) -> String {
            String::from_utf8_lossy(&self.output).into_owned()
        }
    }

    impl Read for Fake {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            // Small reads, as a network gives them.
            let n = buf.len().min(7);
            self.input.read(&mut buf[..n])
        }
    }

    impl Write for Fake {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    const SECRET: &str = "Zx9-k_2.p~Q7r8s9t0";

    fn run(input: &str, secret: &str) -> (u16, Fake, Option<CallbackEvent>) {
        let mut fake = Fake::new(input);
        let mut seen = None;
        let code = exchange(&mut fake, secret, &Limits::default(), |e| {
            seen = Some(e);
            (200, "OK".into())
        });
        (code, fake, seen)
    }

    #[test]
    fn a_delivery_report_is_read_and_answered() {
        let (code, fake, event) = run(
            "GET /dlr?ref=m7&status=1&ts=1772442000 HTTP/1.1\r\nHost: x\r\n\r\n",
            "",
        );
        assert_eq!(code, 200);
        assert!(fake.output().starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(fake.output().contains("Connection: close\r\n"));
        match event {
            Some(CallbackEvent::Status(r)) => {
                assert_eq!(r.reference, "m7");
                assert_eq!(r.status, ReportedStatus::Delivered);
            }
            other => panic!("expected a report, got {other:?}"),
        }
    }

    #[test]
    fn a_wrong_key_is_refused_on_the_request_line() {
        let input = format!(
            "GET /dlr?ref=m7&status=1&key=wrong HTTP/1.1\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n{}",
            "x".repeat(10)
        );
        let (code, fake, event) = run(&input, SECRET);
        assert_eq!(code, 403);
        assert!(event.is_none());
        assert!(!fake.output().contains("100 Continue"));
        // Nothing read past the request line (but for the end of the last small read).
        let line = input.find('\n').unwrap() as u64;
        assert!(
            fake.input.position() <= line + 7,
            "{}",
            fake.input.position()
        );
    }

    #[test]
    fn expect_continue_is_answered_only_for_an_acceptable_request() {
        let ok = format!(
            "POST /dlr?ref=m7&status=1&key={SECRET} HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc"
        );
        let (code, fake, _) = run(&ok, SECRET);
        assert_eq!(code, 200);
        assert!(
            fake.output()
                .starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK")
        );
        // Too large: refused at once, the client is not invited to send it.
        let big = format!(
            "POST /dlr?ref=m7&status=1&key={SECRET} HTTP/1.1\r\nContent-Length: 70000\r\nExpect: 100-continue\r\n\r\n"
        );
        let (code, fake, event) = run(&big, SECRET);
        assert_eq!((code, event), (413, None));
        assert!(!fake.output().contains("100 Continue"));
        // Unknown path: the same.
        let lost = format!(
            "POST /nowhere?key={SECRET} HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"
        );
        let (code, fake, _) = run(&lost, SECRET);
        assert_eq!(code, 404);
        assert!(!fake.output().contains("100 Continue"));
    }

    #[test]
    fn the_head_is_bounded() {
        let long_line = format!("GET /dlr?ref=m1&pad={} HTTP/1.1\r\n\r\n", "a".repeat(9000));
        assert_eq!(run(&long_line, "").0, 431);
        // A line without end is refused as soon as it passes the bound.
        let mut fake = Fake::new(format!("GET /dlr?pad={}", "a".repeat(100_000)));
        let code = exchange(&mut fake, "", &Limits::default(), |_| (200, String::new()));
        assert_eq!(code, 431);
        assert!(fake.input.position() < 9000, "{}", fake.input.position());
        let many_headers = format!(
            "GET /dlr?ref=m1&status=1 HTTP/1.1\r\n{}\r\n",
            "X-Pad: 0123456789012345678901234567890123456789\r\n".repeat(200)
        );
        assert_eq!(run(&many_headers, "").0, 431);
    }

    #[test]
    fn chunked_bodies_are_read_within_the_bound() {
        let ok = "POST /dlr?ref=m1&status=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nTrailer: t\r\n\r\n";
        assert_eq!(run(ok, "").0, 200);
        let chunk = format!("8000\r\n{}\r\n", "b".repeat(0x8000));
        let big = format!(
            "POST /dlr?ref=m1&status=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{}0\r\n\r\n",
            chunk.repeat(3)
        );
        let (code, fake, event) = run(&big, "");
        assert_eq!((code, event), (413, None));
        // Refused once the bound is passed: the third chunk is not read.
        assert!(fake.input.position() < 2 * 0x8000 + 200);
        assert_eq!(
            run(
                "POST /dlr?ref=m1&status=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                ""
            )
            .0,
            400
        );
    }

    #[test]
    fn framing_rules() {
        let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(body_framing(&h(&[]), 10), Ok(Framing::None));
        assert_eq!(
            body_framing(&h(&[("content-length", "0")]), 10),
            Ok(Framing::None)
        );
        assert_eq!(
            body_framing(&h(&[("content-length", "10")]), 10),
            Ok(Framing::Length(10))
        );
        assert_eq!(
            body_framing(&h(&[("content-length", "11")]), 10).map_err(|r| r.code),
            Err(413)
        );
        assert_eq!(
            body_framing(&h(&[("content-length", "99999999999999999999999")]), 10)
                .map_err(|r| r.code),
            Err(413)
        );
        assert_eq!(
            body_framing(&h(&[("content-length", "5"), ("content-length", "6")]), 10)
                .map_err(|r| r.code),
            Err(400)
        );
        assert_eq!(
            body_framing(&h(&[("content-length", "-1")]), 10).map_err(|r| r.code),
            Err(400)
        );
        assert_eq!(
            body_framing(&h(&[("transfer-encoding", "Chunked")]), 10),
            Ok(Framing::Chunked)
        );
        assert_eq!(
            body_framing(&h(&[("transfer-encoding", "gzip, chunked")]), 10).map_err(|r| r.code),
            Err(501)
        );
        assert_eq!(
            body_framing(
                &h(&[("transfer-encoding", "chunked"), ("content-length", "3")]),
                10
            )
            .map_err(|r| r.code),
            Err(400)
        );
    }

    #[test]
    fn request_lines_and_headers() {
        let r = parse_request_line("GET /dlr?ref=m1 HTTP/1.1").unwrap();
        assert_eq!(
            (r.method.as_str(), r.target.as_str(), r.minor),
            ("GET", "/dlr?ref=m1", 1)
        );
        let r = parse_request_line("GET http://127.0.0.1:8089/mo?x=1 HTTP/1.0").unwrap();
        assert_eq!((r.target.as_str(), r.minor), ("/mo?x=1", 0));
        assert_eq!(
            parse_request_line("GET /dlr HTTP/2.0").map_err(|r| r.code),
            Err(505)
        );
        for bad in [
            "GET /dlr",
            "GET  /dlr HTTP/1.1",
            "get /dlr HTTP/1.1",
            "GET dlr HTTP/1.1",
            "",
        ] {
            assert_eq!(
                parse_request_line(bad).map_err(|r| r.code),
                Err(400),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_header_line("Content-Length:  12 ").unwrap(),
            ("content-length".to_string(), "12".to_string())
        );
        assert!(parse_header_line(" folded").is_err());
        assert!(parse_header_line("No colon").is_err());
        assert!(parse_header_line("Bad name: x").is_err());
        assert_eq!(parse_chunk_size("1a;ext=1").unwrap(), 26);
        assert!(parse_chunk_size("").is_err());
        assert!(parse_chunk_size("-1").is_err());
    }

    #[test]
    fn other_refusals() {
        assert_eq!(
            run("DELETE /dlr?ref=m1&status=1 HTTP/1.1\r\n\r\n", "").0,
            405
        );
        assert_eq!(run("GET /favicon.ico HTTP/1.1\r\n\r\n", "").0, 404);
        assert_eq!(run("GET /dlr?status=1 HTTP/1.1\r\n\r\n", "").0, 400);
        assert_eq!(
            run(
                "GET /dlr?ref=m1&status=1 HTTP/1.1\r\nExpect: magic\r\n\r\n",
                ""
            )
            .0,
            417
        );
        // The client went away before the end of its head.
        assert_eq!(run("GET /dlr?ref=m1&status=1 HTTP/1.1\r\nHost", "").0, 400);
        let answer = String::from_utf8(response(503, "a\r\nb")).unwrap();
        assert!(answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
        assert!(answer.ends_with("\r\n\r\na  b"));
    }

    /// A listener on a free loopback port whose callbacks are answered by `answer`.
    fn live(
        limits: Limits,
        answer: impl Fn(Callback) + Send + 'static,
    ) -> (ListenerHandle, SocketAddr) {
        let (tx, rx) = mpsc::channel::<Callback>();
        std::thread::spawn(move || {
            for c in rx {
                answer(c);
            }
        });
        let h = serve("127.0.0.1:0", "", limits, tx).unwrap();
        let addr = h.local_addr();
        (h, addr)
    }

    fn ask(addr: SocketAddr, request: &str) -> String {
        let mut c = TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        let _ = c.read_to_string(&mut out);
        out
    }

    const DLR: &str = "GET /dlr?ref=m1&status=1 HTTP/1.1\r\n\r\n";

    #[test]
    fn the_http_answer_follows_the_store() {
        let (_h, addr) = live(Limits::default(), |c| c.answer.send(Ok(())));
        assert!(ask(addr, DLR).starts_with("HTTP/1.1 200"));
        let (_h, addr) = live(Limits::default(), |c| {
            c.answer.send(Err(NotStored::logged("database is locked")))
        });
        let refused = ask(addr, DLR);
        assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
        assert!(!refused.contains("database is locked"), "{refused}");
        // Nobody answers in time, or the callback is dropped unanswered: 503.
        let slow = Limits {
            answer_wait: Duration::from_millis(200),
            ..Limits::default()
        };
        let (_h, addr) = live(slow, |c| {
            std::thread::sleep(Duration::from_millis(600));
            c.answer.send(Ok(()));
        });
        assert!(ask(addr, DLR).starts_with("HTTP/1.1 503"));
        let (_h, addr) = live(Limits::default(), drop);
        assert!(ask(addr, DLR).starts_with("HTTP/1.1 503"));
    }

    #[test]
    fn connections_beyond_the_cap_get_503_and_slow_ones_time_out() {
        let limits = Limits {
            max_connections: 2,
            read_timeout: Duration::from_millis(800),
            ..Limits::default()
        };
        let (_h, addr) = live(limits, |c| c.answer.send(Ok(())));
        let idle: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(200));
        let busy = ask(addr, DLR);
        assert!(busy.starts_with("HTTP/1.1 503"), "{busy}");
        // The idle ones are answered 408 once their time is up, and make room.
        for mut c in idle {
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut out = String::new();
            let _ = c.read_to_string(&mut out);
            assert!(out.starts_with("HTTP/1.1 408"), "{out}");
        }
        std::thread::sleep(Duration::from_millis(100));
        assert!(ask(addr, DLR).starts_with("HTTP/1.1 200"));
    }
}
