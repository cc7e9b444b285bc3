// Item codes, checked on the phone exactly as bouteilles/services/items/codes.py does
// (tests/services/test_codes.py runs both on the same inputs):
// 8 Crockford base32 symbols + 1 check symbol (value mod 37). A QR holds the
// URL {BASE_URL}/q/{code}; a typed code may have spaces, hyphens, dots,
// underscores, typographic dashes, any case.

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECK_ALPHABET = ALPHABET + "*~$=U";
const BODY_LENGTH = 8;
const URL_CODE = /\/q\/([^/?#]+)/i;
// Python's \s (str.isspace) spelled out: JavaScript's \s also takes U+FEFF and
// leaves out U+001C–U+001F and U+0085, so the phone and the server would disagree.
const SEPARATORS = /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\-_.\u2010-\u2015]/g;
const READ_AS = { I: "1", L: "1", O: "0" };

function checkSymbol(body) {
  // 40 bits fit exactly in a double, so plain arithmetic is exact here.
  let value = 0;
  for (const ch of body) value = value * 32 + CHECK_ALPHABET.indexOf(ch);
  return CHECK_ALPHABET[value % 37];
}

/** As Python's urllib.parse.unquote: %XX runs are UTF-8 (bad bytes become U+FFFD); a stray % stays. */
function unquote(text) {
  const utf8 = new TextDecoder();
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) =>
    utf8.decode(Uint8Array.from(run.slice(1).split("%"), (hex) => parseInt(hex, 16))));
}

/**
 * Canonical code from typed or scanned text.
 * @returns {{ok: true, code: string} | {ok: false, reason: "length"|"chars"|"check"}}
 */
export function normalizeCode(text) {
  let raw = String(text ?? "");
  const match = URL_CODE.exec(raw);
  if (match) raw = unquote(match[1]);
  const code = raw.replace(SEPARATORS, "").toUpperCase().replace(/[ILO]/g, (ch) => READ_AS[ch]);
  // Counted in characters, as Python does, not in UTF-16 units.
  const chars = [...code];
  if (chars.length !== BODY_LENGTH + 1) return { ok: false, reason: "length" };
  const body = chars.slice(0, -1);
  const check = chars[BODY_LENGTH];
  if (body.some((ch) => !ALPHABET.includes(ch)) || !CHECK_ALPHABET.includes(check)) {
    return { ok: false, reason: "chars" };
  }
  if (checkSymbol(body) !== check) return { ok: false, reason: "check" };
  return { ok: true, code };
}

/** ABCD-EFGH-J, for reading aloud. */
export function formatCode(code) {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}
