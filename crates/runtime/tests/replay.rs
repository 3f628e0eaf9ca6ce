//! The whole path — TCP, codec, connection task, client, tracker, session — fed by the real
//! Asterisk transcripts from a loopback server that answers our login, then sends the recorded
//! bytes in random chunk sizes.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use ringside_ami::codec::{Decoder, Frame};
use ringside_config::{AmiConfig, SourceConfig};
use ringside_core::{CardStatus, SessionOutput};
use ringside_runtime::Runtime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn transcript(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("RINGSIDE_AMI_TRANSCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ami"));
    std::fs::read(dir.join(format!("{name}.ami"))).unwrap_or_else(|e| panic!("transcript {name}: {e}"))
}

/// Reads one action from the client.
async fn read_action(sock: &mut TcpStream, dec: &mut Decoder) -> ringside_ami::Message {
    loop {
        if let Some(Frame::Message(m)) = dec.next_frame().expect("client sends valid AMI") {
            return m;
        }
        let n = sock.read_buf(dec.buffer_mut()).await.expect("read");
        assert!(n > 0, "client closed early");
    }
}

/// Serves one client: login, then the transcript (after its own banner) in chunks of 1..=max bytes.
async fn serve(listener: TcpListener, bytes: Vec<u8>, seed: u64, max_chunk: usize) {
    let (mut sock, _) = listener.accept().await.expect("accept");
    sock.write_all(b"Asterisk Call Manager/11.0.0\r\n").await.expect("banner");
    let mut dec = Decoder::without_banner(1 << 20);
    loop {
        let action = read_action(&mut sock, &mut dec).await;
        let id = action.action_id().unwrap_or("").to_owned();
        match action.get("Action").unwrap_or("") {
            "Challenge" => {
                let reply = format!("Response: Success\r\nActionID: {id}\r\nChallenge: 123456789\r\n\r\n");
                sock.write_all(reply.as_bytes()).await.expect("write");
            }
            "Login" => {
                let reply = format!("Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n");
                sock.write_all(reply.as_bytes()).await.expect("write");
                break;
            }
            other => panic!("unexpected action before login: {other}"),
        }
    }
    let body = &bytes[bytes.iter().position(|&b| b == b'\n').map_or(0, |p| p + 1)..];
    let mut state = seed;
    let mut pos = 0;
    while pos < body.len() {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let n = ((state >> 33) as usize % max_chunk + 1).min(body.len() - pos);
        if sock.write_all(&body[pos..pos + n]).await.is_err() {
            return;
        }
        pos += n;
    }
    // Keep the socket open (answering nothing) until the client goes away.
    let mut sink = [0u8; 1024];
    while let Ok(n) = sock.read(&mut sink).await {
        if n == 0 {
            break;
        }
    }
}

/// Replays `name` for agent `ext` and returns the card states, in order, as "callid:state[:outcome]".
async fn cards_for(name: &str, ext: &str, seed: u64) -> Vec<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(serve(listener, transcript(name), seed, 1500));

    let (_directory, mut config) = common::isolated_config();
    config.agent.extension = ext.to_string();
    config.agent.interfaces = vec![format!("Local/{ext}@agents")];
    config.source =
        SourceConfig::Ami(AmiConfig { ping_interval_secs: 60, ..AmiConfig::new("127.0.0.1", port, "agent100") });
    let handle = Runtime::start_with_secret(config, Some("replay".into())).await.expect("runtime starts");
    let mut rx = handle.subscribe();
    let mut seen = Vec::new();
    // The transcript ends with the server's Goodbye; wait until nothing more changes.
    while let Ok(Ok(out)) = tokio::time::timeout(Duration::from_millis(700), rx.recv()).await {
        if let SessionOutput::Card(card) = out {
            let mut line = format!("{}:{:?}", card.call_id, card.status);
            if card.status == CardStatus::Ended {
                line.push_str(&format!(":{:?}", card.outcome.expect("an ended card has an outcome")));
            }
            // The customer lookup updates a card without changing its state: one line per state.
            if seen.last() != Some(&line) {
                seen.push(line);
            }
        }
    }
    handle.shutdown().await;
    seen
}

