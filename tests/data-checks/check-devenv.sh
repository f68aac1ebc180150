#!/bin/sh
# check-devenv.sh — the uninstalled binary, run as the quick start runs it
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-devenv.sh MESON BUILD_DIR LOCALEDIR help
#        check-devenv.sh MESON BUILD_DIR LOCALEDIR settings
#
# `build-aux/dev run` starts _build/app/coroscope through `meson devenv`;
# so does this, with whatever the caller's environment had pointing at the
# build (GSETTINGS_SCHEMA_DIR, CORO_LOCALEDIR) removed first, and the
# system's schemas out of reach (XDG_DATA_DIRS), so only the devenv can be
# what finds the build's files.
#
# help: `LANGUAGE=ko coroscope --help` prints Korean, both a line from our
#   catalogue (_build/po) and one from GLib's own (glib20), in C.UTF-8
#   (what a bare Debian machine has) and, when the locale exists, in
#   ko_KR.UTF-8; the schema is found through the devenv's
#   GSETTINGS_SCHEMA_DIR (gsettings); and, as a control, the binary run
#   without the devenv is English (unless a coroscope catalogue is
#   installed under LOCALEDIR).
# settings: the window takes its size from the settings (keyfile backend,
#   a private config folder): two runs with different stored sizes must
#   differ by exactly as much (what GTK adds around the size cancels out);
#   without the schema both would open at the same default size. With
#   nothing stored, the window opens at the schema's default size and, on
#   quitting (Ctrl+Q), stores its size. Needs a display (the gui suite).
set -u

meson=$1
build=$(cd "$2" && pwd)
localedir=$3
mode=$4
binary=$build/app/coroscope

# the app registers on the session bus (it is a GApplication): give it a
# private one rather than autolaunching one on the display
if [ "$mode" = settings ] && [ -z "${CORO_DEVENV_BUS:-}" ] && command -v dbus-run-session >/dev/null; then
  CORO_DEVENV_BUS=1 exec dbus-run-session -- "$0" "$@"
fi

unset GSETTINGS_SCHEMA_DIR CORO_LOCALEDIR LANGUAGE LC_ALL LC_MESSAGES

