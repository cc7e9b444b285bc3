// What the counter recorded, newest order first: each box in plain words with
// its money, and "Annuler" for UNDO_MINUTES. A scan still in the offline queue
// is simply taken out of it (nothing is sent); a recorded one is undone by the
// server (POST /api/v1/events/<id>/undo), which gives the deposit back the
// other way.

import * as api from "./api.js";
import { formatCode } from "./codes.js";
import { signal } from "./feedback.js";
import { _ } from "./i18n.js";
import * as money from "./money.js";
import { h, timeOf } from "./view.js";

const $ = (id) => document.getElementById(id);
const KEEP_ORDERS = 20;
const SERVER_FAILED = () => _("Le serveur n'a pas pu répondre. Réessayez dans un instant.");

export class Receipts {
  constructor({ config, outbox, count }) {
    Object.assign(this, { config, outbox, count });
    this.section = $("receipts");
    this.list = $("receipt-list");
    this.byKey = new Map();
    setInterval(() => this.byKey.forEach((receipt) => receipt.expire()), 10000);
  }

  /** A recorded order: `entries` [{line, scan}], each becoming one receipt. */
  startOrder(entries) {
    const group = new OrderReceipt(this);
    const receipts = entries.map(({ line, scan }) => new Receipt(this, group, line, scan));
    for (const receipt of receipts) this.byKey.set(receipt.key, receipt);
    group.receipts = receipts;
    this.section.hidden = false;
    this.list.prepend(group.el);
    while (this.list.children.length > KEEP_ORDERS) {
      this.list.lastChild.querySelectorAll("li.receipt").forEach((el) => this.byKey.delete(el.dataset.key));
      this.list.lastChild.remove();
    }
    group.render();
    return receipts;
  }

  /** A queued scan was answered when the queue was sent. */
  answered(key, status, body) {
    this.byKey.get(key)?.answer(status, body);
  }

  /** A queued scan was taken out of the queue (from the queue's list). */
  cancelled(record) {
    this.byKey.get(record.idempotency_key)?.undone(null, true);
  }
}

class OrderReceipt {
  constructor(receipts) {
    this.owner = receipts;
    this.receipts = [];
    this.total = h("p", { class: "receipt-total" });
    this.items = h("ol", { class: "receipt-items" });
    this.el = h("li", { class: "receipt-order" }, this.total, this.items);
  }

  render() {
    this.items.replaceChildren(...this.receipts.map((receipt) => receipt.el));
    const kept = this.receipts.filter((receipt) => ["ok", "pending", "sending"].includes(receipt.state));
    const cents = kept.reduce((sum, receipt) => (sum === null || receipt.cents === null
      ? null : sum + receipt.cents), 0);
    // The order's cash in one line, when it has several boxes and moves money.
    const cash = this.receipts.length > 1 && kept.length ? money.balance(cents) : "";
    const text = cash ? `${this.owner.count(kept.length)} · ${cash}` : "";
    this.total.textContent = text;
    this.total.hidden = !text;
  }
}

class Receipt {
  constructor(owner, group, line, scan) {
    Object.assign(this, { owner, group, scan });
    this.key = scan.idempotency_key;
    this.item = line.item;
    this.state = "sending"; // then pending, ok, refused, undone
    this.cents = money.expectedCents(owner.config, scan.action, line.item);
    this.event = null;
    this.undoUntil = 0;
    this.undoKey = null;
    this.note = "";
    this.busy = false;
    this.el = h("li", { class: "receipt", dataset: { code: scan.code, key: this.key } });
    this.render();
  }

  get labels() {
    return this.owner.config.labels;
  }

  /** Send the scan (or queue it); the outcome: "ok", "pending" or "refused". */
  async send() {
    const { outbox } = this.owner;
    if (outbox.isOffline()) {
      await outbox.enqueue(this.scan);
      this.queued();
    } else {
      const answer = await outbox.send(this.scan);
      if (answer?.status === 401) await outbox.enqueue(this.scan); // sent once logged in again
      if (answer === null || answer.status === 401) this.queued();
      else this.answer(answer.status, answer.body);
    }
    return this.state === "undone" ? "ok" : this.state;
  }

  queued() {
    if (this.state !== "sending") return; // answered or cancelled meanwhile
    this.state = "pending";
    this.render();
  }

