//! The client against servers that misbehave, over real loopback TCP: each fault gives a
//! clear, typed error, nothing panics, and memory stays bounded.

use std::time::{Duration, Instant};

use ringside_ami::codec::{Decoder, Frame};
use ringside_ami::{connect, Action, AmiError, ConnectOptions, Message, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn listener() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr").to_string();
    (l, addr)
}

fn options(addr: &str) -> ConnectOptions {
    let mut o = ConnectOptions::new(addr, "agent100", Secret::new("s3cret"));
    o.md5 = false;
    o.connect_timeout = Duration::from_secs(2);
    o.action_timeout = Duration::from_millis(500);
    o
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

/// Accepts one client, answers its Login with Success, and returns the socket.
async fn accept_logged_in(l: &TcpListener) -> (TcpStream, Decoder) {
    let (mut sock, _) = l.accept().await.expect("accept");
    sock.write_all(b"Asterisk Call Manager/11.0.0\r\n").await.expect("banner");
    let mut dec = Decoder::without_banner(1 << 20);
    let login = read_action(&mut sock, &mut dec).await.expect("login");
    assert_eq!(login.get("Action"), Some("Login"));
    assert_eq!(login.get("Events"), Some("call,agent"), "only what an agent needs");
    let id = login.action_id().unwrap_or("");
    let reply = format!("Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n");
    sock.write_all(reply.as_bytes()).await.expect("reply");
    (sock, dec)
}

#[tokio::test]
async fn closed_mid_frame_is_a_clean_close_with_no_half_event() {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        let (mut sock, _dec) = accept_logged_in(&l).await;
        let _ = sock.write_all(b"Event: Hangup\r\nChannel: PJSIP/100-0001\r\n\r\nEvent: DialBegin\r\nChann").await;
    });
    let (_client, mut events) = connect(&options(&addr)).await.expect("login");
    let first = events.recv().await.expect("an item");
    assert_eq!(first.expect("a whole event").event(), Some("Hangup"));
    match events.recv().await {
        Some(Err(AmiError::Closed)) => {}
        other => panic!("expected a clean close, got {other:?}"),
    }
}

#[tokio::test]
async fn a_ten_megabyte_header_line_is_refused_without_holding_it() {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        let (mut sock, _dec) = accept_logged_in(&l).await;
        let _ = sock.write_all(b"Event: Newexten\r\nAppData: ").await;
        let chunk = vec![b'A'; 64 * 1024];
        for _ in 0..160 {
            if sock.write_all(&chunk).await.is_err() {
                return; // the client hung up on us, as it should
            }
        }
    });
    let (_client, mut events) = connect(&options(&addr)).await.expect("login");
    match events.recv().await {
        Some(Err(e @ AmiError::Codec(_))) => {
            assert!(e.to_string().contains("larger than 1048576 bytes"), "{e}");
        }
        other => panic!("expected a frame-size error, got {other:?}"),
    }
}

#[tokio::test]
async fn binary_garbage_is_survived() {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        let (mut sock, _dec) = accept_logged_in(&l).await;
        let mut state = 42u64;
        let garbage: Vec<u8> = (0..200_000)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                (state >> 56) as u8
            })
            .collect();
        let _ = sock.write_all(&garbage).await;
        let _ = sock.write_all(b"\r\n\r\nEvent: Ping\r\n\r\n").await;
        tokio::time::sleep(Duration::from_secs(2)).await;
    });
    let (_client, mut events) = connect(&options(&addr)).await.expect("login");
    // Whatever the garbage decodes to, the real event after it still arrives, as text.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let item = tokio::time::timeout_at(deadline.into(), events.recv()).await.expect("no hang");
        match item {
            Some(Ok(m)) if m.event() == Some("Ping") => break,
            Some(Ok(_)) => continue,
            other => panic!("garbage ended the stream: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_server_that_stops_answering_is_detected_by_ping() {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        let (mut sock, _dec) = accept_logged_in(&l).await;
        // Reads everything, answers nothing.
        let mut sink = [0u8; 1024];
        while let Ok(n) = sock.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    });
    let mut opts = options(&addr);
    opts.ping_interval = Duration::from_millis(200);
    opts.action_timeout = Duration::from_millis(300);
    let (_client, mut events) = connect(&opts).await.expect("login");
    let item = tokio::time::timeout(Duration::from_secs(5), events.recv()).await.expect("detected in time");
    match item {
        Some(Err(AmiError::PingTimeout(_))) => {}
        other => panic!("expected a ping timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn wrong_secret_is_reported_as_such_and_is_permanent() {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        let (mut sock, _) = l.accept().await.expect("accept");
        sock.write_all(b"Asterisk Call Manager/11.0.0\r\n").await.expect("banner");
        let mut dec = Decoder::without_banner(1 << 20);
        let login = read_action(&mut sock, &mut dec).await.expect("login");
        let id = login.action_id().unwrap_or("").to_owned();
        // Asterisk waits about a second, answers, and closes (f_login_failure).
        tokio::time::sleep(Duration::from_millis(300)).await;
        let reply = format!("Response: Error\r\nActionID: {id}\r\nMessage: Authentication failed\r\n\r\n");
        let _ = sock.write_all(reply.as_bytes()).await;
    });
    let mut opts = options(&addr);
    opts.action_timeout = Duration::from_secs(3);
    let err = connect(&opts).await.expect_err("must fail");
    assert!(matches!(err, AmiError::AuthenticationFailed { .. }), "{err:?}");
    assert!(err.is_permanent());
    assert!(err.to_string().contains("wrong username or secret"), "{err}");
    assert!(!err.to_string().contains("s3cret"), "the secret never appears in an error");
}

