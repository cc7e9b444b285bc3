// The scanner page: read a code (camera or typed), show the thing and what this
// user may do with it, record the action; without network, keep the scan in
// the offline queue and send it when the network returns.

import * as api from "./api.js";
import { Camera } from "./camera.js";
import { formatCode, normalizeCode } from "./codes.js";
import { isSoundOn, setSound, signal, unlockAudio } from "./feedback.js";
import * as queue from "./queue.js";
import { _, ngettext } from "./i18n.js";
import { euros, h, itemFacts, itemTitle, scanRow } from "./view.js";

const root = document.getElementById("scanner");
const config = JSON.parse(document.getElementById("scan-config").textContent);
// The names of actions, states and reasons (labels.actions, labels.done, labels.states,
// labels.reasons) come with the config from bouteilles/vocabulary.py; the page's other
// texts are `_("…")` (i18n.js).
const labels = config.labels;
const $ = (id) => document.getElementById(id);
const ui = {
  net: $("net-status"),
  pendingToggle: $("pending-toggle"),
  pendingCount: $("pending-count"),
  sound: $("sound-toggle"),
  seriesSetup: $("series-setup"),
  seriesAction: $("series-action"),
  seriesReasonField: $("series-reason-field"),
  seriesReason: $("series-reason"),
  seriesToField: $("series-to-field"),
  seriesTo: $("series-to"),
  seriesCount: $("series-count"),
  seriesReset: $("series-reset"),
  seriesLogSection: $("series-log-section"),
  seriesLog: $("series-log"),
  cameraView: $("camera-view"),
  cameraVideo: $("camera-video"),
  cameraMessage: $("camera-message"),
  cameraToggle: $("camera-toggle"),
  form: $("code-form"),
  code: $("code"),
  codeError: $("code-error"),
  result: $("result"),
  pending: $("pending"),
  pendingList: $("pending-list"),
  syncNow: $("sync-now"),
};

const NEEDS_REASON = new Set(["reject"]);
// Why a typed or read code is refused before asking the server (codes.js's reasons).
const INVALID_CODE = {
  length: _("Un code a 9 caractères (les tirets ne comptent pas)."),
  chars: _("Ce code contient des caractères qui n'existent pas dans les codes."),
  check: _("Ce code n'existe pas : un caractère est sans doute mal recopié."),
};
const NEEDS_TO = new Set(config.destination_actions);
const CAMERA_REPEAT_MS = 3000; // a code still in view is not read again
const SYNC_EVERY_MS = 15000;
const BATCH_SIZE = 50;
const store = {
  get: (key, fallback) => localStorage.getItem(`bouteilles.scan.${key}`) ?? fallback,
  set: (key, value) => localStorage.setItem(`bouteilles.scan.${key}`, value),
};

const state = {
  mode: store.get("mode", "single"),
  lastAction: store.get("action", config.actions[0] || ""),
  connectionLost: false,
  busy: false, // single mode: a lookup or an action is on its way
  lastCamera: { code: null, at: 0 },
  series: { count: 0, done: new Set() },
  synced: [], // replayed this session, shown under the pending ones
  syncing: false,
  loginNeeded: false,
};

api.setApiBase(root.dataset.api);

// ---------------------------------------------------------------- network state

const isOffline = () => !navigator.onLine;

function renderNet() {
  const offline = isOffline() || state.connectionLost;
  ui.net.textContent = offline ? ui.net.dataset.offline : ui.net.dataset.online;
  ui.net.classList.toggle("net-offline", offline);
  ui.net.classList.toggle("net-online", !offline);
}

function networkAnswered() {
  if (state.connectionLost) {
    state.connectionLost = false;
    renderNet();
    sync();
  }
}

function networkFailed() {
  state.connectionLost = true;
  renderNet();
}

// ---------------------------------------------------------------- reading codes

function onCameraCode(text) {
  const parsed = normalizeCode(text);
  const key = parsed.ok ? parsed.code : text;
  const now = Date.now();
  const seen = state.lastCamera;
  if (seen.code === key && now - seen.at < CAMERA_REPEAT_MS) {
    seen.at = now; // still in view: keep ignoring it
    return;
  }
  // While a card waits for a tap, other codes in view are not taken (nor remembered).
  if (state.mode === "single" && state.busy) return;
  state.lastCamera = { code: key, at: now };
  handleCode(text, "camera");
}

