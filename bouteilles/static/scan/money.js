// What the counter says about money, in plain words: what a move will take or
// give back, and what it did. Which move takes a deposit or gives it back is the
// life cycle's rule, carried by the page config (`deposit_moves`: action → state
// → ["taken"], ["refunded"]…); the amounts are the box type's deposit (taken)
// and what the box holds (given back).

import { _ } from "./i18n.js";
import { euros } from "./view.js";

/**
 * What a move of `item` (null: offline, not looked up) would do to the cash: cents
 * in (> 0) or out (< 0), or null when it cannot be known here.
 */
export function expectedCents(config, action, item) {
  if (!item) { // offline: what this action does to a deposit when it does anything
    const moves = Object.values(config.deposit_moves[action] || {}).flat();
    const sign = moves.includes("taken") ? 1 : moves.includes("refunded") ? -1 : 0;
    const usual = config.usual_deposit_cents;
    if (sign === 0) return 0;
    return usual === null || usual === undefined ? null : sign * usual;
  }
  const moves = config.deposit_moves[action]?.[item.state] || [];
  if (moves.includes("taken")) return item.deposit_cents || 0;
  if (moves.includes("refunded")) return -(item.deposit_held_cents || item.deposit_cents || 0);
  return 0;
}

/** Signed cents moved by a scan's answer ({deposit}: taken in, refunded out). */
export function answeredCents(body) {
  const deposit = body?.deposit;
  if (!deposit?.amount_cents) return 0;
  if (deposit.kind === "taken") return deposit.amount_cents;
  if (deposit.kind === "refunded") return -deposit.amount_cents;
  return 0;
}

/** Before recording: "15,00 € de consigne à encaisser", "… à rendre", or nothing. */
export function toDo(cents) {
  if (cents === null) return _("consigne selon la boîte (inconnue hors ligne)");
  if (cents > 0) return _("%(amount)s de consigne à encaisser", { amount: euros(cents) });
  if (cents < 0) return _("%(amount)s de consigne à rendre", { amount: euros(-cents) });
  return "";
}

/** After recording: "Prêté : 5,00 € de consigne encaissés", "Repris : rendez 5,00 € au client". */
export function done(doneLabel, cents) {
  if (cents > 0) return _("%(done)s : %(amount)s de consigne encaissés", { done: doneLabel, amount: euros(cents) });
  if (cents < 0) return _("%(done)s : rendez %(amount)s au client", { done: doneLabel, amount: euros(-cents) });
  return doneLabel;
}

/** Kept offline: what to do with the cash now, the scan being sent later. */
export function queued(cents) {
  if (cents === null) return _("Consigne selon la boîte : la page n'a pas pu la lire hors ligne.");
  if (cents > 0) return _("Encaissez %(amount)s de consigne.", { amount: euros(cents) });
  if (cents < 0) return _("Rendez %(amount)s au client.", { amount: euros(-cents) });
  return "";
}

/** Undone: the cash goes back the other way ("Annulé : rendez 5,00 € au client"). */
export function undone(cents) {
  if (cents > 0) return _("Annulé : rendez %(amount)s au client", { amount: euros(cents) });
  if (cents < 0) return _("Annulé : le client vous rend %(amount)s", { amount: euros(-cents) });
  return _("Annulé");
}

/** The whole order's balance: "Au total : encaissez 10,00 €" / "… rendez 5,00 € au client". */
export function balance(cents) {
  if (cents > 0) return _("Au total : encaissez %(amount)s", { amount: euros(cents) });
  if (cents < 0) return _("Au total : rendez %(amount)s au client", { amount: euros(-cents) });
  return "";
}
