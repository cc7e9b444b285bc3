// The network as the page sees it, and the offline queue on screen: a scan that
// gets no answer is kept in IndexedDB (queue.js), listed as pending, and sent
// again through /scans/batch when the network returns. The scanner and the
// counter component share it (and the one queue: a scan made on either page is
// sent by whichever is open).

import * as api from "./api.js";
import { signal } from "./feedback.js";
import { _, ngettext } from "./i18n.js";
import * as queue from "./queue.js";
import { h, scanRow } from "./view.js";

const SYNC_EVERY_MS = 15000;
const BATCH_SIZE = 50;
const $ = (id) => document.getElementById(id);
const SERVER_FAILED = () => _("Le serveur n'a pas pu répondre. Réessayez dans un instant.");

export class Outbox {
  /**
   * @param {{root: HTMLElement, org: string, labels: object,
   *          onAnswer?: (key: string, status: number, body: object) => void,
   *          onCancelled?: (record: object) => void, onLoginNeeded?: () => void}} options
   *   onAnswer: a queued scan was answered when sent again (accepted or refused);
   *   onCancelled: a scan was taken out of the queue before it was sent.
   */
  constructor({ root, org, labels, onAnswer = () => {}, onCancelled = () => {},
    onLoginNeeded = () => {} }) {
    Object.assign(this, { root, org, labels, onAnswer, onCancelled, onLoginNeeded });
    this.ui = {
      net: $("net-status"),
      pendingToggle: $("pending-toggle"),
      pendingCount: $("pending-count"),
      pending: $("pending"),
      list: $("pending-list"),
      syncNow: $("sync-now"),
      announce: $("sync-announce"),
    };
    this.connectionLost = false;
    this.syncing = null; // the replay under way
    this.synced = []; // sent again this session, listed under the pending ones
    this.loginNeeded = false;
  }

  /** No network at all (the browser knows): do not even try. */
  isOffline() {
    return !navigator.onLine;
  }