function onTypedCode(event) {
  event.preventDefault();
  unlockAudio();
  const text = ui.code.value;
  if (!text.trim()) {
    ui.code.focus();
    return;
  }
  handleCode(text, "typed");
}

function handleCode(text, source) {
  const parsed = normalizeCode(text);
  showCodeError(null);
  if (!parsed.ok) {
    const message = INVALID_CODE[parsed.reason] || _("Ce code n'est pas valable : vérifiez-le (9 caractères, sous le QR).");
    signal("refused");
    if (source === "typed") showCodeError(message);
    else if (state.mode === "series") logSeries({ code: text.slice(0, 12), status: "refused", message });
    else showRefusal(_("Ce code n'est pas valable : vérifiez-le (9 caractères, sous le QR)."), message, source);
    return;
  }
  if (source === "typed") ui.code.value = "";
  if (state.mode === "series") seriesScan(parsed.code, source);
  else lookUp(parsed.code, source);
}

function showCodeError(message) {
  ui.codeError.hidden = !message;
  ui.codeError.textContent = message || "";
  ui.code.setAttribute("aria-invalid", message ? "true" : "false");
  if (message) ui.code.focus();
}

// ---------------------------------------------------------------- single mode

async function lookUp(code, source) {
  state.busy = true;
  if (isOffline()) {
    showOfflineCard(code, source);
    return;
  }
  let answer;
  try {
    answer = await api.getItem(code);
  } catch (error) {
    if (!(error instanceof api.NetworkError)) throw error;
    networkFailed();
    showOfflineCard(code, source);
    return;
  }
  networkAnswered();
  if (answer.status === 200) {
    signal("info");
    showItem(answer.body, source);
  } else if (answer.status === 401) {
    needLogin();
    state.busy = false;
  } else {
    signal("refused");
    const unknown = answer.status === 404;
    // A new label (minted, never scanned) is put into service by its first scan.
    const commission = unknown && config.actions.includes("commission")
      ? actionButton("commission", () => perform({ code, action: "commission" }, source), true)
      : null;
    showRefusal(unknown ? _("Code inconnu") : _("Refusé"), api.errorMessage(answer, _("Impossible de lire la fiche.")), source,
      code, commission);
    if (commission) commission.focus();
  }
}

function setResult(kind, ...children) {
  ui.result.hidden = false;
  ui.result.className = `result result-${kind}`;
  ui.result.replaceChildren(...children.flat(Infinity).filter((child) => child instanceof Node));
}

function showItem(item, source) {
  const allowed = item.actions || [];
  const primary = item.suggested && allowed.includes(item.suggested) ? item.suggested : null;
  const others = allowed.filter((action) => action !== primary);
  const recount = item.kind === "crate" ? recountField(item.quantity) : null;
  const act = (action) => () => chooseThen(action, item, source, (extras) =>
    perform({ code: item.code, action, ...extras, ...recountValue(recount) }, source));
  setResult(
    "item",
    itemTitle(item, "result-title"),
    itemFacts(item, labels),
    recount,
    primary ? actionButton(primary, act(primary), true) : null,
    others.length
      ? h(
          "div",
          { class: "other-actions", role: "group", "aria-label": _("Autres actions") },
          others.map((action) => actionButton(action, act(action), !primary && others.length === 1)),
        )
      : null,
    allowed.length ? null : h("p", { class: "help" }, _("Aucune action possible pour vous sur cet objet dans cet état.")),
    nextButton(source),
  );
  focusFirstAction();
}

function showOfflineCard(code, source) {
  signal("queued");
  const actions = [...config.actions];
  const primary = actions.includes(state.lastAction) ? state.lastAction : actions[0];
  const act = (action) => () => chooseThen(action, null, source, (extras) =>
    enqueue({ code, action, ...extras }, source));
  setResult(
    "offline",
    h("h2", { class: "card-title", id: "result-title", tabindex: "-1" }, _("Hors ligne"),
      h("span", { class: "code" }, formatCode(code))),
    h("p", { class: "help" }, _("La fiche de cet objet n'est pas disponible sans réseau. Choisissez l'action : elle sera enregistrée à l'heure de maintenant et envoyée au retour du réseau.")),
    primary ? actionButton(primary, act(primary), true) : null,
    h("div", { class: "other-actions", role: "group", "aria-label": _("Autres actions") },
      actions.filter((a) => a !== primary).map((action) => actionButton(action, act(action)))),
    nextButton(source),
  );
  focusFirstAction();
}

