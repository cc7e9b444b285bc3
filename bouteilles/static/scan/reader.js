// Reading codes: the camera and the typed field, the same on every page that
// scans. A code is checked on the phone (codes.js) before the server is asked;
// a code still in the camera's view is not read again.

import { Camera } from "./camera.js";
import { normalizeCode } from "./codes.js";
import { signal, unlockAudio } from "./feedback.js";
import { _ } from "./i18n.js";

const CAMERA_REPEAT_MS = 3000;
const $ = (id) => document.getElementById(id);

/** Why a typed or read code is refused before asking the server (codes.js's reasons). */
export function invalidCodeMessage(reason) {
  const messages = {
    length: _("Un code a 9 caractères (les tirets ne comptent pas)."),
    chars: _("Ce code contient des caractères qui n'existent pas dans les codes."),
    check: _("Ce code n'existe pas : un caractère est sans doute mal recopié."),
  };
  return messages[reason] || _("Ce code n'est pas valable : vérifiez-le (9 caractères, sous le QR).");
}

export class CodeReader {
  /**
   * @param {{root: HTMLElement, onCode: (code: string, source: string) => void,
   *          onInvalid?: (text: string, message: string, source: string) => void,
   *          onEmpty?: () => void, accepts?: () => boolean}} options
   *   onCode: a valid code (canonical), from "camera", "typed" or "link";
   *   onInvalid: a code read by the camera or a link that is not valid (a typed one
   *   is shown under the field); onEmpty: Enter on the empty field; accepts: whether
   *   the camera's codes are taken now.
   */
  constructor({ root, onCode, onInvalid = () => {}, onEmpty = null, accepts = () => true }) {
    Object.assign(this, { onCode, onInvalid, onEmpty, accepts });
    this.ui = {
      form: $("code-form"),
      code: $("code"),
      error: $("code-error"),
      view: $("camera-view"),
      message: $("camera-message"),
      toggle: $("camera-toggle"),
    };
    this.last = { code: null, at: 0 };
    this.camera = new Camera($("camera-video"), {
      decoderUrl: root.dataset.decoderUrl,
      decoderWorkerUrl: root.dataset.decoderWorkerUrl,
      onCode: (text) => this.fromCamera(text),
      onState: (state) => this.cameraState(state),
    });
  }

  start() {
    const { ui } = this;
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      unlockAudio();
      const text = ui.code.value;
      if (text.trim()) this.take(text, "typed");
      else if (this.onEmpty) this.onEmpty();
      else ui.code.focus();
    });
    ui.code.addEventListener("input", () => this.showError(null));
    ui.toggle.addEventListener("click", () => {
      unlockAudio();
      if (this.camera.active) this.camera.stop();
      else this.camera.start();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.hidden && this.camera.active) this.camera.stop(); // not kept on in a pocket
    });
  }

  focus() {
    this.ui.code.focus();
  }

  /** Back to the field, unless the camera is reading. */
  ready(source) {
    if (source === "typed" || !this.camera.active) this.ui.code.focus({ preventScroll: true });
  }

  showError(message) {
    const { code, error } = this.ui;
    error.hidden = !message;
    error.textContent = message || "";
    code.setAttribute("aria-invalid", message ? "true" : "false");
    if (message) code.focus();
  }

  /** A code from anywhere: checked, then handed on. */
  take(text, source) {
    const parsed = normalizeCode(text);
    this.showError(null);
    if (!parsed.ok) {
      const message = invalidCodeMessage(parsed.reason);
      signal("refused");
      if (source === "typed") this.showError(message);
      else this.onInvalid(text, message, source);
      return;
    }
    if (source === "typed") this.ui.code.value = "";
    this.onCode(parsed.code, source);
  }

  fromCamera(text) {
    const parsed = normalizeCode(text);
    const key = parsed.ok ? parsed.code : text;
    const now = Date.now();
    if (this.last.code === key && now - this.last.at < CAMERA_REPEAT_MS) {
      this.last.at = now; // still in view: keep ignoring it
      return;
    }
    if (!this.accepts()) return; // not taken now, nor remembered
    this.last = { code: key, at: now };
    this.take(text, "camera");
  }

  cameraState(state) {
    const { ui } = this;
    const on = state === "starting" || state === "ready";
    ui.view.hidden = !on;
    ui.toggle.textContent = on ? ui.toggle.dataset.stop : ui.toggle.dataset.start;
    ui.toggle.setAttribute("aria-pressed", on ? "true" : "false");
    const messages = {
      starting: _("Ouverture de la caméra…"),
      ready: _("Visez le QR code"),
      denied: _("La caméra n'est pas autorisée : tapez le code, ou autorisez la caméra dans les réglages du navigateur."),
      none: _("Pas de caméra utilisable ici : tapez le code."),
      decoder: _("Le lecteur de QR n'a pas pu se charger : tapez le code."),
    };
    const failed = ["denied", "none", "decoder"].includes(state);
    ui.message.hidden = !messages[state];
    ui.message.textContent = messages[state] || "";
    ui.message.classList.toggle("field-error", failed);
    if (failed) ui.code.focus();
  }

  /** ?code=… (from a label's page, or a list's link): read it once, then drop it from the URL. */
  takeLinkedCode() {
    const params = new URLSearchParams(location.search);
    const code = params.get("code");
    if (!code) return;
    params.delete("code");
    const query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? `?${query}` : "") + location.hash);
    this.take(code, "link");
  }
}
