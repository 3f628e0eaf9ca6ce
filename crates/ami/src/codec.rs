//! The AMI wire format, with no IO: bytes in, frames out; actions in, bytes out.
//!
//! AMI is a line protocol: one banner line, then messages of `Key: Value` lines ended by an
//! empty line. We accept CRLF and bare LF, any chunking, and invalid UTF-8 (kept lossily, so
//! a stranger's caller ID never stops the stream). A frame larger than `max_frame` is an
//! error, which bounds memory whatever the peer sends.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::{Buf, BytesMut};
use thiserror::Error;

/// Default frame limit: real frames are under 4 kB; command output can be large.
pub const DEFAULT_MAX_FRAME: usize = 1024 * 1024;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CodecError {
    #[error("the server sent a message larger than {limit} bytes without ending it; this is not an AMI server or it is misbehaving")]
    FrameTooLarge { limit: usize },
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EncodeError {
    #[error("the value of `{field}` contains a line break, which would inject another AMI line")]
    LineBreak { field: String },
    #[error("`{field}` is not a valid AMI field name")]
    BadFieldName { field: String },
}

/// (key start, key end, value start, value end) into a message's text.
type Field = (u32, u32, u32, u32);

/// One message: an event, a response, or a list item. Keys keep their order and case;
/// lookups ignore case, as Asterisk's own parser does.
///
/// The messages decoded from one socket read share one text and one field index (two
/// reference-counted allocations for up to [`SHARED_FRAMES`] messages): two allocations per
/// message, made on the connection task and freed on the consumer's, were most of the codec's
/// cost over loopback (issue #14). Cloning a message is cheap; a message kept for long keeps
/// the text of its read alive (at most about 64 KiB), so what is kept for long, such as an
/// action's response, is [`Message::detached`] first.
#[derive(Clone)]
pub struct Message {
    text: Arc<str>,
    fields: Arc<[Field]>,
    /// This message's fields in `fields`.
    span: (u32, u32),
    /// Lines without `: ` (old-style `Response: Follows` command output).
    output: Vec<String>,
}

impl Message {
    /// Builds a message from pairs; for tests and for servers (the demo PBX).
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        let mut text = String::new();
        let mut fields = Vec::new();
        for (k, v) in pairs {
            let ks = text.len();
            text.push_str(k.as_ref());
            let ke = text.len();
            text.push_str(v.as_ref());
            fields.push((ks as u32, ke as u32, ke as u32, text.len() as u32));
        }
        Self::own(text, fields, Vec::new())
    }

    /// A message with a text of its own.
    fn own(text: String, fields: Vec<Field>, output: Vec<String>) -> Self {
        let span = (0, fields.len() as u32);
        Self { text: text.into(), fields: fields.into(), span, output }
    }

    /// The same message with a text of its own, holding nothing of the read it came from.
    pub fn detached(&self) -> Self {
        let mut text = String::new();
        let mut fields = Vec::with_capacity(self.fields().len());
        for (k, v) in self.iter() {
            let ks = text.len() as u32;
            text.push_str(k);
            let ke = text.len() as u32;
            text.push_str(v);
            fields.push((ks, ke, ke, text.len() as u32));
        }
        Self::own(text, fields, self.output.clone())
    }

    fn fields(&self) -> &[Field] {
        self.fields.get(self.span.0 as usize..self.span.1 as usize).unwrap_or(&[])
    }

    /// The first value for `key` (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields().iter().find(|f| self.slice(f.0, f.1).eq_ignore_ascii_case(key)).map(|f| self.slice(f.2, f.3))
    }

    /// Every (key, value) in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields().iter().map(|f| (self.slice(f.0, f.1), self.slice(f.2, f.3)))
    }

    /// Every value for `key`, in order (e.g. several `Output:` lines).
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
    }

    /// The `Event` header. Asterisk writes it first, so this looks there before searching.
    pub fn event(&self) -> Option<&str> {
        self.first_is("Event").or_else(|| self.get("Event"))
    }

    /// The `Response` header; first in every response Asterisk writes.
    pub fn response(&self) -> Option<&str> {
        self.first_is("Response").or_else(|| self.get("Response"))
    }

    pub fn action_id(&self) -> Option<&str> {
        self.get("ActionID")
    }

    fn first_is(&self, key: &str) -> Option<&str> {
        self.fields().first().filter(|f| self.slice(f.0, f.1).eq_ignore_ascii_case(key)).map(|f| self.slice(f.2, f.3))
    }

    /// Command output: `Output:` headers (Asterisk ≥ 14) or raw lines of `Response: Follows`.
    pub fn command_output(&self) -> Vec<&str> {
        let mut lines: Vec<&str> = self.get_all("Output").collect();
        lines.extend(self.output.iter().map(String::as_str));
        lines
    }

    /// The message as AMI text, CRLF-terminated, ending with the blank line.
    pub fn to_wire(&self) -> String {
        let fields = self.fields();
        let body: usize = fields.iter().map(|f| (f.3 - f.0) as usize + 4).sum();
        let mut s = String::with_capacity(body + 2);
        for (k, v) in self.iter() {
            s.push_str(k);
            s.push_str(": ");
            s.push_str(v);
            s.push_str("\r\n");
        }
        for line in &self.output {
            s.push_str(line);
            s.push_str("\r\n");
        }
        s.push_str("\r\n");
        s
    }

    fn slice(&self, start: u32, end: u32) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }
}

