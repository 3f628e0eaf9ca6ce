#!/usr/bin/env bash
# Ringside's two commands.
#
#   ./dev.sh run    install what is missing, build, and start Ringside (embedded demo PBX
#                   unless your config file says otherwise)
#   ./dev.sh test   install what is missing, build every binary once, run the whole test
#                   suite, then the tests that need a display, D-Bus and WebDriver (the
#                   end-to-end test through the real webview among them)
#   ./dev.sh screenshots   the README's pictures (docs/screenshots/) from a real run on the
#                   demo PBX under Xvfb and openbox (the end-to-end test that takes them)
#   ./dev.sh package   release .deb and .rpm packages (target/release/bundle/) with the Tauri
#                   CLI; `test` builds and installs debug ones
#
# On Debian/Ubuntu the system packages are installed with apt-get (sudo only when not root);
# elsewhere they are listed in README.md. A machine that has everything installs nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# Tauri 2's build prerequisites on Debian/Ubuntu.
APT_BUILD=(
  build-essential pkg-config libssl-dev libgtk-3-dev libwebkit2gtk-4.1-dev
  libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
)
# What the tests need: a virtual display, WebKit's WebDriver, a private D-Bus session, a
# notification daemon, a Secret Service, and xdg-utils (tel: links through xdg-open).
# openbox: a real window manager, so "above", focus and the card window's corner are tested as
# an agent's desktop does them; x11-utils (xprop, xwininfo) reads them and its xmessage is the
# program the agent types in; xdotool finds, minimizes, activates and clicks windows; trayer is
# an XEmbed tray host for the tray icon and its menu; nats-server is the relay's transport in the
# tests of a desk behind a relay; xclip reads what Copy diagnostics put on the clipboard;
# libgtk-3-bin's gtk-launch starts the installed package from its desktop entry, as a menu does.
APT_TEST=(xvfb xauth webkit2gtk-driver dbus dbus-x11 dunst gnome-keyring xdg-utils desktop-file-utils openbox x11-utils xdotool trayer imagemagick nats-server xclip libgtk-3-bin)
# The windows are built by Vite 8, which needs Node.js 20.19 or newer.
NODE_MIN=20.19

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

is_debian_like() {
  [[ -r /etc/os-release ]] || return 1
  # shellcheck disable=SC1091
  local id id_like
  id=$(. /etc/os-release && echo "${ID:-}")
  id_like=$(. /etc/os-release && echo "${ID_LIKE:-}")
  [[ " $id $id_like " == *" debian "* || " $id $id_like " == *" ubuntu "* ]] && command -v apt-get >/dev/null
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root to run: $* (install sudo or run as root)"
  fi
}

install_apt() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "${missing[@]}"
}

install_system_packages() {
  if [[ $(uname -s) == Linux ]] && is_debian_like; then
    install_apt "$@"
  elif [[ $(uname -s) == Linux ]]; then
    say "not Debian/Ubuntu: install Tauri's prerequisites yourself (see README.md); continuing"
  fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null && [[ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]]; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null; then
    say "installing Rust with rustup"
    command -v curl >/dev/null || install_system_packages curl ca-certificates
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal ||
      die "could not install Rust; install it from https://rustup.rs and run again"
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  fi
  # tauri-driver and cargo-installed tools live here too.
  export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
}

# Node.js and npm build the windows (ui/). Debian 12's own nodejs is too old for Vite 8: a machine
# without a new enough one is told where to get it.
ensure_node() {
  if ! command -v npm >/dev/null; then
    install_system_packages nodejs npm
  fi
  command -v node >/dev/null || die "Node.js is missing: install Node.js $NODE_MIN or newer (https://nodejs.org)"
  local version
  version=$(node -p 'process.versions.node')
  if ! node -e "const [a,b]=process.versions.node.split('.').map(Number);const [x,y]='$NODE_MIN'.split('.').map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)"; then
    die "Node.js $version is too old to build the windows: install $NODE_MIN or newer (https://nodejs.org)"
  fi
}

