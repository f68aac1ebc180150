#!/bin/sh
# check-man.sh — render a manual page and fail on any groff or man warning
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-man.sh MAN PAGE
#
# The same command lintian runs on Debian packages.
set -u

man=$1
page=$2

warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
           "$man" --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
status=$?
if [ $status -ne 0 ] || [ -n "$warnings" ]; then
  printf '%s\n' "$warnings"
  echo "$page: man exited with $status or warned"
  exit 1
fi
echo "ok: $page"
