//! A real SMTP server on 127.0.0.1 that keeps every message (RFC 5321 subset).
//!
//! Commands: EHLO, HELO, MAIL FROM, RCPT TO, DATA (with dot-unstuffing),
//! RSET, NOOP, QUIT, and STARTTLS (RFC 3207) when started with
//! [`SmtpServer::start_with_starttls`]: then it offers TLS under a
//! self-signed certificate for `localhost`, refuses mail sent before the
//! upgrade, and marks each message with how it came. No AUTH.
//! Unknown commands get 500, commands out of sequence 503.

use crate::inbox::{Inbox, WaitTimeout};
use crate::mime::{self, MimeError, Part};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

/// Largest message accepted by default (the `SIZE` extension announces it).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;
/// Longest command line, CRLF included (RFC 5321 4.5.3.1.4).
const MAX_COMMAND_LINE: usize = 512;
/// Longest text line of DATA, CRLF included (RFC 5321 4.5.3.1.6).
const MAX_TEXT_LINE: usize = 1000;
/// Most recipients of one message (RFC 5321 4.5.3.1.8).
const MAX_RECIPIENTS: usize = 100;

/// One message as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// Reverse path of MAIL FROM (empty for the null sender).
    pub from: String,
    /// Forward paths of RCPT TO, in order.
    pub to: Vec<String>,
    /// The message (headers and body) after dot-unstuffing, CRLF line ends.
    pub data: String,
    /// Whether the session had switched to TLS (STARTTLS) before DATA.
    pub over_tls: bool,
}

impl ReceivedMail {
    /// A header of the message, unfolded, encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let part = Part::parse(&self.data).ok()?;
        let raw = part.header(name)?;
        Some(mime::decode_header_value(raw).unwrap_or_else(|_| raw.to_string()))
    }

    /// The subject, decoded.
    pub fn subject(&self) -> Option<String> {
        self.header("Subject")
    }

    /// The plain-text body, base64 or quoted-printable decoded, line ends as `\n`.
    pub fn text_body(&self) -> Result<String, MimeError> {
        Part::parse(&self.data)?.text()
    }

    /// The HTML alternative, decoded, if the message has one.
    pub fn html_body(&self) -> Result<String, MimeError> {
        Part::parse(&self.data)?.body_of("text/html")
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[error("the test SMTP server could not listen on 127.0.0.1: {0}")]
pub enum StartError {
    /// The listener could not be bound.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The TLS certificate could not be made.
    #[error("TLS certificate: {0}")]
    Tls(String),
}

/// A running SMTP server; it stops when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

struct Shared {
    inbox: Inbox<ReceivedMail>,
    max_message_bytes: usize,
    refuse_data: AtomicBool,
    /// STARTTLS, when offered (then mail before the upgrade is refused).
    tls: Option<(TlsAcceptor, String)>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("max_message_bytes", &self.max_message_bytes)
            .field("starttls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl SmtpServer {
    /// Starts on an ephemeral port of 127.0.0.1 with the default size limit.
    pub async fn start() -> Result<SmtpServer, StartError> {
        SmtpServer::start_with_limit(DEFAULT_MAX_MESSAGE_BYTES).await
    }

    /// Starts with a message size limit in bytes.
    pub async fn start_with_limit(max_message_bytes: usize) -> Result<SmtpServer, StartError> {
        SmtpServer::start_inner(max_message_bytes, None).await
    }

    /// Starts offering (and requiring) STARTTLS under a fresh self-signed
    /// certificate for `localhost` ([`SmtpServer::certificate_pem`]).
    pub async fn start_with_starttls() -> Result<SmtpServer, StartError> {
        let tls_error = |e: &dyn std::fmt::Display| StartError::Tls(e.to_string());
        let key = rcgen::KeyPair::generate().map_err(|e| tls_error(&e))?;
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .and_then(|params| params.self_signed(&key))
            .map_err(|e| tls_error(&e))?;
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(&e))?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .map_err(|e| tls_error(&e))?;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        SmtpServer::start_inner(DEFAULT_MAX_MESSAGE_BYTES, Some((acceptor, cert.pem()))).await
    }

    async fn start_inner(
        max_message_bytes: usize,
        tls: Option<(TlsAcceptor, String)>,
    ) -> Result<SmtpServer, StartError> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            inbox: Inbox::default(),
            max_message_bytes,
            refuse_data: AtomicBool::new(false),
            tls,
        });
        let accept_task = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(SmtpServer {
            addr,
            shared,
            accept_task,
        })
    }

    /// The STARTTLS certificate (PEM) for clients to trust, when offered.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.shared.tls.as_ref().map(|(_, pem)| pem.as_str())
    }

    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every message accepted so far.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.shared.inbox.all()
    }

    /// The first message (already here or yet to come) that matches.
    pub async fn wait_for_message(
        &self,
        predicate: impl Fn(&ReceivedMail) -> bool,
        timeout: Duration,
    ) -> Result<ReceivedMail, WaitTimeout> {
        self.shared.inbox.wait_for(predicate, timeout).await
    }

    /// While set, every message is refused after DATA with `451` (a mail server outage).
    pub fn set_refuse_messages(&self, refuse: bool) {
        self.shared.refuse_data.store(refuse, Ordering::SeqCst);
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // Dropping the accept task drops its JoinSet, which aborts every session.
        self.accept_task.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    sessions.spawn(session(stream, shared.clone()));
                }
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// One line read from the client.
enum Line {
    /// A line without its line end.
    Complete(String),
    /// The line was longer than allowed; it was read and thrown away.
    TooLong,
    /// The client closed the connection.
    Closed,
}

