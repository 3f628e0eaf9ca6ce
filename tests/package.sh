#!/usr/bin/env bash
# The .deb as an agent's IT department installs it, on this machine (Debian 12), then removed:
#
#   tests/package.sh target/debug/bundle/deb/Ringside_0.1.0_amd64.deb
#
# Checks, in order: `apt-get install ./…deb` pulls in what Ringside needs; the desktop entry
# registers tel:, callto: and sip:; the installed `ringside-cli --version` and `doctor` against
# a demo PBX; `xdg-mime default` makes Ringside the tel: handler; Ringside started from the
# desktop menu (`gtk-launch`) docks in the tray on the demo PBX and a tel: link opened with
# xdg-open reaches it; `apt-get purge` stops it and leaves no file of the package and nothing
# in the home folder outside the user's config, data, state and cache folders.
#
# Needs a display with a tray (dev.sh runs it under Xvfb with openbox, and starts trayer here),
# root or sudo, and a machine without another ringside package. Run by `./dev.sh test`.
set -euo pipefail
# With pipefail, `producer | grep -q` fails when grep exits at its first match and the producer,
# still writing, dies of SIGPIPE: `has` reads all of its input instead.
has() { grep "$@" >/dev/null; }

deb=$(readlink -f "${1:?usage: tests/package.sh PACKAGE.deb}")
say() { printf '\033[1m==> package: %s\033[0m\n' "$*" >&2; }
fail() { printf 'package test: FAILED: %s\n' "$*" >&2; exit 1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

[[ -f $deb ]] || fail "no package at $deb"
if dpkg-query -W -f='${Status}' ringside 2>/dev/null | has 'install ok installed'; then
  fail "a ringside package is already installed on this machine; remove it first (apt-get purge ringside)"
fi

work=$(mktemp -d)
home="$work/home"
mkdir -p "$home"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Never leave the package behind, whatever failed.
  if dpkg-query -W -f='${Status}' ringside 2>/dev/null | has 'installed'; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ringside >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

say "installing $(basename "$deb")"
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$deb" >"$work/apt.log" 2>&1 \
  || { cat "$work/apt.log" >&2; fail "apt-get install refused the package"; }
mapfile -t files < <(dpkg -L ringside | while read -r f; do [[ -f $f ]] && echo "$f"; done)
printf '%s\n' "${files[@]}" >"$work/files"
for want in /usr/bin/ringside /usr/bin/ringside-cli; do
  [[ -x $want ]] || fail "$want is not installed"
done
desktop=$(grep -m1 '^/usr/share/applications/.*\.desktop$' "$work/files") || fail "no desktop entry installed"
desktop_id=$(basename "$desktop")
grep -q '^/usr/share/icons/hicolor/.*/apps/ringside\.png$' "$work/files" || fail "no icon installed"
desktop-file-validate "$desktop" || fail "$desktop_id does not validate"
for scheme in tel callto sip; do
  grep -q "^MimeType=.*x-scheme-handler/$scheme;" "$desktop" || fail "$desktop_id does not register $scheme:"
done
dpkg-deb -f "$deb" Depends | has 'libwebkit2gtk-4.1-0' || fail "the package does not declare WebKitGTK"
dpkg-deb -f "$deb" Depends | has 'libayatana-appindicator3-1' || fail "the package does not declare the tray library"

# From here on, a user's session: its own home, XDG folders and D-Bus session bus.
export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
  XDG_STATE_HOME="$home/.local/state" XDG_CACHE_HOME="$home/.cache" NO_AT_BRIDGE=1
unset RINGSIDE_CONFIG RINGSIDE_LOG_FILE RUST_LOG

say "ringside-cli --version and doctor against a demo PBX"
version=$(/usr/bin/ringside-cli --version) || fail "ringside-cli --version failed"
[[ $version == "ringside-cli "* ]] || fail "ringside-cli --version printed $version"
/usr/bin/ringside-cli demo-pbx --listen 127.0.0.1:0 >"$work/demo.log" 2>&1 &
pids+=($!)
port=
for _ in $(seq 100); do
  port=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/demo.log" | head -1 | cut -d: -f2) && [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { cat "$work/demo.log" >&2; fail "the installed ringside-cli demo-pbx did not listen"; }
mkdir -p "$work/doctor"
printf '[demo]\nlisten = "127.0.0.1:%s"\n' "$port" >"$work/doctor/config.toml"
RINGSIDE_CONFIG="$work/doctor/config.toml" /usr/bin/ringside-cli doctor >"$work/doctor.out" 2>&1 \
  || { cat "$work/doctor.out" >&2; fail "ringside-cli doctor failed against the demo PBX"; }

say "Ringside as the tel: handler"
xdg-mime default "$desktop_id" x-scheme-handler/tel x-scheme-handler/callto x-scheme-handler/sip
handler=$(xdg-mime query default x-scheme-handler/tel)
[[ $handler == "$desktop_id" ]] || fail "xdg-mime names $handler for tel:, not $desktop_id"

say "started from the desktop menu, into the tray, on the demo PBX"
trayer --edge top --align right --widthtype pixel --width 120 --heighttype pixel --height 24 >/dev/null 2>&1 &
pids+=($!)
tray_up() { [[ -n $(xdotool search --class trayer 2>/dev/null) ]]; }
for _ in $(seq 100); do tray_up && break; sleep 0.1; done
tray_up || fail "trayer (the test's tray) did not start"
# Its window comes a moment before it takes the tray selection.
sleep 1
gtk-launch "${desktop_id%.desktop}" >/dev/null 2>&1 || fail "gtk-launch could not start $desktop_id"
log_dir="$XDG_STATE_HOME/ringside/logs"
log_has() { cat "$log_dir"/ringside.*.log 2>/dev/null | has "$1"; }
try_for() { # seconds, command...
  local secs=$1
  shift
  for _ in $(seq $((secs * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}
wait_for() { # what, seconds, command...
  local what=$1
  shift
  try_for "$@" && return 0
  cat "$log_dir"/ringside.*.log >&2 2>/dev/null || true
  fail "$what"
}
running() { pgrep -x ringside >/dev/null; }
wait_for "Ringside did not start from the menu" 20 running
wait_for "Ringside did not connect to its embedded demo PBX" 30 log_has "connected to AMI"
# The icon trayer holds: a window whose class names the tray icon and Ringside.
in_tray() { xwininfo -root -tree | has '("tray-icon[^"]*ringside"'; }
if ! try_for 40 in_tray; then
  cat "$log_dir"/ringside.*.log >&2 2>/dev/null || true
  echo "trayer: $(pgrep -a trayer || echo 'not running')" >&2
  echo "windows about a tray or Ringside:" >&2
  xwininfo -root -tree | grep -iE 'tray|ringside' >&2 || true
  fail "Ringside's icon is not in the tray"
fi

say "a tel: link reaches the running Ringside"
xdg-open "tel:+380441234567" >/dev/null 2>&1 || fail "xdg-open could not open a tel: link"
wait_for "the tel: link did not reach the running Ringside" 20 log_has "a call link came in"
[[ $(pgrep -xc ringside) == 1 ]] || fail "the link started a second Ringside"

say "removed: no process, no file"
as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ringside >"$work/purge.log" 2>&1 \
  || { cat "$work/purge.log" >&2; fail "apt-get purge failed"; }
sleep 0.5
if pgrep -x ringside >/dev/null; then fail "Ringside still runs after the package was removed"; fi
log_has "SIGTERM: quitting" || fail "Ringside was not asked to quit as the tray's Quit does"
while read -r f; do [[ -e $f ]] && fail "$f is left after the package was removed"; done <"$work/files"
left=$(cd "$home" && find . -type f | grep -Ev '^\./\.(config|local/share|local/state|cache)/' || true)
[[ -z $left ]] || fail "files outside the user's config, data, state and cache folders: $left"
say "passed: $(basename "$deb") installs, runs, handles tel: links and goes cleanly"