/// Equal when the fields and output lines are, whichever text they are kept in.
impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter()) && self.output == other.output
    }
}

impl Eq for Message {}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in self.iter() {
            // Never print a secret, even in debug output.
            if k.eq_ignore_ascii_case("Secret") || k.eq_ignore_ascii_case("Key") {
                m.entry(&k, &"<redacted>");
            } else {
                m.entry(&k, &v);
            }
        }
        m.finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// The first line: `Asterisk Call Manager/11.0.0`.
    Banner(String),
    Message(Message),
}

/// Most messages decoded into one shared text (see [`Message`]).
pub const SHARED_FRAMES: usize = 128;

/// Incremental decoder: `extend` with whatever the socket gave, then drain `next_frame`.
///
/// One pass over the bytes: line ends found while waiting for the blank line are kept
/// (`lines`), so a frame split across reads is never rescanned and parsing does not search
/// for them again. Every complete frame held is decoded at once into `ready`, up to
/// [`SHARED_FRAMES`], their text validated and copied once.
#[derive(Debug)]
pub struct Decoder {
    buf: BytesMut,
    /// Start of the frame being scanned.
    frame_start: usize,
    /// Start of the first line not yet seen complete.
    scanned: usize,
    /// (start, end without CR) of each complete line of the frames found, in `buf`.
    lines: Vec<(usize, usize)>,
    /// The first line in `lines` of the frame being scanned.
    frame_line: usize,
    /// Complete frames found in this pass: their lines in `lines`.
    frames: Vec<(usize, usize)>,
    /// Messages decoded, not yet handed out.
    ready: VecDeque<Message>,
    max_frame: usize,
    expect_banner: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_FRAME)
    }
}

impl Decoder {
    /// A decoder for a client: the first line is the server's banner.
    pub fn new(max_frame: usize) -> Self {
        Self {
            buf: BytesMut::with_capacity(16 * 1024),
            frame_start: 0,
            scanned: 0,
            lines: Vec::with_capacity(32),
            frame_line: 0,
            frames: Vec::new(),
            ready: VecDeque::new(),
            max_frame,
            expect_banner: true,
        }
    }

    /// A decoder for a server reading actions: there is no banner.
    pub fn without_banner(max_frame: usize) -> Self {
        Self { expect_banner: false, ..Self::new(max_frame) }
    }

