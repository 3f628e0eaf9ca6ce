//! The source task: whichever kind of CTI source the settings name (the embedded demo PBX or
//! an Asterisk over AMI, `ami_source`; a Ringside relay over NATS, `nats_source`). New settings
//! of the same kind retarget the running source; another kind hands over to that one, on the
//! same channels, so the session and the handle never notice the switch.

use ringside_core::{CallId, CtiCommand};
use tokio::sync::{mpsc, oneshot};

use crate::session_task::SessionMsg;
use crate::{ami_source, nats_source, RuntimeError};

pub(crate) type Reply = oneshot::Sender<Result<(), RuntimeError>>;

pub(crate) enum SourceMsg {
    Command {
        cmd: CtiCommand,
        reply: Option<Reply>,
    },
    /// Click-to-call: ring the agent's device, then dial `number` (already made dialable).
    Originate {
        number: String,
        reply: Reply,
    },
    /// Hang up the agent's side of a call.
    Hangup {
        call: CallId,
        reply: Reply,
    },
    /// Pause or unpause any queue member (supervisor), in one queue or all.
    SetMemberPaused {
        interface: String,
        queue: Option<String>,
        paused: bool,
        reason: Option<String>,
        reply: Reply,
    },
    /// The settings changed where calls come from (another PBX, port, user, secret, agent):
    /// log off, then connect with these. Answered once the old connection is closed.
    Retarget {
        target: Box<Target>,
        reply: oneshot::Sender<()>,
    },
    Connect,
    Disconnect,
    Shutdown,
}

/// Where the source connects, by kind.
pub(crate) enum Target {
    Ami(ami_source::AmiTarget),
    Nats(nats_source::NatsTarget),
}

/// What a source's loop ends with: Ringside stops (`None`), or new settings name another kind
/// of source (answered once it has taken over).
pub(crate) type Next = Option<(Target, oneshot::Sender<()>)>;

pub(crate) async fn run(target: Target, session: mpsc::Sender<SessionMsg>, mut rx: mpsc::Receiver<SourceMsg>) {
    let mut target = target;
    loop {
        let next = match target {
            Target::Ami(t) => ami_source::run(t, &session, &mut rx).await,
            Target::Nats(t) => nats_source::run(t, &session, &mut rx).await,
        };
        match next {
            None => return,
            Some((t, reply)) => {
                tracing::info!("the source changes kind with the new settings");
                target = t;
                let _ = reply.send(());
            }
        }
    }
}
