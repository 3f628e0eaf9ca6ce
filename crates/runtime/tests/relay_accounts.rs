//! Tenants kept apart by NATS accounts: a real `nats-server` (Debian's `nats-server`, installed by
//! dev.sh) with one account per call center and per-user permissions inside an account, checked
//! with plain NATS clients playing the relay, an agent's desk and a supervisor's desk.
//!
//! - A user of another account reads nothing of `acme`, even on the very subject, even with no
//!   permissions at all: accounts do not share subjects.
//! - The supervisor of queue `support` reads `ringside.acme.team.support` and asks the relay's
//!   `teamsync.support`; the relay's answer comes back.
//! - The supervisor is refused another queue's team subject (and every queue's, `team.*`); an
//!   agent is refused the team subject ("Permissions Violation").
//!
//! No environment variable is set here: only NATS clients, no runtime.

use std::time::Duration;

use futures_util::StreamExt;
use ringside_core::relay::{agent_subject, every_team_subject, team_subject, team_sync_subject, SyncReply};
use ringside_core::{CallEvent, MemberUpdate, Timestamp};
use ringside_nats_server::NatsServer;
use tokio::sync::mpsc::UnboundedReceiver;

/// Two call centers on one server, one account each. In ACME the relay may do anything; agent
/// 100 its own subjects; the supervisor (extension 200) its own subjects and queue `support`'s
/// team. GLOBEX's user has no permissions at all.
fn nats_server() -> NatsServer {
    NatsServer::with_config(|port| {
        format!(
            r#"
listen: 127.0.0.1:{port}
accounts {{
  ACME: {{
    users = [
      {{ user: relay, password: relay-pw }}
      {{ user: agent100, password: "desk-100-pw",
         permissions: {{
           publish: {{ allow: ["ringside.acme.cmd.100", "ringside.acme.sync.100"] }}
           subscribe: {{ allow: ["ringside.acme.agent.100", "_INBOX.>"] }}
         }} }}
      {{ user: supervisor, password: "desk-200-pw",
         permissions: {{
           publish: {{ allow: ["ringside.acme.cmd.200", "ringside.acme.sync.200", "ringside.acme.teamsync.support"] }}
           subscribe: {{ allow: ["ringside.acme.agent.200", "ringside.acme.team.support", "_INBOX.>"] }}
         }} }}
    ]
  }}
  GLOBEX: {{
    users = [
      {{ user: globex-agent, password: "globex-pw" }}
    ]
  }}
}}
"#
        )
    })
    .expect("nats-server")
}

/// A client logged in as `user`, and the errors the server sends it (a refused subscription
/// arrives as "Permissions Violation …").
async fn connect(url: &str, user: &str, password: &str) -> (async_nats::Client, UnboundedReceiver<String>) {
    let (errors_tx, errors) = tokio::sync::mpsc::unbounded_channel();
    let client = async_nats::ConnectOptions::with_user_and_password(user.into(), password.into())
        .event_callback(move |event| {
            let tx = errors_tx.clone();
            async move {
                if let async_nats::Event::ServerError(e) = event {
                    let _ = tx.send(e.to_string());
                }
            }
        })
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("{user} connects: {e}"));
    (client, errors)
}

fn json<T: serde::Serialize>(value: &T) -> bytes::Bytes {
    serde_json::to_vec(value).expect("json").into()
}

fn member_left(queue: &str, interface: &str) -> CallEvent {
    CallEvent::TeamMember {
        update: MemberUpdate::Removed { interface: interface.into(), queue: queue.into() },
        at: Timestamp::now(),
    }
}

/// The next message within 2 s, or `None`.
async fn next(sub: &mut async_nats::Subscriber) -> Option<async_nats::Message> {
    tokio::time::timeout(Duration::from_secs(2), sub.next()).await.ok().flatten()
}

/// Nothing arrives within 500 ms.
async fn silent(sub: &mut async_nats::Subscriber) -> bool {
    tokio::time::timeout(Duration::from_millis(500), sub.next()).await.is_err()
}

