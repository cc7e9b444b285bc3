// Feedback that does not need eyes on the screen: a short tone (WebAudio, no
// sound file) and a vibration. "ok": one high beep; "queued": two soft
// beeps; "refused": a low double buzz; "info": a neutral blip.

const TONES = {
  ok: [[880, 0, 0.12]],
  queued: [[660, 0, 0.08], [660, 0.12, 0.08]],
  refused: [[220, 0, 0.18], [180, 0.24, 0.3]],
  info: [[520, 0, 0.06]],
};
const VIBRATIONS = { ok: 60, queued: [40, 60, 40], refused: [200, 100, 200], info: 20 };
const SOUND_KEY = "bouteilles.scan.sound";

let audio = null;
let soundOn = localStorage.getItem(SOUND_KEY) !== "off";

export const isSoundOn = () => soundOn;

export function setSound(on) {
  soundOn = on;
  localStorage.setItem(SOUND_KEY, on ? "on" : "off");
}

/** Call from a user gesture: browsers only let audio start after one. */
export function unlockAudio() {
  if (audio || !soundOn) return;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  try {
    audio = new Context();
  } catch {
    audio = null;
  }
}

function beep(kind) {
  if (!soundOn || !audio) return;
  if (audio.state === "suspended") audio.resume();
  const start = audio.currentTime + 0.01;
  for (const [frequency, at, duration] of TONES[kind] || TONES.info) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = kind === "refused" ? "square" : "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + at);
    gain.gain.exponentialRampToValueAtTime(0.25, start + at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + at + duration);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + at);
    osc.stop(start + at + duration + 0.02);
  }
}

/** Sound + vibration for an outcome. */
export function signal(kind) {
  beep(kind);
  if (navigator.vibrate) {
    try {
      navigator.vibrate(VIBRATIONS[kind] || 0);
    } catch {
      /* not allowed before a user gesture: fine */
    }
  }
}

/** The page's sound on/off button (aria-pressed says which). */
export function wireSoundToggle(button) {
  button.setAttribute("aria-pressed", String(isSoundOn()));
  button.addEventListener("click", () => {
    setSound(!isSoundOn());
    button.setAttribute("aria-pressed", String(isSoundOn()));
    unlockAudio();
  });
}