# The windows' packages (exactly the lockfile's) and their build into ui/dist, which the app
# embeds at compile time: before cargo builds it.
build_ui() {
  if [[ ! -d ui/node_modules ]] || [[ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]]; then
    say "installing the windows' npm packages"
    npm --prefix ui ci --no-audit --no-fund
  fi
  say "building the windows"
  npm --prefix ui run --silent build
}

# The Tauri CLI (the root package.json, exactly its lockfile), which bundles the packages.
ensure_tauri_cli() {
  if [[ ! -x node_modules/.bin/tauri ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "installing the Tauri CLI (npm)"
    npm ci --no-audit --no-fund
  fi
}

# The Linux packages from the build in PROFILE (debug or release): the Tauri CLI builds the app
# (the front end first, `beforeBuildCommand`) and bundles it with ringside-cli beside it.
bundle_linux() {
  local profile=$1 target_dir=${CARGO_TARGET_DIR:-target} flags=()
  [[ $profile == debug ]] && flags+=(--debug)
  ensure_tauri_cli
  # The debug ringside-cli is built by `test`'s one build; a release needs its own.
  if [[ $profile == release ]]; then
    cargo build --release -p ringside-cli
  fi
  local cli="$target_dir/$profile/ringside-cli"
  node_modules/.bin/tauri build "${flags[@]}" --bundles deb,rpm --ci --config \
    "{\"bundle\":{\"linux\":{\"deb\":{\"files\":{\"/usr/bin/ringside-cli\":\"$cli\"}},\"rpm\":{\"files\":{\"/usr/bin/ringside-cli\":\"$cli\"}}}}}"
}

# The .deb installed on this machine, started from the menu under Xvfb, and removed
# (tests/package.sh says what it checks). Debian/Ubuntu only: it installs with apt-get.
package_test() {
  bundle_linux debug || return 1
  local deb
  deb=$(ls "${CARGO_TARGET_DIR:-target}"/debug/bundle/deb/Ringside_*.deb | head -1)
  on_virtual_desktop bash tests/package.sh "$deb"
}

cmd_package() {
  install_system_packages "${APT_BUILD[@]}"
  ensure_rust
  ensure_node
  bundle_linux release
  say "packages in ${CARGO_TARGET_DIR:-target}/release/bundle/{deb,rpm}/"
}

# rustfmt and clippy come with rustup's default profile, not its minimal one.
ensure_lint_tools() {
  local component
  for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
      command -v rustup >/dev/null || die "cargo $component is missing and there is no rustup to add it"
      say "adding the $component component"
      rustup component add "$component"
    fi
  done
  if ! command -v cargo-deny >/dev/null; then
    say "installing cargo-deny"
    cargo install cargo-deny --locked
  fi
}

# Formatting, lints and the dependency policy: quick, and first, so a slip fails in seconds.
# unwrap()/expect() are refused in library and binary code (tests may use them).
lint() {
  cargo fmt --all -- --check || return 1
  cargo clippy --workspace --all-targets -- -D warnings || return 1
  cargo clippy --workspace --lib --bins -- -D warnings -D clippy::unwrap_used -D clippy::expect_used || return 1
  # Every platform's dependencies (winapi for Windows, …) on disk: cargo deny reads them offline.
  cargo fetch --locked >/dev/null || return 1
  cargo deny --offline check licenses bans sources || return 1
  # TypeScript against the generated types, and no markup from strangers ({@html}, innerHTML).
  npm --prefix ui run --silent check || return 1
}

# ts-rs writes the windows' types (ui/src/bindings) from the Rust types on every `cargo test`:
# a Rust change that was not carried into the committed types fails here.
bindings_current() {
  [[ -d .git ]] || return 0
  if [[ -n $(git status --porcelain -- ui/src/bindings) ]]; then
    git status --short -- ui/src/bindings >&2
    say "the Rust types changed: commit the regenerated ui/src/bindings (and fix what npm run check finds)"
    return 1
  fi
}

ensure_tauri_driver() {
  if [[ -n ${TAURI_DRIVER:-} ]]; then
    return 0
  fi
  if ! command -v tauri-driver >/dev/null; then
    say "installing tauri-driver"
    cargo install tauri-driver --locked
  fi
}

# One build for both commands. --tests pulls in the dev-dependencies, which changes the
# features of shared crates (syn, rustix, ...); building the binaries the same way for `run`
# and `test` means `cargo test` finds everything fresh and switching commands never rebuilds.
build_once() {
  build_ui
  say "building every binary and test"
  cargo build --workspace --bins --tests
}

cmd_run() {
  local target_dir=${CARGO_TARGET_DIR:-target}
  install_system_packages "${APT_BUILD[@]}"
  ensure_rust
  ensure_node
  if [[ $(uname -s) == Linux && -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
    die "no display: Ringside is a desktop app (start it from your desktop session)"
  fi
  build_once
  say "starting Ringside (ring it: ${target_dir}/debug/ringside-cli demo-pbx call --from \"+380 44 123 4567\" --to 100)"
  exec "${target_dir}/debug/ringside" "$@"
}

# Runs "$@" on a virtual display (Xvfb) with a private D-Bus session and openbox managing the
# windows, as an agent's desktop would. dbus-run-session inside xvfb-run, so services D-Bus
# starts can see the display.
on_virtual_desktop() {
  xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- \
    bash -c 'openbox --sm-disable >/dev/null 2>&1 & exec "$@"' with-openbox "$@"
}

cmd_screenshots() {
  [[ $(uname -s) == Linux ]] || die "the screenshots are taken under Xvfb: Linux only"
  install_system_packages "${APT_BUILD[@]}" "${APT_TEST[@]}"
  ensure_rust
  ensure_node
  ensure_tauri_driver
  build_once
  mkdir -p docs/screenshots
  RINGSIDE_SCREENSHOTS="$PWD/docs/screenshots" on_virtual_desktop \
    cargo test --test e2e -- --ignored --exact screenshots_of_every_view
  say "screenshots in docs/screenshots/"
}

cmd_test() {
  install_system_packages "${APT_BUILD[@]}" "${APT_TEST[@]}"
  ensure_rust
  ensure_node
  ensure_lint_tools
  ensure_tauri_driver
  local start=$SECONDS

  build_once
  say "built in $((SECONDS - start)) s"

  # Every stage runs even when one fails, so one run reports every failure.
  local failed=()
  say "checking formatting, lints and dependencies"
  lint || failed+=("fmt/clippy/cargo deny")

  say "running the test suite"
  cargo test --workspace --no-fail-fast || failed+=("cargo test --workspace")
  bindings_current || failed+=("ui/src/bindings out of date")

  # The ignored tests need a display, a D-Bus session bus and WebDriver: the end-to-end tests
  # through the real webview, the keychain test, and whatever else says "run by ./dev.sh test".
  say "running the tests that need a display and D-Bus"
  local ignored=(cargo test --workspace --no-fail-fast -- --ignored --test-threads=1)
  if [[ $(uname -s) == Linux ]]; then
    on_virtual_desktop "${ignored[@]}" || failed+=("the display/D-Bus tests")
  else
    "${ignored[@]}" || failed+=("the ignored tests")
  fi

  if [[ $(uname -s) == Linux ]] && is_debian_like; then
    say "bundling the .deb and .rpm, and installing the .deb on this machine"
    package_test || failed+=("the package test")
  fi

  if [[ ${#failed[@]} -gt 0 ]]; then
    printf 'dev.sh: FAILED: %s\n' "${failed[@]}" >&2
    exit 1
  fi
  say "all tests passed in $((SECONDS - start)) s"
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) cmd_test ;;
  screenshots) cmd_screenshots ;;
  package) cmd_package ;;
  *) usage ;;
esac
