//! The call card window: created hidden at start, shown when the runtime's popup names a call,
//! hidden when it names none. Always on top, not in the taskbar, and shown **without taking the
//! keyboard focus** (the agent may be typing in the CRM): on Linux the GTK window does not take
//! focus when mapped (`focus_on_map = false`) yet can be clicked into to type a note; tao shows
//! it with `show_all`, never `present`. It sits in a corner of the work area of the monitor with
//! the pointer, sized to its cards by the page (`fit_card_window`), and stays where the agent
//! drags it for the rest of the run.
//!
//! A webview that is hidden paints nothing, and a window mapped again first shows the picture it
//! had when it was hidden until WebKit paints anew (30–60 ms later): hidden at once, the card
//! window would come back showing the previous caller's card. So when the last call leaves, the
//! page first paints the empty window (`card_window_painted`) and only then is it hidden (at the
//! latest after [`EMPTY_WAIT`]); shown again, it briefly shows that empty bar, never a stale card.
//! And a call's window is shown once the page has measured the new cards (`fit_card_window`, at
//! the latest after [`FIT_WAIT`]): it maps at the cards' size instead of growing to it after.

use std::sync::Mutex;
use std::time::Duration;

use ringside_config::CardCorner;
use tauri::{
    AppHandle, Emitter, Manager, PhysicalPosition, PhysicalSize, WebviewUrl, WebviewWindow, WebviewWindowBuilder,
};

/// The label of the card window.
pub const CARD_WINDOW: &str = "card";
/// Logical width of the card window.
const WIDTH: f64 = 380.0;
/// Its height before the page has measured its cards.
const FIRST_HEIGHT: f64 = 220.0;
/// Space between the window and the work area's edge, logical pixels.
const MARGIN: f64 = 12.0;
/// How long the window waits for its page to paint the empty window before it hides anyway.
const EMPTY_WAIT: Duration = Duration::from_millis(150);
/// How long a call's window waits for its page to measure the cards before it shows anyway.
const FIT_WAIT: Duration = Duration::from_millis(40);

/// Where the card window goes, and where the agent put it.
#[derive(Default)]
pub struct Placement {
    /// The agent dragged it here: it stays (top-left corner, physical pixels).
    dragged_to: Mutex<Option<PhysicalPosition<i32>>>,
    /// The position Ringside itself asked for last: a `Moved` event to it is not the agent's.
    ours: Mutex<Option<PhysicalPosition<i32>>>,
    /// The height the page asked for last, logical pixels.
    height: Mutex<f64>,
    /// `[ui] card_corner`.
    corner: Mutex<CardCorner>,
    /// The agent is dragging the window by its bar: its moves are theirs. Any other move (the
    /// window manager placing a window it maps) is not, and must not pin the window there.
    dragging: Mutex<bool>,
    /// A step waiting for the page: showing (until it measured the new cards) or hiding (until
    /// it painted the empty window); numbered, so a late timer knows it is late.
    pending: Mutex<Option<(Pending, u64)>>,
    asked: Mutex<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Show,
    Hide,
}

/// Creates the hidden card window. A failure leaves Ringside without popups (the desk still
/// shows every card), never without its desk.
/// `[ui] card_corner` changed in the settings: the next card opens there (unless the agent
/// dragged the window somewhere).
pub fn set_corner(app: &AppHandle, corner: CardCorner) {
    if let Some(placement) = app.try_state::<Placement>() {
        *placement.corner.lock().unwrap_or_else(|p| p.into_inner()) = corner;
    }
}

pub fn build(app: &AppHandle, corner: CardCorner) -> tauri::Result<()> {
    *app.state::<Placement>().corner.lock().unwrap_or_else(|p| p.into_inner()) = corner;
    let window = WebviewWindowBuilder::new(app, CARD_WINDOW, WebviewUrl::App("card.html".into()))
        .title(crate::words::current(app).get("card-window-title"))
        .inner_size(WIDTH, FIRST_HEIGHT)
        .resizable(true)
        .decorations(false)
        .always_on_top(true)
        .skip_taskbar(true)
        .visible_on_all_workspaces(true)
        .visible(false)
        .focused(false)
        .build()?;
    #[cfg(target_os = "linux")]
    if let Ok(gtk_window) = window.gtk_window() {
        use gtk::prelude::GtkWindowExt;
        gtk_window.set_focus_on_map(false);
        gtk_window.set_type_hint(gtk::gdk::WindowTypeHint::Utility);
    }
    crate::draw_without_gpu(&window);
    *app.state::<Placement>().height.lock().unwrap_or_else(|p| p.into_inner()) = FIRST_HEIGHT;
    let _ = window;
    Ok(())
}

