"""QR codes for certificates, fast enough for bulk issuance (ISO/IEC 18004, byte mode).

segno builds every symbol from scratch (function patterns, module placement, masking: ~3.5 ms
in pure Python). For a given version, error level and mask the function patterns, format and
version information, the order in which data modules are placed and the mask bit of each are
always the same, so they are computed once (with segno's own tables and functions) and each new
symbol only computes its codewords and Reed–Solomon blocks and sets its data modules (~1 ms).
The tests hold the result to segno's symbol module for module.
"""

from __future__ import annotations

import functools
from itertools import chain, zip_longest
from typing import Any

from segno import consts as _segno_consts
from segno import encoder as _segno_encoder

# segno's internals are untyped; they are used here as plain tables and helpers.
consts: Any = _segno_consts
encoder: Any = _segno_encoder

ERROR_M = consts.ERROR_LEVEL_M
BYTE_MODE = consts.MODE_BYTE
PAD_CODEWORDS = (0xEC, 0x11)
MAX_VERSION = 40


@functools.cache
def _layout(
    version: int, error: int, mask: int
) -> tuple[tuple[bytes, ...], tuple[int, ...], bytes]:
    """(rows with every function module set, flat positions of data modules in placement order,
    the mask bit at each of those positions)."""
    size = encoder.calc_matrix_size(version)
    matrix = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(matrix, size, size)
    encoder.add_alignment_patterns(matrix, size, size)
    positions: list[int] = []
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1  # noqa: PLW2901 - the vertical timing pattern shifts the column pair
        for vertical in range(size):
            for z in (0, 1):
                column = right - z
                upwards = ((right & 2) == 0) ^ (column < 6)
                row = (size - 1 - vertical) if upwards else vertical
                if matrix[row][column] == 0x2:
                    positions.append(row * size + column)
    mask_function = encoder.get_data_mask_functions(False)[mask]
    mask_bits = bytes(mask_function(p // size, p % size) for p in positions)
    for position in positions:
        matrix[position // size][position % size] = 0
    encoder.add_format_info(matrix, version, error, mask)
    encoder.add_version_info(matrix, version)
    matrix[size - 8][8] = 0x1  # the dark module
    return tuple(bytes(row) for row in matrix), tuple(positions), mask_bits


def _count_bits(version: int) -> int:
    return 8 if version < 10 else 16


def choose_version(length: int, error: int = ERROR_M) -> int:
    """The smallest version holding `length` bytes in byte mode."""
    for version in range(1, MAX_VERSION + 1):
        needed = 4 + _count_bits(version) + 8 * length
        if consts.SYMBOL_CAPACITY[version][error] >= needed:
            return version
    raise ValueError("Too much data for a QR code.")


def _codewords(data: bytes, version: int, error: int) -> list[int]:
    capacity_bits = consts.SYMBOL_CAPACITY[version][error]
    bits = (BYTE_MODE << _count_bits(version)) | len(data)
    length = 4 + _count_bits(version)
    value = int.from_bytes(data, "big")
    bits = (bits << (8 * len(data))) | value
    length += 8 * len(data)
    terminator = min(4, capacity_bits - length)
    bits <<= terminator
    length += terminator
    # As segno does: up to the next codeword boundary, a whole zero codeword when already on it
    # (in byte mode always). Decoders stop at the terminator either way.
    padding = 8 - length % 8
    if length + padding > capacity_bits:
        padding = capacity_bits - length
    bits <<= padding
    length += padding
    codewords = list(bits.to_bytes(length // 8, "big"))
    index = 0
    while len(codewords) < capacity_bits // 8:
        codewords.append(PAD_CODEWORDS[index % 2])
        index += 1
    return codewords


def _final_message(codewords: list[int], version: int, error: int) -> list[int]:
    data_blocks: list[list[int]] = []
    error_blocks: list[list[int]] = []
    gen_log, gen_exp = consts.GALIOS_LOG, consts.GALIOS_EXP
    offset = 0
    for info in consts.ECC[version][error]:
        error_words = info.num_total - info.num_data
        generator = consts.GEN_POLY[error_words]
        for _block in range(info.num_blocks):
            block = codewords[offset : offset + info.num_data]
            offset += info.num_data
            data_blocks.append(block)
            remainder = [*block, *([0] * error_words)]
            for k in range(len(block)):
                coefficient = remainder[k]
                if coefficient:
                    log = gen_log[coefficient]
                    for n in range(error_words):
                        remainder[k + n + 1] ^= gen_exp[log + generator[n]]
            error_blocks.append(remainder[len(block) :])
    return [
        value
        for value in chain(
            chain.from_iterable(zip_longest(*data_blocks)),
            chain.from_iterable(zip_longest(*error_blocks)),
        )
        if value is not None
    ]


def qr_matrix(data: bytes, *, error: int = ERROR_M, mask: int = 4) -> tuple[list[bytearray], int]:
    """The module matrix (rows of 0/1, no quiet zone) of the QR code for `data`, and its version."""
    version = choose_version(len(data), error)
    rows, positions, mask_bits = _layout(version, error, mask)
    message = _final_message(_codewords(data, version, error), version, error)
    size = len(rows)
    flat = bytearray(b"".join(rows))
    bit_count = min(len(positions), 8 * len(message))
    stream = int.from_bytes(bytes(message), "big")
    total_bits = 8 * len(message)
    for index in range(len(positions)):
        bit = (stream >> (total_bits - 1 - index)) & 1 if index < bit_count else 0
        flat[positions[index]] = bit ^ mask_bits[index]
    return [flat[start : start + size] for start in range(0, size * size, size)], version
