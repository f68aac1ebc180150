#!/bin/sh
# check-translation.sh SRCDIR LANG: po/LANG.po translates every message
# the sources have now (msgfmt --check only looks at the file itself).
# The template is made afresh with the keywords of meson's 'glib' preset.
set -eu
src=$1
lang=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$src"
xgettext --files-from=po/POTFILES.in --directory=. --output="$tmp/coroscope.pot" \
         --from-code=UTF-8 --add-comments \
         --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
         --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 --keyword=g_dcgettext:2

# msgcmp counts untranslated and fuzzy entries as missing
if ! msgcmp "po/$lang.po" "$tmp/coroscope.pot"; then
  echo "po/$lang.po lacks the messages above: run 'meson compile -C BUILD coroscope-update-po' and translate them" >&2
  exit 1
fi
echo "po/$lang.po: every message of the sources translated"