function actionButton(action, onclick, primary = false) {
  return h(
    "button",
    {
      type: "button",
      class: primary ? "button button-primary button-action" : "button button-secondary",
      dataset: { action },
      onclick,
    },
    labels.actions[action] || action,
  );
}

function nextButton(source) {
  return h("button", { type: "button", class: "link-button next-button", onclick: () => ready(source) },
    _("Annuler"));
}

/** Focus the big button: one tap (or Enter, for a keyboard scanner) records it. */
function focusFirstAction() {
  (ui.result.querySelector("button[data-action]") || $("result-title"))?.focus();
}

/** Back to waiting for the next code. */
function ready(source) {
  state.busy = false;
  ui.result.hidden = true;
  ui.result.replaceChildren();
  if (source === "typed" || !camera.active) ui.code.focus();
}

function recountField(quantity) {
  const id = "recount";
  return h("div", { class: "field" },
    h("label", { for: id }, _("Quantité comptée (si différente)")),
    h("input", { id, type: "number", inputmode: "numeric", min: "0", step: "1", placeholder: String(quantity) }));
}

function recountValue(field) {
  const value = field?.querySelector("input").value;
  return value === undefined || value === "" ? {} : { quantity: Number(value) };
}

/**
 * Ask for what an action needs (a reason, a destination), then call `done(extras)`.
 * `item` is null offline.
 */
function chooseThen(action, item, source, done) {
  unlockAudio();
  const ownCode = config.org.code;
  if (action === "reject" || action === "sort") {
    const reasons = config.reasons.map((reason) =>
      h("button", { type: "button", class: "button button-secondary", dataset: { reason },
        onclick: () => done({ reason }) }, labels.reasons[reason] || reason));
    const title = action === "sort" ? labels.actions.sort : _("Pourquoi l'écarter ?");
    showChooser(action, item, source, title, [
      action === "sort"
        ? [h("button", { type: "button", class: "button button-primary button-action", dataset: { reason: "" },
            onclick: () => done({}) }, _("Conforme")), h("p", { class: "chooser-label" }, _("Non conforme :"))]
        : null,
      h("div", { class: "reason-grid" }, reasons),
    ]);
    return;
  }
  if (NEEDS_TO.has(action)) {
    const select = h("select", { id: "chooser-to" },
      action === "collect" ? h("option", { value: "" }, _("(non précisé)")) : h("option", { value: "" }, "—"),
      config.destinations
        .filter((org) => org.code !== ownCode && org.code !== item?.holder)
        .map((org) => h("option", { value: org.code }, org.name)));
    const error = h("p", { class: "field-error", hidden: true });
    const confirm = () => {
      if (action === "deliver" && !select.value) {
        error.hidden = false;
        error.textContent = _("Choisissez une destination.");
        select.focus();
        return;
      }
      done(select.value ? { to: select.value } : {});
    };
    showChooser(action, item, source, _("Vers quelle organisation ?"), [
      h("div", { class: "field" }, h("label", { for: "chooser-to" }, _("Vers quelle organisation ?")), select, error),
      h("button", { type: "button", class: "button button-primary button-action", onclick: confirm }, _("Confirmer")),
    ]);
    return;
  }
  done({});
}

function showChooser(action, item, source, title, body) {
  const back = () => (item ? showItem(item, source) : ready(source));
  ui.result.querySelectorAll(".chooser").forEach((el) => el.remove());
  const chooser = h("div", { class: "chooser", role: "group", "aria-labelledby": "chooser-title" },
    h("h3", { id: "chooser-title" }, `${labels.actions[action] || action} — ${title}`),
    body,
    h("button", { type: "button", class: "link-button", onclick: back }, _("Annuler")));
  // Replace the action buttons by the chooser, keep the facts above.
  ui.result.querySelectorAll(".button-action, .other-actions, .next-button").forEach((el) => el.remove());
  ui.result.append(chooser);
  const first = chooser.querySelector("button, select");
  first?.focus();
}

