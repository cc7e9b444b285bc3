// The scanner page: read a code (camera or typed), show the thing and what this
// user may do with it, record the action; without network, keep the scan in
// the offline queue and send it when the network returns. In series mode, one
// action for every code read, each code counted once per series.

import * as api from "./api.js";
import { formatCode } from "./codes.js";
import { signal, unlockAudio, wireSoundToggle } from "./feedback.js";
import { _ } from "./i18n.js";
import { Outbox } from "./outbox.js";
import { CodeReader } from "./reader.js";
import { Series } from "./series.js";
import { keepOffline } from "./shell.js";
import { euros, h, itemFacts, itemTitle } from "./view.js";

const root = document.getElementById("scanner");
const config = JSON.parse(document.getElementById("scan-config").textContent);
// The names of actions, states and reasons (labels.actions, labels.done, labels.states,
// labels.reasons) come with the config from bouteilles/vocabulary.py; the page's other
// texts are `_("…")` (i18n.js).
const labels = config.labels;
const $ = (id) => document.getElementById(id);
const ui = {
  sound: $("sound-toggle"),
  code: $("code"),
  result: $("result"),
};

const NEEDS_TO = new Set(config.destination_actions);
const store = {
  get: (key, fallback) => localStorage.getItem(`bouteilles.scan.${key}`) ?? fallback,
  set: (key, value) => localStorage.setItem(`bouteilles.scan.${key}`, value),
};

const state = {
  mode: store.get("mode", "single"),
  lastAction: store.get("action", config.actions[0] || ""),
  busy: false, // single mode: a lookup or an action is on its way
};

api.setApiBase(root.dataset.api);
const outbox = new Outbox({ root, org: config.org.code, labels, onLoginNeeded: showLoginNeeded });
const reader = new CodeReader({
  root,
  onCode: (code, source) => (state.mode === "series" ? series.scan(code, source) : lookUp(code, source)),
  onInvalid: invalidCode,
  // While a card waits for a tap, other codes in view are not taken (nor remembered).
  accepts: () => !(state.mode === "single" && state.busy),
});
const series = new Series({ config, outbox, reader, remember: rememberAction });
const isOffline = () => outbox.isOffline();

// ---------------------------------------------------------------- reading codes

function invalidCode(text, message, source) {
  if (state.mode === "series") series.log({ code: text.slice(0, 12), status: "refused", message });
  else showRefusal(_("Ce code n'est pas valable : vérifiez-le (9 caractères, sous le QR)."), message, source);
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
    outbox.failed();
    showOfflineCard(code, source);
    return;
  }
  outbox.answered();
  if (answer.status === 200) {
    signal("info");
    showItem(answer.body, source);
  } else if (answer.status === 401) {
    outbox.needLogin();
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
  reader.ready(source);
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
    await outbox.enqueue(scan);
    showQueued(scan, source);
    return;
  }
  disableActions();
  const answer = await outbox.send(scan);
  if (answer === null) {
    showQueued(scan, source);
  } else if (answer.status === 200 || answer.status === 201) {
    showDone(answer.body, source);
  } else if (answer.status !== 401) {
    signal("refused");
    showRefusal(_("Refusé"), api.errorMessage(answer, _("Le serveur n'a pas pu répondre. Réessayez dans un instant.")), source, scan.code);
  }
}

async function enqueue(fields, source) {
  rememberAction(fields.action);
  const scan = { ...fields, idempotency_key: api.newKey(), occurred_at: api.isoNow() };
  await outbox.enqueue(scan);
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

function setMode(mode) {
  state.mode = mode;
  store.set("mode", mode);
  $(mode === "series" ? "mode-series" : "mode-single").checked = true;
  series.show(mode === "series");
  state.busy = false;
  ui.result.hidden = true;
}

function showLoginNeeded() {
  setResult("refused", h("p", { role: "alert" }, _("Votre session a expiré : reconnectez-vous, les scans en attente seront envoyés ensuite."),
    " ", h("a", { href: `/login?next=${encodeURIComponent(location.pathname)}` }, "→")));
}

// ---------------------------------------------------------------- wiring

for (const radio of document.querySelectorAll('input[name="mode"]')) {
  radio.addEventListener("change", () => setMode(radio.value));
}
wireSoundToggle(ui.sound);

reader.start();
series.start(state.lastAction);
setMode(state.mode);
outbox.start();
keepOffline(root.dataset.swUrl);
reader.takeLinkedCode();
root.dataset.ready = "true";
