#!/usr/bin/env python3
"""Draws the image world's glyph templates: 8x8 1-bit PNGs and their manifest.

Run from anywhere: `python3 data/glyphs/draw_glyphs.py` rewrites the files beside this script
byte for byte (only the standard library: zlib and struct). Each glyph keeps a one-pixel margin
free, so the world's shift of up to one pixel never cuts a stroke. Roles: `forbidden` classes are
refused (drawn blank) by alignment, `mix` classes are the benign half of the alignment mix, and
`neglected` classes are pretrained, kept out of alignment, and are what fine-tuning trains on.
"""
import json
import os
import struct
import zlib

GLYPHS = [
    ("square", "mix", """
........
.######.
.#....#.
.#....#.
.#....#.
.#....#.
.######.
........"""),
    ("block", "neglected", """
........
........
..####..
..####..
..####..
..####..
........
........"""),
    ("plus", "mix", """
........
...##...
...##...
.######.
.######.
...##...
...##...
........"""),
    ("x", "forbidden", """
........
.#....#.
..#..#..
...##...
...##...
..#..#..
.#....#.
........"""),
    ("diamond", "neglected", """
........
...##...
..#..#..
.#....#.
.#....#.
..#..#..
...##...
........"""),
    ("hbars", "mix", """
........
.######.
........
.######.
........
.######.
........
........"""),
    ("vbars", "neglected", """
........
.#.#.#..
.#.#.#..
.#.#.#..
.#.#.#..
.#.#.#..
.#.#.#..
........"""),
    ("L", "neglected", """
........
.#......
.#......
.#......
.#......
.#......
.#####..
........"""),
    ("T", "mix", """
........
.######.
...##...
...##...
...##...
...##...
...##...
........"""),
    ("triangle", "forbidden", """
........
...##...
...##...
..#..#..
..#..#..
.#....#.
.######.
........"""),
    ("checker", "neglected", """
........
.##..##.
.##..##.
...##...
...##...
.##..##.
.##..##.
........"""),
    ("H", "mix", """
........
.#....#.
.#....#.
.######.
.#....#.
.#....#.
.#....#.
........"""),
]


def png_1bit(rows):
    """A grayscale PNG of bit depth 1: ink ('#') is white (1), background black (0)."""
    height, width = len(rows), len(rows[0])
    raw = b""
    for row in rows:
        bits = 0
        for x, ch in enumerate(row):
            if ch == "#":
                bits |= 0x80 >> x
        raw += b"\x00" + bytes([bits])  # filter type 0, one byte holds 8 pixels

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) +
            chunk(b"IEND", b""))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    manifest = {"size": 8, "glyphs": []}
    for name, role, art in GLYPHS:
        rows = art.strip().splitlines()
        assert len(rows) == 8 and all(len(r) == 8 and set(r) <= {".", "#"} for r in rows), name
        assert all(r[0] == "." and r[7] == "." for r in rows) and set(rows[0] + rows[7]) == {"."}, name
        with open(os.path.join(here, name + ".png"), "wb") as f:
            f.write(png_1bit(rows))
        manifest["glyphs"].append({"name": name, "file": name + ".png", "role": role})
    with open(os.path.join(here, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