    pub fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Space to read into, for zero-copy socket reads.
    pub fn buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Bytes held that do not yet form a frame.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    pub fn next_frame(&mut self) -> Result<Option<Frame>, CodecError> {
        if let Some(msg) = self.ready.pop_front() {
            return Ok(Some(Frame::Message(msg)));
        }
        if self.expect_banner {
            let Some(nl) = memchr::memchr(b'\n', &self.buf) else {
                return self.check_limit().map(|_| None);
            };
            let banner = String::from_utf8_lossy(trim_cr(&self.buf[..nl])).into_owned();
            self.buf.advance(nl + 1);
            self.expect_banner = false;
            return Ok(Some(Frame::Banner(banner)));
        }
        self.fill()?;
        Ok(self.ready.pop_front().map(Frame::Message))
    }

    /// Decodes the complete frames held into `ready`; an error only when there is none and
    /// what is held is over the limit.
    fn fill(&mut self) -> Result<(), CodecError> {
        while self.frames.len() < SHARED_FRAMES {
            if self.scanned == self.frame_start {
                // Blank lines between frames are not frames.
                let skip = self.buf[self.frame_start..].iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
                self.frame_start += skip;
                self.scanned = self.frame_start;
            }
            if self.frame_start == self.buf.len() {
                break;
            }
            let Some(end) = self.scan() else { break };
            if self.lines.len() > self.frame_line {
                self.frames.push((self.frame_line, self.lines.len()));
            }
            self.frame_start = end;
            self.scanned = end;
            self.frame_line = self.lines.len();
        }
        if self.frames.is_empty() {
            // Nothing complete: forget the blank bytes skipped, and bound what is held.
            self.consume();
            return self.check_limit();
        }
        self.parse();
        self.frames.clear();
        self.consume();
        Ok(())
    }

    /// Drops the bytes of the frames decoded; the frame being scanned moves to the front.
    fn consume(&mut self) {
        let done = self.frame_start;
        self.buf.advance(done);
        self.lines.drain(..self.frame_line);
        for line in &mut self.lines {
            line.0 -= done;
            line.1 -= done;
        }
        self.frame_line = 0;
        self.frame_start = 0;
        self.scanned -= done;
    }

    fn check_limit(&mut self) -> Result<(), CodecError> {
        if self.buf.len() > self.max_frame {
            // Drop what we hold so memory stays bounded; the connection is closed by the caller.
            self.buf.clear();
            self.scanned = 0;
            self.frame_start = 0;
            self.frame_line = 0;
            self.lines.clear();
            return Err(CodecError::FrameTooLarge { limit: self.max_frame });
        }
        Ok(())
    }

    /// Records complete lines until the empty one that ends the frame; returns the frame's end.
    /// Old `Response: Follows` frames end with `--END COMMAND--` instead.
    fn scan(&mut self) -> Option<usize> {
        let follows = self.buf[self.frame_start..].starts_with(b"Response: Follows");
        let base = self.scanned;
        for off in memchr::memchr_iter(b'\n', &self.buf[base..]) {
            let nl = base + off;
            let start = self.scanned;
            let line = trim_cr(&self.buf[start..nl]);
            self.scanned = nl + 1;
            if line.is_empty() && !follows {
                return Some(nl + 1);
            }
            if follows && line == b"--END COMMAND--" {
                // The blank line after the marker belongs to this frame too.
                let mut end = nl + 1;
                for _ in 0..2 {
                    if matches!(self.buf.get(end), Some(b'\r' | b'\n')) {
                        end += 1;
                    }
                }
                return Some(end);
            }
            if !line.is_empty() {
                self.lines.push((start, start + line.len()));
            }
        }
        None
    }

