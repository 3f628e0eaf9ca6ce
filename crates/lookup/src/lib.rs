//! Customer lookup for Ringside: who is calling?
//!
//! A caller's number goes through [`normalize()`] (from [`ringside_numbers`]: libphonenumber
//! with a default region, last-digits keys as fallback, hostile input refused with a reason),
//! then to the embedded SQLite [`Directory`]. Each [`Match`] says why it matched ([`MatchReason`]) and
//! carries the customer's active orders. Customers come in by CSV/vCard import ([`import`]) or
//! as the demo directory ([`seed`]). Asking the directory and the configured CRMs at once for a
//! card is the runtime's work (`ringside_runtime::lookup`), not this crate's.
//!
//! ```
//! use ringside_lookup::{normalize, seed_demo, Directory, LookupConfig, MatchReason};
//!
//! let dir = Directory::open_in_memory(LookupConfig::default())?;
//! seed_demo(&dir)?;
//! let number = normalize("+380 (44) 123-45-67", dir.config());
//! let matches = dir.lookup(&number)?;
//! assert_eq!(matches[0].customer.name, "Olena Kovalenko");
//! assert_eq!(matches[0].reason, MatchReason::SameE164);
//! assert_eq!(matches[0].reason_text(), "same E.164");
//! # Ok::<(), ringside_lookup::LookupError>(())
//! ```
//!
//! Nothing here links Tauri, makes a network request or needs an async runtime. The directory
//! is synchronous (see [`directory`] for sharing it between threads). Its file is opened by the
//! shared opener, [`ringside_store_file::Format`].

pub mod directory;
pub mod error;
pub mod import;
pub mod seed;
mod vcard;

pub use directory::{
    Customer, Directory, DirectoryStats, Match, MatchReason, NewCustomer, NewOrder, NewPhone, Order, Phone, Pick,
    CLOSED_STATUSES, DIRECTORY_SOURCE, MAX_MATCHES,
};
pub use error::LookupError;
pub use import::{ColumnMap, ImportIssue, ImportReport, PhoneColumn};
/// How numbers are read (region, suffix length, …): [`ringside_numbers::NumberConfig`], under
/// the name the lookup settings have always had here.
pub use ringside_numbers::NumberConfig as LookupConfig;
pub use ringside_numbers::{normalize, warm_up, NormalizedNumber, NotANumber, NumberKind};
pub use seed::{open_or_seed, seed_demo};