function rememberAction(action) {
  state.lastAction = action;
  store.set("action", action);
}

/** Record a scan online; fall back to the queue when there is no answer. */
async function perform(fields, source) {
  rememberAction(fields.action);
  const scan = { ...fields, idempotency_key: api.newKey(), occurred_at: api.isoNow() };
  if (isOffline()) {
    await enqueueScan(scan);
    showQueued(scan, source);
    return;
  }
  disableActions();
  const answer = await send(scan);
  if (answer === null) {
    showQueued(scan, source);
  } else if (answer.status === 200 || answer.status === 201) {
    showDone(answer.body, source);
  } else if (answer.status === 401) {
    needLogin();
  } else {
    signal("refused");
    showRefusal(_("Refusé"), api.errorMessage(answer, _("Le serveur n'a pas pu répondre. Réessayez dans un instant.")), source, scan.code);
  }
}

/** POST one scan; on no answer (or a server failure) queue it and return null. */
async function send(scan) {
  let answer;
  try {
    answer = await api.postScan(scan);
  } catch (error) {
    if (!(error instanceof api.NetworkError)) throw error;
    networkFailed();
    await enqueueScan(scan);
    return null;
  }
  networkAnswered();
  if (answer.status >= 500 || answer.status === 429) {
    await enqueueScan(scan);
    return null;
  }
  return answer;
}

async function enqueue(fields, source) {
  rememberAction(fields.action);
  const scan = { ...fields, idempotency_key: api.newKey(), occurred_at: api.isoNow() };
  await enqueueScan(scan);
  showQueued(scan, source);
}

function disableActions() {
  ui.result.querySelectorAll("button").forEach((button) => { button.disabled = true; });
}

function showDone(body, source) {
  const { event, item } = body;
  signal("ok");
  const deposit = depositLine(body.deposit);
  setResult(
    "ok",
    h("h2", { class: "card-title", id: "result-title", tabindex: "-1" },
      `✓ ${labels.done[event.action] || event.action}`, h("span", { class: "code" }, formatCode(item.code))),
    h("p", { class: "item-line" }, item.type_name || item.type),
    itemFacts(item, labels),
    deposit ? h("p", { class: "deposit-line" }, deposit) : null,
    event.anomaly ? h("p", { class: "anomaly" }, _("Accepté, mais une étape manquait : signalé au coordinateur.")) : null,
    h("button", { type: "button", class: "button button-secondary", onclick: () => ready(source) }, _("Scanner le suivant")),
  );
  finish(source);
}

/** "Consigne encaissée : 5,00 €" after a lend, "Consigne à rendre : …" after a return. */
function depositLine(deposit) {
  if (!deposit?.amount_cents) return null;
  const amount = euros(deposit.amount_cents);
  if (deposit.kind === "taken") return _("Consigne encaissée : %(amount)s", { amount });
  if (deposit.kind === "refunded") return _("Consigne à rendre au client : %(amount)s", { amount });
  return null;
}

function showQueued(scan, source) {
  signal("queued");
  setResult(
    "queued",
    h("h2", { class: "card-title", id: "result-title", tabindex: "-1" },
      labels.actions[scan.action] || scan.action, h("span", { class: "code" }, formatCode(scan.code))),
    h("p", {}, _("Gardé hors ligne, envoi au retour du réseau")),
    h("button", { type: "button", class: "button button-secondary", onclick: () => ready(source) }, _("Scanner le suivant")),
  );
  finish(source);
}

function showRefusal(title, message, source, code, action = null) {
  setResult(
    "refused",
    h("div", { role: "alert" },
      h("h2", { class: "card-title", id: "result-title", tabindex: "-1" }, `✗ ${title}`,
        code ? h("span", { class: "code" }, formatCode(code)) : null),
      h("p", { class: "refusal-message" }, message)),
    action,
    h("button", { type: "button", class: "button button-secondary", onclick: () => ready(source) }, _("Scanner le suivant")),
  );
  if (action) state.busy = true; // waiting for the choice, like an item card
  else finish(source);
}

