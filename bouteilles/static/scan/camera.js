// The camera: getUserMedia + a QR decoding loop. Decoding uses the browser's
// BarcodeDetector when it reads QR codes (Chrome on Android, ChromeOS, macOS);
// otherwise the vendored qr-scanner decoder (a Web Worker), imported only
// now, when the camera is started, so the cold page does not carry it.

const NATIVE_INTERVAL_MS = 120;
const WORKER_INTERVAL_MS = 60;

async function nativeDecoder() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return {
      name: "native",
      interval: NATIVE_INTERVAL_MS,
      async decode(video) {
        const found = await detector.detect(video);
        return found.length ? found[0].rawValue : null;
      },
      close() {},
    };
  } catch {
    return null;
  }
}

async function vendoredDecoder(scannerUrl, workerUrl) {
  const [{ default: QrScanner }, { createWorker }] = await Promise.all([
    import(scannerUrl),
    import(workerUrl),
  ]);
  const worker = createWorker();
  const canvas = document.createElement("canvas");
  return {
    name: "qr-scanner",
    interval: WORKER_INTERVAL_MS,
    async decode(video) {
      // The centre square (2/3 of the short side), scaled to 400 px, as qr-scanner does.
      const side = Math.round((2 / 3) * Math.min(video.videoWidth, video.videoHeight));
      const scanRegion = {
        x: Math.round((video.videoWidth - side) / 2),
        y: Math.round((video.videoHeight - side) / 2),
        width: side,
        height: side,
        downScaledWidth: Math.min(side, 400),
        downScaledHeight: Math.min(side, 400),
      };
      try {
        const result = await QrScanner.scanImage(video, {
          qrEngine: worker, canvas, scanRegion, returnDetailedScanResult: true,
        });
        return result.data || null;
      } catch (error) {
        if (error === QrScanner.NO_QR_CODE_FOUND) return null;
        throw error;
      }
    },
    close() {
      worker.terminate();
    },
  };
}

/** Classify a getUserMedia failure for the message shown to the user. */
function cameraError(error) {
  const name = error?.name || "";
  if (name === "NotAllowedError" || name === "SecurityError") return "denied";
  return "none";
}

export class Camera {
  /**
   * @param {HTMLVideoElement} video
   * @param {{decoderUrl: string, decoderWorkerUrl: string, onCode: (text: string) => void,
   *          onState: (state: string) => void}} options
   *   decoderUrl, decoderWorkerUrl: qr-scanner's two modules (hashed names, from the page)
   *   states: starting, ready, stopped, denied, none, decoder
   */
  constructor(video, { decoderUrl, decoderWorkerUrl, onCode, onState }) {
    this.video = video;
    this.decoderUrl = decoderUrl;
    this.decoderWorkerUrl = decoderWorkerUrl;
    this.onCode = onCode;
    this.onState = onState;
    this.stream = null;
    this.decoder = null;
    this.timer = null;
    this.running = false;
  }

  get active() {
    return this.running;
  }

  async start() {
    if (this.running) return;
    this.running = true;
    this.onState("starting");
    performance.mark("camera-start");
    if (!navigator.mediaDevices?.getUserMedia) {
      this.fail("none");
      return;
    }
    const decoderPromise = this.decoder
      ? Promise.resolve(this.decoder)
      : nativeDecoder().then(
        (native) => native || vendoredDecoder(this.decoderUrl, this.decoderWorkerUrl));
    decoderPromise.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      this.fail(cameraError(error));
      return;
    }
    if (!this.running) {
      stream.getTracks().forEach((track) => track.stop());
      return;
    }
    this.stream = stream;
    this.video.srcObject = stream;
    try {
      await this.video.play();
    } catch {
      this.fail("none");
      return;
    }
    try {
      this.decoder = await decoderPromise;
    } catch {
      this.fail("decoder");
      return;
    }
    if (!this.running) return;
    performance.mark("camera-ready");
    document.documentElement.dataset.camera = "ready";
    document.documentElement.dataset.decoder = this.decoder.name;
    this.onState("ready");
    this.loop();
  }

  loop = async () => {
    if (!this.running) return;
    let text = null;
    if (this.video.readyState >= 2 && this.video.videoWidth > 0) {
      try {
        text = await this.decoder.decode(this.video);
      } catch {
        text = null; // a frame that fails to decode is just skipped
      }
    }
    if (!this.running) return;
    if (text) this.onCode(text);
    this.timer = setTimeout(this.loop, this.decoder.interval);
  };

  fail(state) {
    this.stop(false);
    this.onState(state);
  }

  stop(report = true) {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.video.srcObject = null;
    delete document.documentElement.dataset.camera;
    if (report) this.onState("stopped");
  }
}
