#!/usr/bin/python3
# check-icons.py — check the app icons against the GNOME icon guidelines
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-icons.py FULL_COLOUR_SVG SYMBOLIC_SVG
#
# The full-colour icon is drawn on a 128×128 grid. The symbolic one is
# 16×16 and uses one colour, #2e3436, which GTK replaces with the theme's
# foreground; any other colour would stay as drawn and break in dark
# styles. Neither may embed bitmaps, text (fonts differ between systems)
# or links to other files.

import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
SYMBOLIC_COLOURS = {"#2e3436", "none"}
PAINT = ("fill", "stroke", "stop-color", "color")


def paints(element):
    """Every colour the element sets, as attributes or in style=."""
    for name in PAINT:
        if name in element.attrib:
            yield name, element.attrib[name].strip().lower()
    for part in element.attrib.get("style", "").split(";"):
        if ":" in part:
            name, value = (s.strip() for s in part.split(":", 1))
            if name in PAINT:
                yield name, value.lower()


def check(path, size, symbolic):
    problems = []
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return [f"{path}: {e}"]
    if root.tag != SVG + "svg":
        return [f"{path}: the root element is not an SVG <svg>"]
    viewbox = re.split(r"[\s,]+", root.attrib.get("viewBox", "").strip())
    if viewbox != ["0", "0", str(size), str(size)]:
        problems.append(f"{path}: viewBox is {root.attrib.get('viewBox')!r}, not '0 0 {size} {size}'")
    for element in root.iter():
        tag = element.tag.replace(SVG, "")
        if tag in ("text", "image", "foreignObject"):
            problems.append(f"{path}: has a <{tag}> element")
        href = element.attrib.get("href", element.attrib.get(XLINK, ""))
        if href and not href.startswith("#"):
            problems.append(f"{path}: <{tag}> links to {href!r}")
        if symbolic:
            for name, value in paints(element):
                if value not in SYMBOLIC_COLOURS:
                    problems.append(f"{path}: <{tag}> has {name} {value!r}; a symbolic icon uses #2e3436 only")
    return problems


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check-icons.py FULL_COLOUR_SVG SYMBOLIC_SVG")
    problems = check(sys.argv[1], 128, False) + check(sys.argv[2], 16, True)
    for problem in problems:
        print(problem)
    if not problems:
        print("ok: both icons")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
