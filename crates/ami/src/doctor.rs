//! `ringside-cli doctor`: checks the way to the PBX one step at a time and says exactly which
//! step fails and what to change, instead of "the popup didn't show".

use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use crate::client::{connect, ConnectOptions};
use crate::codec::Action;
use crate::error::AmiError;
use crate::tracker::AgentIdentity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass(String),
    /// Works, but something a user would miss later.
    Warn(String),
    /// This step fails; the text says what to change.
    Fail(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub step: &'static str,
    pub outcome: Outcome,
}

impl Check {
    fn new(step: &'static str, outcome: Outcome) -> Self {
        Self { step, outcome }
    }
}

/// Runs every check in order; stops after the first failure, since later steps depend on it.
/// `secret_problem` says why no secret could be found; the network is checked first anyway.
pub async fn diagnose(opts: &ConnectOptions, me: &AgentIdentity, secret_problem: Option<String>) -> Vec<Check> {
    let mut checks = Vec::new();
    macro_rules! fail {
        ($name:expr, $text:expr) => {{
            checks.push(Check::new($name, Outcome::Fail($text)));
            return checks;
        }};
    }
    macro_rules! step {
        ($name:expr, $outcome:expr) => {{
            let outcome = $outcome;
            let failed = matches!(outcome, Outcome::Fail(_));
            checks.push(Check::new($name, outcome));
            if failed {
                return checks;
            }
        }};
    }

    // 1. TCP
    let started = Instant::now();
    let tcp = tokio::time::timeout(opts.connect_timeout, TcpStream::connect(&opts.addr)).await;
    let mut stream = match tcp {
        Ok(Ok(s)) => {
            step!("TCP", Outcome::Pass(format!("{} answers ({} ms)", opts.addr, started.elapsed().as_millis())));
            s
        }
        Ok(Err(e)) => fail!(
            "TCP",
            format!(
                "cannot connect to {}: {e}. Is Asterisk running, is `enabled = yes` and `bindaddr` right in \
                 manager.conf, and does the firewall let this desk reach port {}?",
                opts.addr,
                opts.addr.rsplit(':').next().unwrap_or("5038")
            )
        ),
        Err(_) => fail!(
            "TCP",
            format!(
                "no answer from {} within {:?}: a firewall is probably dropping the connection",
                opts.addr, opts.connect_timeout
            )
        ),
    };

    // 2. Banner
    let mut buf = vec![0u8; 256];
    let banner = match tokio::time::timeout(opts.connect_timeout, stream.read(&mut buf)).await {
        Ok(Ok(n)) if n > 0 => String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_string(),
        _ => String::new(),
    };
    drop(stream);
    if banner.starts_with("Asterisk Call Manager/") {
        step!("Banner", Outcome::Pass(banner.clone()));
    } else {
        fail!(
            "Banner",
            format!(
                "{} is not an Asterisk Manager Interface (it said {banner:?}); check the port (AMI is usually 5038)",
                opts.addr
            )
        );
    }

    if let Some(problem) = secret_problem {
        fail!("Secret", problem);
    }

    // 3. Login (with `user` events too, so step 5 can see its own event come back)
    let mut login_opts = opts.clone();
    login_opts.events = format!("{},user", opts.events);
    let (client, mut events) = match connect(&login_opts).await {
        Ok(c) => {
            step!("Login", Outcome::Pass(format!("logged in as {:?}", opts.username)));
            c
        }
        Err(AmiError::AuthenticationFailed { username }) => fail!(
            "Login",
            format!(
                "the PBX refused user {username:?}: the secret does not match the [{username}] section of \
                 manager.conf (or the section does not exist, or `permit`/`deny` exclude this desk's address)"
            )
        ),
        Err(e) => fail!("Login", e.to_string()),
    };

    // 4. Permissions: what the desk needs to read and to do.
    let mut missing: Vec<String> = Vec::new();
    match client.send_list(Action::new("QueueStatus")).await {
        Ok(_) => {}
        Err(AmiError::PermissionDenied { .. }) => missing.push("read = agent".into()),
        Err(e) => missing.push(format!("QueueStatus failed: {e}")),
    }
    match client.send_list(Action::new("CoreShowChannels")).await {
        Ok(_) => {}
        Err(AmiError::PermissionDenied { .. }) => {
            missing.push("read = system or reporting (to re-sync calls after a reconnect)".into())
        }
        Err(_) => {}
    }
    if missing.is_empty() {
        step!("Permissions", Outcome::Pass("queue status and live channels can be read".into()));
    } else {
        fail!("Permissions", format!("the AMI user lacks: {}", missing.join("; ")));
    }

    // 5. Events flowing
    let marker = format!("RingsideDoctor{}", std::process::id());
    match client.send(Action::new("UserEvent").field("UserEvent", &marker)).await {
        Ok(_) => {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
            let mut seen = false;
            while let Ok(Some(Ok(m))) = tokio::time::timeout_at(deadline, events.recv()).await {
                if m.event() == Some("UserEvent") && m.get("UserEvent") == Some(marker.as_str()) {
                    seen = true;
                    break;
                }
            }
            if seen {
                step!("Events", Outcome::Pass("events reach this desk".into()));
            } else {
                fail!(
                    "Events",
                    "the PBX sends no events to this user: check `read = call,agent` in manager.conf and any \
                         `eventfilter` lines that drop them"
                        .into()
                );
            }
        }
        Err(_) => step!(
            "Events",
            Outcome::Warn("cannot test (the user may not send UserEvent; `write = user` allows this check)".into())
        ),
    }

    // 6. The agent's device as the PBX knows it.
    let members = client.send_list(Action::new("QueueStatus")).await.unwrap_or_default();
    for interface in &me.interfaces {
        let queues: Vec<&str> = members
            .iter()
            .filter(|m| m.event() == Some("QueueMember"))
            .filter(|m| {
                ["Location", "Interface", "StateInterface"]
                    .iter()
                    .any(|k| m.get(k).is_some_and(|v| v.eq_ignore_ascii_case(interface)))
            })
            .filter_map(|m| m.get("Queue"))
            .collect();
        if queues.is_empty() {
            step!(
                "Agent device",
                Outcome::Warn(format!(
                    "{interface} is not a member of any queue: direct calls still pop a card, but \"accepting calls\" \
                     has nothing to pause. Add it to queues.conf or check agent.interfaces"
                ))
            );
        } else {
            step!("Agent device", Outcome::Pass(format!("{interface} is a member of {}", queues.join(", "))));
        }
    }
    client.logoff().await;
    checks
}
