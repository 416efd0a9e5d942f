//! The loopback SMTP server against a real client (lettre) and against raw
//! protocol lines for the error paths lettre never takes.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mpos_testkit::activation;
use mpos_testkit::SmtpServer;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(5);

fn transport(server: &SmtpServer) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.addr().port())
        .build()
}

fn message(to: &str, subject: &str) -> lettre::message::MessageBuilder {
    Message::builder()
        .from("mPOS <no-reply@mpos.example>".parse().unwrap())
        .to(to.parse().unwrap())
        .subject(subject)
}

const ACTIVATION_TEXT: &str = "親愛的 Alice 您好：\n\
    \n\
    帳號 Account: shop01-alice\n\
    預設密碼 Default password: Xk7-p2Qm\n\
    .this line starts with a dot\n\
    ..and this one with two\n\
    .\n\
    End.";

#[tokio::test]
async fn lettre_delivers_a_utf8_message_with_dot_lines() {
    let server = SmtpServer::start().await.unwrap();
    let email = message(
        "Alice <alice@shop.example>",
        "mPOS 行動裝置使用者帳號啟用通知",
    )
    .body(ACTIVATION_TEXT.to_string())
    .unwrap();
    transport(&server).send(email).await.unwrap();

    let mail = server
        .wait_for_message(|m| m.to.iter().any(|t| t == "alice@shop.example"), WAIT)
        .await
        .unwrap();
    assert_eq!(mail.from, "no-reply@mpos.example");
    assert_eq!(mail.to, vec!["alice@shop.example".to_string()]);
    assert_eq!(mail.subject().unwrap(), "mPOS 行動裝置使用者帳號啟用通知");
    let text = mail.text_body().unwrap();
    assert_eq!(text.trim_end(), ACTIVATION_TEXT);
    assert_eq!(activation::account_name(&text).unwrap(), "shop01-alice");
    assert_eq!(activation::default_password(&text).unwrap(), "Xk7-p2Qm");
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn decodes_base64_quoted_printable_and_7bit_bodies() {
    let server = SmtpServer::start().await.unwrap();
    let encodings = [
        ContentTransferEncoding::Base64,
        ContentTransferEncoding::QuotedPrintable,
    ];
    for (index, encoding) in encodings.into_iter().enumerate() {
        let body = Body::new_with_encoding(ACTIVATION_TEXT.to_string(), encoding).unwrap();
        let email = message(&format!("u{index}@shop.example"), "encoded")
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(body),
            )
            .unwrap();
        transport(&server).send(email).await.unwrap();
    }
    let ascii = message("u9@shop.example", "plain")
        .body("Account: plain\n.dot\nend".to_string())
        .unwrap();
    transport(&server).send(ascii).await.unwrap();

    let mails = server.messages();
    assert_eq!(mails.len(), 3);
    assert!(mails[0].data.contains("Content-Transfer-Encoding: base64"));
    assert!(mails[1]
        .data
        .contains("Content-Transfer-Encoding: quoted-printable"));
    for mail in &mails[..2] {
        assert_eq!(mail.text_body().unwrap().trim_end(), ACTIVATION_TEXT);
    }
    assert_eq!(
        mails[2].text_body().unwrap().trim_end(),
        "Account: plain\n.dot\nend"
    );
}

