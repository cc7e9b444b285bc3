// The counter component's page: the restaurant's counter (lend, take back) and
// the collector's run (collect, deliver). Camera and typed code, the order being
// put together, what was recorded (with "Annuler"), and the offline queue the
// scanner (/scan) shares.

import * as api from "./api.js";
import { wireSoundToggle } from "./feedback.js";
import { ngettext } from "./i18n.js";
import { Order } from "./order.js";
import { Outbox } from "./outbox.js";
import { CodeReader } from "./reader.js";
import { Receipts } from "./receipts.js";
import { keepOffline } from "./shell.js";

const root = document.getElementById("counter");
const config = JSON.parse(document.getElementById("counter-config").textContent);
const COUNTS = {
  box: (n) => ngettext("%(num)s boîte", "%(num)s boîtes", n),
  item: (n) => ngettext("%(num)s objet", "%(num)s objets", n),
};
const count = COUNTS[config.noun] || COUNTS.item;

api.setApiBase(root.dataset.api);
const outbox = new Outbox({
  root,
  org: config.org.code,
  labels: config.labels,
  onAnswer: (key, status, body) => receipts.answered(key, status, body),
  onCancelled: (record) => receipts.cancelled(record),
});
const receipts = new Receipts({ config, outbox, count });
const reader = new CodeReader({
  root,
  onCode: (code, source) => order.add(code).then(() => reader.ready(source)),
  onInvalid: (_text, message) => order.say(message),
  onEmpty: () => order.submit(), // Enter on the empty field: record the order
});
const order = new Order({ config, outbox, receipts, count, ready: () => reader.ready("camera") });

for (const part of root.querySelectorAll(".needs-js")) part.hidden = false;
wireSoundToggle(document.getElementById("sound-toggle"));
reader.start();
order.start();
outbox.start();
keepOffline(root.dataset.swUrl);
reader.focus(); // a keyboard or a barcode reader that types can start at once
reader.takeLinkedCode();
root.dataset.ready = "true";
