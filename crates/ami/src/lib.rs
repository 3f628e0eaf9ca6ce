//! Asterisk Manager Interface, in the tokio-postgres shape: [`codec`] turns bytes into frames
//! with no IO; [`connection`] owns the socket; [`client::Client`] is a cheap handle that sends
//! actions and awaits their responses by ActionID; [`tracker`] turns AMI events into
//! Ringside's source-agnostic `CallEvent`s for one agent; [`fanout::Fanout`] hands each event
//! of a whole PBX only to the trackers it can concern.

pub mod actions;
pub mod backoff;
pub mod client;
pub mod codec;
mod connection;
pub mod doctor;
pub mod error;
pub mod fanout;
pub mod originate;
pub mod recording;
pub mod team;
pub mod tracker;

pub use backoff::Backoff;
pub use client::{connect, Client, ConnectOptions, Events, Secret};
pub use codec::{Action, Message};
pub use error::AmiError;
pub use fanout::Fanout;
pub use recording::RecordingLink;
pub use tracker::{AgentIdentity, CallTracker};
