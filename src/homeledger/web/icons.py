"""The app's icon drawn in code: PNGs for the PWA manifest and a favicon.ico, built from
the same geometry as static/src/icon.svg (a rounded square with three rising bars).

Signed distances give anti-aliased edges with one evaluation per pixel (NumPy); the PNG
and ICO containers are written with zlib and struct, so the build needs no image library.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
import numpy.typing as npt

BACKGROUND = (23, 98, 79)
FOREGROUND = (255, 255, 255)
DESIGN = 512.0
# (x0, y0, x1, y1, corner radius) in a 512 x 512 design space.
BARS = ((112, 272, 184, 392, 16), (220, 200, 292, 392, 16), (328, 120, 400, 392, 16))
Floats = npt.NDArray[np.float64]


def _round_box(px: Floats, py: Floats, box: tuple[float, float, float, float, float]) -> Floats:
    x0, y0, x1, y1, r = box
    qx = np.abs(px - (x0 + x1) / 2) - (x1 - x0) / 2 + r
    qy = np.abs(py - (y0 + y1) / 2) - (y1 - y0) / 2 + r
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    inside = np.minimum(np.maximum(qx, qy), 0)
    result: Floats = outside + inside - r
    return result


def render(size: int, maskable: bool = False) -> npt.NDArray[np.uint8]:
    """RGBA pixels. Maskable icons fill the square and keep the bars in the safe zone."""
    scale = DESIGN / size
    centres = (np.arange(size, dtype=np.float64) + 0.5) * scale
    px, py = np.meshgrid(centres, centres)
    if maskable:  # shrink the drawing to 80 % around the centre
        px = (px - DESIGN / 2) / 0.8 + DESIGN / 2
        py = (py - DESIGN / 2) / 0.8 + DESIGN / 2
        background = np.ones_like(px)
    else:
        background = np.clip(0.5 - _round_box(px, py, (0, 0, 512, 512, 112)) / scale, 0, 1)
    bars = np.zeros_like(px)
    for bar in BARS:
        coverage = np.clip(0.5 - _round_box(px, py, bar) / (scale / (0.8 if maskable else 1)), 0, 1)
        bars = np.maximum(bars, coverage)
    rgba = np.zeros((size, size, 4), dtype=np.float64)
    for channel in range(3):
        rgba[..., channel] = BACKGROUND[channel] * (1 - bars) + FOREGROUND[channel] * bars
    rgba[..., 3] = np.maximum(background, bars * background)
    result: npt.NDArray[np.uint8] = np.round(rgba).astype(np.uint8)
    result[..., 3] = np.round(rgba[..., 3] * 255).astype(np.uint8)
    return result


def png(pixels: npt.NDArray[np.uint8]) -> bytes:
    height, width, _ = pixels.shape
    rows = np.concatenate([np.zeros((height, 1), dtype=np.uint8), pixels.reshape(height, -1)], 1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
        + chunk(b"IEND", b"")
    )


def ico(png_bytes: bytes, size: int) -> bytes:
    """An .ico holding one PNG image (supported by every current browser)."""
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png_bytes), 22)
    return header + entry + png_bytes
