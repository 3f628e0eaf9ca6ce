//! The cheap handle: clone it anywhere, send actions, await their responses by ActionID.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use md5::{Digest, Md5};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use crate::codec::{Action, Decoder, Frame, Message, DEFAULT_MAX_FRAME};
use crate::connection::{batches_for, Batch, Connection, Request};
use crate::error::AmiError;

/// A secret that never shows in logs or debug output.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `host:port`.
    pub addr: String,
    pub username: String,
    pub secret: Secret,
    /// Log in with the MD5 challenge so the secret never crosses the wire.
    pub md5: bool,
    /// The `Events:` mask: only what an agent's desktop needs.
    pub events: String,
    pub connect_timeout: Duration,
    pub action_timeout: Duration,
    pub ping_interval: Duration,
    pub max_frame: usize,
    /// Events held for a slow consumer before we stop reading the socket (about: the channel
    /// holds this many rounded up to whole batches of up to 128, and [`Events`] one more batch).
    pub event_buffer: usize,
}

impl ConnectOptions {
    pub fn new(addr: impl Into<String>, username: impl Into<String>, secret: Secret) -> Self {
        Self {
            addr: addr.into(),
            username: username.into(),
            secret,
            md5: true,
            events: "call,agent".into(),
            connect_timeout: Duration::from_secs(5),
            action_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(20),
            max_frame: DEFAULT_MAX_FRAME,
            event_buffer: 4096,
        }
    }
}

/// Events as they arrive; the last item is the error that ended the connection.
///
/// The connection task sends events in batches (one per socket read); `Events` hands them out
/// one at a time from the batch it holds, so a consumer wakes once per batch, not per event.
#[derive(Debug)]
pub struct Events {
    rx: mpsc::Receiver<Batch>,
    held: std::vec::IntoIter<Message>,
}

impl Events {
    fn new(rx: mpsc::Receiver<Batch>) -> Self {
        Self { rx, held: Vec::new().into_iter() }
    }

