//! What the agent sees, read from the X server: the card window's pixels on the screen, polled
//! while a call rings. The probe in the page says when WebKit ran its animation frames; this
//! says when the card was on the screen, without trusting the page or the shell.
//!
//! Each poll asks whether the card window is mapped and, when it is, reads its rectangle of the
//! screen (`GetImage` on the root window: what is displayed there, the card window being on
//! top) and keeps a hash of it. A frame is "blank" when every pixel is the same (a window
//! mapped before WebKit drew into it).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ImageFormat, MapState, Window};
use x11rb::rust_connection::RustConnection;

/// The title of the card window (`src-tauri/card_window.rs`).
const TITLE: &[u8] = b"Ringside call";

pub struct Screen {
    conn: RustConnection,
    root: Window,
    card: Option<Window>,
}

/// One poll.
#[derive(Clone)]
pub struct Frame {
    /// Microseconds since the Unix epoch, when the image was read.
    pub unix_us: u64,
    /// `None`: the window was not mapped.
    pub image: Option<Image>,
}

#[derive(Clone)]
pub struct Image {
    pub hash: u64,
    pub blank: bool,
    pub width: u16,
    pub height: u16,
    /// Kept only when the caller asked for frames (`--frames`).
    pub pixels: Option<Vec<u8>>,
}

/// What one call looked like on the screen.
pub struct Seen {
    /// The window mapped with something drawn in it.
    pub drawn: Option<u64>,
    /// The image the call's card settled on (the last one before the call stopped ringing)
    /// appeared, and stayed until the end of the watch.
    pub settled: Option<u64>,
    /// Distinct images shown before the settled one (a card without the customer's name yet,
    /// or anything stale).
    pub before_settled: usize,
    /// Polls made, and their mean interval.
    pub polls: usize,
    pub mean_interval_us: u64,
}

impl Screen {
    pub fn connect() -> Result<Self, String> {
        let (conn, screen) = x11rb::connect(None).map_err(|e| format!("X: {e}"))?;
        let root = conn.setup().roots[screen].root;
        Ok(Screen { conn, root, card: None })
    }

    /// The card window, found by its title anywhere in the window tree.
    fn card_window(&mut self) -> Option<Window> {
        if self.card.is_none() {
            self.card = self.find(self.root, 0);
        }
        self.card
    }

    fn find(&self, window: Window, depth: usize) -> Option<Window> {
        if depth > 4 {
            return None;
        }
        let name = self
            .conn
            .get_property(
                false,
                window,
                x11rb::protocol::xproto::AtomEnum::WM_NAME,
                x11rb::protocol::xproto::AtomEnum::ANY,
                0,
                64,
            )
            .ok()?
            .reply()
            .ok()?;
        if name.value == TITLE {
            return Some(window);
        }
        let tree = self.conn.query_tree(window).ok()?.reply().ok()?;
        tree.children.iter().find_map(|&child| self.find(child, depth + 1))
    }

    fn poll(&mut self, keep_pixels: bool) -> Frame {
        let image = self.read(keep_pixels);
        Frame { unix_us: crate::now_us(), image }
    }

    fn read(&mut self, keep_pixels: bool) -> Option<Image> {
        let card = self.card_window()?;
        let attributes = self.conn.get_window_attributes(card).ok()?.reply().ok()?;
        if attributes.map_state != MapState::VIEWABLE {
            return None;
        }
        let geometry = self.conn.get_geometry(card).ok()?.reply().ok()?;
        let at = self.conn.translate_coordinates(card, self.root, 0, 0).ok()?.reply().ok()?;
        let (width, height) = (geometry.width, geometry.height);
        let image = self
            .conn
            .get_image(ImageFormat::Z_PIXMAP, self.root, at.dst_x, at.dst_y, width, height, !0)
            .ok()?
            .reply()
            .ok()?;
        let data = image.data;
        let mut hasher = DefaultHasher::new();
        data.hash(&mut hasher);
        let first = data.get(..4).unwrap_or(&[]);
        let blank = data.chunks_exact(4).all(|p| p == first);
        Some(Image { hash: hasher.finish(), blank, width, height, pixels: keep_pixels.then_some(data) })
    }

    /// Polls for `how_long` (about every millisecond); keeps the frames where the picture
    /// changed, and the last one.
    pub fn watch(&mut self, how_long: Duration, keep_pixels: bool) -> Watch {
        let start = Instant::now();
        let end = start + how_long;
        let mut frames: Vec<Frame> = Vec::with_capacity(64);
        let mut polls = 0;
        while Instant::now() < end {
            let frame = self.poll(keep_pixels);
            polls += 1;
            let changed = frames
                .last()
                .is_none_or(|last| last.image.as_ref().map(|i| i.hash) != frame.image.as_ref().map(|i| i.hash));
            if changed {
                frames.push(frame);
            }
            std::thread::sleep(Duration::from_micros(700));
        }
        frames.push(self.poll(keep_pixels));
        Watch { frames, polls: polls + 1, span_us: start.elapsed().as_micros() as u64 }
    }
}

pub struct Watch {
    pub frames: Vec<Frame>,
    pub polls: usize,
    pub span_us: u64,
}

/// When the card was drawn, and when it settled, from the frames of one call.
pub fn seen(watch: &Watch) -> Seen {
    let frames = &watch.frames;
    let drawn = frames.iter().find(|f| f.image.as_ref().is_some_and(|i| !i.blank)).map(|f| f.unix_us);
    let last = frames.last().and_then(|f| f.image.as_ref()).filter(|i| !i.blank).map(|i| i.hash);
    // The first frame of the final run of the settled image.
    let mut settled = None;
    if let Some(hash) = last {
        for f in frames.iter().rev() {
            if f.image.as_ref().map(|i| i.hash) == Some(hash) {
                settled = Some(f.unix_us);
            } else {
                break;
            }
        }
    }
    let mut before = std::collections::HashSet::new();
    for f in frames {
        if Some(f.unix_us) == settled {
            break;
        }
        if let Some(i) = f.image.as_ref().filter(|i| !i.blank) {
            before.insert(i.hash);
        }
    }
    Seen {
        drawn,
        settled,
        before_settled: before.len(),
        polls: watch.polls,
        mean_interval_us: watch.span_us / watch.polls.max(1) as u64,
    }
}

/// Writes each distinct non-blank frame as a PPM image (`convert` makes PNGs of them).
pub fn save(frames: &[Frame], dir: &Path, call: usize, t0: u64) {
    let _ = std::fs::create_dir_all(dir);
    for f in frames {
        let Some(image) = &f.image else { continue };
        let Some(pixels) = &image.pixels else { continue };
        let ms = (f.unix_us.saturating_sub(t0)) as f64 / 1e3;
        let path = dir.join(format!("call{call:03}-{ms:07.1}ms.ppm"));
        let mut out = format!("P6\n{} {}\n255\n", image.width, image.height).into_bytes();
        for p in pixels.chunks_exact(4) {
            // Z-pixmap, 24-bit depth on a little-endian server: B, G, R, unused.
            out.extend_from_slice(&[p[2], p[1], p[0]]);
        }
        let _ = std::fs::write(path, out);
    }
}
