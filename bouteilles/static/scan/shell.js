// The page's offline copy: the service worker (served at /sw.js) keeps the
// scanner's files, and this page with the static files it loaded, so that the
// page opens again without network.

export async function keepOffline(swUrl) {
  if (!("serviceWorker" in navigator)) return;
  try {
    const registration = await navigator.serviceWorker.register(swUrl, { scope: "/" });
    await navigator.serviceWorker.ready;
    // Keep offline copies of whatever this page loaded (base template's CSS, fonts…).
    const urls = performance.getEntriesByType("resource").map((entry) => entry.name)
      .filter((url) => url.startsWith(`${location.origin}/static/`));
    (registration.active || navigator.serviceWorker.controller)?.postMessage({
      type: "cache", urls, page: location.pathname,
    });
  } catch {
    /* no offline shell; the page still works online */
  }
}
