"""Codes: check symbol catches typos, input is forgiving, codes are random enough."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouteilles.services.items.codes import (
    ALPHABET,
    BODY_LENGTH,
    CHECK_ALPHABET,
    CODE_LENGTH,
    RANDOM_BITS,
    InvalidCode,
    check_symbol,
    format_code,
    new_code,
    normalize_code,
)

bodies = st.text(alphabet=ALPHABET, min_size=BODY_LENGTH, max_size=BODY_LENGTH)


def _code(body: str) -> str:
    return body + check_symbol(body)


@settings(max_examples=300)
@given(bodies)
def test_every_single_symbol_substitution_is_refused(body: str) -> None:
    code = _code(body)
    assert normalize_code(code) == code
    for i in range(CODE_LENGTH):
        for symbol in CHECK_ALPHABET:
            if symbol == code[i]:
                continue
            typo = code[:i] + symbol + code[i + 1 :]
            with pytest.raises(InvalidCode):
                normalize_code(typo)


@settings(max_examples=300)
@given(bodies)
def test_every_adjacent_transposition_is_refused(body: str) -> None:
    code = _code(body)
    for i in range(CODE_LENGTH - 1):
        if code[i] == code[i + 1]:
            continue
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        with pytest.raises(InvalidCode):
            normalize_code(swapped)


def test_check_arithmetic_catches_all_substitutions_and_transpositions() -> None:
    """Exhaustive over symbol values and positions: the check of every code changes."""
    for k in range(BODY_LENGTH):
        weight = pow(32, k, 37)
        for a in range(32):
            for b in range(32):
                if a != b:
                    assert (a - b) * weight % 37 != 0
                    assert (a - b) * (32 * weight - weight) % 37 != 0


@pytest.mark.parametrize(
    "typed",
    [
        "{c}",
        "{c_lower}",
        "{f}",
        "{f_lower}",
        "  {f}  ",
        "{c0}-{c1}",
        "{spaced}",
        "https://bouteilles.example.org/q/{c}",
        "http://localhost:5000/q/{f_lower}?src=qr#top",
        "HTTPS://BOUTEILLES.EXAMPLE.ORG/Q/{c}",
        "{dashes}",
    ],
)
def test_normalisation_accepts_forgiving_input(typed: str) -> None:
    code = _code("0123ABYZ")
    text = typed.format(
        c=code,
        c_lower=code.lower(),
        f=format_code(code),
        f_lower=format_code(code).lower(),
        c0=code[:3],
        c1=code[3:],
        spaced=" ".join(code),
        dashes=code[:4] + "\u2013" + code[4:],
    )
    assert normalize_code(text) == code


def test_i_l_o_are_read_as_one_and_zero() -> None:
    code = _code("10AB01XY")
    assert normalize_code("IOAB0LXY" + code[-1]) == code
    assert normalize_code("loab0ixy" + code[-1].lower()) == code


def test_percent_encoded_url_and_special_check_symbols() -> None:
    body = next(b for b in (f"{n:08d}" for n in range(10_000)) if check_symbol(b) == "$")
    assert normalize_code(f"https://x/q/{body}%24") == body + "$"
    assert normalize_code(f"https://x/q/{body}$") == body + "$"


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "ABCD", "ABCDEFGHJK", "https://x/q/", "ABCDEFGU0", "ABCD*FGH0", "ÀBCDEFGH0"],
)
def test_malformed_input_is_refused(bad: str) -> None:
    with pytest.raises(InvalidCode):
        normalize_code(bad)


def test_none_is_refused() -> None:
    with pytest.raises(InvalidCode):
        normalize_code(None)  # type: ignore[arg-type]


def test_check_symbol_refuses_non_canonical_body() -> None:
    with pytest.raises(InvalidCode):
        check_symbol("ABCDEFGU")


def test_format_code_groups_for_reading() -> None:
    assert format_code("ABCDEFGHJ") == "ABCD-EFGH-J"


def test_new_codes_are_valid_and_at_least_40_random_bits() -> None:
    assert RANDOM_BITS >= 40
    assert len(ALPHABET) ** BODY_LENGTH >= 2**40
    codes = [new_code() for _ in range(32_000)]
    assert all(normalize_code(c) == c for c in codes[:2000])
    assert len(set(codes)) == len(codes)
    for position in (0, BODY_LENGTH - 1):
        counts = Counter(c[position] for c in codes)
        assert set(counts) == set(ALPHABET)
        # 1000 expected per symbol, sigma about 31: 6 sigma either way.
        assert all(810 < n < 1190 for n in counts.values()), counts


# ---------------------------------------------------------------- the phone's copy

CODES_JS = Path(__file__).resolve().parents[3] / "bouteilles" / "static" / "scan" / "codes.js"
NODE = shutil.which("node")


def _typed_variants() -> list[str]:
    """What people and scanners send: good codes dressed every forgiving way, typos,
    look-alike letters, separators of every kind, URLs, broken escapes, junk."""
    texts = ["", "   ", "ABCD", "ABCDEFGHJK", "https://x/q/", "ABCDEFGU0", "ABCD*FGH0", "ÀBCDEFGH0",
             "%", "https://x/q/%ZZ", "https://x/q/%C3", "https://x/q/ABCD%E2%80%93EFGH0", "😀" * 9]
    bodies = ["0123ABYZ", "10AB01XY", "ZZZZZZZZ", "00000000", "JKMNPQRS"]
    bodies += [next(f"{n:08d}" for n in range(10_000) if check_symbol(f"{n:08d}") == s)
               for s in "*~$=U"]
    for body in bodies:
        code = _code(body)
        spaced, formatted = " ".join(code), format_code(code)
        texts += [code, code.lower(), formatted, formatted.lower(), spaced, f"  {formatted}  ",
                  code.replace("0", "O").replace("1", "I"), code.replace("1", "l").lower(),
                  code.replace("1", "L"), f"{code[:4]}_{code[4:]}", f"{code[:4]}.{code[4:]}",
                  *(f"{code[:4]}{sep}{code[4:]}" for sep in "\u2010\u2011\u2013\u2014\u2015\u2212"),
                  *(f"{code[:4]}{ws}{code[4:]}" for ws in
                    "\t\n\x0b\x1c\x1d\x1f\x85\xa0\u1680\u2003\u200b\u2028\u202f\u3000\ufeff"),
                  f"https://bouteilles.example.org/q/{code}",
                  f"HTTPS://BOUTEILLES.EXAMPLE.ORG/Q/{code}",
                  f"http://localhost:5000/q/{formatted.lower()}?src=qr#top",
                  f"https://x/q/{code[:-1]}%{ord(code[-1]):02X}", f"https://x/q/{code}%",
                  f"https://x/q/{code[:4]}%2d{code[4:]}", f"/q/{code}/", code + "0", code[:-1],
                  code[:3] + code[4] + code[3] + code[5:]]
        texts += [code[:i] + s + code[i + 1:] for i in range(len(code)) for s in "0UZ*"]
    rng = random.Random(20_240_611)  # fixed: the same inputs on every run
    pool = CHECK_ALPHABET + "iloIL -_.\u2013\u00a0éß%/q"
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(7, 12))) for _ in range(3000)]
    return texts


def _python_verdict(text: str) -> dict:
    try:
        return {"ok": True, "code": normalize_code(text)}
    except InvalidCode as exc:
        return {"ok": False, "reason": exc.reason}


@pytest.mark.skipif(NODE is None, reason="node is not installed: the scanner's codes.js "
                    "cannot be run (CI has node)")
def test_scanner_codes_js_reads_every_input_as_the_server_does() -> None:
    """static/scan/codes.js reads each text as codes.py does: same code, or same reason."""
    texts = _typed_variants()
    script = ("import fs from 'node:fs';\n"
              f"import {{ normalizeCode }} from {json.dumps(CODES_JS.as_uri())};\n"
              "const texts = JSON.parse(fs.readFileSync(0, 'utf8'));\n"
              "process.stdout.write(JSON.stringify(texts.map(normalizeCode)));\n")
    run = subprocess.run([NODE, "--input-type=module", "-e", script], input=json.dumps(texts),
                         capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert run.returncode == 0, run.stderr
    phone = json.loads(run.stdout)
    differ = [(text, ours, theirs) for text, theirs in zip(texts, phone, strict=True)
              if (ours := _python_verdict(text)) != theirs]
    assert not differ, differ[:10]
    assert sum(v["ok"] for v in phone) > 300  # the good ones were really read
