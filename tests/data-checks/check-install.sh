#!/bin/sh
# check-install.sh — install into a temporary DESTDIR, check every file
# lands, then run the installed binary's demos away from the source tree
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-install.sh MESON BUILD_DIR SOURCE_ROOT BINARY FILE...
#
# BINARY and each FILE are absolute installed paths (prefix included). The
# build must be complete: this installs with --no-rebuild so that it never
# runs ninja inside `ninja test`; build everything first (ninja -C BUILD_DIR).
#
# The demos (--headless --demo=SET) must run from the installed binary
# alone: it is started with a bare environment (env -i), in an empty
# folder, and where a mount namespace can be made (unshare; root or user
# namespaces) with the source and build folders covered by empty ones.
set -u

. "$(dirname "$0")/install-to-destdir.sh"

meson=$1
build=$2
source_root=$3
binary=$4
shift 4

tmp=$(mktemp -d "${TMPDIR:-/tmp}/coroscope-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

destdir=$tmp/root
install_to_destdir "$meson" "$build" "$destdir" "$tmp/log"

status=0
for file in "$@"; do
  if [ ! -f "$destdir$file" ]; then
    echo "not installed: $file"
    status=1
  elif [ ! -s "$destdir$file" ]; then
    echo "installed empty: $file"
    status=1
  else
    echo "ok: $file"
  fi
done
[ $status -eq 0 ] || exit $status

# Folders to cover: the source and build trees (the build's once, when it
# is inside the source tree), unless the temporary folder is inside one of
# them (covering it would hide the install too).
abs () { (cd "$1" && pwd -P); }
hide=""
for dir in "$(abs "$source_root")" "$(abs "$build")"; do
  case "$(abs "$tmp")/" in
    "$dir"/*) echo "note: $tmp is inside $dir, which stays visible"; continue ;;
  esac
  covered=no
  for outer in $hide; do
    case "$dir/" in "$outer"/*) covered=yes ;; esac
  done
  [ $covered = yes ] || hide="$hide $dir"
done
if [ -n "$hide" ] && command -v unshare >/dev/null && unshare -rm true 2>/dev/null; then
  echo "the demos run with$hide covered"
else
  echo "note: no mount namespace here; the demos run with the source tree visible"
  hide=""
fi

mkdir -p "$tmp/run" "$tmp/home"

# Runs a command in a new mount namespace with the folders in $hide
# covered by empty read-only ones, or as it is when there are none.
unshare_cover () {
  if [ -z "$hide" ]; then
    "$@"
    return
  fi
  unshare -rm sh -c '
    for dir in $HIDE; do
      mount -t tmpfs -o ro,size=4k coroscope-hidden "$dir" || exit 125
    done
    exec "$@"' unshare_cover "$@"
}
export HIDE="$hide"

# run_demo SET STATUS PATTERN [OPTION…]: the installed binary runs the
# demo SET headless and must exit with STATUS, its summary holding PATTERN
run_demo () {
  set_name=$1 expected=$2 pattern=$3
  shift 3
  out=$tmp/$set_name.out err=$tmp/$set_name.err
  # The sanitizer build's settings come along (abort_on_error, so that a
  # report never passes for the faults demo's exit status 1).
  (
    cd "$tmp/run" || exit 125
    unshare_cover env -i PATH=/usr/bin:/bin HOME="$tmp/home" LC_ALL=C.UTF-8 \
      ${ASAN_OPTIONS+"ASAN_OPTIONS=$ASAN_OPTIONS"} \
      ${UBSAN_OPTIONS+"UBSAN_OPTIONS=$UBSAN_OPTIONS"} \
      "$destdir$binary" --headless --demo="$set_name" "$@"
  ) >"$out" 2>"$err"
  got=$?
  if [ "$got" -ne "$expected" ]; then
    echo "FAIL: --demo=$set_name exited with $got, expected $expected"
    cat "$err" "$out"
    status=1
  elif ! grep -q '^Coroscope run summary$' "$out" || ! grep -q "$pattern" "$out"; then
    echo "FAIL: --demo=$set_name: no summary with \"$pattern\" on standard output"
    cat "$err" "$out"
    status=1
  else
    echo "ok: installed binary, --demo=$set_name: exit $got, $(grep "$pattern" "$out")"
  fi
}

# Each demo's exit status as coroscope(1) documents it: 0 when every fetch
# succeeded, 1 when one failed (the faults set fails on purpose; --timeout
# 2 keeps its never-answering request to 2 s rather than 30).
run_demo crawl 0 '^tasks: 30 (done 30, failed 0,'
run_demo fan-out 0 '^tasks: 1000 (done 1000, failed 0,'
run_demo faults 1 '^tasks: 14 (' --timeout 2

exit $status
