// Item codes, checked on the phone the same way as bouteilles/services/codes.py:
// 8 Crockford base32 symbols + 1 check symbol (value mod 37). A QR holds the
// URL {BASE_URL}/q/{code}; a typed code may have spaces, hyphens, any case.

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECK_ALPHABET = ALPHABET + "*~$=U";
const BODY_LENGTH = 8;
const URL_CODE = /\/q\/([^/?#]+)/;
const READ_AS = { I: "1", L: "1", O: "0" };

function checkSymbol(body) {
  // 40 bits fit exactly in a double, so plain arithmetic is exact here.
  let value = 0;
  for (const ch of body) value = value * 32 + CHECK_ALPHABET.indexOf(ch);
  return CHECK_ALPHABET[value % 37];
}

/**
 * Canonical code from typed or scanned text.
 * @returns {{ok: true, code: string} | {ok: false, reason: "length"|"chars"|"check"}}
 */
export function normalizeCode(text) {
  let raw = String(text ?? "").trim();
  const match = URL_CODE.exec(raw);
  if (match) {
    try {
      raw = decodeURIComponent(match[1]);
    } catch {
      raw = match[1];
    }
  }
  const code = raw.replace(/[\s-]/g, "").toUpperCase().replace(/[ILO]/g, (ch) => READ_AS[ch]);
  if (code.length !== BODY_LENGTH + 1) return { ok: false, reason: "length" };
  const body = code.slice(0, -1);
  const check = code.slice(-1);
  if ([...body].some((ch) => !ALPHABET.includes(ch)) || !CHECK_ALPHABET.includes(check)) {
    return { ok: false, reason: "chars" };
  }
  if (checkSymbol(body) !== check) return { ok: false, reason: "check" };
  return { ok: true, code };
}

/** ABCD-EFGH-J, for reading aloud. */
export function formatCode(code) {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}
