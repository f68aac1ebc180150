#!/usr/bin/python3
# check-potfiles.py — fail when a translatable source is missing from po/POTFILES.in
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-potfiles.py SOURCE_ROOT
#
# A file that marks strings for translation but is not listed in
# po/POTFILES.in silently stays in English: xgettext never sees it. This
# scans the sources the project keeps (git's tracked files plus new ones
# not ignored, so a file added but not yet committed counts; every file
# when there is no git) and names each one that is missing. It also fails
# on a listed file that no longer exists, which would break `coroscope-pot`.
# A file that only looks translatable goes in po/POTFILES.skip.

import os
import re
import subprocess
import sys

SCANNED = ("core", "widgets", "app", "data")
NOT_SCANNED = ("data/url-sets/",)  # sample data, not program text
CODE = (".c", ".h", ".ui")
# Data files whose translatable parts xgettext finds through ITS rules: they
# never contain a marker, so any one of them under data/ must be listed.
ALWAYS = (".desktop.in", ".metainfo.xml.in", ".gschema.xml", ".mime.xml")

MARKER = re.compile(
    r"""(?<![A-Za-z0-9_])(?:N|C|NC|Q)?_\s*\("""        # _( N_( C_( NC_( Q_(
    r"""|(?<![A-Za-z0-9_])(?:g_d?n?gettext|g_dpgettext2?|ngettext)\s*\("""
    r"""|translatable\s*=\s*["'](?:yes|true|1)["']"""  # GtkBuilder
)


def read_list(path):
    if not os.path.exists(path):
        return []
    names = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                names.append(line)
    return names


def project_files(root):
    try:
        out = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *SCANNED],
            check=True, capture_output=True,
        ).stdout.decode("utf-8")
        return sorted({name for name in out.split("\0") if name})
    except (OSError, subprocess.CalledProcessError):
        pass
    found = []
    for top in SCANNED:
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = [d for d in dirs if not d.startswith((".", "_build"))]
            for name in files:
                found.append(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/"))
    return sorted(found)


def first_marker(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                match = MARKER.search(line)
                if match:
                    return number, match.group(0)
    except OSError:
        pass
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check-potfiles.py SOURCE_ROOT")
    root = sys.argv[1]
    listed = read_list(os.path.join(root, "po", "POTFILES.in"))
    skipped = set(read_list(os.path.join(root, "po", "POTFILES.skip")))
    failed = False

    for name in listed:
        if not os.path.isfile(os.path.join(root, name)):
            print(f"po/POTFILES.in: lists {name}, which does not exist")
            failed = True

    wanted = set(listed) | skipped
    checked = 0
    for name in project_files(root):
        if name.startswith(NOT_SCANNED) or not os.path.isfile(os.path.join(root, name)):
            continue
        if name.startswith("data/") and name.endswith(ALWAYS):
            checked += 1
            if name not in wanted:
                print(f"po/POTFILES.in: {name} is missing (a translatable data file)")
                failed = True
            continue
        if not name.endswith(CODE):
            continue
        checked += 1
        hit = first_marker(os.path.join(root, name))
        if hit and name not in wanted:
            print(f"po/POTFILES.in: {name} is missing ({name}:{hit[0]} has {hit[1]!r})")
            failed = True

    if failed:
        print("Add the files above to po/POTFILES.in (or po/POTFILES.skip), then refresh po/*.po.")
        return 1
    print(f"po/POTFILES.in: complete ({len(listed)} listed, {checked} files checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
