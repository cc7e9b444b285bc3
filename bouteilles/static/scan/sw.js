// Service worker (served at /sw.js, scope /): keeps the pages that scan (the
// scanner, the restaurant's counter, the collector's run) working without
// network. Only GET requests for those pages, /offline and /static/ are
// handled; the API always goes to the network (the pages queue scans
// themselves).
//
// PRECACHE is written above this file when the static files are built
// (bouteilles/static_files/build.py): `assets`, the scanner's files under
// their hashed names (a new content is a new name, so a cached copy is never
// stale), and `version`, which changes with them and names the cache. A new
// list makes a new sw.js, which the browser installs; the old cache is then
// deleted.

/* global PRECACHE */
const PREFIX = "bouteilles-scan-";
const CACHE = PREFIX + PRECACHE.version;
const PAGE = "/scan";
// The pages built on the scanner's scripts; each is kept once it has been opened.
const PAGES = [PAGE, "/restaurant/counter", "/collector/"];
const OFFLINE = "/offline";
const PAGE_TIMEOUT_MS = 4000; // one bar of signal: show the cached page rather than wait
const HASHED = /\.[0-9a-f]{12}\.\w+$/; // the build's names: name.<12 hex digits>.ext

async function store(cache, url, mode = "default") {
  try {
    const response = await fetch(url, { credentials: "same-origin", cache: mode });
    // Never keep a redirect (to the login page) or an error as the offline copy.
    if (response.ok && !response.redirected) await cache.put(url, response);
  } catch {
    /* offline during install: cached later, when the page is loaded */
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      // The pages are asked for again; the files come from the HTTP cache when the
      // page has just loaded them (their hashed names are cached for good).
      .then((cache) => Promise.all([
        ...[PAGE, OFFLINE].map((url) => store(cache, url, "no-cache")),
        ...PRECACHE.assets.map((url) => store(cache, url)),
      ]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith(PREFIX) && key !== CACHE).map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

// The page lists what it loaded (the base template's CSS, the decoder…) to keep offline,
// and names itself: one of PAGES is kept too (the first time, no worker saw it load).
self.addEventListener("message", (event) => {
  if (event.data?.type !== "cache" || !Array.isArray(event.data.urls)) return;
  const page = PAGES.includes(event.data.page) ? event.data.page : null;
  const urls = event.data.urls.filter((url) => {
    try {
      const parsed = new URL(url);
      return parsed.origin === self.location.origin && parsed.pathname.startsWith("/static/");
    } catch {
      return false;
    }
  });
  event.waitUntil(caches.open(CACHE).then(async (cache) => {
    if (page && !(await cache.match(page))) await store(cache, page, "no-cache");
    for (const url of urls) {
      if (!(await cache.match(url))) await store(cache, url);
    }
  }));
});

/** A page that scans: network first (with a time limit), the cached copy when offline. */
async function scanPage(request, page) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    if (response.ok && !response.redirected) await cache.put(page, response.clone());
    return response;
  });
  network.catch(() => {}); // handled below; may fail after the cached copy was served
  const timeout = new Promise((resolve) => setTimeout(resolve, PAGE_TIMEOUT_MS, null));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
    const cached = await cache.match(page);
    return cached || (await network);
  } catch {
    return (await cache.match(page)) || (await cache.match(OFFLINE)) || Response.error();
  }
}

/** Any other page: the network; offline, a small page saying so. */
async function otherPage(request) {
  try {
    return await fetch(request);
  } catch {
    return (await caches.match(OFFLINE)) || Response.error();
  }
}

/**
 * Static files. A hashed name (scan.3f2a9c1e7b44.js) never changes content: this
 * version's cache first. A plain name may: the network first, the cache offline.
 */
async function staticFile(request, url) {
  const cache = await caches.open(CACHE);
  if (HASHED.test(url.pathname)) {
    const cached = await cache.match(request);
    if (cached) return cached;
  }
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(PAGES.includes(url.pathname) ? scanPage(request, url.pathname)
      : otherPage(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFile(request, url));
  }
});
