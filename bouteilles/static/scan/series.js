// The scanner's series mode: one action for every code read, each code counted
// once per series. A series is one action: choosing another starts a new one
// (a box collected a moment ago is then sorted, not refused as "already
// counted"), and the page says so.

import * as api from "./api.js";
import { signal } from "./feedback.js";
import { _ } from "./i18n.js";
import { h, scanRow } from "./view.js";

const $ = (id) => document.getElementById(id);
const NEEDS_REASON = new Set(["reject"]);
const KEEP_ROWS = 200;

export class Series {
  /**
   * @param {{config: object, outbox: import("./outbox.js").Outbox,
   *          reader: import("./reader.js").CodeReader, remember: (action: string) => void}} options
   *   remember: the action chosen, kept for the next visit
   */
  constructor({ config, outbox, reader, remember }) {
    Object.assign(this, { config, outbox, reader, remember });
    this.labels = config.labels;
    this.needsTo = new Set(config.destination_actions);
    this.count = 0;
    this.done = new Set();
    this.ui = {
      setup: $("series-setup"),
      action: $("series-action"),
      reasonField: $("series-reason-field"),
      reason: $("series-reason"),
      toField: $("series-to-field"),
      to: $("series-to"),
      count: $("series-count"),
      reset: $("series-reset"),
      logSection: $("series-log-section"),
      log: $("series-log"),
      note: $("series-note"),
    };
  }

  /** Fill the choices (the last action chosen first) and listen to them. */
  start(lastAction) {
    const { ui, config, labels } = this;
    ui.action.replaceChildren(...config.actions.map((action) =>
      h("option", { value: action }, labels.actions[action] || action)));
    if (config.actions.includes(lastAction)) ui.action.value = lastAction;
    ui.reason.replaceChildren(
      h("option", { value: "" }, _("Conforme")),
      ...config.reasons.map((reason) => h("option", { value: reason }, labels.reasons[reason] || reason)));
    ui.to.replaceChildren(
      h("option", { value: "" }, _("(non précisé)")),
      ...config.destinations.filter((org) => org.code !== config.org.code)
        .map((org) => h("option", { value: org.code }, org.name)));
    this.renderSetup();
    ui.action.addEventListener("change", () => {
      const action = ui.action.value;
      this.remember(action);
      this.renderSetup();
      this.reset(_("Nouvelle série : %(action)s. Les codes déjà comptés peuvent être scannés à nouveau.",
        { action: labels.actions[action] || action }));
    });
    ui.reset.addEventListener("click", () => this.reset());
  }

  /** Shown in series mode only. */
  show(on) {
    this.ui.setup.hidden = !on;
    this.ui.logSection.hidden = !on || !this.ui.log.children.length;
  }

  settings() {
    const { ui } = this;
    const action = ui.action.value;
    const extras = {};
    if (NEEDS_REASON.has(action) || (action === "sort" && ui.reason.value)) extras.reason = ui.reason.value;
    if (this.needsTo.has(action) && ui.to.value) extras.to = ui.to.value;
    return { action, extras };
  }

  renderSetup() {
    const { ui } = this;
    const action = ui.action.value;
    ui.reasonField.hidden = !(action === "reject" || action === "sort");
    ui.toField.hidden = !this.needsTo.has(action);
    // For sort, an empty reason means "conforme"; reject needs one.
    const empty = ui.reason.querySelector('option[value=""]');
    if (empty) empty.hidden = action === "reject";
    if (action === "reject" && !ui.reason.value) ui.reason.value = this.config.reasons[0];
  }

  /** Record `code` with the series' action, unless this series counted it already. */
  async scan(code, source) {
    const { labels, outbox } = this;
    if (this.done.has(code)) {
      signal("info");
      this.log({ code, status: "info", message: _("déjà compté dans cette série") });
      return;
    }
    const { action, extras } = this.settings();
    if (action === "deliver" && !extras.to) {
      signal("refused");
      this.ui.to.focus();
      this.log({ code, status: "refused", message: _("Choisissez une destination.") });
      return;
    }
    this.remember(action);
    const scan = { code, action, ...extras, idempotency_key: api.newKey(), occurred_at: api.isoNow() };
    const series = this.done; // a second read while this one is on its way is not a new scan
    series.add(code);
    let answer = null;
    if (outbox.isOffline()) await outbox.enqueue(scan);
    else answer = await outbox.send(scan);
    // A series begun meanwhile does not count it; its outcome is still shown.
    const counted = () => { if (series === this.done) this.counted(); };
    if (answer === null) {
      signal("queued");
      counted();
      this.log({ code, action, time: scan.occurred_at, status: "pending", statusText: _("en attente") });
    } else if (answer.status === 200 || answer.status === 201) {
      signal("ok");
      counted();
      this.log({ code, action, time: scan.occurred_at, status: "ok", statusText: labels.done[action] });
    } else {
      series.delete(code);
      signal("refused");
      this.log({ code, action, status: "refused", statusText: _("Refusé"),
        message: api.errorMessage(answer, _("Le serveur n'a pas pu répondre. Réessayez dans un instant.")) });
    }
    if (source === "typed") this.reader.focus();
  }

  counted() {
    this.count += 1;
    this.ui.count.textContent = String(this.count);
  }

  log(row) {
    const { ui } = this;
    ui.logSection.hidden = false;
    ui.log.prepend(scanRow({ statusText: "", ...row, action: row.action || "" }, this.labels));
    while (ui.log.children.length > KEEP_ROWS) ui.log.lastChild.remove();
  }

  /** A new series: nothing counted yet. `note` says why on screen (the action changed). */
  reset(note = null) {
    const { ui } = this;
    this.count = 0;
    this.done = new Set();
    ui.count.textContent = "0";
    ui.log.replaceChildren();
    ui.logSection.hidden = true;
    ui.note.hidden = !note;
    ui.note.textContent = note || "";
  }
}
