#!/bin/sh
# Ringside's .deb, before its files are removed: a running Ringside is asked to quit as the
# tray's Quit does (SIGTERM: it hands back its own wrap-up pause and logs off the PBX), so
# removing the package leaves no agent paused and no process running a deleted program. An
# upgrade leaves it running: the agent may be on a call; the next start runs the new version.
set -e
case "$1" in
  remove|purge|deconfigure)
    if pkill -TERM -x ringside 2>/dev/null; then
      i=0
      while pgrep -x ringside >/dev/null 2>&1 && [ "$i" -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
      done
      pkill -KILL -x ringside 2>/dev/null || true
    fi
    ;;
esac
exit 0
