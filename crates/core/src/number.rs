//! The number rules the card and every caller of the core use: which characters only format a
//! number, what may be dialed, and a formatting-blind key. They live in `ringside-numbers`
//! (without its libphonenumber part), so that lookup, the dialer and the core read numbers by
//! one definition; they are re-exported here for the card and for the crates that reach them
//! through the core.

pub use ringside_numbers::{
    dialable, is_internal_extension, is_visual_separator, normalize_digits, CharName, DialError, MAX_DIAL_LEN,
};
