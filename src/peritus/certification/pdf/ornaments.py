"""The anti-counterfeit ornaments drawn as raw PDF operators: the QR code and the guilloche."""

from __future__ import annotations

import functools
import math
import zlib

from peritus.certification.qr import qr_matrix

PAGE_WIDTH, PAGE_HEIGHT = 841.8898, 595.2756  # A4 landscape, in points
GUILLOCHE_PHASES = 32
QR_MASK = 4  # a fixed mask: searching the eight costs ~10 ms; every mask decodes


def qr_operators(data: str, *, x: float, y: float, size: float) -> str:
    matrix, _version = qr_matrix(data.encode("utf-8"), mask=QR_MASK)
    modules = len(matrix)
    border = 2
    scale = size / (modules + 2 * border)
    runs = []
    for row_index, row in enumerate(matrix):
        top = modules - 1 - row_index + border
        column = 0
        while column < modules:
            if row[column]:
                start = column
                while column < modules and row[column]:
                    column += 1
                runs.append(f"{start + border} {top} {column - start} 1 re")
            else:
                column += 1
    body = "\n".join(runs)
    return (
        f"q 1 1 1 rg {x:.2f} {y:.2f} {size:.2f} {size:.2f} re f "
        f"0 0 0 rg {scale:.4f} 0 0 {scale:.4f} {x:.2f} {y:.2f} cm\n{body}\nf Q"
    )


def guilloche_key(digest: str) -> tuple[int, int]:
    """The rosette's lobes and phase, drawn from the content digest."""
    seed = int(digest[:8] or "0", 16)
    return 5 + seed % 4, (seed >> 4) % GUILLOCHE_PHASES


@functools.lru_cache(maxsize=4 * GUILLOCHE_PHASES)
def guilloche_form(lobes: int, phase_step: int) -> bytes:
    return zlib.compress(guilloche_operators(lobes, phase_step).encode("ascii"), 9)


@functools.lru_cache(maxsize=4 * GUILLOCHE_PHASES)
def guilloche_operators(lobes: int, phase_step: int) -> str:
    """A rosette of interlaced curves (light blue) behind the text."""
    phase = phase_step * 2 * math.pi / GUILLOCHE_PHASES / lobes
    centre_x, centre_y = PAGE_WIDTH / 2, PAGE_HEIGHT / 2 - 10
    paths = []
    for ring in range(16):
        offset = phase + ring * math.pi / 8
        points = []
        steps = 64
        for step in range(steps + 1):
            angle = step * 2 * math.pi / steps
            radius = 150 + 38 * math.sin(lobes * angle + offset) + ring * 2.4
            points.append(
                f"{centre_x + 1.5 * radius * math.cos(angle):.1f} "
                f"{centre_y + radius * math.sin(angle):.1f}"
            )
        paths.append(f"{points[0]} m {' l '.join(points[1:])} l S")
    return "q 0.35 w 0.80 0.86 0.93 RG\n" + "\n".join(paths) + "\nQ"
