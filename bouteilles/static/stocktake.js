// The count page (stocktakes/new.html): codes read by the camera or typed in the
// scanner's field go into the form's list of codes, each once; the running count
// follows the list as it is scanned, typed or pasted. Without JavaScript the list
// is the plain form's.
import { CodeReader } from "./scan/reader.js";
import { normalizeCode } from "./scan/codes.js";
import { signal } from "./scan/feedback.js";

const root = document.getElementById("stocktake");
const list = document.getElementById("codes");
const tally = document.getElementById("tally");
const format = new Intl.NumberFormat(document.documentElement.lang || undefined);

/** The distinct codes of the list (what the server will count). */
function counted() {
  const codes = new Set();
  for (const part of list.value.split(/[\s,;]+/)) {
    const parsed = normalizeCode(part);
    if (parsed.ok) codes.add(parsed.code);
  }
  return codes;
}

function update() {
  const n = counted().size;
  tally.textContent = (n === 1 ? tally.dataset.one : tally.dataset.many)
    .replace("{n}", format.format(n));
}

if (root && list && tally) {
  root.querySelectorAll(".needs-js").forEach((el) => { el.hidden = false; });
  const reader = new CodeReader({
    root,
    onCode(code) {
      if (counted().has(code)) {
        signal("refused");
        return;
      }
      list.value = (list.value.trim() ? `${list.value.trimEnd()}\n` : "") + code;
      signal("ok");
      update();
    },
  });
  reader.start();
  list.addEventListener("input", update);
  update();
}
