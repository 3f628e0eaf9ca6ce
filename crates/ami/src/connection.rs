//! The task that owns the socket: it writes actions, routes responses to whoever awaits
//! them by ActionID, and hands events to the consumer with backpressure (when the consumer
//! is slow we stop reading the socket; an event is never dropped).
//!
//! Events go over the channel in batches: every event decoded from one socket read (at most
//! [`MAX_BATCH`]) is one channel send. One send per event cost a wake-up of the consumer per
//! event, and over loopback that, not the codec, was most of the time (issue #14). A batch is
//! sent as soon as the read that filled it is decoded, so batching adds no latency: an event
//! never waits for the next one.

use std::collections::HashMap;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, MissedTickBehavior};

use crate::codec::{Decoder, Frame, Message};
use crate::error::AmiError;

/// A reply is a Response alone, or a Response followed by an event list.
pub(crate) type Reply = Result<(Message, Vec<Message>), AmiError>;

pub(crate) struct Request {
    pub action_id: String,
    pub wire: String,
    pub list: bool,
    /// An event that completes the action after its Response (e.g. `OriginateResponse`).
    pub follow_up: Option<&'static str>,
    pub reply: oneshot::Sender<Reply>,
}

struct Pending {
    list: bool,
    follow_up: Option<&'static str>,
    response: Option<Message>,
    items: Vec<Message>,
    reply: oneshot::Sender<Reply>,
}

/// What the connection task hands the consumer: events in arrival order, or the error that
/// ended the connection (always the last item).
pub(crate) type Batch = Result<Vec<Message>, AmiError>;

pub(crate) struct Connection {
    pub reader: OwnedReadHalf,
    pub writer: OwnedWriteHalf,
    pub decoder: Decoder,
    pub requests: mpsc::Receiver<Request>,
    pub events: mpsc::Sender<Batch>,
    pub ping_interval: Duration,
    pub ping_timeout: Duration,
}

const PING_ID: &str = "ringside-keepalive";

/// Most events in one channel send. With the channel's capacity in batches this bounds the
/// events held for a slow consumer (see [`batches_for`]); a socket read of [`READ_CHUNK`]
/// bytes brings about 160 real events.
pub(crate) const MAX_BATCH: usize = 128;

/// Room made in the read buffer before every socket read: one read then brings what the
/// kernel holds up to this much, instead of whatever space the last frame left over.
const READ_CHUNK: usize = 64 * 1024;

/// The channel capacity, in batches, that holds about `events` events.
pub(crate) fn batches_for(events: usize) -> usize {
    events.div_ceil(MAX_BATCH).max(1)
}

impl Connection {
    /// Runs until the socket closes or fails; the last item on the event channel says why.
    pub async fn run(mut self) {
        let reason = self.serve().await;
        tracing::info!(%reason, "AMI connection ended");
        let _ = self.events.send(Err(reason)).await;
    }