#[tokio::test]
async fn something_that_is_not_ami_is_named() {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        let (mut sock, _) = l.accept().await.expect("accept");
        let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let err = connect(&options(&addr)).await.expect_err("must fail");
    assert!(matches!(err, AmiError::NotAmi { .. }), "{err:?}");
    assert!(err.is_permanent());
}

#[tokio::test]
async fn nobody_listening_is_a_connect_error() {
    let (l, addr) = listener().await;
    drop(l);
    let err = connect(&options(&addr)).await.expect_err("must fail");
    assert!(matches!(err, AmiError::Connect { .. }), "{err:?}");
    assert!(!err.is_permanent(), "worth retrying");
}

#[tokio::test]
async fn responses_find_their_action_whatever_the_order_and_events_still_flow() {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        let (mut sock, mut dec) = accept_logged_in(&l).await;
        while let Some(action) = read_action(&mut sock, &mut dec).await {
            let id = action.action_id().unwrap_or("").to_owned();
            let wire = match action.get("Action") {
                // As d_queue_pause: the Response first, then the event.
                Some("QueuePause") => format!(
                    "Response: Success\r\nActionID: {id}\r\nMessage: Interface paused successfully\r\n\r\n\
                     Event: QueueMemberPause\r\nQueue: support\r\nInterface: Local/100@agents\r\nPaused: 1\r\nPausedReason: Lunch\r\n\r\n"
                ),
                // An event list interleaved with an unrelated event.
                Some("QueueStatus") => format!(
                    "Response: Success\r\nActionID: {id}\r\nEventList: start\r\nMessage: Queue status will follow\r\n\r\n\
                     Event: QueueMember\r\nActionID: {id}\r\nQueue: support\r\nLocation: Local/100@agents\r\nPaused: 0\r\n\r\n\
                     Event: Newstate\r\nChannel: PJSIP/100-01\r\n\r\n\
                     Event: QueueStatusComplete\r\nActionID: {id}\r\nEventList: Complete\r\nListItems: 1\r\n\r\n"
                ),
                Some("Bogus") => format!("Response: Error\r\nActionID: {id}\r\nMessage: Invalid/unknown command\r\n\r\n"),
                _ => continue, // never answered: the caller times out
            };
            if sock.write_all(wire.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    let (client, mut events) = connect(&options(&addr)).await.expect("login");
    let ok =
        client.send(Action::new("QueuePause").field("Interface", "Local/100@agents").field("Paused", "true")).await;
    assert_eq!(ok.expect("paused").get("Message"), Some("Interface paused successfully"));
    let ev = events.recv().await.expect("item").expect("event");
    assert_eq!(ev.event(), Some("QueueMemberPause"));
    assert_eq!(ev.get("PausedReason"), Some("Lunch"));

    let list = client.send_list(Action::new("QueueStatus")).await.expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].event(), Some("QueueMember"));
    let ev = events.recv().await.expect("item").expect("event");
    assert_eq!(ev.event(), Some("Newstate"), "the unrelated event is not swallowed by the list");

    let err = client.send(Action::new("Bogus")).await.expect_err("refused");
    assert_eq!(err.to_string(), "the PBX refused Bogus: Invalid/unknown command");
    let err = client.send(Action::new("Silence")).await.expect_err("times out");
    assert!(matches!(err, AmiError::ActionTimeout { .. }), "{err:?}");
    // A line break in a value never reaches the wire.
    let err =
        client.send(Action::new("QueuePause").field("Reason", "x\r\nAction: Originate")).await.expect_err("refused");
    assert!(matches!(err, AmiError::Encode(_)), "{err:?}");
}

/// Asterisk answers an action outside the user's `write` classes with `Permission denied`
/// (manager.c): its own error, naming the class manager.conf must give (QueuePause: `agent`).
#[tokio::test]
async fn permission_denied_is_its_own_error_naming_the_write_class() {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        let (mut sock, mut dec) = accept_logged_in(&l).await;
        while let Some(action) = read_action(&mut sock, &mut dec).await {
            let id = action.action_id().unwrap_or("").to_string();
            let reply = format!("Response: Error\r\nActionID: {id}\r\nMessage: Permission denied\r\n\r\n");
            if sock.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    let (client, _events) = connect(&options(&addr)).await.expect("login");
    let pause = ringside_ami::actions::QueuePause {
        interface: "Local/101@agents",
        queue: None,
        paused: true,
        reason: Some("lunch"),
    };
    let err = client.send(pause.into()).await.expect_err("refused");
    assert!(matches!(&err, AmiError::PermissionDenied { action } if action == "QueuePause"), "{err:?}");
    let report = ringside_core::ErrorReport::of(&err);
    assert_eq!(report.code, "pbx.permission_denied");
    assert_eq!(report.args.get("permission").map(String::as_str), Some("agent"));
    assert!(report.message.contains("write = agent"), "{}", report.message);
    let err = client.send(Action::new("Originate")).await.expect_err("refused");
    assert_eq!(ringside_core::ErrorReport::of(&err).args.get("permission").map(String::as_str), Some("originate"));
}