/** After an outcome: the camera may read the next code; focus where the hand is. */
function finish(source) {
  state.busy = false;
  if (source === "typed") ui.code.focus();
  else $("result-title")?.focus({ preventScroll: false });
}

// ---------------------------------------------------------------- series mode

function seriesSettings() {
  const action = ui.seriesAction.value;
  const extras = {};
  if (NEEDS_REASON.has(action) || (action === "sort" && ui.seriesReason.value)) {
    extras.reason = ui.seriesReason.value;
  }
  if (NEEDS_TO.has(action) && ui.seriesTo.value) extras.to = ui.seriesTo.value;
  return { action, extras };
}

function renderSeriesSetup() {
  const action = ui.seriesAction.value;
  ui.seriesReasonField.hidden = !(action === "reject" || action === "sort");
  ui.seriesToField.hidden = !NEEDS_TO.has(action);
  // For sort, an empty reason means "conforme"; reject needs one.
  const empty = ui.seriesReason.querySelector('option[value=""]');
  if (empty) empty.hidden = action === "reject";
  if (action === "reject" && !ui.seriesReason.value) ui.seriesReason.value = config.reasons[0];
}

async function seriesScan(code, source) {
  if (state.series.done.has(code)) {
    signal("info");
    logSeries({ code, status: "info", message: _("déjà compté dans cette série") });
    return;
  }
  const { action, extras } = seriesSettings();
  if (action === "deliver" && !extras.to) {
    signal("refused");
    ui.seriesTo.focus();
    logSeries({ code, status: "refused", message: _("Choisissez une destination.") });
    return;
  }
  rememberAction(action);
  const scan = { code, action, ...extras, idempotency_key: api.newKey(), occurred_at: api.isoNow() };
  state.series.done.add(code); // a second read while this one is on its way is not a new scan
  let answer = null;
  if (isOffline()) await enqueueScan(scan);
  else answer = await send(scan);
  if (answer === null) {
    signal("queued");
    countSeries();
    logSeries({ code, action, time: scan.occurred_at, status: "pending", statusText: _("en attente") });
  } else if (answer.status === 200 || answer.status === 201) {
    signal("ok");
    countSeries();
    logSeries({ code, action, time: scan.occurred_at, status: "ok", statusText: labels.done[action] });
  } else {
    state.series.done.delete(code);
    if (answer.status === 401) needLogin();
    signal("refused");
    logSeries({ code, action, status: "refused", statusText: _("Refusé"),
      message: api.errorMessage(answer, _("Le serveur n'a pas pu répondre. Réessayez dans un instant.")) });
  }
  if (source === "typed") ui.code.focus();
}

function countSeries() {
  state.series.count += 1;
  ui.seriesCount.textContent = String(state.series.count);
}

function logSeries(row) {
  ui.seriesLogSection.hidden = false;
  ui.seriesLog.prepend(scanRow({ statusText: "", ...row, action: row.action || "" }, labels));
  while (ui.seriesLog.children.length > 200) ui.seriesLog.lastChild.remove();
}

function resetSeries() {
  state.series = { count: 0, done: new Set() };
  ui.seriesCount.textContent = "0";
  ui.seriesLog.replaceChildren();
  ui.seriesLogSection.hidden = true;
}

function setMode(mode) {
  state.mode = mode;
  store.set("mode", mode);
  $(mode === "series" ? "mode-series" : "mode-single").checked = true;
  ui.seriesSetup.hidden = mode !== "series";
  ui.seriesLogSection.hidden = mode !== "series" || !ui.seriesLog.children.length;
  state.busy = false;
  ui.result.hidden = true;
}

function fillSeriesSetup() {
  ui.seriesAction.replaceChildren(...config.actions.map((action) =>
    h("option", { value: action }, labels.actions[action] || action)));
  if (config.actions.includes(state.lastAction)) ui.seriesAction.value = state.lastAction;
  ui.seriesReason.replaceChildren(
    h("option", { value: "" }, _("Conforme")),
    ...config.reasons.map((reason) => h("option", { value: reason }, labels.reasons[reason] || reason)));
  ui.seriesTo.replaceChildren(
    h("option", { value: "" }, _("(non précisé)")),
    ...config.destinations.filter((org) => org.code !== config.org.code)
      .map((org) => h("option", { value: org.code }, org.name)));
  renderSeriesSetup();
}