    /// Builds the messages of `frames` into `ready`, sharing one text when it is all valid UTF-8.
    fn parse(&mut self) {
        let (Some(&(first, _)), Some(&(_, last))) = (self.frames.first(), self.frames.last()) else { return };
        let lo = self.lines[first].0;
        let hi = self.lines[last - 1].1;
        let Ok(text) = std::str::from_utf8(&self.buf[lo..hi]) else {
            // A frame with invalid UTF-8: each frame on its own, the bad ones lossily.
            for &(from, to) in &self.frames {
                let body = &self.buf[self.lines[from].0..self.lines[to - 1].1];
                let msg = match std::str::from_utf8(body) {
                    Ok(text) => parse_frame(text, &self.lines[from..to], self.lines[from].0),
                    Err(_) => parse_lossy(body),
                };
                self.ready.extend(msg);
            }
            return;
        };
        let text: Arc<str> = Arc::from(text);
        let bytes = text.as_bytes();
        let mut fields = Vec::with_capacity(last - first);
        let mut spans = Vec::with_capacity(self.frames.len());
        for &(from, to) in &self.frames {
            let begin = fields.len() as u32;
            let output = split_lines(bytes, &self.lines[from..to], lo, &mut fields);
            spans.push(((begin, fields.len() as u32), output));
        }
        let fields: Arc<[Field]> = fields.into();
        for (span, output) in spans {
            self.ready.push_back(Message { text: text.clone(), fields: fields.clone(), span, output });
        }
    }
}

/// One frame whose text is valid, with its own allocation (the rare path beside a bad frame).
fn parse_frame(text: &str, lines: &[(usize, usize)], base: usize) -> Option<Message> {
    let mut fields = Vec::with_capacity(lines.len());
    let output = split_lines(text.as_bytes(), lines, base, &mut fields);
    Some(Message::own(text.to_owned(), fields, output))
}

/// Splits a frame's lines (offsets in the buffer, `base` where `bytes` starts there) into
/// fields, pushed onto `fields`; returns the lines that are not fields.
fn split_lines(bytes: &[u8], lines: &[(usize, usize)], base: usize, fields: &mut Vec<Field>) -> Vec<String> {
    let mut output = Vec::new();
    for &(ls, le) in lines {
        let (ls, le) = (ls - base, le - base);
        let line = &bytes[ls..le];
        match field_colon(line) {
            Some(colon) => {
                let ke = ls + colon;
                let mut vs = ke + 1;
                if vs < le && bytes[vs] == b' ' {
                    vs += 1;
                }
                fields.push((ls as u32, ke as u32, vs as u32, le as u32));
            }
            None if line == b"--END COMMAND--" => {}
            None => output.push(String::from_utf8_lossy(line).into_owned()),
        }
    }
    output
}

/// The colon that ends a key: keys are short and have no spaces. A plain loop beats a
/// vectorised search on lines this short.
fn field_colon(line: &[u8]) -> Option<usize> {
    for (i, &b) in line.iter().enumerate() {
        match b {
            b':' if i > 0 => return Some(i),
            b' ' | b':' => return None,
            _ => {}
        }
    }
    None
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The rare frame with invalid UTF-8: make it text first, then split it.
fn parse_lossy(body: &[u8]) -> Option<Message> {
    let text = String::from_utf8_lossy(body).into_owned();
    let bytes = text.as_bytes();
    let mut fields = Vec::new();
    let mut output = Vec::new();
    let mut start = 0usize;
    while start <= bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |o| start + o);
        let line_end = if end > start && bytes[end - 1] == b'\r' { end - 1 } else { end };
        let line = &bytes[start..line_end];
        match field_colon(line) {
            Some(colon) => {
                let ke = start + colon;
                let vs = if ke + 1 < line_end && bytes[ke + 1] == b' ' { ke + 2 } else { ke + 1 };
                fields.push((start as u32, ke as u32, vs as u32, line_end as u32));
            }
            None if line.is_empty() || line == b"--END COMMAND--" => {}
            None => output.push(String::from_utf8_lossy(line).into_owned()),
        }
        start = end + 1;
    }
    if fields.is_empty() && output.is_empty() {
        return None;
    }
    Some(Message::own(text, fields, output))
}

/// An action to send. Values are checked: a line break would let a stranger's text
/// (a pause reason, a number) smuggle a second action onto the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub name: String,
    pub fields: Vec<(String, String)>,
}

impl Action {
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), fields: Vec::new() }
    }

    pub fn field(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((key.into(), value.into()));
        self
    }

    /// The wire form with the given ActionID.
    pub fn encode(&self, action_id: &str) -> Result<String, EncodeError> {
        let mut s = String::with_capacity(64 + self.fields.len() * 32);
        push_field(&mut s, "Action", &self.name)?;
        push_field(&mut s, "ActionID", action_id)?;
        for (k, v) in &self.fields {
            push_field(&mut s, k, v)?;
        }
        s.push_str("\r\n");
        Ok(s)
    }
}

