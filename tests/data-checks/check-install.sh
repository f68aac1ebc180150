#!/bin/sh
# check-install.sh — install into a temporary DESTDIR and check every file lands
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-install.sh MESON BUILD_DIR FILE...
#
# FILE is an absolute installed path (prefix included). The build must be
# complete: this installs with --no-rebuild so that it never runs ninja
# inside `ninja test`; build everything first (ninja -C BUILD_DIR).
set -u

. "$(dirname "$0")/install-to-destdir.sh"

meson=$1
build=$2
shift 2

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
exit $status