// ---------------------------------------------------------------- offline queue

async function enqueueScan(scan) {
  await queue.put({ ...scan, org: config.org.code, status: "pending", queued_at: Date.now() });
  await renderPending();
}

async function renderPending() {
  const records = (await queue.all()).filter((record) => !record.org || record.org === config.org.code);
  const pending = records.filter((record) => record.status === "pending");
  ui.pendingCount.textContent = String(pending.length);
  ui.pendingToggle.hidden = pending.length === 0;
  root.dataset.pending = String(pending.length);
  const rows = records.map((record) => scanRow({
    code: record.code,
    action: record.action,
    time: record.occurred_at,
    status: record.status,
    statusText: record.status === "refused" ? _("refusé à l'envoi") : (state.syncing ? _("envoi…") : _("en attente")),
    message: record.message,
    onDismiss: record.status === "refused" ? () => dismiss(record.idempotency_key) : null,
  }, labels));
  const synced = state.synced.map((record) => scanRow({
    code: record.code, action: record.action, time: record.occurred_at, status: "synced", statusText: _("envoyé"),
  }, labels));
  ui.pendingList.replaceChildren(...rows, ...synced);
  ui.pending.hidden = rows.length + synced.length === 0;
  ui.syncNow.hidden = pending.length === 0;
  if (state.loginNeeded) {
    ui.pendingList.prepend(h("li", { class: "scan-row status-refused", role: "alert" }, _("Votre session a expiré : reconnectez-vous, les scans en attente seront envoyés ensuite.")));
  }
}

async function dismiss(key) {
  await queue.remove(key);
  await renderPending();
  ui.code.focus({ preventScroll: true });
}

function needLogin() {
  state.loginNeeded = true;
  signal("refused");
  setResult("refused", h("p", { role: "alert" }, _("Votre session a expiré : reconnectez-vous, les scans en attente seront envoyés ensuite."),
    " ", h("a", { href: `/login?next=${encodeURIComponent(location.pathname)}` }, "→")));
  renderPending();
}

/** Replay the queue through /scans/batch; each answer updates the list. */
async function sync() {
  if (state.syncing || isOffline()) return;
  const pending = (await queue.all()).filter((r) => r.status === "pending" && (!r.org || r.org === config.org.code));
  if (!pending.length) return;
  state.syncing = true;
  await renderPending();
  let sent = 0;
  let refused = 0;
  try {
    for (let i = 0; i < pending.length; i += BATCH_SIZE) {
      const chunk = pending.slice(i, i + BATCH_SIZE);
      const answer = await api.postBatch(chunk.map(queue.toScan));
      if (answer.status === 401) {
        needLogin();
        break;
      }
      if (answer.status !== 200 || !Array.isArray(answer.body?.results)) break;
      state.loginNeeded = false;
      networkAnswered();
      const byKey = new Map(chunk.map((record) => [record.idempotency_key, record]));
      for (const result of answer.body.results) {
        const record = byKey.get(result.idempotency_key);
        if (!record) continue;
        if (result.status === 200 || result.status === 201) {
          await queue.remove(record.idempotency_key);
          state.synced.unshift(record);
          sent += 1;
        } else if (result.status === 401 || result.status === 429 || result.status >= 500) {
          // kept pending: tried again later
        } else {
          refused += 1;
          await queue.put({ ...record, status: "refused", message: api.errorMessage(result, _("Le serveur n'a pas pu répondre. Réessayez dans un instant.")) });
        }
      }
    }
  } catch (error) {
    if (!(error instanceof api.NetworkError)) throw error;
    networkFailed();
  } finally {
    state.syncing = false;
    state.synced = state.synced.slice(0, 30);
    await renderPending();
  }
  if (refused) signal("refused");
  else if (sent) signal("ok");
  if (sent || refused) {
    // Each count said apart (pybabel reads no call inside another in JavaScript).
    const accepted = ngettext("%(num)s accepté", "%(num)s acceptés", sent);
    const turnedDown = ngettext("%(num)s refusé", "%(num)s refusés", refused);
    $("sync-announce").textContent = _("Scans hors ligne envoyés : %(sent)s, %(refused)s.",
      { sent: accepted, refused: turnedDown });
  }
  root.dataset.lastSync = JSON.stringify({ sent, refused });
}

