//! A desk behind a Ringside relay: a real `nats-server` (Debian's `nats-server`, installed by
//! dev.sh) with per-agent permissions, a relay played by this test on its subjects, and the
//! runtime with `[source] kind = "nats"`. The agent's events become cards, another agent's never
//! reach this desk, "stop accepting calls" goes to the relay and the PBX's answer comes back,
//! and the agent's credentials cannot read another agent's subject.
//!
//! The only test in this binary: it sets the environment variable the NATS password is read
//! from where the keychain does not hold it.

mod common;

use std::time::Duration;

use common::{isolated_config, until};
use futures_util::StreamExt;
use ringside_config::{NatsConfig, SourceConfig};
use ringside_core::relay::{agent_subject, command_subject, sync_subject, RelayCommand, RelayReply, SyncReply};
use ringside_core::session::SourceStatus;
use ringside_core::{AgentState, CallEvent, CallId, RemoteParty, SessionOutput, Timestamp};
use ringside_nats_server::NatsServer;
use ringside_runtime::{Runtime, NATS_SECRET_ENV};

/// The server a relay deployment runs: the relay may do anything in its tenant; agent 100's
/// credentials may read its own events and ask its own commands and sync, nothing else.
fn nats_server() -> NatsServer {
    NatsServer::with_config(|port| {
        format!(
            r#"
listen: 127.0.0.1:{port}
authorization {{
  users = [
    {{ user: relay, password: relay-pw }}
    {{ user: agent100, password: "desk-100-pw",
       permissions: {{
         publish: {{ allow: ["ringside.acme.cmd.100", "ringside.acme.sync.100"] }}
         subscribe: {{ allow: ["ringside.acme.agent.100", "_INBOX.>"] }}
       }} }}
  ]
}}
"#
        )
    })
    .expect("nats-server")
}

