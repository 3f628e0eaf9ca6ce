//! The client side of `ringside-cli demo-pbx call`.

use std::net::SocketAddr;
use std::time::Duration;

use md5::{Digest, Md5};
use ringside_ami::codec::{Action, Decoder, Frame, Message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::callerid::CallerId;
use crate::DemoPbxError;

const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to listen for an immediate failure of the Originate.
const ORIGINATE_GRACE: Duration = Duration::from_millis(500);

/// Connects to a running demo PBX (or a real Asterisk with the same dialplan: an `inbound`
/// context whose extensions reach the agents and the queue), logs in, asks for an inbound
/// call from `from` to `to` with `Action: Originate` of `Local/<to>@inbound`, waits for the
/// Response, and logs off.
///
/// `from` is a number as a person types it (`+380 44 123 4567`): the caller ID sent is
/// `"+380 44 123 4567" <+380441234567>`.
pub async fn place_call(
    addr: SocketAddr,
    username: &str,
    secret: &str,
    from: &str,
    to: &str,
) -> Result<(), DemoPbxError> {
    let caller = CallerId::from_typed(from, None)?;
    let to = to.trim();
    if to.is_empty() || to.len() > 40 || !to.chars().all(|c| c.is_ascii_alphanumeric() || "+*#_-.".contains(c)) {
        return Err(DemoPbxError::InvalidInput(format!(
            "{to:?} is not an extension; give an agent extension (like 100) or the queue number (like 600)"
        )));
    }
    let mut conn = Conn::connect(addr).await?;

    // MD5 challenge first (the secret never crosses the wire); plain login if refused.
    let challenge = conn.request(Action::new("Challenge").field("AuthType", "MD5"), "during the login").await?;
    let login = match (challenge.response(), challenge.get("Challenge")) {
        (Some(r), Some(ch)) if r.eq_ignore_ascii_case("Success") => {
            let key: String =
                Md5::digest(format!("{ch}{secret}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
            Action::new("Login").field("Username", username).field("AuthType", "MD5").field("Key", key)
        }
        _ => Action::new("Login").field("Username", username).field("Secret", secret),
    };
    // `call` events so an OriginateResponse failure (an unknown extension) can be reported.
    let reply = conn.request(login.field("Events", "call"), "during the login").await?;
    if !is_success(&reply) {
        let message = reply.get("Message").unwrap_or("no reason given").to_string();
        return Err(DemoPbxError::LoginFailed { addr, message });
    }

    let originate = Action::new("Originate")
        .field("Channel", format!("Local/{to}@inbound"))
        .field("Application", "Wait")
        .field("Data", "5")
        .field("CallerID", caller.to_originate_value())
        .field("Timeout", "30000")
        .field("Async", "true");
    let (reply, id) = conn.request_id(originate, "to the Originate").await?;
    let result = if is_success(&reply) {
        // An Async originate is answered at once; a channel that cannot be created (no such
        // extension) is reported right after as an OriginateResponse failure.
        match conn.originate_failure(&id).await {
            Some(reason) => Err(DemoPbxError::Rejected {
                addr,
                message: format!("there is no extension or queue {to} there (the Originate failed{reason})"),
            }),
            None => Ok(()),
        }
    } else {
        Err(DemoPbxError::Rejected { addr, message: reply.get("Message").unwrap_or("no reason given").to_string() })
    };
    // Best effort: the call is placed whatever happens to the goodbye.
    let _ = tokio::time::timeout(Duration::from_secs(2), conn.request(Action::new("Logoff"), "to the Logoff")).await;
    result
}

fn is_success(m: &Message) -> bool {
    m.response().is_some_and(|r| r.eq_ignore_ascii_case("Success"))
}

struct Conn {
    addr: SocketAddr,
    sock: TcpStream,
    dec: Decoder,
    next_id: u32,
}

impl Conn {
    async fn connect(addr: SocketAddr) -> Result<Conn, DemoPbxError> {
        let sock = match tokio::time::timeout(STEP_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => s,
            Ok(Err(source)) => return Err(DemoPbxError::Connect { addr, source }),
            Err(_) => {
                return Err(DemoPbxError::Timeout {
                    addr,
                    during: "to the connection".into(),
                    secs: STEP_TIMEOUT.as_secs(),
                })
            }
        };
        let _ = sock.set_nodelay(true);
        let mut conn = Conn { addr, sock, dec: Decoder::new(256 * 1024), next_id: 1 };
        match conn.next("with its banner").await? {
            Frame::Banner(b) if b.starts_with("Asterisk Call Manager") => Ok(conn),
            Frame::Banner(b) => Err(DemoPbxError::NotAmi {
                addr,
                detail: format!("its greeting is {:?}", b.chars().take(60).collect::<String>()),
            }),
            Frame::Message(_) => Err(DemoPbxError::NotAmi { addr, detail: "it sent no greeting".into() }),
        }
    }

    async fn next(&mut self, during: &str) -> Result<Frame, DemoPbxError> {
        let addr = self.addr;
        let work = async {
            let mut buf = [0u8; 8192];
            loop {
                match self.dec.next_frame() {
                    Ok(Some(f)) => return Ok(f),
                    Ok(None) => {}
                    Err(e) => return Err(DemoPbxError::NotAmi { addr, detail: e.to_string() }),
                }
                match self.sock.read(&mut buf).await {
                    Ok(0) => return Err(DemoPbxError::Closed { addr, during: during.to_string() }),
                    Ok(n) => self.dec.extend(&buf[..n]),
                    Err(source) => return Err(DemoPbxError::Io { addr, source }),
                }
            }
        };
        match tokio::time::timeout(STEP_TIMEOUT, work).await {
            Ok(r) => r,
            Err(_) => Err(DemoPbxError::Timeout { addr, during: during.to_string(), secs: STEP_TIMEOUT.as_secs() }),
        }
    }

    /// Sends `action` and returns the response carrying its ActionID (events are skipped).
    async fn request(&mut self, action: Action, during: &str) -> Result<Message, DemoPbxError> {
        self.request_id(action, during).await.map(|(m, _)| m)
    }

    /// Waits briefly for an `OriginateResponse` failure of `id`: `Some(detail)` if one came.
    async fn originate_failure(&mut self, id: &str) -> Option<String> {
        let deadline = tokio::time::Instant::now() + ORIGINATE_GRACE;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.next("to the Originate")).await.ok()?.ok()?;
            let Frame::Message(m) = frame else { continue };
            if m.event() == Some("OriginateResponse") && m.action_id() == Some(id) {
                if m.response().is_some_and(|r| r.eq_ignore_ascii_case("Failure")) {
                    return Some(m.get("Reason").map(|r| format!(" with reason {r}")).unwrap_or_default());
                }
                return None;
            }
        }
    }

    async fn request_id(&mut self, action: Action, during: &str) -> Result<(Message, String), DemoPbxError> {
        let id = format!("ringside-call-{}", self.next_id);
        self.next_id += 1;
        let wire = action.encode(&id).map_err(|e| DemoPbxError::InvalidInput(e.to_string()))?;
        self.sock.write_all(wire.as_bytes()).await.map_err(|source| DemoPbxError::Io { addr: self.addr, source })?;
        loop {
            if let Frame::Message(m) = self.next(during).await? {
                if m.response().is_some() && m.event().is_none() && m.action_id() == Some(id.as_str()) {
                    return Ok((m, id));
                }
            }
        }
    }
}