    async fn serve(&mut self) -> AmiError {
        let mut pending: HashMap<String, Pending> = HashMap::new();
        let mut ping = tokio::time::interval_at(Instant::now() + self.ping_interval, self.ping_interval);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut ping_sent: Option<Instant> = None;
        let mut batch: Vec<Message> = Vec::new();
        loop {
            // Frames already decoded go out before we read more.
            loop {
                match self.decoder.next_frame() {
                    Ok(Some(Frame::Message(msg))) => {
                        // Only a message that names an ActionID we wait for needs its ActionID
                        // read: with nothing outstanding an event goes straight to the batch.
                        if ping_sent.is_some() && msg.action_id() == Some(PING_ID) {
                            ping_sent = None;
                            continue;
                        }
                        let awaited = !pending.is_empty() && msg.action_id().is_some_and(|id| pending.contains_key(id));
                        if awaited && !batch.is_empty() {
                            // The events before a response reach the channel before its caller
                            // wakes, as they did when every event was sent on its own.
                            if self.events.send(Ok(std::mem::take(&mut batch))).await.is_err() {
                                return AmiError::Closed;
                            }
                        }
                        let event = if awaited { route(msg, &mut pending) } else { Some(msg) };
                        if let Some(ev) = event {
                            if batch.capacity() == 0 {
                                batch.reserve_exact(MAX_BATCH);
                            }
                            batch.push(ev);
                            if batch.len() >= MAX_BATCH
                                && self.events.send(Ok(std::mem::take(&mut batch))).await.is_err()
                            {
                                return AmiError::Closed;
                            }
                        }
                    }
                    Ok(Some(Frame::Banner(_))) => {}
                    Ok(None) => break,
                    Err(e) => {
                        // What was decoded before the bad frame is still delivered, then the error.
                        if !batch.is_empty() {
                            let _ = self.events.send(Ok(std::mem::take(&mut batch))).await;
                        }
                        return e.into();
                    }
                }
            }
            // Sending before reading again: when the consumer is slow this waits, the socket is
            // not read, and TCP pushes back on the PBX.
            if !batch.is_empty() && self.events.send(Ok(std::mem::take(&mut batch))).await.is_err() {
                return AmiError::Closed;
            }
            self.decoder.buffer_mut().reserve(READ_CHUNK);
            tokio::select! {
                read = self.reader.read_buf(self.decoder.buffer_mut()) => match read {
                    Ok(0) => return AmiError::Closed,
                    Ok(_) => {}
                    Err(e) => return AmiError::Io(e.to_string()),
                },
                req = self.requests.recv() => match req {
                    Some(req) => {
                        if let Err(e) = self.writer.write_all(req.wire.as_bytes()).await {
                            let err = AmiError::Io(e.to_string());
                            let _ = req.reply.send(Err(err.clone()));
                            return err;
                        }
                        pending.insert(
                            req.action_id,
                            Pending { list: req.list, follow_up: req.follow_up, response: None, items: Vec::new(), reply: req.reply },
                        );
                    }
                    // Every client handle is gone: log off politely and stop.
                    None => {
                        let _ = self.writer.write_all(b"Action: Logoff\r\nActionID: ringside-logoff\r\n\r\n").await;
                        return AmiError::Closed;
                    }
                },
                _ = ping.tick() => {
                    if let Some(sent) = ping_sent {
                        if sent.elapsed() >= self.ping_timeout {
                            return AmiError::PingTimeout(self.ping_timeout);
                        }
                    } else {
                        let wire = format!("Action: Ping\r\nActionID: {PING_ID}\r\n\r\n");
                        if let Err(e) = self.writer.write_all(wire.as_bytes()).await {
                            return AmiError::Io(e.to_string());
                        }
                        ping_sent = Some(Instant::now());
                    }
                    // Callers that timed out no longer wait.
                    pending.retain(|_, p| !p.reply.is_closed());
                }
            }
        }
    }
}

/// Delivers a message to the request awaiting it; returns it if it is a plain event.
fn route(msg: Message, pending: &mut HashMap<String, Pending>) -> Option<Message> {
    let id = match msg.action_id() {
        Some(id) if pending.contains_key(id) => id.to_owned(),
        _ => return Some(msg),
    };
    let p = pending.get_mut(&id)?;
    if msg.response().is_some() && p.response.is_none() {
        let is_list = p.list && msg.get("EventList").is_some_and(|v| v.eq_ignore_ascii_case("start"));
        let failed = msg.response().is_some_and(|r| r.eq_ignore_ascii_case("Error"));
        // Kept until the action completes: with a text of its own, not its read's (see `Message`).
        p.response = Some(msg.detached());
        let awaiting_follow_up = p.follow_up.is_some() && p.items.is_empty();
        if (is_list || awaiting_follow_up) && !failed {
            return None;
        }
    } else if p.follow_up.is_some() && p.follow_up == msg.event() {
        // The follow-up may come before or after the Response; it completes the action either way.
        p.items.push(msg.detached());
        p.response.as_ref()?;
    } else if msg.event().is_some() && p.response.is_some() && p.list {
        if msg.get("EventList").is_some_and(|v| v.eq_ignore_ascii_case("Complete")) {
            // fall through to completion
        } else {
            p.items.push(msg.detached());
            return None;
        }
    } else {
        // An event that names our ActionID before the Response (e.g. OriginateResponse): an event.
        return Some(msg);
    }
    if let Some(p) = pending.remove(&id) {
        if let Some(resp) = p.response {
            let _ = p.reply.send(Ok((resp, p.items)));
        }
    }
    None
}