tmp=$(mktemp -d "${TMPDIR:-/tmp}/coroscope-devenv.XXXXXX") || exit 1
pids=""
cleanup () {
  for pid in $pids; do kill "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$tmp/share" "$tmp/config" "$tmp/cache"
# the MIME database only: GTK sniffs the app's SVG icons through it
[ -d /usr/share/mime ] && ln -s /usr/share/mime "$tmp/share/mime"
export XDG_DATA_DIRS="$tmp/share" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"

# devenv CMD…: CMD in the build's devenv, run from an empty folder
devenv () {
  "$meson" devenv -C "$build" --workdir "$tmp" "$@"
}

status=0

# has OUTPUT_FILE TEXT WHAT: whether the output holds TEXT
has () {
  if grep -qF -- "$2" "$1"; then
    echo "ok: $3"
  else
    echo "FAIL: $3: no \"$2\" in:"
    sed 's/^/    /' "$1"
    status=1
  fi
}

# lacks OUTPUT_FILE TEXT WHAT
lacks () {
  if grep -qF -- "$2" "$1"; then
    echo "FAIL: $3: \"$2\" in:"
    sed 's/^/    /' "$1"
    status=1
  else
    echo "ok: $3"
  fi
}

# ours (po/ko.po) and GLib's (glib20.mo, package libglib2.0-data)
ours_en='Open URL sets (*.urls, *.txt) or saved traces (*.json, *.json.gz).'
ours_ko='URL 세트(*.urls, *.txt)나 저장된 트레이스(*.json, *.json.gz)를 엽니다.'
headless_ko='한 스레드에서 URL을 코루틴으로 가져오고, 언제 무엇이 실행되었는지 보여 줍니다.'
glib_en='Help Options:'
glib_ko='도움말 옵션:'

# Is LOCALE (ko_KR.UTF-8) one that `locale -a` lists (as ko_KR.utf8)?
has_locale () {
  want=$(printf '%s' "$1" | tr 'A-Z' 'a-z' | tr -d -- '-')
  locale -a 2>/dev/null | tr 'A-Z' 'a-z' | tr -d -- '-' | grep -qx -- "$want"
}

check_help () {
  # help_in LOCALE
  help_in () {
    out=$tmp/help-$1.txt
    if ! LANG=$1 LANGUAGE=ko devenv "$binary" --help >"$out" 2>&1; then
      echo "FAIL: LANG=$1 LANGUAGE=ko coroscope --help exited with an error:"
      sed 's/^/    /' "$out"
      status=1
      return
    fi
    has "$out" "$ours_ko" "LANG=$1 LANGUAGE=ko --help: our catalogue's summary"
    lacks "$out" "$ours_en" "LANG=$1 LANGUAGE=ko --help: no English summary"
    has "$out" "$glib_ko" "LANG=$1 LANGUAGE=ko --help: GLib's own \"$glib_en\" (glib20.mo, package libglib2.0-data)"
    out=$tmp/headless-help-$1.txt
    LANG=$1 LANGUAGE=ko devenv "$binary" --headless --help >"$out" 2>&1 ||
      { echo "FAIL: --headless --help exited with an error"; status=1; }
    has "$out" "$headless_ko" "LANG=$1 LANGUAGE=ko --headless --help: the headless summary"
  }

  help_in C.UTF-8
  if has_locale ko_KR.UTF-8; then
    help_in ko_KR.UTF-8
  else
    echo "skip: no ko_KR.UTF-8 locale (build-aux/dev test makes it: package locales, locale-gen)"
  fi

  # the control: without the devenv, no catalogue (the one under
  # LOCALEDIR is found once installed), so English, GLib's lines too
  if [ -f "$localedir/ko/LC_MESSAGES/coroscope.mo" ]; then
    echo "skip: the control, a coroscope catalogue is installed in $localedir"
  else
    out=$tmp/help-no-devenv.txt
    (cd "$tmp" && LANG=C.UTF-8 LANGUAGE=ko "$binary" --help) >"$out" 2>&1
    has "$out" "$ours_en" "control, no devenv: the English summary"
    has "$out" "$glib_en" "control, no devenv: GLib's English \"$glib_en\""
  fi

  if command -v gsettings >/dev/null; then
    out=$tmp/keys.txt
    devenv gsettings list-keys io.github.coroscope.Coroscope >"$out" 2>&1
    has "$out" window-width "the devenv's GSETTINGS_SCHEMA_DIR holds the compiled schema"
  else
    echo "skip: gsettings is not installed (package libglib2.0-bin)"
  fi
}

# the X window whose xwininfo line holds "Coroscope", else nothing
find_window () {
  xwininfo -root -tree | grep -F '"Coroscope"' | awk '{ print $1; exit }'
}

# open_window [WIDTH HEIGHT]: stores that size (none: no stored settings
# at all), starts the app, waits for its window (the app is another
# process: polled until a deadline) and sets $size to the X window's
# "WIDTHxHEIGHT"; then quits the app with Ctrl+Q (xdotool: the app is
# not unique, so has no D-Bus name to send app.quit to), so the window
# saves its settings as it closes, and waits for the app to end
keyfile=$tmp/config/glib-2.0/settings/keyfile
open_window () {
  rm -f "$keyfile"
  if [ $# -eq 2 ]; then
    mkdir -p "$(dirname "$keyfile")"
    printf '[io/github/coroscope/Coroscope]\nwindow-width=%s\nwindow-height=%s\n' "$1" "$2" > "$keyfile"
  fi
  log=$tmp/app-${1:-none}.log
  GSETTINGS_BACKEND=keyfile devenv "$binary" >"$log" 2>&1 &
  job=$!
  pids="$pids $job"
  deadline=$(( $(date +%s) + 60 ))
  id=""
  while [ -z "$id" ] && [ "$(date +%s)" -lt "$deadline" ]; do
    sleep 0.2
    id=$(find_window)
  done
  if [ -z "$id" ]; then
    echo "FAIL: no window within 60 s; the app said:"
    sed 's/^/    /' "$log"
    return 1
  fi
  # mapped and sized: xwininfo reads the geometry GTK gave the X window
  size=""
  while [ "$(date +%s)" -lt "$deadline" ]; do
    info=$(xwininfo -id "$id")
    if printf '%s\n' "$info" | grep -q 'Map State: IsViewable'; then
      size=$(printf '%s\n' "$info" | awk '/^ *Width:/ { w = $2 } /^ *Height:/ { h = $2 } END { print w "x" h }')
      break
    fi
    sleep 0.2
  done
  pid=$(xprop -id "$id" _NET_WM_PID | awk '{ print $3 }')
  case "$pid" in
    ''|*[!0-9]*) echo "FAIL: no _NET_WM_PID on window $id"; return 1 ;;
  esac
  if ! xdotool windowfocus --sync "$id" key ctrl+q >>"$log" 2>&1; then
    echo "FAIL: xdotool could not press Ctrl+Q in window $id:"
    sed 's/^/    /' "$log"
    kill "$pid"
    return 1
  fi
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "FAIL: process $pid did not end after Ctrl+Q"
      kill "$pid"
      return 1
    fi
    sleep 0.1
  done
  # meson devenv exits as the app did: 0, or a crash or sanitizer report
  if ! wait "$job"; then
    echo "FAIL: the app did not exit cleanly on Ctrl+Q; it said:"
    sed 's/^/    /' "$log"
    return 1
  fi
  [ -n "$size" ] || { echo "FAIL: window $id never mapped"; return 1; }
}

check_settings () {
  if [ -z "${DISPLAY:-}" ]; then
    echo "no X display (run under xvfb-run)"
    exit 77
  fi
  for tool in xwininfo xprop xdotool; do
    if ! command -v "$tool" >/dev/null; then
      echo "$tool is not installed"
      exit 77
    fi
  done
  # both wider than the window's minimum width (about 1100 px)
  open_window 1250 640 || exit 1
  first=$size
  open_window 1350 700 || exit 1
  second=$size
  w1=${first%x*} h1=${first#*x} w2=${second%x*} h2=${second#*x}
  if [ $((w2 - w1)) -eq 100 ] && [ $((h2 - h1)) -eq 60 ]; then
    echo "ok: the stored sizes 1250x640 and 1350x700 gave windows of $first and $second"
  else
    echo "FAIL: the stored sizes 1250x640 and 1350x700 gave windows of $first and $second"
    status=1
  fi

  # remembered: with nothing stored the window opens at the schema's
  # default size (not the template's 1400x900) and, on quitting, writes
  # its size where the next run reads it
  open_window || exit 1
  if [ "$size" = 1200x800 ]; then
    echo "ok: nothing stored, the schema's default size: $size"
  else
    echo "FAIL: nothing stored, a window of $size, not the schema's default 1200x800"
    status=1
  fi
  if [ -f "$keyfile" ] && grep -qx 'window-width=1200' "$keyfile" && grep -qx 'window-height=800' "$keyfile"; then
    echo "ok: on quitting the window stored its size"
  else
    echo "FAIL: on quitting the window did not store its size; the settings file holds:"
    sed 's/^/    /' "$keyfile" 2>/dev/null
    status=1
  fi
}

case "$mode" in
  help) check_help ;;
  settings) check_settings ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac

exit $status