async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, max: usize) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(Line::Closed);
        }
        let (used, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if !too_long {
            if line.len() + used > max {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(&available[..used]);
            }
        }
        reader.consume(used);
        if done {
            if too_long {
                return Ok(Line::TooLong);
            }
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            return Ok(Line::Complete(String::from_utf8_lossy(&line).into_owned()));
        }
    }
}

async fn reply<W: AsyncWrite + Unpin>(writer: &mut W, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes()).await?;
    writer.write_all(b"\r\n").await?;
    writer.flush().await
}

/// Where one connection is in the mail transaction.
#[derive(Default)]
struct Envelope {
    greeted: bool,
    from: Option<String>,
    to: Vec<String>,
    over_tls: bool,
}

impl Envelope {
    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }
}

async fn session(stream: TcpStream, shared: Arc<Shared>) {
    // A failed write means the client went away; nothing to report.
    if let Ok(Some(plain)) = run_session(stream, &shared, false).await {
        if let Some((acceptor, _)) = &shared.tls {
            if let Ok(tls) = acceptor.accept(plain).await {
                let _ = run_session(tls, &shared, true).await;
            }
        }
    }
}

/// Serves one connection; returns the stream when the client asked for
/// STARTTLS and was told to go ahead (the caller then runs it over TLS).
async fn run_session<S>(stream: S, shared: &Shared, over_tls: bool) -> std::io::Result<Option<S>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (read_half, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(read_half);
    let mut envelope = Envelope {
        over_tls,
        ..Envelope::default()
    };
    let offers_tls = shared.tls.is_some() && !over_tls;
    if !over_tls {
        reply(&mut writer, "220 localhost mpos-testkit ESMTP ready").await?;
    }
    loop {
        let line = match read_line(&mut reader, MAX_COMMAND_LINE).await? {
            Line::Closed => return Ok(None),
            Line::TooLong => {
                reply(&mut writer, "500 5.5.2 Line too long").await?;
                continue;
            }
            Line::Complete(line) => line,
        };
        let (verb, argument) = match line.split_once(' ') {
            Some((verb, argument)) => (verb.to_ascii_uppercase(), argument.trim()),
            None => (line.trim().to_ascii_uppercase(), ""),
        };
        match verb.as_str() {
            "EHLO" | "HELO" if argument.is_empty() => {
                reply(&mut writer, "501 5.5.4 Domain name required").await?;
            }
            "EHLO" => {
                envelope.reset();
                envelope.greeted = true;
                let starttls = if offers_tls { "250-STARTTLS\r\n" } else { "" };
                let greeting = format!(
                    "250-localhost greets {argument}\r\n{starttls}250-SIZE {}\r\n250-8BITMIME\r\n250 SMTPUTF8",
                    shared.max_message_bytes
                );
                reply(&mut writer, &greeting).await?;
            }
            "HELO" => {
                envelope.reset();
                envelope.greeted = true;
                reply(&mut writer, "250 localhost").await?;
            }
            "STARTTLS" if offers_tls => {
                reply(&mut writer, "220 2.0.0 Ready to start TLS").await?;
                // RFC 3207: anything the client sent before the handshake is discarded.
                return Ok(Some(reader.into_inner().unsplit(writer)));
            }
            "MAIL" if offers_tls => {
                reply(&mut writer, "530 5.7.0 Must issue a STARTTLS command first").await?;
            }
            "MAIL" => {
                let answer = mail_from(&mut envelope, argument, shared.max_message_bytes);
                reply(&mut writer, answer).await?;
            }
            "RCPT" => {
                let answer = rcpt_to(&mut envelope, argument);
                reply(&mut writer, answer).await?;
            }
            "DATA" if !argument.is_empty() => {
                reply(&mut writer, "501 5.5.4 DATA takes no argument").await?;
            }
            "DATA" if envelope.to.is_empty() => {
                reply(&mut writer, "503 5.5.1 Need RCPT TO first").await?;
            }
            "DATA" => {
                reply(&mut writer, "354 End data with <CR><LF>.<CR><LF>").await?;
                let answer = receive_data(&mut reader, &mut envelope, shared).await?;
                reply(&mut writer, answer).await?;
            }
            "RSET" => {
                envelope.reset();
                reply(&mut writer, "250 2.0.0 OK").await?;
            }
            "NOOP" => reply(&mut writer, "250 2.0.0 OK").await?,
            "QUIT" => {
                reply(&mut writer, "221 2.0.0 Bye").await?;
                return Ok(None);
            }
            "VRFY" | "EXPN" | "HELP" | "STARTTLS" | "AUTH" | "TURN" | "ETRN" => {
                reply(&mut writer, "502 5.5.1 Command not implemented").await?;
            }
            _ => reply(&mut writer, "500 5.5.2 Command not recognized").await?,
        }
    }
}