/// The server refuses what `errors` belongs to, naming `subject`.
async fn refused(errors: &mut UnboundedReceiver<String>, subject: &str) {
    let error = tokio::time::timeout(Duration::from_secs(5), errors.recv())
        .await
        .unwrap_or_else(|_| panic!("the server did not refuse {subject}"))
        .expect("error");
    assert!(error.to_lowercase().contains("permissions violation"), "{error}");
    assert!(error.contains(subject), "refused something else than {subject}: {error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: run by ./dev.sh test"]
async fn accounts_keep_tenants_apart_and_a_supervisor_reads_only_its_queues_team() {
    let server = nats_server();
    let url = format!("nats://127.0.0.1:{}", server.port);
    let (relay, mut relay_errors) = connect(&url, "relay", "relay-pw").await;

    // (a) Another account reads nothing of acme's, even subscribed to the very subject with no
    // permissions at all — while acme's own agent gets the message, and the same subscription gets
    // what its own account publishes there.
    let (globex, mut globex_errors) = connect(&url, "globex-agent", "globex-pw").await;
    let mut snoop = globex.subscribe(agent_subject("acme", "100")).await.expect("subscribe");
    globex.flush().await.expect("flush");
    let (agent, mut agent_errors) = connect(&url, "agent100", "desk-100-pw").await;
    let mut own = agent.subscribe(agent_subject("acme", "100")).await.expect("subscribe");
    agent.flush().await.expect("flush");
    let paused = CallEvent::AgentPaused {
        paused: true,
        reason: Some("lunch".into()),
        queue: None,
        since: None,
        at: Timestamp::now(),
    };
    relay.publish(agent_subject("acme", "100"), json(&paused)).await.expect("publish");
    relay.flush().await.expect("flush");
    let got = next(&mut own).await.expect("agent 100 gets its own event in its account");
    assert_eq!(serde_json::from_slice::<CallEvent>(&got.payload).expect("event"), paused);
    assert!(silent(&mut snoop).await, "an account GLOBEX user read acme's agent 100");
    globex.publish(agent_subject("acme", "100"), "globex's own".into()).await.expect("publish");
    let own_account = next(&mut snoop).await.expect("GLOBEX's subscription works within GLOBEX");
    assert_eq!(&own_account.payload[..], b"globex's own");
    assert!(silent(&mut own).await, "GLOBEX's message reached acme's agent 100");
    assert!(globex_errors.try_recv().is_err(), "GLOBEX was refused something");

    // (b) The supervisor of `support` reads the queue's team subject and asks its teamsync; the
    // relay (subscribed like ringside-relay) answers.
    let mut team_syncs = relay.subscribe("ringside.*.teamsync.*").await.expect("teamsync");
    relay.flush().await.expect("flush");
    {
        let relay = relay.clone();
        tokio::spawn(async move {
            while let Some(m) = team_syncs.next().await {
                let queue = m.subject.rsplit('.').next().unwrap_or_default().to_string();
                let reply = SyncReply { events: vec![member_left(&queue, "PJSIP/100")] };
                if let Some(to) = m.reply {
                    let _ = relay.publish(to, json(&reply)).await;
                }
            }
        });
    }
    let (supervisor, mut supervisor_errors) = connect(&url, "supervisor", "desk-200-pw").await;
    let mut team = supervisor.subscribe(team_subject("acme", "support")).await.expect("subscribe");
    supervisor.flush().await.expect("flush");
    let synced = supervisor
        .request(team_sync_subject("acme", Some("support")), bytes::Bytes::from_static(b"null"))
        .await
        .expect("the relay answers the supervisor's teamsync");
    let synced: SyncReply = serde_json::from_slice(&synced.payload).expect("sync reply");
    assert!(
        matches!(synced.events.as_slice(), [CallEvent::TeamMember { update: MemberUpdate::Removed { queue, .. }, .. }] if queue == "support"),
        "{synced:?}"
    );
    let left = member_left("support", "PJSIP/101");
    relay.publish(team_subject("acme", "support"), json(&left)).await.expect("publish");
    let got = next(&mut team).await.expect("the supervisor gets support's team state");
    assert_eq!(serde_json::from_slice::<CallEvent>(&got.payload).expect("event"), left);
    assert!(supervisor_errors.try_recv().is_err(), "the supervisor was refused its own queue");

    // (c) Another queue's team subject, or every queue's, is refused to the supervisor, and
    // nothing published there reaches it.
    let mut sales = supervisor.subscribe(team_subject("acme", "sales")).await.expect("subscribe is sent");
    refused(&mut supervisor_errors, "ringside.acme.team.sales").await;
    let mut every = supervisor.subscribe(every_team_subject("acme")).await.expect("subscribe is sent");
    refused(&mut supervisor_errors, "ringside.acme.team.*").await;
    relay.publish(team_subject("acme", "sales"), json(&member_left("sales", "PJSIP/300"))).await.expect("publish");
    relay.flush().await.expect("flush");
    assert!(silent(&mut sales).await, "the supervisor of support read sales' team");
    assert!(silent(&mut every).await, "the supervisor of support read every queue's team");

    // (d) An agent is refused the team subject.
    let mut agent_team = agent.subscribe(team_subject("acme", "support")).await.expect("subscribe is sent");
    refused(&mut agent_errors, "ringside.acme.team.support").await;
    relay.publish(team_subject("acme", "support"), json(&member_left("support", "PJSIP/102"))).await.expect("publish");
    relay.flush().await.expect("flush");
    assert!(silent(&mut agent_team).await, "agent 100 read support's team");

    assert!(relay_errors.try_recv().is_err(), "the relay was refused something");
}