/// The window's title in the agent's language (the page words itself).
pub fn reword(app: &AppHandle) {
    if let Some(window) = window(app) {
        let _ = window.set_title(&crate::words::current(app).get("card-window-title"));
    }
}

fn window(app: &AppHandle) -> Option<WebviewWindow> {
    app.get_webview_window(CARD_WINDOW)
}

/// Shows the window (in its place, without focus) when the popup names calls, once its page has
/// measured them; hides it, once its page painted the empty window, when not.
pub fn show_calls(app: &AppHandle, calls: usize) {
    let Some(window) = window(app) else { return };
    let visible = window.is_visible().unwrap_or(false);
    let wanted = if calls == 0 { Pending::Hide } else { Pending::Show };
    let placement = app.state::<Placement>();
    let asked = {
        let mut pending = placement.pending.lock().unwrap_or_else(|p| p.into_inner());
        let already = match wanted {
            Pending::Hide => !visible,
            Pending::Show => visible,
        };
        if already {
            *pending = None; // cancels the opposite
            return;
        }
        if matches!(*pending, Some((p, _)) if p == wanted) {
            return;
        }
        let mut asked = placement.asked.lock().unwrap_or_else(|p| p.into_inner());
        *asked += 1;
        *pending = Some((wanted, *asked));
        *asked
    };
    let app = app.clone();
    let wait = if wanted == Pending::Show { FIT_WAIT } else { EMPTY_WAIT };
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(wait).await;
        if take_pending(&app, wanted, Some(asked)) {
            tracing::debug!(?wanted, "the card window's page did not answer within {wait:?}; going on without it");
            match wanted {
                Pending::Show => show_now(&app),
                Pending::Hide => hide_now(&app),
            }
        }
    });
}

/// Clears the pending step when it is `what` (and, with `asked`, that very request).
fn take_pending(app: &AppHandle, what: Pending, asked: Option<u64>) -> bool {
    let placement = app.state::<Placement>();
    let mut pending = placement.pending.lock().unwrap_or_else(|p| p.into_inner());
    match *pending {
        Some((p, n)) if p == what && asked.is_none_or(|a| a == n) => {
            *pending = None;
            true
        }
        _ => false,
    }
}

fn show_now(app: &AppHandle) {
    let Some(window) = window(app) else { return };
    *app.state::<Placement>().dragging.lock().unwrap_or_else(|p| p.into_inner()) = false;
    place(app, &window);
    if let Err(e) = window.show() {
        tracing::warn!(error = %e, "the call card window could not be shown");
    }
    // A window manager may place a window it maps where it likes: put it back in its place.
    place(app, &window);
    if crate::probe::enabled() {
        crate::probe::mark("window-shown", None, None);
        // The page reports when it painted after being shown.
        let _ = window.emit_to(CARD_WINDOW, crate::probe::EVENT_SHOWN, ());
    }
    // Some window managers drop "above" while a window is unmapped.
    let _ = window.set_always_on_top(true);
}

/// The card window's page painted what it was last sent: a window waiting to hide hides now.
pub fn painted(app: &AppHandle) {
    if take_pending(app, Pending::Hide, None) {
        hide_now(app);
    }
}

fn hide_now(app: &AppHandle) {
    let Some(window) = window(app) else { return };
    if crate::probe::enabled() && window.is_visible().unwrap_or(false) {
        crate::probe::mark("window-hidden", None, None);
    }
    let _ = window.hide();
}

/// The page measured its cards: the window takes that height (at most the work area's) and
/// stays in its corner (or where the agent dragged it). A window waiting for that shows now.
pub fn fit(app: &AppHandle, height: f64) {
    let Some(window) = window(app) else { return };
    let height = height.clamp(40.0, 2000.0);
    *app.state::<Placement>().height.lock().unwrap_or_else(|p| p.into_inner()) = height;
    if take_pending(app, Pending::Show, None) {
        show_now(app);
    } else {
        place(app, &window);
    }
}

/// The agent pressed on the window's bar: it follows the pointer until they let go.
pub fn start_drag(app: &AppHandle) {
    let Some(window) = window(app) else { return };
    *app.state::<Placement>().dragging.lock().unwrap_or_else(|p| p.into_inner()) = true;
    if let Err(e) = window.start_dragging() {
        tracing::debug!(error = %e, "the card window cannot be dragged");
    }
}