/// `MAIL FROM:<path> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8]`.
fn mail_from(envelope: &mut Envelope, argument: &str, max_bytes: usize) -> &'static str {
    if !envelope.greeted {
        return "503 5.5.1 Send EHLO or HELO first";
    }
    if envelope.from.is_some() {
        return "503 5.5.1 Nested MAIL command";
    }
    let Some((path, params)) = parse_path(argument, "FROM:") else {
        return "501 5.5.4 Syntax: MAIL FROM:<address>";
    };
    for param in params.split_whitespace() {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        if key.eq_ignore_ascii_case("SIZE") {
            match value.parse::<usize>() {
                Ok(size) if size > max_bytes => return "552 5.3.4 Message too big",
                Ok(_) => {}
                Err(_) => return "501 5.5.4 Bad SIZE parameter",
            }
        }
    }
    envelope.from = Some(path);
    "250 2.1.0 OK"
}

/// `RCPT TO:<path>`.
fn rcpt_to(envelope: &mut Envelope, argument: &str) -> &'static str {
    if envelope.from.is_none() {
        return "503 5.5.1 Need MAIL FROM first";
    }
    let Some((path, _params)) = parse_path(argument, "TO:") else {
        return "501 5.5.4 Syntax: RCPT TO:<address>";
    };
    if path.is_empty() {
        return "501 5.1.3 Empty recipient";
    }
    if envelope.to.len() >= MAX_RECIPIENTS {
        return "452 4.5.3 Too many recipients";
    }
    envelope.to.push(path);
    "250 2.1.5 OK"
}

/// Parses `FROM:<path> params` (keyword case-insensitive); returns the path and the rest.
fn parse_path<'a>(argument: &'a str, keyword: &str) -> Option<(String, &'a str)> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument[keyword.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    let path = &rest[..end];
    if path.contains(['<', ' ']) {
        return None;
    }
    Some((path.to_string(), rest[end + 1..].trim()))
}

/// Reads DATA lines up to the lone dot, then stores the message.
async fn receive_data<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    envelope: &mut Envelope,
    shared: &Shared,
) -> std::io::Result<&'static str> {
    let mut data = String::new();
    let mut too_big = false;
    let mut line_too_long = false;
    loop {
        let line = match read_line(reader, MAX_TEXT_LINE).await? {
            Line::Closed => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Line::TooLong => {
                line_too_long = true;
                continue;
            }
            Line::Complete(line) => line,
        };
        if line == "." {
            break;
        }
        // Dot-unstuffing (RFC 5321 4.5.2): a leading dot was doubled by the client.
        let text = line.strip_prefix('.').unwrap_or(&line);
        if data.len() + text.len() + 2 > shared.max_message_bytes {
            too_big = true;
            data.clear();
        }
        if !too_big {
            data.push_str(text);
            data.push_str("\r\n");
        }
    }
    let from = envelope.from.take().unwrap_or_default();
    let to = std::mem::take(&mut envelope.to);
    if line_too_long {
        return Ok("500 5.5.6 Line too long");
    }
    if too_big {
        return Ok("552 5.3.4 Message too big");
    }
    if shared.refuse_data.load(Ordering::SeqCst) {
        return Ok("451 4.3.0 Mail server temporarily unavailable");
    }
    shared.inbox.push(ReceivedMail {
        from,
        to,
        data,
        over_tls: envelope.over_tls,
    });
    Ok("250 2.0.0 OK: queued")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths_with_and_without_parameters() {
        assert_eq!(
            parse_path("FROM:<a@b.tw> SIZE=10", "FROM:"),
            Some(("a@b.tw".to_string(), "SIZE=10"))
        );
        assert_eq!(
            parse_path("to: <c@d.tw>", "TO:"),
            Some(("c@d.tw".to_string(), ""))
        );
        assert_eq!(parse_path("FROM:<>", "FROM:"), Some((String::new(), "")));
        assert_eq!(parse_path("FROM:a@b.tw", "FROM:"), None);
        assert_eq!(parse_path("FROM:<a@b.tw", "FROM:"), None);
        assert_eq!(parse_path("TO:<a@b.tw>", "FROM:"), None);
    }
}
