#!/bin/sh
# check-launcher.sh — what a desktop launcher does, end to end
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-launcher.sh MESON BUILD_DIR PREFIX
#
# Installs into a temporary DESTDIR and starts the installed .desktop file
# with `gio launch`, as a launcher does: GIO reads its Exec line, finds the
# installed binary on PATH and expands %F. With no file, a window titled
# "Coroscope" must appear; with a URL-set file, one titled with the file's
# name. Windows are found on the X display with xwininfo, polled until a
# deadline (the app is another process: there is no main loop to wait on).
set -u

. "$(dirname "$0")/install-to-destdir.sh"

meson=$1
build=$2
prefix=$3

if [ -z "${DISPLAY:-}" ]; then
  echo "no X display (run under xvfb-run)"
  exit 77
fi
for tool in gio xwininfo xprop glib-compile-schemas; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool is not installed"
    exit 77
  fi
done

# The app registers on the session bus (it is a GApplication): give it a
# private one rather than autolaunching one on the display.
if [ -z "${CORO_LAUNCHER_BUS:-}" ] && command -v dbus-run-session >/dev/null; then
  CORO_LAUNCHER_BUS=1 exec dbus-run-session -- "$0" "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/coroscope-launcher.XXXXXX") || exit 1
pids=""
cleanup () {
  for pid in $pids; do kill "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

destdir=$tmp/root
install_to_destdir "$meson" "$build" "$destdir" "$tmp/log"

share=$destdir$prefix/share
desktop=$share/applications/io.github.coroscope.Coroscope.desktop
glib-compile-schemas "$share/glib-2.0/schemas" || exit 1
export PATH="$destdir$prefix/bin:$PATH"
export XDG_DATA_DIRS="$share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
export XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" XDG_DATA_HOME="$tmp/data"
export GSETTINGS_BACKEND=memory

# the window whose title contains $1 (an X window id), else nothing
find_window () {
  xwininfo -root -tree | grep -F "$1" | awk '{ print $1; exit }'
}

# wait_window TITLE: prints the window's id, or fails after 60 s
wait_window () {
  deadline=$(( $(date +%s) + 60 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    id=$(find_window "$1")
    if [ -n "$id" ]; then
      echo "$id"
      return 0
    fi
    sleep 0.2
  done
  return 1
}

# close_app WINDOW_ID: ends the process that owns the window, and waits
# for the window to go, so the next launch starts a new instance
close_app () {
  pid=$(xprop -id "$1" _NET_WM_PID | awk '{ print $3 }')
  case "$pid" in
    ''|*[!0-9]*) echo "no _NET_WM_PID on window $1"; return 1 ;;
  esac
  kill "$pid"
  deadline=$(( $(date +%s) + 60 ))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "process $pid did not end"
      return 1
    fi
    sleep 0.1
  done
}

status=0

# Launches the installed .desktop file with FILE… and waits for a window
# whose xwininfo line holds PATTERN; WHAT says what was launched.
expect_window () {
  pattern=$1 what=$2 log=$tmp/launch$3.log
  shift 3
  gio launch "$desktop" "$@" >"$log" 2>&1 || { cat "$log"; exit 1; }
  if id=$(wait_window "$pattern"); then
    echo "ok: launched $what, window $pattern ($id)"
    close_app "$id" || status=1
  else
    echo "FAIL: launched $what, no window $pattern within 60 s"
    xwininfo -root -tree | grep -F '"' | head -20
    status=1
  fi
}

# 1. No file: the empty window
expect_window '"Coroscope"' "with no file" 1

# 2. A file: %F hands it to the app, which opens it, titled with its name
mkdir -p "$tmp/files"
printf 'http://127.0.0.1:9/a\nhttp://127.0.0.1:9/b\n' > "$tmp/files/launcher-set.urls"
expect_window 'launcher-set.urls' "with a URL-set file" 2 "$tmp/files/launcher-set.urls"

exit $status
