#!/bin/sh
# check-mime.sh — build a MIME database from our package file alone
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-mime.sh UPDATE_MIME_DATABASE PACKAGE_XML TYPE GLOB
#
# update-mime-database only warns about a broken package file and carries
# on, so any output on stderr fails the test; then the type and its glob
# must have made it into the database.
set -u

update=$1
package=$2
type=$3
glob=$4

tmp=$(mktemp -d "${TMPDIR:-/tmp}/coroscope-mime.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# A database outside the XDG data folders draws a warning of its own.
mime=$tmp/mime
mkdir -p "$mime/packages"
cp "$package" "$mime/packages/"
if ! XDG_DATA_HOME=$tmp XDG_DATA_DIRS=$tmp "$update" "$mime" 2>"$tmp/stderr" || [ -s "$tmp/stderr" ]; then
  cat "$tmp/stderr"
  echo "update-mime-database rejected $package"
  exit 1
fi
if [ ! -f "$mime/$type.xml" ]; then
  echo "$package: no MIME type $type"
  exit 1
fi
# globs2 lines are WEIGHT:TYPE:GLOB
if ! awk -F: -v t="$type" -v g="$glob" '$2 == t && $3 == g { found = 1 } END { exit !found }' "$mime/globs2"; then
  echo "$package: $type has no glob $glob"
  exit 1
fi
echo "ok: $type ($glob)"