/// The window moved: when the agent drags it, it stays where they put it.
pub fn moved(app: &AppHandle, to: PhysicalPosition<i32>) {
    let placement = app.state::<Placement>();
    let ours = *placement.ours.lock().unwrap_or_else(|p| p.into_inner());
    let dragging = *placement.dragging.lock().unwrap_or_else(|p| p.into_inner());
    if ours != Some(to) && dragging {
        *placement.dragged_to.lock().unwrap_or_else(|p| p.into_inner()) = Some(to);
    }
}

/// Sizes the window and puts it in its corner of the monitor with the pointer.
fn place(app: &AppHandle, window: &WebviewWindow) {
    let placement = app.state::<Placement>();
    let height = *placement.height.lock().unwrap_or_else(|p| p.into_inner());
    let monitor = app
        .cursor_position()
        .ok()
        .and_then(|p| app.monitor_from_point(p.x, p.y).ok().flatten())
        .or_else(|| app.primary_monitor().ok().flatten())
        .or_else(|| window.current_monitor().ok().flatten());
    let Some(monitor) = monitor else {
        let _ = window.set_size(tauri::LogicalSize::new(WIDTH, height));
        return;
    };
    let scale = monitor.scale_factor();
    let area = monitor.work_area();
    let margin = (MARGIN * scale).round() as i32;
    let width = (WIDTH * scale).round() as u32;
    let max_height = area.size.height.saturating_sub(2 * margin as u32).max(80);
    let height = ((height * scale).round() as u32).min(max_height);
    let _ = window.set_size(PhysicalSize::new(width, height));

    let dragged = *placement.dragged_to.lock().unwrap_or_else(|p| p.into_inner());
    let wanted = *placement.corner.lock().unwrap_or_else(|p| p.into_inner());
    let position = dragged.unwrap_or_else(|| corner(wanted, area, width, height, margin));
    *placement.ours.lock().unwrap_or_else(|p| p.into_inner()) = Some(position);
    let _ = window.set_position(position);
}

/// The corner of the work area nearest the tray: Windows', KDE's, Xfce's, LXQt's and Cinnamon's
/// tray is at the bottom right; macOS's menu bar and GNOME's top bar keep theirs at the top right.
fn nearest_the_tray() -> CardCorner {
    if cfg!(target_os = "windows") {
        return CardCorner::BottomRight;
    }
    if cfg!(target_os = "linux") {
        let desktop = std::env::var("XDG_CURRENT_DESKTOP").unwrap_or_default().to_ascii_lowercase();
        if ["kde", "xfce", "lxqt", "cinnamon"].iter().any(|d| desktop.contains(d)) {
            return CardCorner::BottomRight;
        }
    }
    CardCorner::TopRight
}

fn corner(
    corner: CardCorner,
    area: &tauri::PhysicalRect<i32, u32>,
    width: u32,
    height: u32,
    margin: i32,
) -> PhysicalPosition<i32> {
    let left = area.position.x + margin;
    let right = area.position.x + area.size.width as i32 - width as i32 - margin;
    let top = area.position.y + margin;
    let bottom = area.position.y + area.size.height as i32 - height as i32 - margin;
    let corner = if corner == CardCorner::Auto { nearest_the_tray() } else { corner };
    match corner {
        CardCorner::TopLeft => PhysicalPosition::new(left, top),
        CardCorner::BottomLeft => PhysicalPosition::new(left, bottom),
        CardCorner::BottomRight => PhysicalPosition::new(right, bottom),
        CardCorner::TopRight | CardCorner::Auto => PhysicalPosition::new(right, top),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_corner_is_inside_the_work_area_with_its_margin() {
        // A 1920×1040 work area below a 40 px top panel, on a monitor right of another.
        let area =
            tauri::PhysicalRect { position: PhysicalPosition::new(1920, 40), size: PhysicalSize::new(1920, 1040) };
        let at = |c| corner(c, &area, 380, 300, 12);
        assert_eq!(at(CardCorner::TopRight), PhysicalPosition::new(1920 + 1920 - 380 - 12, 52));
        assert_eq!(at(CardCorner::BottomRight), PhysicalPosition::new(1920 + 1920 - 380 - 12, 40 + 1040 - 300 - 12));
        assert_eq!(at(CardCorner::TopLeft), PhysicalPosition::new(1932, 52));
        assert_eq!(at(CardCorner::BottomLeft), PhysicalPosition::new(1932, 40 + 1040 - 300 - 12));
        assert!(matches!(at(CardCorner::Auto).x, x if x == 1920 + 1920 - 380 - 12), "auto is a right-hand corner");
    }
}