    /// The next event, in the order the PBX sent it; `None` once the connection task is gone
    /// and everything it sent was received.
    ///
    /// Cancel-safe, so it can be one branch of a `select!`: a batch is taken from the channel
    /// and stored without an `.await` in between, so an event is never lost to a cancelled call.
    pub async fn recv(&mut self) -> Option<Result<Message, AmiError>> {
        loop {
            if let Some(msg) = self.held.next() {
                return Some(Ok(msg));
            }
            match self.rx.recv().await? {
                Ok(batch) => self.held = batch.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct Client {
    tx: mpsc::Sender<Request>,
    next_id: Arc<AtomicU64>,
    action_timeout: Duration,
    banner: Arc<str>,
}

/// Connects, reads the banner, logs in, and starts the connection task on the current runtime.
pub async fn connect(opts: &ConnectOptions) -> Result<(Client, Events), AmiError> {
    let addr = opts.addr.clone();
    let stream = match tokio::time::timeout(opts.connect_timeout, TcpStream::connect(&addr)).await {
        Err(_) => return Err(AmiError::ConnectTimeout { addr, timeout: opts.connect_timeout }),
        Ok(Err(e)) => {
            let refused = e.kind() == std::io::ErrorKind::ConnectionRefused;
            return Err(AmiError::Connect { addr, reason: e.to_string(), refused });
        }
        Ok(Ok(s)) => s,
    };
    let _ = stream.set_nodelay(true);
    let (mut reader, writer) = stream.into_split();
    let mut decoder = Decoder::new(opts.max_frame);
    let banner = tokio::time::timeout(opts.connect_timeout, read_banner(&mut reader, &mut decoder))
        .await
        .map_err(|_| AmiError::ConnectTimeout { addr: addr.clone(), timeout: opts.connect_timeout })??;
    if !banner.starts_with("Asterisk Call Manager") {
        return Err(AmiError::NotAmi { addr, banner });
    }
    let (req_tx, req_rx) = mpsc::channel(64);
    let (ev_tx, ev_rx) = mpsc::channel(batches_for(opts.event_buffer));
    let conn = Connection {
        reader,
        writer,
        decoder,
        requests: req_rx,
        events: ev_tx,
        ping_interval: opts.ping_interval,
        ping_timeout: opts.action_timeout.min(opts.ping_interval),
    };
    tokio::spawn(conn.run());
    let client = Client {
        tx: req_tx,
        next_id: Arc::new(AtomicU64::new(1)),
        action_timeout: opts.action_timeout,
        banner: banner.into(),
    };
    client.login(opts).await?;
    Ok((client, Events::new(ev_rx)))
}

async fn read_banner(reader: &mut tokio::net::tcp::OwnedReadHalf, decoder: &mut Decoder) -> Result<String, AmiError> {
    loop {
        if let Some(Frame::Banner(b)) = decoder.next_frame()? {
            return Ok(b);
        }
        match reader.read_buf(decoder.buffer_mut()).await {
            Ok(0) => return Err(AmiError::Closed),
            Ok(_) => {}
            Err(e) => return Err(AmiError::Io(e.to_string())),
        }
    }
}

impl Client {
    pub fn banner(&self) -> &str {
        &self.banner
    }

    /// False once the connection task has stopped.
    pub fn is_connected(&self) -> bool {
        !self.tx.is_closed()
    }

    /// Sends an action and returns its Response; an `Error` response is [`AmiError::Rejected`].
    pub async fn send(&self, action: Action) -> Result<Message, AmiError> {
        self.request(action, false).await.map(|(resp, _)| resp)
    }

    /// Sends an action whose answer is an event list (QueueStatus, CoreShowChannels…).
    pub async fn send_list(&self, action: Action) -> Result<Vec<Message>, AmiError> {
        self.request(action, true).await.map(|(_, items)| items)
    }

    /// Sends an action that reports its outcome later in an event carrying the same ActionID
    /// (`Originate` with `Async: true` → `OriginateResponse`); waits up to `timeout` for it.
    pub async fn send_until(
        &self,
        action: Action,
        follow_up: &'static str,
        timeout: Duration,
    ) -> Result<(Message, Message), AmiError> {
        let (resp, mut items) = self.request_with(action, false, Some(follow_up), timeout).await?;
        match items.pop() {
            Some(event) => Ok((resp, event)),
            None => Err(AmiError::Closed),
        }
    }

    async fn request(&self, action: Action, list: bool) -> Result<(Message, Vec<Message>), AmiError> {
        self.request_with(action, list, None, self.action_timeout).await
    }

    async fn request_with(
        &self,
        action: Action,
        list: bool,
        follow_up: Option<&'static str>,
        timeout: Duration,
    ) -> Result<(Message, Vec<Message>), AmiError> {
        let id = format!("ringside-{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let wire = action.encode(&id)?;
        let (reply, rx) = oneshot::channel();
        self.tx.send(Request { action_id: id, wire, list, follow_up, reply }).await.map_err(|_| AmiError::Closed)?;
        let (resp, items) = match tokio::time::timeout(timeout, rx).await {
            Err(_) => return Err(AmiError::ActionTimeout { action: action.name, timeout }),
            Ok(Err(_)) => return Err(AmiError::Closed),
            Ok(Ok(r)) => r?,
        };
        if resp.response().is_some_and(|r| r.eq_ignore_ascii_case("Error")) {
            let message = resp.get("Message").unwrap_or("no reason given").trim().to_owned();
            if message.eq_ignore_ascii_case(crate::error::PERMISSION_DENIED) {
                return Err(AmiError::PermissionDenied { action: action.name });
            }
            return Err(AmiError::Rejected { action: action.name, message });
        }
        Ok((resp, items))
    }

    async fn login(&self, opts: &ConnectOptions) -> Result<(), AmiError> {
        let mut login = Action::new("Login").field("Username", &opts.username);
        if opts.md5 {
            let challenge = self.send(Action::new("Challenge").field("AuthType", "MD5")).await?;
            let challenge = challenge.get("Challenge").unwrap_or("");
            let mut md5 = Md5::new();
            md5.update(challenge.as_bytes());
            md5.update(opts.secret.expose().as_bytes());
            let key: String = md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
            login = login.field("AuthType", "MD5").field("Key", key);
        } else {
            login = login.field("Secret", opts.secret.expose());
        }
        login = login.field("Events", &opts.events);
        match self.send(login).await {
            Ok(_) => Ok(()),
            Err(AmiError::Rejected { message, .. }) if message.to_ascii_lowercase().contains("authentication") => {
                Err(AmiError::AuthenticationFailed { username: opts.username.clone() })
            }
            Err(e) => Err(e),
        }
    }

    /// Says goodbye; the connection task ends when the server closes. Waits at most a second:
    /// during a burst the answer can sit behind unread events, and leaving must not hang.
    pub async fn logoff(&self) {
        let _ = self.request_with(Action::new("Logoff"), false, None, Duration::from_secs(1)).await;
    }
}
