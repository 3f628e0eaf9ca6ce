#!/usr/bin/env python3
"""Draws Ringside's icons with nothing but the Python standard library.

    python3 icons/generate.py            # tray icons + icons/app-icon.png (1024x1024)
    npx @tauri-apps/cli icon icons/app-icon.png -o icons   # the app icons the bundler needs

The tray icons are a ring in the agent-state colour with a glyph inside; the app icon is a
white ring on a blue rounded square. 4x4 supersampling gives smooth edges.
"""

import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SS = 4  # supersampling factor


def write_png(path, size, pixels):
    """pixels: list of rows, each a list of (r, g, b, a) tuples."""
    raw = bytearray()
    for row in pixels:
        raw.append(0)  # filter type: none
        for r, g, b, a in row:
            raw += bytes((r, g, b, a))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def render(size, shade):
    """shade(x, y) -> (r, g, b, a) or None, with x, y in [0, 1); averaged over SS*SS samples."""
    rows = []
    n = size * SS
    for py in range(size):
        row = []
        for px in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SS):
                for sx in range(SS):
                    x = (px * SS + sx + 0.5) / n
                    y = (py * SS + sy + 0.5) / n
                    c = shade(x, y)
                    if c is not None:
                        a = c[3] / 255.0
                        acc[0] += c[0] * a
                        acc[1] += c[1] * a
                        acc[2] += c[2] * a
                        acc[3] += a
            count = SS * SS
            alpha = acc[3] / count
            if alpha > 0:
                rgb = [round(acc[i] / acc[3]) for i in range(3)]
            else:
                rgb = [0, 0, 0]
            row.append((rgb[0], rgb[1], rgb[2], round(alpha * 255)))
        rows.append(row)
    return rows


def dist(x, y, cx=0.5, cy=0.5):
    return math.hypot(x - cx, y - cy)


def tray_shader(color, glyph):
    ring_outer, ring_inner = 0.47, 0.33

    def shade(x, y):
        d = dist(x, y)
        if ring_inner <= d <= ring_outer:
            return color + (255,)
        if glyph == "dot" and d <= 0.2:
            return color + (255,)
        if glyph == "pause" and (0.36 <= x <= 0.45 or 0.55 <= x <= 0.64) and 0.32 <= y <= 0.68:
            return color + (255,)
        if glyph == "ring" and 0.12 <= d <= 0.2:  # ringing: a second, inner ring
            return color + (255,)
        if glyph == "bar" and 0.3 <= x <= 0.7 and 0.44 <= y <= 0.56:  # wrap-up: a dash
            return color + (255,)
        return None

    return shade


TRAY = {
    # name: (colour, glyph)
    "tray-logged-out": ((0x8A, 0x8F, 0x98), "none"),
    "tray-available": ((0x1F, 0xA8, 0x4F), "dot"),
    "tray-paused": ((0xE0, 0x9A, 0x10), "pause"),
    "tray-ringing": ((0x1E, 0x78, 0xE6), "ring"),
    "tray-on-call": ((0xD9, 0x3A, 0x2E), "dot"),
    "tray-wrap-up": ((0x8E, 0x5B, 0xD6), "bar"),
}


def app_shader(x, y):
    # Rounded square, blue, with a white ring and a small white dot (the "side" of the ring).
    r = 0.2
    qx = max(abs(x - 0.5) - (0.5 - r), 0)
    qy = max(abs(y - 0.5) - (0.5 - r), 0)
    if math.hypot(qx, qy) > r:
        return None
    d = dist(x, y)
    if 0.22 <= d <= 0.32:
        return (255, 255, 255, 255)
    if dist(x, y, 0.74, 0.26) <= 0.075:
        return (255, 255, 255, 255)
    return (0x1E, 0x5A, 0xB4, 255)


def main():
    for name, (color, glyph) in TRAY.items():
        write_png(os.path.join(HERE, name + ".png"), 64, render(64, tray_shader(color, glyph)))
    # 512 px is plenty as the source for `tauri icon` and keeps this script quick.
    write_png(os.path.join(HERE, "app-icon.png"), 512, render(512, app_shader))


if __name__ == "__main__":
    main()