  answer(status, body) {
    if (this.state === "undone") return;
    if (status === 200 || status === 201) {
      this.state = "ok";
      this.event = body.event;
      this.item = body.item || this.item;
      this.cents = money.answeredCents(body);
      this.undoUntil = Date.now() + this.owner.config.undo_minutes * 60_000;
    } else {
      this.state = "refused";
      this.note = api.errorMessage({ body }, SERVER_FAILED());
    }
    this.render();
  }

  /** "Annuler": out of the queue if not sent yet, else undone by the server. */
  async undo() {
    const { outbox } = this.owner;
    this.busy = true;
    this.render();
    if (this.state === "pending" || this.state === "sending") {
      const outcome = await outbox.cancel(this.key);
      if (outcome.cancelled) return; // outbox.onCancelled → undone()
      if (outcome.answer) this.answer(outcome.answer.status, outcome.answer.body);
    }
    if (this.state !== "ok" || !this.event) {
      this.busy = false;
      this.render();
      return;
    }
    this.undoKey ??= api.newKey(); // the same key again if the first try got no answer
    let answer;
    try {
      answer = await api.postUndo(this.event.id, this.undoKey);
    } catch (error) {
      if (!(error instanceof api.NetworkError)) throw error;
      outbox.failed();
      this.fail(_("Pas de réseau : l'annulation n'est pas partie. Réessayez."));
      return;
    }
    outbox.answered();
    if (answer.status === 200 || answer.status === 201) {
      const given = answer.body?.deposit?.amount_cents;
      this.undone(given ? Math.sign(this.cents) * given : this.cents, false);
    } else if (answer.status === 401) {
      outbox.needLogin();
      this.fail(_("Votre session a expiré : reconnectez-vous."));
    } else {
      if (answer.status === 403 || answer.status === 409) this.undoUntil = 0; // for good
      this.fail(_("Impossible d'annuler : %(message)s", { message: api.errorMessage(answer, SERVER_FAILED()) }));
    }
  }

  fail(message) {
    signal("refused");
    this.busy = false;
    this.note = message;
    this.render();
  }

  /** Undone: `cents` the cash that goes back (null: what was expected); `unsent`: never sent. */
  undone(cents, unsent) {
    signal("ok");
    this.state = "undone";
    this.busy = false;
    if (cents !== null) this.cents = cents;
    const action = this.scan.action;
    this.note = unsent ? _("Rien n'a été envoyé.")
      : _("%(done)s, puis annulé.", { done: this.labels.done[action] || action });
    this.render();
  }

  expire() {
    if (this.state === "ok" && this.undoUntil && Date.now() > this.undoUntil) {
      this.undoUntil = 0;
      this.render();
    }
  }

  render() {
    const { labels } = this;
    const action = this.scan.action;
    const title = {
      sending: `${labels.actions[action] || action}…`,
      pending: _("En attente d'envoi : %(action)s", { action: labels.actions[action] || action }),
      ok: `✓ ${money.done(labels.done[action] || action, this.cents)}`,
      refused: `✗ ${_("Refusé")} : ${labels.actions[action] || action}`,
      undone: money.undone(this.cents === null ? 0 : this.cents),
    }[this.state];
    const anomaly = this.state === "ok" && this.event?.anomaly
      ? _("Signalé à la coordination : %(anomaly)s", { anomaly: labels.anomalies[this.event.anomaly] || "" })
      : null;
    const undoable = !this.busy && (this.state === "pending"
      || (this.state === "ok" && this.event && Date.now() <= this.undoUntil));
    this.el.className = `receipt receipt-${this.state}`;
    this.el.dataset.status = this.state;
    if (this.event) this.el.dataset.event = String(this.event.id);
    this.el.replaceChildren(...[
      h("p", { class: "receipt-title" }, title),
      h("p", { class: "receipt-what" },
        h("span", { class: "code" }, formatCode(this.scan.code)),
        this.item ? ` ${this.item.type_name}` : "",
        h("time", { datetime: this.scan.occurred_at }, ` · ${timeOf(this.scan.occurred_at)}`)),
      this.state === "pending" ? h("p", { class: "receipt-note" }, money.queued(this.cents)) : null,
      anomaly ? h("p", { class: "receipt-note" }, anomaly) : null,
      this.note ? h("p", { class: "receipt-note", role: this.state === "refused" ? "alert" : null }, this.note) : null,
      undoable
        ? h("button", { type: "button", class: "button button-secondary receipt-undo", onclick: () => this.undo(),
          "aria-label": _("Annuler %(code)s", { code: formatCode(this.scan.code) }) }, _("Annuler"))
        : null,
    ].filter(Boolean));
    this.group.render();
  }
}
