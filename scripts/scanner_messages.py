"""Write the scanner's part of a gettext catalogue as JSON (run by `make translations`).

The scanner's JavaScript (bouteilles/static/scan/*.js) marks its texts with `_()`
and `ngettext()`; `pybabel extract` puts them in messages.po with the pages'
texts. This finds the msgids the scripts use, the same way, and writes their
translations from one .po: msgid → text, or singular msgid → list of plural
forms. An untranslated or fuzzy entry is left out, as `pybabel compile` leaves
it out of the .mo: the scanner shows the French.

    python scripts/scanner_messages.py LOCALE_DIR/LC_MESSAGES/messages.po OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po

SCRIPTS = Path(__file__).resolve().parent.parent / "bouteilles" / "static" / "scan"


def scanner_msgids(scripts: Path = SCRIPTS) -> set[str]:
    """The singular msgids the scanner's scripts mark, as `pybabel extract` reads them."""
    found = set()
    for path in sorted(scripts.glob("*.js")):
        with path.open("rb") as source:
            for _line, message, _comments, _context in extract(
                    "javascript", source, keywords=DEFAULT_KEYWORDS):
                found.add(message[0] if isinstance(message, tuple) else message)
    return found


def scanner_catalogue(po_path: Path, scripts: Path = SCRIPTS) -> dict[str, str | list[str]]:
    """The translations of the scanner's msgids in one .po."""
    with po_path.open("rb") as source:
        catalog = read_po(source)
    wanted = scanner_msgids(scripts)
    out: dict[str, str | list[str]] = {}
    for message in catalog:
        singular = message.id[0] if message.pluralizable else message.id
        if singular not in wanted or message.fuzzy:
            continue
        if message.pluralizable:
            if all(message.string):
                out[singular] = list(message.string)
        elif message.string:
            out[singular] = message.string
    return dict(sorted(out.items()))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    po_path, out_path = Path(argv[0]), Path(argv[1])
    text = json.dumps(scanner_catalogue(po_path), ensure_ascii=False, indent=1, sort_keys=True)
    out_path.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
