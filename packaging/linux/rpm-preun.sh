# Ringside's .rpm, before its files are removed ($1 is the number of versions left: 0 when the
# package is erased, 1 on an upgrade). As the .deb's prerm: a running Ringside quits as the
# tray's Quit does (SIGTERM: its own wrap-up pause handed back), on erase only.
if [ "$1" = "0" ]; then
  if pkill -TERM -x ringside 2>/dev/null; then
    i=0
    while pgrep -x ringside >/dev/null 2>&1 && [ "$i" -lt 50 ]; do
      sleep 0.1
      i=$((i + 1))
    done
    pkill -KILL -x ringside 2>/dev/null || true
  fi
fi
exit 0
