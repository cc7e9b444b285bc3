"""The fast QR encoder lays out exactly qrcode's symbols and picks a low-penalty mask."""

from __future__ import annotations

import pytest
import qrcode
import zxingcpp
from PIL import Image
from qrcode import util
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

from bouteilles.services.items.codes import new_code
from bouteilles.services.labels.qr import create_data, make_qr, penalty

URLS = [f"https://bouteilles.example.org/q/{new_code()}" for _ in range(12)] + [
    "x" * 300, "A", "12345678901234567890", "http://127.0.0.1:5000/8003/0387058500055112345678"]
LEVELS = [ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q, ERROR_CORRECT_H]


def _rows(modules) -> list[int]:
    return [int("".join("1" if d else "0" for d in row), 2) for row in modules]


@pytest.mark.parametrize("level", LEVELS)
def test_error_correction_bytes_are_qrcodes(level):
    for url in URLS:
        qr = qrcode.QRCode(error_correction=level)
        qr.add_data(url)
        qr.best_fit()
        assert create_data(qr.version, level, qr.data_list) == util.create_data(
            qr.version, level, qr.data_list)


@pytest.mark.parametrize("level", LEVELS)
def test_symbol_is_qrcodes_with_the_least_penalty_mask(level):
    for url in URLS:
        fast = make_qr(url, error_correction=level, border=4)
        n = len(fast.modules)
        candidates = []
        for mask in range(8):
            ref = qrcode.QRCode(error_correction=level, border=4, mask_pattern=mask)
            ref.add_data(url)
            ref.make(fit=True)
            assert ref.version == fast.version
            candidates.append((penalty(_rows(ref.modules), n), mask, ref.modules))
        assert fast.modules == min(candidates, key=lambda c: (c[0], c[1]))[2]


def test_symbols_decode():
    for url in URLS:
        qr = make_qr(url, error_correction=ERROR_CORRECT_Q, border=4)
        image = qr.make_image().get_image().convert("L")
        assert isinstance(image, Image.Image)
        assert [b.text for b in zxingcpp.read_barcodes(image)] == [url]


def test_penalty_rules():
    n = 21
    assert penalty([0] * n, n) > penalty([int("10" * 10 + "1", 2)] * n, n) > 0