fn json<T: serde::Serialize>(value: &T) -> bytes::Bytes {
    serde_json::to_vec(value).expect("json").into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: run by ./dev.sh test"]
async fn a_desk_behind_the_relay_gets_its_own_calls_and_its_commands_reach_the_pbx() {
    let server = nats_server();
    let url = format!("nats://127.0.0.1:{}", server.port);

    // The relay: answers sync and commands for agent 100; a pause is carried out and the PBX's
    // confirmation published.
    let relay = async_nats::ConnectOptions::with_user_and_password("relay".into(), "relay-pw".into())
        .connect(&url)
        .await
        .expect("relay connects");
    let mut syncs = relay.subscribe(sync_subject("acme", "100")).await.expect("sync");
    let mut commands = relay.subscribe(command_subject("acme", "100")).await.expect("commands");
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    {
        let relay = relay.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    Some(m) = syncs.next() => {
                        if let Some(reply) = m.reply { let _ = relay.publish(reply, json(&SyncReply::default())).await; }
                    }
                    Some(m) = commands.next() => {
                        let Ok(cmd) = serde_json::from_slice::<RelayCommand>(&m.payload) else { continue };
                        if let Some(reply) = m.reply { let _ = relay.publish(reply, json(&RelayReply::Done)).await; }
                        if let RelayCommand::Pause { reason } = &cmd {
                            let paused = CallEvent::AgentPaused { paused: true, reason: reason.clone(), queue: None, since: None, at: Timestamp::now() };
                            let _ = relay.publish(agent_subject("acme", "100"), json(&paused)).await;
                        }
                        let _ = seen_tx.send(cmd);
                    }
                    else => return,
                }
            }
        });
    }

    std::env::set_var(NATS_SECRET_ENV, "desk-100-pw");
    let (_dir, mut config) = isolated_config();
    config.session.wrap_up = false;
    config.source = SourceConfig::Nats(NatsConfig {
        servers: vec![url.clone()],
        tenant: "acme".into(),
        user: Some("agent100".into()),
    });
    let handle = Runtime::start(config).await.expect("runtime");
    let mut rx = handle.subscribe();
    let source = until(&mut rx, "connected to the relay", |o| match o {
        SessionOutput::Source(SourceStatus::Connected { source, .. }) => Some(source.clone()),
        _ => None,
    })
    .await;
    assert!(source.contains("Ringside relay") && source.contains("acme"), "{source}");
    until(&mut rx, "the relay's sync", |o| {
        matches!(o, SessionOutput::Agent(AgentState::Available { .. })).then_some(())
    })
    .await;

    // Another agent's call is published first, then ours: only ours becomes a card.
    let ring = |call: &str, number: &str| CallEvent::IncomingRinging {
        call: CallId::new(call),
        from: RemoteParty { number: number.into(), name: Some("Olena".into()) },
        queue: Some("support".into()),
        at: Timestamp::now(),
    };
    relay.publish(agent_subject("acme", "101"), json(&ring("c-101", "+380 67 000 0101"))).await.expect("publish");
    relay.publish(agent_subject("acme", "100"), json(&ring("c-100", "+380 44 123 4567"))).await.expect("publish");
    // A payload the desk cannot read is skipped, not fatal.
    relay.publish(agent_subject("acme", "100"), bytes::Bytes::from_static(b"{not json")).await.expect("publish");
    let card = until(&mut rx, "the agent's card", |o| match o {
        SessionOutput::Card(c) => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(card.call_id, CallId::new("c-100"), "another agent's call reached this desk");
    let answered = CallEvent::Answered { call: CallId::new("c-100"), at: Timestamp::now() };
    relay.publish(agent_subject("acme", "100"), json(&answered)).await.expect("publish");
    until(&mut rx, "on the call", |o| matches!(o, SessionOutput::Agent(AgentState::OnCall { .. })).then_some(())).await;
    let ended = CallEvent::Ended {
        call: CallId::new("c-100"),
        cause: ringside_core::EndCause::Completed,
        at: Timestamp::now(),
    };
    relay.publish(agent_subject("acme", "100"), json(&ended)).await.expect("publish");
    until(&mut rx, "available again", |o| {
        matches!(o, SessionOutput::Agent(AgentState::Available { .. })).then_some(())
    })
    .await;
    assert!(handle.snapshot().await.cards.iter().all(|c| c.call_id != CallId::new("c-101")));

    // "Stop accepting calls" goes to the relay; the state changes when the PBX confirms.
    handle.set_accepting_calls(false, Some("lunch".into())).await.expect("paused through the relay");
    assert_eq!(seen.recv().await, Some(RelayCommand::Pause { reason: Some("lunch".into()) }));
    until(&mut rx, "paused", |o| matches!(o, SessionOutput::Agent(AgentState::Paused { .. })).then_some(())).await;

    // The agent's own credentials cannot read another agent's subject.
    let (errors_tx, mut errors) = tokio::sync::mpsc::unbounded_channel();
    let snoop = async_nats::ConnectOptions::with_user_and_password("agent100".into(), "desk-100-pw".into())
        .event_callback(move |event| {
            let tx = errors_tx.clone();
            async move {
                if let async_nats::Event::ServerError(e) = event {
                    let _ = tx.send(e.to_string());
                }
            }
        })
        .connect(&url)
        .await
        .expect("agent connects");
    let mut other = snoop.subscribe(agent_subject("acme", "101")).await.expect("subscribe is sent");
    let refused =
        tokio::time::timeout(Duration::from_secs(5), errors.recv()).await.expect("the server refuses").expect("error");
    assert!(refused.to_lowercase().contains("permission"), "{refused}");
    relay.publish(agent_subject("acme", "101"), json(&ring("c-101b", "+380 67 000 0102"))).await.expect("publish");
    assert!(
        tokio::time::timeout(Duration::from_millis(500), other.next()).await.is_err(),
        "agent 100 read agent 101's call"
    );

    handle.shutdown().await;
}
