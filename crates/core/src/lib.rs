//! Ringside's domain core.
//!
//! Every CTI source (Asterisk AMI, the demo PBX, later provider streams) is turned into one
//! source-agnostic stream of [`CallEvent`]s. A [`Session`] folds that stream into [`Call`]s
//! (one per PBX call id, however many legs ring), the agent's [`AgentState`], and the
//! [`CallCard`]s the UI shows; a [`Popup`] folds the cards into what the card window shows.
//! Nothing here does IO or reads the clock: time comes in with the events, so every rule is
//! testable without a PBX or a display.

pub mod agent_state;
pub mod call;
pub mod card;
pub mod error_code;
pub mod event;
pub mod number;
pub mod pause_reason;
pub mod popup;
pub mod relay;
pub mod session;
pub mod team;
pub mod time;

pub use agent_state::{AgentInput, AgentState, Availability, TransitionError};
pub use call::{Call, CallPhase};
pub use card::{
    CallCard, CardStatus, CustomerMatch, LookupOutcome, LookupState, MatchHow, MatchWhy, Money, OrderSummary,
    RecordKind,
};
pub use error_code::{ErrorArgs, ErrorCode, ErrorReport};
pub use event::{CallEvent, CallId, Direction, EndCause, RemoteParty};
pub use pause_reason::{default_pause_reasons, find_pause_reason, PauseReason};
pub use popup::{CardOpensOn, NotifyIncoming, Popup, PopupConfig, PopupView};
pub use session::{
    auto_pause_reason, CtiCommand, NoteChange, Notice, Session, SessionConfig, SessionOutput, UnpauseRequest,
};
pub use team::{MemberState, MemberUpdate, Team, TeamMember};
pub use time::Timestamp;
