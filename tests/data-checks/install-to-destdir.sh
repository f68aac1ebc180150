# install-to-destdir.sh — sourced by the data checks that install
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# install_to_destdir MESON BUILD_DIR DESTDIR LOG
#
# Installs with --no-rebuild, so that it never runs ninja inside
# `ninja test`: the build must be complete. On failure, prints the log and
# what to do, and exits.
install_to_destdir () {
  if ! "$1" install -C "$2" --no-rebuild --destdir "$3" >"$4" 2>&1; then
    cat "$4"
    echo "meson install failed; is everything built? (ninja -C $2)"
    exit 1
  fi
}
