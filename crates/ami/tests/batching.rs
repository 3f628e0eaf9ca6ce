//! Events cross from the connection task to the consumer in batches (issue #14). Over real
//! loopback TCP: order is kept across batches and across reads that split a frame, a slow
//! consumer stops the reading of the socket instead of growing memory, the events before a
//! response are there when its caller wakes, and a frame over the limit is still an error.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ringside_ami::codec::{Decoder, Frame};
use ringside_ami::{connect, Action, AmiError, ConnectOptions, Events, Message, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

fn options(addr: &str, event_buffer: usize) -> ConnectOptions {
    let mut o = ConnectOptions::new(addr, "agent100", Secret::new("s3cret"));
    o.md5 = false;
    o.connect_timeout = Duration::from_secs(2);
    o.action_timeout = Duration::from_secs(2);
    o.event_buffer = event_buffer;
    o
}

/// A listener whose accepted sockets have a small send buffer, so what the kernel holds for a
/// client that stopped reading is small next to what the test writes.
fn small_listener() -> (TcpListener, String) {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_send_buffer_size(64 * 1024).expect("SO_SNDBUF");
    socket.bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
    let l = socket.listen(16).expect("listen");
    let addr = l.local_addr().expect("addr").to_string();
    (l, addr)
}

async fn read_action(sock: &mut TcpStream, dec: &mut Decoder) -> Option<Message> {
    loop {
        match dec.next_frame() {
            Ok(Some(Frame::Message(m))) => return Some(m),
            Ok(_) => {}
            Err(_) => return None,
        }
        match sock.read_buf(dec.buffer_mut()).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

async fn accept_logged_in(l: &TcpListener) -> (TcpStream, Decoder) {
    let (mut sock, _) = l.accept().await.expect("accept");
    sock.write_all(b"Asterisk Call Manager/11.0.0\r\n").await.expect("banner");
    let mut dec = Decoder::without_banner(1 << 20);
    let login = read_action(&mut sock, &mut dec).await.expect("login");
    let id = login.action_id().unwrap_or("");
    let reply = format!("Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n");
    sock.write_all(reply.as_bytes()).await.expect("reply");
    (sock, dec)
}

/// Event `n`, padded to about `pad` bytes; every tenth one has bare LF line ends.
fn event(n: u64, pad: usize) -> String {
    let eol = if n % 10 == 3 { "\n" } else { "\r\n" };
    format!("Event: Newexten{eol}Seq: {n}{eol}AppData: {}{eol}{eol}", "x".repeat(pad))
}

fn seq(m: &Message) -> u64 {
    m.get("Seq").and_then(|s| s.parse().ok()).expect("Seq")
}

async fn next(events: &mut Events) -> Message {
    match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
        Ok(Some(Ok(m))) => m,
        other => panic!("no event: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_is_kept_across_batches_and_frames_split_across_reads() {
    const N: u64 = 20_000;
    let (l, addr) = small_listener();
    tokio::spawn(async move {
        let (mut sock, _dec) = accept_logged_in(&l).await;
        let mut wire = Vec::new();
        for n in 0..N {
            wire.extend_from_slice(event(n, (n % 97) as usize).as_bytes());
        }
        // Writes of changing sizes, cut anywhere: in a line, between CR and LF, in the blank line.
        let mut at = 0;
        let mut size = 1;
        while at < wire.len() {
            let end = (at + size).min(wire.len());
            if sock.write_all(&wire[at..end]).await.is_err() {
                return;
            }
            at = end;
            size = size * 7 % 9_973 + 1;
            if size % 5 == 0 {
                tokio::task::yield_now().await;
            }
        }
        let _ = sock.read(&mut [0u8; 64]).await;
    });
    // A small buffer: the channel fills, so the connection task waits for the consumer often.
    let (_client, mut events) = connect(&options(&addr, 64)).await.expect("login");
    let mut expected = 0;
    while expected < N {
        // Another branch that is ready at once cancels `recv` often: it must never lose an event.
        tokio::select! {
            ev = events.recv() => {
                let m = ev.expect("item").expect("event");
                assert_eq!(seq(&m), expected, "in order, none lost");
                assert_eq!(m.get("AppData").map(str::len), Some((expected % 97) as usize));
                expected += 1;
            }
            _ = tokio::task::yield_now() => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_stops_the_reading_instead_of_growing_memory() {
    const CHUNK_EVENTS: u64 = 64;
    const CHUNKS: u64 = 512; // 32,768 events of about 1 KiB: 33 MB
    let (l, addr) = small_listener();
    let written = Arc::new(AtomicU64::new(0));
    let w = written.clone();
    tokio::spawn(async move {
        let (mut sock, _dec) = accept_logged_in(&l).await;
        for c in 0..CHUNKS {
            let mut chunk = String::new();
            for n in c * CHUNK_EVENTS..(c + 1) * CHUNK_EVENTS {
                chunk.push_str(&event(n, 1000));
            }
            if sock.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
            w.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        }
        let _ = sock.read(&mut [0u8; 64]).await;
    });
    let (_client, mut events) = connect(&options(&addr, 256)).await.expect("login");
    let first = next(&mut events).await;
    assert_eq!(seq(&first), 0);
    // The consumer stalls. The server's writes must stall too: the client holds about 256
    // events (+ a batch, + its read buffer), the kernel its socket buffers.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let stalled_at = written.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(written.load(Ordering::SeqCst), stalled_at, "the server is blocked while the consumer sleeps");
    let total = CHUNKS * CHUNK_EVENTS * 1030;
    assert!(stalled_at < total / 3, "only buffers' worth was accepted: {stalled_at} of {total} bytes");
    // Then everything arrives, in order.
    for n in 1..CHUNKS * CHUNK_EVENTS {
        assert_eq!(seq(&next(&mut events).await), n);
    }
}

/// On two worker threads the caller wakes at once on the other one; were the response routed
/// before the events ahead of it were sent, they could still be in the connection task's batch.
/// (That is a race: such a regression makes this test fail sometimes, not every time.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_events_before_a_response_are_received_when_its_caller_wakes() {
    let (l, addr) = small_listener();
    tokio::spawn(async move {
        let (mut sock, mut dec) = accept_logged_in(&l).await;
        while let Some(action) = read_action(&mut sock, &mut dec).await {
            let id = action.action_id().unwrap_or("").to_owned();
            // Events, the response, more events: one write, so one read and one batch.
            let mut wire = String::new();
            for n in 0..50 {
                wire.push_str(&event(n, 10));
            }
            wire.push_str(&format!("Response: Success\r\nActionID: {id}\r\nPing: Pong\r\n\r\n"));
            for n in 50..2000 {
                wire.push_str(&event(n, 10));
            }
            if sock.write_all(wire.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    let (client, mut events) = connect(&options(&addr, 4096)).await.expect("login");
    let pong = client.send(Action::new("Ping")).await.expect("pong");
    assert_eq!(pong.get("Ping"), Some("Pong"));
    for n in 0..50 {
        // Already in the channel: ready without waiting.
        let ev = tokio::time::timeout(Duration::ZERO, events.recv()).await;
        let m = ev.expect("received before the response's caller woke").expect("item").expect("event");
        assert_eq!(seq(&m), n);
    }
    for n in 50..2000 {
        assert_eq!(seq(&next(&mut events).await), n);
    }
}

#[tokio::test]
async fn a_frame_over_the_limit_is_an_error_after_the_events_before_it() {
    let (l, addr) = small_listener();
    tokio::spawn(async move {
        let (mut sock, _dec) = accept_logged_in(&l).await;
        let mut wire = String::new();
        for n in 0..10 {
            wire.push_str(&event(n, 10));
        }
        // A header line that never ends: 2 MiB, over the 1 MiB default.
        wire.push_str("Event: Huge\r\nAppData: ");
        wire.push_str(&"y".repeat(2 << 20));
        let _ = sock.write_all(wire.as_bytes()).await;
        let _ = sock.read(&mut [0u8; 64]).await;
    });
    let mut opts = options(&addr, 4096);
    opts.max_frame = 1 << 20;
    let (_client, mut events) = connect(&opts).await.expect("login");
    for n in 0..10 {
        assert_eq!(seq(&next(&mut events).await), n);
    }
    let end = tokio::time::timeout(Duration::from_secs(10), events.recv()).await.expect("in time");
    assert!(
        matches!(end, Some(Err(AmiError::Codec(ringside_ami::codec::CodecError::FrameTooLarge { .. })))),
        "{end:?}"
    );
}