async fn check(name: &str, ext: &str, expected: &[&str]) {
    for seed in [1, 2, 3] {
        let seen = cards_for(name, ext, seed).await;
        assert_eq!(seen, expected, "{name} as agent {ext} (seed {seed})");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_calls() {
    check(
        "a_inbound_direct_answered",
        "100",
        &["1795304601.0:Ringing", "1795304601.0:OnCall", "1795304601.0:Ended:Completed"],
    )
    .await;
    let missed = cards_for("b_inbound_direct_unanswered", "100", 9).await;
    assert_eq!(missed.len(), 2, "{missed:?}");
    assert!(missed[0].ends_with(":Ringing") && missed[1].ends_with(":Ended:NoAnswer"), "{missed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_call_for_both_agents() {
    check("c_inbound_queue", "100", &["1795304636.8:Ringing", "1795304636.8:OnCall", "1795304636.8:Ended:Completed"])
        .await;
    // 101 sees who took the call: Asterisk names 100's extension (DialEnd ANSWER) before 101's
    // leg is cancelled, and the member's name (AgentConnect) just after.
    check(
        "c_inbound_queue",
        "101",
        &[
            "1795304636.8:Ringing",
            "1795304636.8:Ended:AnsweredElsewhere { by: Some(\"100\") }",
            "1795304636.8:Ended:AnsweredElsewhere { by: Some(\"Agent 100\") }",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outgoing_and_transfers() {
    let c2c = cards_for("e_originate_click2call", "100", 4).await;
    assert_eq!(
        c2c.iter().map(|l| l.split_once(':').map_or("", |x| x.1)).collect::<Vec<_>>(),
        ["Dialing", "OnCall", "Ended:Completed"]
    );
    let xfer100 = cards_for("h_blind_transfer", "100", 5).await;
    assert!(xfer100.last().is_some_and(|l| l.ends_with("Ended:Transferred")), "{xfer100:?}");
    let xfer101 = cards_for("h_blind_transfer", "101", 6).await;
    assert_eq!(xfer101.len(), 3, "agent 101 gets the transferred customer's card once: {xfer101:?}");
}

/// A recorded call: Asterisk with `channelvars = MIXMONITOR_FILENAME` names the recording on
/// every event of the call; the card and the history get its address, built from the config.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_named_by_the_pbx_reaches_the_card_and_the_history() {
    let text = String::from_utf8(transcript("a_inbound_direct_answered")).expect("text");
    let recorded = text.replace(
        "Linkedid: 1795304601.0\r\n",
        "Linkedid: 1795304601.0\r\nChanVariable: MIXMONITOR_FILENAME=/var/spool/asterisk/monitor/in-100 \"x\".wav\r\n",
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(serve(listener, recorded.into_bytes(), 5, 1500));
    let (_directory, mut config) = common::isolated_config();
    config.source = SourceConfig::Ami(AmiConfig {
        ping_interval_secs: 60,
        recording_url: Some("https://pbx.example.com/rec/{file}".into()),
        ..AmiConfig::new("127.0.0.1", port, "agent100")
    });
    let handle = Runtime::start_with_secret(config, Some("replay".into())).await.expect("runtime starts");
    let mut rx = handle.subscribe();
    let ended = common::until(&mut rx, "the end of the call", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ended => Some((**c).clone()),
        _ => None,
    })
    .await;
    let url = "https://pbx.example.com/rec/in-100%20%22x%22.wav";
    assert_eq!(ended.recording_url.as_ref().map(|u| u.as_str()), Some(url));
    let calls = handle.recent_calls(5).await.expect("history");
    let call = calls.iter().find(|c| c.call_id == ended.call_id).expect("in the history");
    assert_eq!(call.recording_url.as_deref(), Some(url));
    handle.shutdown().await;
}
