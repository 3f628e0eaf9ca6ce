#!/usr/bin/env bash
# Runs a command on a display of its own: Xvfb (a free display number) + openbox (a window
# manager, so "always on top", "skip taskbar" and showing without focus behave as on a
# desktop), inside a D-Bus session of its own (the tray's StatusNotifier, notifications and
# the single-instance lock use the session bus). Stops what it started.
#   bench/popup/under-xvfb.sh cargo run --release --manifest-path bench/popup/Cargo.toml -- ...
set -euo pipefail
if [[ -z "${DBUS_SESSION_BUS_ADDRESS:-}" || "${UNDER_XVFB_DBUS:-}" != 1 ]]; then
  export UNDER_XVFB_DBUS=1
  exec dbus-run-session -- "$0" "$@"
fi
fifo=$(mktemp -u)
mkfifo "$fifo"
Xvfb -displayfd 5 -screen 0 1920x1080x24 -nolisten tcp 5>"$fifo" &
xvfb=$!
read -r display <"$fifo"
rm -f "$fifo"
export DISPLAY=":$display"
# Services the bus starts (the notification server) draw on this display too.
dbus-update-activation-environment DISPLAY 2>/dev/null || true
openbox >/dev/null 2>&1 &
wm=$!
# Notifications in the bottom-left corner, so they never cover the card window's pixels.
notifications=
if command -v dunst >/dev/null; then
  dunst -config "$(dirname "$0")/dunstrc" >/dev/null 2>&1 &
  notifications=$!
fi
cleanup() {
  [[ -n "$notifications" ]] && kill "$notifications" 2>/dev/null
  kill "$wm" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
}
trap cleanup EXIT
sleep 1
# A desktop session has its accessibility bus up before any app starts; start it here too, so
# the first app's start does not include launching it.
dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus org.a11y.Bus.GetAddress >/dev/null 2>&1 || true
"$@"