// ---------------------------------------------------------------- camera

const camera = new Camera(ui.cameraVideo, {
  decoderUrl: root.dataset.decoderUrl,
  decoderWorkerUrl: root.dataset.decoderWorkerUrl,
  onCode: onCameraCode,
  onState(cameraState) {
    const on = cameraState === "starting" || cameraState === "ready";
    ui.cameraView.hidden = !on;
    ui.cameraToggle.textContent = on ? ui.cameraToggle.dataset.stop : ui.cameraToggle.dataset.start;
    ui.cameraToggle.setAttribute("aria-pressed", on ? "true" : "false");
    const messages = {
      starting: _("Ouverture de la caméra…"),
      ready: _("Visez le QR code"),
      denied: _("La caméra n'est pas autorisée : tapez le code, ou autorisez la caméra dans les réglages du navigateur."),
      none: _("Pas de caméra utilisable ici : tapez le code."),
      decoder: _("Le lecteur de QR n'a pas pu se charger : tapez le code."),
    };
    ui.cameraMessage.hidden = !messages[cameraState];
    ui.cameraMessage.textContent = messages[cameraState] || "";
    ui.cameraMessage.classList.toggle("field-error", ["denied", "none", "decoder"].includes(cameraState));
    if (["denied", "none", "decoder"].includes(cameraState)) ui.code.focus();
  },
});

ui.cameraToggle.addEventListener("click", () => {
  unlockAudio();
  if (camera.active) camera.stop();
  else camera.start();
});

document.addEventListener("visibilitychange", () => {
  if (document.hidden && camera.active) camera.stop(); // the camera is not kept on in a pocket
  if (!document.hidden) sync();
});

// ---------------------------------------------------------------- wiring

ui.form.addEventListener("submit", onTypedCode);
ui.code.addEventListener("input", () => showCodeError(null));
for (const radio of document.querySelectorAll('input[name="mode"]')) {
  radio.addEventListener("change", () => setMode(radio.value));
}
ui.seriesAction.addEventListener("change", () => {
  rememberAction(ui.seriesAction.value);
  renderSeriesSetup();
});
ui.seriesReset.addEventListener("click", resetSeries);
ui.syncNow.addEventListener("click", () => { unlockAudio(); sync(); });
ui.pendingToggle.addEventListener("click", () => ui.pending.scrollIntoView({ behavior: "smooth" }));
ui.sound.setAttribute("aria-pressed", String(isSoundOn()));
ui.sound.addEventListener("click", () => {
  setSound(!isSoundOn());
  ui.sound.setAttribute("aria-pressed", String(isSoundOn()));
  unlockAudio();
});
window.addEventListener("online", () => { state.connectionLost = false; renderNet(); sync(); });
window.addEventListener("offline", renderNet);
setInterval(() => { if (root.dataset.pending !== "0") sync(); }, SYNC_EVERY_MS);

fillSeriesSetup();
setMode(state.mode);
renderNet();
renderPending().then(sync);
registerServiceWorker();
openLinkedCode();
root.dataset.ready = "true";

/** /scan?code=… (e.g. from a label's public page, for a logged-in member): look it up. */
function openLinkedCode() {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (!code) return;
  params.delete("code");
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : "") + location.hash);
  handleCode(code, "link");
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    const registration = await navigator.serviceWorker.register(root.dataset.swUrl, { scope: "/" });
    await navigator.serviceWorker.ready;
    // Keep offline copies of whatever this page loaded (base template's CSS, fonts…).
    const urls = performance.getEntriesByType("resource").map((entry) => entry.name)
      .filter((url) => url.startsWith(`${location.origin}/static/`));
    (registration.active || navigator.serviceWorker.controller)?.postMessage({ type: "cache", urls });
  } catch {
    /* no offline shell; the page still works online */
  }
}