  start() {
    window.addEventListener("online", () => {
      this.connectionLost = false;
      this.renderNet();
      this.sync();
    });
    window.addEventListener("offline", () => this.renderNet());
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.sync();
    });
    setInterval(() => { if (this.root.dataset.pending !== "0") this.sync(); }, SYNC_EVERY_MS);
    this.ui.syncNow.addEventListener("click", () => this.sync());
    this.ui.pendingToggle.addEventListener("click",
      () => this.ui.pending.scrollIntoView({ behavior: "smooth" }));
    this.renderNet();
    return this.render().then(() => this.sync());
  }

  renderNet() {
    const offline = this.isOffline() || this.connectionLost;
    const { net } = this.ui;
    net.textContent = offline ? net.dataset.offline : net.dataset.online;
    net.classList.toggle("net-offline", offline);
    net.classList.toggle("net-online", !offline);
  }

  /** The server answered: if it had been unreachable, send what waits. */
  answered() {
    if (this.connectionLost) {
      this.connectionLost = false;
      this.renderNet();
      this.sync();
    }
  }

  /** A request got no answer. */
  failed() {
    this.connectionLost = true;
    this.renderNet();
  }

  /** Keep a scan ({code, action, idempotency_key, occurred_at, …}) to send later. */
  async enqueue(scan) {
    await queue.put({ ...scan, org: this.org, status: "pending", queued_at: Date.now() });
    await this.render();
  }

  /** POST one scan; without an answer (or on a server failure) queue it and return null. */
  async send(scan) {
    let answer;
    try {
      answer = await api.postScan(scan);
    } catch (error) {
      if (!(error instanceof api.NetworkError)) throw error;
      this.failed();
      await this.enqueue(scan);
      return null;
    }
    this.answered();
    if (answer.status >= 500 || answer.status === 429) {
      await this.enqueue(scan);
      return null;
    }
    if (answer.status === 401) this.needLogin();
    return answer;
  }

  /**
   * Take a scan out of the queue before it is sent. If it was sent meanwhile:
   * {cancelled: false, answer} (the server's answer, when this page sent it).
   */
  async cancel(key) {
    if (this.syncing) await this.syncing;
    const record = (await queue.all()).find((r) => r.idempotency_key === key);
    if (record && record.status === "pending") {
      await queue.remove(key);
      await this.render();
      this.onCancelled(record);
      return { cancelled: true };
    }
    return { cancelled: false, answer: this.answers?.get(key) || null };
  }

  needLogin() {
    this.loginNeeded = true;
    signal("refused");
    this.onLoginNeeded();
    this.render();
  }

  async mine() {
    return (await queue.all()).filter((record) => !record.org || record.org === this.org);
  }

  async render() {
    const records = await this.mine();
    const pending = records.filter((record) => record.status === "pending");
    const { ui } = this;
    ui.pendingCount.textContent = String(pending.length);
    ui.pendingToggle.hidden = pending.length === 0;
    this.root.dataset.pending = String(pending.length);
    const rows = records.map((record) => scanRow({
      code: record.code,
      action: record.action,
      time: record.occurred_at,
      status: record.status,
      statusText: record.status === "refused" ? _("refusé à l'envoi")
        : (this.syncing ? _("envoi…") : _("en attente")),
      message: record.message,
      onDismiss: record.status === "refused" ? () => this.dismiss(record.idempotency_key) : null,
      onCancel: record.status === "pending" && !this.syncing
        ? () => this.cancel(record.idempotency_key) : null,
    }, this.labels));
    const synced = this.synced.map((record) => scanRow({
      code: record.code, action: record.action, time: record.occurred_at, status: "synced",
      statusText: _("envoyé"),
    }, this.labels));
    ui.list.replaceChildren(...rows, ...synced);
    ui.pending.hidden = rows.length + synced.length === 0 && !this.loginNeeded;
    ui.syncNow.hidden = pending.length === 0;
    if (this.loginNeeded) {
      ui.list.prepend(h("li", { class: "scan-row status-refused", role: "alert" },
        _("Votre session a expiré : reconnectez-vous, les scans en attente seront envoyés ensuite."),
        " ", h("a", { href: `/login?next=${encodeURIComponent(location.pathname)}` }, _("Se connecter"))));
    }
  }

  async dismiss(key) {
    await queue.remove(key);
    await this.render();
  }

  /** Send the queue again through /scans/batch; each answer updates the list. */
  sync() {
    if (this.syncing || this.isOffline()) return this.syncing || Promise.resolve();
    this.syncing = this.replay().finally(() => { this.syncing = null; });
    return this.syncing;
  }

  async replay() {
    const pending = (await this.mine()).filter((r) => r.status === "pending");
    if (!pending.length) return;
    await this.render();
    this.answers ??= new Map();
    let sent = 0;
    let refused = 0;
    try {
      for (let i = 0; i < pending.length; i += BATCH_SIZE) {
        const chunk = pending.slice(i, i + BATCH_SIZE);
        const answer = await api.postBatch(chunk.map(queue.toScan));
        if (answer.status === 401) {
          this.needLogin();
          break;
        }
        if (answer.status !== 200 || !Array.isArray(answer.body?.results)) break;
        this.loginNeeded = false;
        this.answered();
        const byKey = new Map(chunk.map((record) => [record.idempotency_key, record]));
        for (const result of answer.body.results) {
          const record = byKey.get(result.idempotency_key);
          if (!record) continue;
          if (result.status === 200 || result.status === 201) {
            await queue.remove(record.idempotency_key);
            this.synced.unshift(record);
            sent += 1;
          } else if (result.status === 401 || result.status === 429 || result.status >= 500) {
            continue; // kept pending: tried again later
          } else {
            refused += 1;
            await queue.put({ ...record, status: "refused",
              message: api.errorMessage(result, SERVER_FAILED()) });
          }
          this.answers.set(record.idempotency_key, { status: result.status, body: result.body });
          this.onAnswer(record.idempotency_key, result.status, result.body);
        }
      }
    } catch (error) {
      if (!(error instanceof api.NetworkError)) throw error;
      this.failed();
    } finally {
      this.synced = this.synced.slice(0, 30);
    }
    this.syncing = null;
    await this.render();
    if (refused) signal("refused");
    else if (sent) signal("ok");
    if (sent || refused) {
      // Each count said apart (pybabel reads no call inside another in JavaScript).
      const accepted = ngettext("%(num)s accepté", "%(num)s acceptés", sent);
      const turnedDown = ngettext("%(num)s refusé", "%(num)s refusés", refused);
      this.ui.announce.textContent = _("Scans hors ligne envoyés : %(sent)s, %(refused)s.",
        { sent: accepted, refused: turnedDown });
    }
    this.root.dataset.lastSync = JSON.stringify({ sent, refused });
  }
}
