// The counter component's order: the boxes one customer brings back or takes
// away (or what a collector picks up at one place), each with the action its
// state proposes and the other one tap away, recorded together in one tap.
// Enter on the empty code field records it too, never with an action a box
// does not allow. Without network a box cannot be looked up: the person
// chooses its action (docs/decisions.md, "The counter screen").

import * as api from "./api.js";
import { formatCode } from "./codes.js";
import { signal } from "./feedback.js";
import { _ } from "./i18n.js";
import * as money from "./money.js";
import { h } from "./view.js";

const $ = (id) => document.getElementById(id);
const TO_KEY = "bouteilles.counter.to";

export class Order {
  /**
   * @param {{config: object, outbox: import("./outbox.js").Outbox,
   *          receipts: import("./receipts.js").Receipts, count: (n: number) => string,
   *          ready: () => void}} options
   *   count: "3 boîtes"; ready: back to the next code once the order is recorded.
   */
  constructor({ config, outbox, receipts, count, ready }) {
    Object.assign(this, { config, outbox, receipts, count, ready });
    this.labels = config.labels;
    this.lines = [];
    this.offlineChoice = null; // offline: the action chosen for this order's previous box
    this.message = ""; // said since the order last changed (a repeated code…)
    this.ui = {
      section: $("order"),
      list: $("order-lines"),
      destination: $("order-destination"),
      to: $("order-to"),
      summary: $("order-summary"),
      note: $("order-note"),
      submit: $("order-submit"),
      clear: $("order-clear"),
    };
  }

  start() {
    const { ui, config } = this;
    ui.submit.addEventListener("click", () => this.submit());
    ui.clear.addEventListener("click", () => this.clear());
    const sites = config.destinations;
    ui.to.replaceChildren(
      ...(sites.length === 1 ? [] : [h("option", { value: "" }, "—")]),
      ...sites.map((org) => h("option", { value: org.code }, org.name)));
    const kept = localStorage.getItem(TO_KEY);
    if (sites.some((org) => org.code === kept)) ui.to.value = kept;
    ui.to.addEventListener("change", () => localStorage.setItem(TO_KEY, ui.to.value));
    // Back online: what could not be looked up is, and gets its proposal.
    window.addEventListener("online", () => this.refresh());
    this.render();
  }

  /** A code read or typed: look it up and add it to the order. */
  async add(code) {
    if (this.lines.some((line) => line.code === code)) {
      signal("info");
      this.say(_("%(code)s est déjà dans la liste.", { code: formatCode(code) }));
      return;
    }
    const line = { code, status: "looking", item: null, choices: [], action: null, why: "" };
    this.lines.push(line);
    this.render();
    await this.lookUp(line);
    signal(line.status === "found" || line.status === "offline" ? "info" : "refused");
    this.render();
  }

  async lookUp(line) {
    if (this.outbox.isOffline()) {
      this.offline(line);
      return;
    }
    let answer;
    try {
      answer = await api.getItem(line.code);
    } catch (error) {
      if (!(error instanceof api.NetworkError)) throw error;
      this.outbox.failed();
      this.offline(line);
      return;
    }
    this.outbox.answered();
    if (answer.status === 200) {
      this.found(line, answer.body);
      return;
    }
    line.status = "refused";
    line.title = answer.status === 404 ? _("Code inconnu") : _("Refusé");
    line.why = answer.status === 401 ? _("Votre session a expiré : reconnectez-vous.")
      : api.errorMessage(answer, _("Impossible de lire la fiche."));
    if (answer.status === 401) this.outbox.needLogin();
  }

  found(line, item) {
    const { config } = this;
    const allowed = item.actions || [];
    const notHere = (action) => (config.not_from[action] || []).includes(item.holder);
    line.item = item;
    line.choices = config.actions.filter((action) => allowed.includes(action) && !notHere(action));
    const proposed = config.suggested[item.state];
    line.proposed = line.choices.includes(proposed) ? proposed : null;
    // A choice made offline stays when the box allows it.
    line.action = line.choices.includes(line.action) ? line.action : line.proposed;
    line.status = line.choices.length ? "found" : "impossible";
    line.why = line.choices.length ? "" : _("Aucune action possible : état « %(state)s », chez %(holder)s.", {
      state: this.labels.states[item.state] || item.state, holder: item.holder_name || item.holder });
  }

  offline(line) {
    line.status = "offline";
    line.choices = [...this.config.actions];
    line.action = line.action || this.offlineChoice;
  }

  async refresh() {
    const waiting = this.lines.filter((line) => line.status === "offline");
    for (const line of waiting) await this.lookUp(line);
    if (waiting.length) this.render();
  }

  choose(line, action) {
    line.action = action;
    if (line.status === "offline") this.offlineChoice = action;
    this.render();
  }

  remove(line) {
    this.lines = this.lines.filter((other) => other !== line);
    this.render();
    this.ready();
  }

  clear() {
    this.lines = [];
    this.offlineChoice = null;
    this.render();
    this.ready();
  }

  /** Say something until the order changes (then the note says what the order lacks). */
  say(text) {
    this.message = text;
    this.ui.note.textContent = text;
  }

  recordable() {
    return this.lines.filter((line) => line.action && (line.status === "found" || line.status === "offline"));
  }