#[tokio::test]
async fn wait_times_out_without_a_match() {
    let server = SmtpServer::start().await.unwrap();
    let error = server
        .wait_for_message(|_| true, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!(error.received, 0);
}

#[tokio::test]
async fn refused_messages_fail_the_client_and_are_not_kept() {
    let server = SmtpServer::start().await.unwrap();
    server.set_refuse_messages(true);
    let email = message("bob@shop.example", "x")
        .body("hello".to_string())
        .unwrap();
    assert!(transport(&server).send(email).await.is_err());
    assert!(server.messages().is_empty());
    server.set_refuse_messages(false);
    let email = message("bob@shop.example", "x")
        .body("hello".to_string())
        .unwrap();
    transport(&server).send(email).await.unwrap();
    assert_eq!(server.messages().len(), 1);
}

/// A raw SMTP client: one command, one (possibly multi-line) reply.
struct Raw {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Raw {
    async fn connect(server: &SmtpServer) -> (Raw, String) {
        let (read, writer) = TcpStream::connect(server.addr())
            .await
            .unwrap()
            .into_split();
        let mut raw = Raw {
            reader: BufReader::new(read),
            writer,
        };
        let greeting = raw.reply().await;
        (raw, greeting)
    }

    async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            assert!(line.ends_with("\r\n"), "{line:?}");
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    }

    async fn send(&mut self, line: &str) -> String {
        self.writer.write_all(line.as_bytes()).await.unwrap();
        self.writer.write_all(b"\r\n").await.unwrap();
        self.reply().await
    }
}

fn code(reply: &str) -> &str {
    &reply[..3]
}

#[tokio::test]
async fn greets_and_announces_no_tls_or_auth() {
    let server = SmtpServer::start().await.unwrap();
    let (mut raw, greeting) = Raw::connect(&server).await;
    assert_eq!(code(&greeting), "220");
    let ehlo = raw.send("EHLO client.test").await;
    assert_eq!(code(&ehlo), "250");
    assert!(ehlo.contains("SIZE 10485760"));
    assert!(!ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"));
    assert_eq!(code(&raw.send("STARTTLS").await), "502");
    assert_eq!(code(&raw.send("NOOP").await), "250");
    assert_eq!(code(&raw.send("QUIT").await), "221");
}

#[tokio::test]
async fn refuses_commands_out_of_sequence() {
    let server = SmtpServer::start().await.unwrap();
    let (mut raw, _) = Raw::connect(&server).await;
    assert_eq!(code(&raw.send("MAIL FROM:<a@b.example>").await), "503");
    assert_eq!(code(&raw.send("EHLO").await), "501");
    assert_eq!(code(&raw.send("HELO client.test").await), "250");
    assert_eq!(code(&raw.send("RCPT TO:<c@d.example>").await), "503");
    assert_eq!(code(&raw.send("DATA").await), "503");
    assert_eq!(code(&raw.send("MAIL FROM:<a@b.example>").await), "250");
    assert_eq!(code(&raw.send("MAIL FROM:<a@b.example>").await), "503");
    assert_eq!(code(&raw.send("DATA").await), "503");
    assert_eq!(code(&raw.send("RCPT TO:c@d.example").await), "501");
    assert_eq!(code(&raw.send("RCPT TO:<>").await), "501");
    assert_eq!(code(&raw.send("FROB").await), "500");
    assert_eq!(code(&raw.send("RSET").await), "250");
    // RSET forgot the sender.
    assert_eq!(code(&raw.send("RCPT TO:<c@d.example>").await), "503");
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn unstuffs_dots_and_keeps_the_envelope() {
    let server = SmtpServer::start().await.unwrap();
    let (mut raw, _) = Raw::connect(&server).await;
    raw.send("ehlo client.test").await;
    assert_eq!(code(&raw.send("mail from:<> BODY=8BITMIME").await), "250");
    assert_eq!(code(&raw.send("RCPT TO:<c@d.example>").await), "250");
    assert_eq!(code(&raw.send("RCPT TO:<e@f.example>").await), "250");
    assert_eq!(code(&raw.send("DATA").await), "354");
    raw.writer
        .write_all(b"Subject: dots\r\n\r\n..leading dot\r\n...two\r\nend\r\n")
        .await
        .unwrap();
    assert_eq!(code(&raw.send(".").await), "250");
    let mail = &server.messages()[0];
    assert_eq!(mail.from, "");
    assert_eq!(mail.to, vec!["c@d.example", "e@f.example"]);
    assert_eq!(
        mail.data,
        "Subject: dots\r\n\r\n.leading dot\r\n..two\r\nend\r\n"
    );
    assert_eq!(mail.text_body().unwrap(), ".leading dot\n..two\nend\n");
    // The transaction ended: a new one needs MAIL FROM again.
    assert_eq!(code(&raw.send("RCPT TO:<c@d.example>").await), "503");
}

#[tokio::test]
async fn enforces_the_size_limit_and_stays_usable() {
    let server = SmtpServer::start_with_limit(100).await.unwrap();
    let (mut raw, _) = Raw::connect(&server).await;
    let ehlo = raw.send("EHLO client.test").await;
    assert!(ehlo.contains("SIZE 100"));
    assert_eq!(
        code(&raw.send("MAIL FROM:<a@b.example> SIZE=101").await),
        "552"
    );
    assert_eq!(
        code(&raw.send("MAIL FROM:<a@b.example> SIZE=big").await),
        "501"
    );
    assert_eq!(code(&raw.send("MAIL FROM:<a@b.example>").await), "250");
    raw.send("RCPT TO:<c@d.example>").await;
    assert_eq!(code(&raw.send("DATA").await), "354");
    let long = "x".repeat(80);
    raw.writer
        .write_all(format!("{long}\r\n{long}\r\n").as_bytes())
        .await
        .unwrap();
    assert_eq!(code(&raw.send(".").await), "552");
    assert!(server.messages().is_empty());

    raw.send("MAIL FROM:<a@b.example>").await;
    raw.send("RCPT TO:<c@d.example>").await;
    raw.send("DATA").await;
    assert_eq!(code(&raw.send("short\r\n.").await), "250");
    assert_eq!(server.messages()[0].data, "short\r\n");
}

#[tokio::test]
async fn overlong_command_lines_are_refused() {
    let server = SmtpServer::start().await.unwrap();
    let (mut raw, _) = Raw::connect(&server).await;
    let long = format!("EHLO {}", "a".repeat(600));
    assert_eq!(code(&raw.send(&long).await), "500");
    assert_eq!(code(&raw.send("EHLO ok.test").await), "250");
}