fn push_field(s: &mut String, key: &str, value: &str) -> Result<(), EncodeError> {
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(EncodeError::BadFieldName { field: key.to_string() });
    }
    if value.contains(['\r', '\n']) {
        return Err(EncodeError::LineBreak { field: key.to_string() });
    }
    s.push_str(key);
    s.push_str(": ");
    s.push_str(value);
    s.push_str("\r\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(chunks: &[&[u8]]) -> Vec<Frame> {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        for c in chunks {
            d.extend(c);
            while let Some(f) = d.next_frame().unwrap() {
                out.push(f);
            }
        }
        out
    }

    #[test]
    fn banner_then_messages_crlf() {
        let frames = decode_all(&[b"Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\nEvent: FullyBooted\r\nStatus: Fully Booted\r\n\r\n"]);
        assert_eq!(frames[0], Frame::Banner("Asterisk Call Manager/11.0.0".into()));
        let Frame::Message(m) = &frames[1] else { panic!("not a message") };
        assert_eq!(m.response(), Some("Success"));
        assert_eq!(m.get("message"), Some("Authentication accepted"));
        let Frame::Message(e) = &frames[2] else { panic!("not a message") };
        assert_eq!(e.event(), Some("FullyBooted"));
        assert_eq!(frames.len(), 3);
    }

    #[test]
    fn bare_lf_and_byte_by_byte() {
        let wire = b"Asterisk Call Manager/11.0.0\nEvent: Hangup\nCause: 16\nAccountCode: \n\nEvent: Ping\n\n";
        let chunks: Vec<&[u8]> = wire.chunks(1).collect();
        let frames = decode_all(&chunks);
        assert_eq!(frames.len(), 3);
        let Frame::Message(m) = &frames[1] else { panic!("not a message") };
        assert_eq!(m.get("Cause"), Some("16"));
        assert_eq!(m.get("AccountCode"), Some(""));
    }

    #[test]
    fn value_keeps_colons_and_invalid_utf8_is_lossy() {
        let mut wire = b"Asterisk Call Manager/11.0.0\r\nEvent: Newexten\r\nAppData: a: b\r\nCallerIDName: ".to_vec();
        wire.extend_from_slice(&[0xff, 0xfe, b'X']);
        wire.extend_from_slice(b"\r\n\r\n");
        let frames = decode_all(&[&wire]);
        let Frame::Message(m) = &frames[1] else { panic!("not a message") };
        assert_eq!(m.get("AppData"), Some("a: b"));
        assert_eq!(m.get("CallerIDName"), Some("\u{fffd}\u{fffd}X"));
    }

    #[test]
    fn oversized_frame_is_an_error_and_memory_is_released() {
        let mut d = Decoder::new(1024);
        d.extend(b"Asterisk Call Manager/11.0.0\r\n");
        assert!(matches!(d.next_frame(), Ok(Some(Frame::Banner(_)))));
        d.extend(&vec![b'A'; 2048]);
        assert_eq!(d.next_frame(), Err(CodecError::FrameTooLarge { limit: 1024 }));
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn old_style_follows_output() {
        let frames = decode_all(&[b"Asterisk Call Manager/1.1\r\nResponse: Follows\r\nActionID: 7\r\nPrivilege: Command\r\nline one\r\nline two\r\n--END COMMAND--\r\n\r\nEvent: X\r\n\r\n"]);
        let Frame::Message(m) = &frames[1] else { panic!("not a message") };
        assert_eq!(m.action_id(), Some("7"));
        assert_eq!(m.command_output(), vec!["line one", "line two"]);
        assert!(matches!(&frames[2], Frame::Message(e) if e.event() == Some("X")));
    }

    #[test]
    fn frames_decoded_together_split_across_reads_keep_their_order() {
        let mut wire = b"Asterisk Call Manager/11.0.0\r\n".to_vec();
        for n in 0..300 {
            wire.extend_from_slice(format!("Event: E\r\nSeq: {n}\r\nCallerIDName: caller {n}\r\n\r\n").as_bytes());
        }
        let whole = decode_all(&[&wire]);
        for size in [1, 7, 64, 1000, 4096] {
            let chunks: Vec<&[u8]> = wire.chunks(size).collect();
            assert_eq!(decode_all(&chunks), whole, "chunks of {size}");
        }
        assert_eq!(whole.len(), 301);
        for (n, f) in whole[1..].iter().enumerate() {
            let Frame::Message(m) = f else { panic!("not a message") };
            assert_eq!(m.get("Seq"), Some(n.to_string().as_str()));
            assert_eq!(m.get("callerIDname"), Some(format!("caller {n}").as_str()));
            assert_eq!(m.iter().count(), 3, "a message sees only its own fields");
        }
    }

    #[test]
    fn a_message_from_a_shared_read_equals_one_built_alone_and_detaches() {
        let frames = decode_all(&[b"Asterisk Call Manager/11.0.0\r\nEvent: A\r\nX: 1\r\n\r\nEvent: B\r\nX: 2\r\n\r\n"]);
        let Frame::Message(b) = &frames[2] else { panic!("not a message") };
        assert_eq!(*b, Message::from_pairs([("Event", "B"), ("X", "2")]));
        let alone = b.detached();
        assert_eq!(&alone, b);
        assert_eq!(alone.to_wire(), "Event: B\r\nX: 2\r\n\r\n");
        assert_ne!(*b, Message::from_pairs([("Event", "B"), ("X", "3")]));
    }

    #[test]
    fn a_bad_frame_among_good_ones_is_lossy_alone() {
        let mut wire = b"Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\nEvent: B\r\nName: ".to_vec();
        wire.extend_from_slice(&[0xff, b'x']);
        wire.extend_from_slice(b"\r\n\r\nEvent: C\r\n\r\n");
        let frames = decode_all(&[&wire]);
        let names: Vec<_> = frames[1..]
            .iter()
            .map(|f| match f {
                Frame::Message(m) => (m.event().map(str::to_owned), m.get("Name").map(str::to_owned)),
                Frame::Banner(_) => panic!("not a message"),
            })
            .collect();
        assert_eq!(
            names,
            vec![(Some("A".into()), None), (Some("B".into()), Some("\u{fffd}x".into())), (Some("C".into()), None)]
        );
    }

    #[test]
    fn complete_frames_come_out_before_the_oversized_one_is_an_error() {
        let mut d = Decoder::new(1024);
        d.extend(b"Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\nEvent: B\r\n\r\nEvent: Huge\r\nData: ");
        d.extend(&vec![b'A'; 2048]);
        assert!(matches!(d.next_frame(), Ok(Some(Frame::Banner(_)))));
        assert!(matches!(d.next_frame(), Ok(Some(Frame::Message(m))) if m.event() == Some("A")));
        assert!(matches!(d.next_frame(), Ok(Some(Frame::Message(m))) if m.event() == Some("B")));
        assert_eq!(d.next_frame(), Err(CodecError::FrameTooLarge { limit: 1024 }));
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn actions_refuse_line_breaks() {
        let ok = Action::new("QueuePause").field("Interface", "Local/100@agents").field("Reason", "Lunch");
        assert_eq!(
            ok.encode("a1").unwrap(),
            "Action: QueuePause\r\nActionID: a1\r\nInterface: Local/100@agents\r\nReason: Lunch\r\n\r\n"
        );
        let evil = Action::new("QueuePause").field("Reason", "x\r\n\r\nAction: Originate");
        assert!(matches!(evil.encode("a2"), Err(EncodeError::LineBreak { .. })));
    }

    #[test]
    fn debug_redacts_secrets() {
        let m = Message::from_pairs([("Action", "Login"), ("Secret", "hunter2")]);
        assert!(!format!("{m:?}").contains("hunter2"));
    }
}
