// The JSON API, as the scanner uses it. Every call resolves to
// {status, body}; a request that never got an answer (no network, timeout)
// throws NetworkError, which is what sends a scan to the offline queue.

export class NetworkError extends Error {}

let base = "/api/v1";

export function setApiBase(url) {
  base = url.replace(/\/$/, "");
}

async function call(method, path, payload, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(base + path, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: payload === undefined
        ? { Accept: "application/json" }
        : { Accept: "application/json", "Content-Type": "application/json" },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      signal: controller.signal,
    });
  } catch (error) {
    throw new NetworkError(error?.message || "network");
  } finally {
    clearTimeout(timer);
  }
  const type = response.headers.get("Content-Type") || "";
  let body = null;
  if (type.includes("json")) {
    try {
      body = await response.json();
    } catch {
      throw new NetworkError("truncated answer");
    }
  }
  // A session that expired may answer with the login page instead of JSON.
  if (body === null && (response.redirected || type.includes("html"))) {
    return { status: 401, body: { error: { code: "unauthorized", message: "" } } };
  }
  return { status: response.status, body };
}

/** An ISO 8601 time with the phone's UTC offset, e.g. 2025-03-01T18:05:09.120+01:00. */
export function isoNow(date = new Date()) {
  const pad = (n, width = 2) => String(Math.abs(n)).padStart(width, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** A fresh idempotency key (randomUUID needs a secure context; fall back if absent). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const getItem = (code) => call("GET", `/items/${encodeURIComponent(code)}`, undefined, 8000);
export const postScan = (scan) => call("POST", "/scans", scan, 10000);
export const postBatch = (scans) => call("POST", "/scans/batch", { scans }, 30000);
/** Undo a recorded event (its item's latest): {idempotency_key} → {event, item, deposit}. */
export const postUndo = (eventId, key) =>
  call("POST", `/events/${encodeURIComponent(eventId)}/undo`, { idempotency_key: key }, 10000);

/** The human sentence of an error answer. */
export function errorMessage(answer, fallback) {
  return answer?.body?.error?.message || fallback;
}
