// DOM building for the scanner (no innerHTML: every text from the server or a
// QR code is inserted as text).

import { formatCode } from "./codes.js";
import { _ } from "./i18n.js";

/** h("p", {class: "x", onclick: f}, "text", child…) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const money = new Intl.NumberFormat(document.documentElement.lang || "fr", {
  style: "currency",
  currency: "EUR",
});
export const euros = (cents) => money.format(cents / 100);

const clock = new Intl.DateTimeFormat(document.documentElement.lang || "fr", {
  timeZone: "Europe/Paris", // the network's time, as on every page
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
export const timeOf = (iso) => clock.format(new Date(iso));

/** The facts of an item, as a definition list. */
export function itemFacts(item, labels) {
  const rows = [
    [_("État"), labels.states[item.state] || item.state],
    [_("Chez"), item.holder_name || item.holder],
  ];
  if (item.kind === "crate") rows.push([_("Quantité"), item.quantity]);
  else rows.push([_("Réutilisations"), item.cycles]);
  if (item.deposit_held_cents > 0) rows.push([_("Consigne encaissée"), euros(item.deposit_held_cents)]);
  else if (item.deposit_cents > 0) rows.push([_("Consigne"), euros(item.deposit_cents)]);
  return h("dl", { class: "facts" }, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

/** The title line of a card: type name and code. */
export function itemTitle(item, id) {
  const kind = item.kind === "crate" ? `${_("Caisse")} · ` : "";
  return h(
    "h2",
    { class: "card-title", id, tabindex: "-1" },
    `${kind}${item.type_name || item.type}`,
    h("span", { class: "code" }, formatCode(item.code)),
  );
}

/** One row of the pending list or the series log; `onCancel` takes a pending scan back. */
export function scanRow({ code, action, time, status, statusText, message, onDismiss, onCancel },
  labels) {
  return h(
    "li",
    { class: `scan-row status-${status}`, dataset: { code, status } },
    h(
      "div",
      { class: "scan-row-main" },
      h("span", { class: "code" }, formatCode(code)),
      h("span", { class: "scan-action" }, labels.actions[action] || action),
      time ? h("time", { datetime: time }, timeOf(time)) : null,
      h("span", { class: "scan-status" }, statusText),
    ),
    message ? h("p", { class: "scan-message" }, message) : null,
    onDismiss
      ? h("button", { type: "button", class: "link-button", onclick: onDismiss }, _("J'ai compris"))
      : null,
    onCancel
      ? h("button", { type: "button", class: "link-button row-cancel", onclick: onCancel,
        "aria-label": _("Annuler %(code)s (pas encore envoyé)", { code: formatCode(code) }) },
      _("Annuler"))
      : null,
  );
}