  /** Why the order cannot be recorded as it is, or null. */
  obstacle() {
    if (!this.lines.length) return _("Scannez ou tapez un code d'abord.");
    if (this.lines.some((line) => line.status === "looking")) return _("Un instant : recherche en cours…");
    const undecided = this.lines.find((line) => line.choices.length && !line.action);
    if (undecided) {
      return _("Choisissez l'action pour %(code)s : %(choices)s.", { code: formatCode(undecided.code),
        choices: undecided.choices.map((action) => this.labels.actions[action]).join(" / ") });
    }
    if (!this.recordable().length) {
      return _("Rien à enregistrer : %(why)s", { why: this.lines.find((line) => line.why)?.why || "" });
    }
    return null;
  }

  /** Record every box of the order, each its own scan; the receipts say what happened. */
  async submit() {
    const obstacle = this.obstacle();
    if (obstacle) {
      signal("refused");
      this.say(obstacle);
      return;
    }
    const lines = this.recordable();
    const needsTo = lines.some((line) => this.config.needs_destination.includes(line.action));
    if (needsTo && !this.ui.to.value) {
      signal("refused");
      this.say(_("Choisissez où livrer."));
      this.ui.to.focus();
      return;
    }
    const receipts = this.receipts.startOrder(lines.map((line) => {
      const scan = { code: line.code, action: line.action, idempotency_key: api.newKey(),
        occurred_at: api.isoNow() };
      if (this.config.needs_destination.includes(line.action)) scan.to = this.ui.to.value;
      return { line, scan };
    }));
    this.lines = [];
    this.offlineChoice = null;
    this.render();
    this.ready();
    const outcomes = [];
    for (const receipt of receipts) outcomes.push(await receipt.send());
    signal(outcomes.includes("refused") ? "refused" : outcomes.includes("pending") ? "queued" : "ok");
  }

  render() {
    const { ui, labels } = this;
    this.message = "";
    ui.section.hidden = !this.lines.length;
    ui.list.replaceChildren(...this.lines.map((line) => this.lineView(line)));
    const lines = this.recordable();
    const groups = new Map();
    for (const line of lines) {
      const group = groups.get(line.action) || { count: 0, cents: 0 };
      const cents = money.expectedCents(this.config, line.action, line.item);
      group.count += 1;
      group.cents = group.cents === null || cents === null ? null : group.cents + cents;
      groups.set(line.action, group);
    }
    const parts = [...groups].map(([action, group]) => {
      const what = [this.count(group.count), money.toDo(group.cents)].filter(Boolean).join(", ");
      return groups.size > 1 ? `${labels.actions[action]} : ${what}` : what;
    });
    const total = [...groups.values()].reduce((sum, group) => (
      sum === null || group.cents === null ? null : sum + group.cents), 0);
    if (groups.size > 1 && total) parts.push(money.balance(total));
    ui.summary.replaceChildren(...parts.map((text) => h("p", {}, text)));
    ui.destination.hidden = !lines.some((line) => this.config.needs_destination.includes(line.action));
    const [only] = groups.keys();
    ui.submit.hidden = !lines.length;
    ui.submit.dataset.action = groups.size === 1 ? only : "mixed";
    ui.submit.replaceChildren(
      h("span", { class: "submit-action" }, groups.size === 1 ? labels.actions[only] : _("Enregistrer")),
      h("span", { class: "submit-count" }, this.count(lines.length)));
    const settled = this.lines.length && !this.lines.some((line) => line.status === "looking");
    ui.note.textContent = settled ? this.obstacle() || "" : "";
  }

  lineView(line) {
    const { labels } = this;
    const item = line.item;
    const what = !item ? null
      : item.kind === "crate" ? `${_("Caisse")} · ${item.type_name} · ${item.quantity}` : item.type_name;
    const facts = {
      looking: _("Recherche…"),
      found: item && `${labels.states[item.state] || item.state} · ${item.holder_name || item.holder}`,
      impossible: line.why,
      offline: _("Hors ligne : fiche non disponible. Choisissez l'action, elle sera envoyée au retour du réseau."),
      refused: `${line.title} : ${line.why}`,
    }[line.status];
    const cents = line.action ? money.expectedCents(this.config, line.action, item) : 0;
    const takesDeposits = line.action && money.expectedCents(this.config, line.action, null) !== 0;
    const cash = !line.action ? ""
      : cents === 0 && takesDeposits ? _("Pas de consigne sur cette boîte.") : money.toDo(cents);
    return h(
      "li",
      { class: `order-line line-${line.status}`, dataset: { code: line.code, status: line.status,
        action: line.action || "" } },
      h("div", { class: "line-head" },
        h("p", { class: "line-title" },
          h("span", { class: "code" }, formatCode(line.code)),
          what ? h("span", { class: "line-what" }, what) : null),
        h("button", { type: "button", class: "line-remove", onclick: () => this.remove(line),
          "aria-label": _("Retirer %(code)s de la liste", { code: formatCode(line.code) }) }, "×")),
      h("p", { class: "line-facts" }, facts),
      line.choices.length
        ? h("div", { class: "line-actions", role: "group",
          "aria-label": _("Action pour %(code)s", { code: formatCode(line.code) }) },
        line.choices.map((action) => h("button", {
          type: "button", class: "line-action", dataset: { action },
          "aria-pressed": String(line.action === action), onclick: () => this.choose(line, action),
        }, labels.actions[action] || action)))
        : null,
      cash ? h("p", { class: "line-money" }, cash) : null,
    );
  }
}
