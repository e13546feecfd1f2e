/* The service worker (issue 17): keeps the app's shell and the last answers of its refreshes, so a phone on a
 * flaky network opens the app and shows the last data; assets/pwa.js says when that is what it shows.
 *
 * Served by api/pwa.py at /sw.js (scope /, no-cache) with this build's id as VERSION: a new build installs a new
 * worker, which takes over at once and deletes the old one's caches. Only requests to this origin are handled.
 *
 *   /assets/, /_dash-component-suites/        cache first (their addresses carry a version): SHELL
 *   page navigations, /_dash-layout,          network first, the kept copy when the network fails: DATA
 *     /_dash-dependencies                     (the manifest and the favicon too, into SHELL)
 *   /geo/                                     the kept copy at once, refreshed from the network: DATA
 *   POST /_dash-update-component              network first; see "Callbacks" below: DATA
 *   /login, /logout, /incident-photos/, /api/, /open311/, any other POST or GET: never kept, never answered
 *
 * Callbacks. An answer is kept only when every prop that set the callback off (changedPropIds) is a timer's
 * n_intervals, a location's pathname/search/hash/href, or a Store's data (a page arriving or refreshing),
 * never a click, an upload or a typed value: moves, acknowledgements and uploads are clicks, so an answer to
 * a write is never kept. It is kept under a made-up GET address, /__pwa/cb/<sha-256 of the page's path and
 * query, the callback's output key and its inputs with every timer's count left out>, merged into the last
 * one (Dash sends only what changed: each output keeps its newest full value, a Patch is applied to it),
 * with an X-Cityops-Cached-At header (ms). When the network fails, a page that has not had an answer to that
 * callback yet (a page opened offline) gets the kept one, once; a page that has keeps what it shows and gets
 * the failure, so its own "stale since" notice works as before.
 *
 * One user's answers never reach another: the keys hold no user, so DATA is dropped on logout (Clear-Site-
 * Data from the server, and a "clear" message from assets/pwa.js), when the login page is opened (a new
 * session starts there), when any request answers 401 (the session ended) and when a page names another
 * account than the one DATA was kept for (a "user" message: single sign-on switches without a login page).
 * SHELL holds no user data.
 */
"use strict";

const VERSION = "__BUILD_ID__";
const SHELL = "cityops-shell-" + VERSION;
const DATA = "cityops-data-" + VERSION;
const CACHED_AT = "X-Cityops-Cached-At";
const CALLBACK = "/_dash-update-component";
const KEPT = "/__pwa/cb/";
const KEEP_PROPS = ["n_intervals", "pathname", "search", "hash", "href", "data"];
const NEVER = ["/login", "/logout", "/incident-photos/", "/api/", "/open311/", "/sw.js"];
const PUBLIC = ["/manifest.webmanifest", "/favicon.ico", "/_favicon.ico"];  // no data: kept in SHELL, network first
const LIMIT = { cb: 300, geo: 60, page: 80 };  // entries of each kind in DATA, the oldest dropped first
const LANDINGS = ["/tasks", "/m", "/wall", "/"];  // where /launch may send someone (api/pwa.py)
const USER = "/__pwa/user";  // the account DATA is kept for (an opaque mark, api/pwa.py user_tag)
const KINDS = [[KEPT, "cb"], ["/geo/", "geo"], [USER, "user"]];  // and everything else in DATA: "page"

let generation = 0, seen = 0;  // generation: bumped by every clear; seen: fetches handled
const answered = new Map();  // client id -> the callback keys it has had an answer to
const chains = new Map();  // callback key -> the merge in flight (one at a time per key)
const isShell = (path) => path.startsWith("/assets/") || path.startsWith("/_dash-component-suites/");
const isLayout = (path) => path === "/_dash-layout" || path === "/_dash-dependencies";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  const old = (names) => names.filter((n) => n.startsWith("cityops-") && n !== SHELL && n !== DATA);
  event.waitUntil(caches.keys().then((names) => Promise.all(old(names).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

function clearData() {
  generation += 1;  // a keep that started before this writes nothing
  answered.clear();
  return caches.delete(DATA);
}

self.addEventListener("message", (event) => {
  const msg = event.data || {};
  if (msg.type === "clear") { event.waitUntil(clearData()); }
  if (msg.type === "warm" && Array.isArray(msg.urls)) { event.waitUntil(warm(msg.urls.slice(0, 300))); }
  if (msg.type === "user" && typeof msg.tag === "string") { event.waitUntil(keptFor(msg.tag.slice(0, 64))); }
});

async function keptFor(tag) {  // another account than the one DATA was kept for: drop it first
  const kept = await caches.match(USER, { cacheName: DATA });
  const was = kept ? await kept.text() : null;
  if (was === tag) { return; }
  if (was !== null) { await clearData(); }
  await put(DATA, self.location.origin + USER, new Response(tag), generation);
}

const never = (path) => NEVER.some((p) => path === p || (p.endsWith("/") && path.startsWith(p)));

self.addEventListener("fetch", (event) => {
  const req = event.request, url = new URL(req.url), path = url.pathname;
  if (url.origin !== self.location.origin) { return; }
  if (never(path)) {
    if (path === "/login" && req.method === "GET") { event.waitUntil(clearData()); }
    return;
  }
  if (req.method === "POST" && path === CALLBACK) {
    event.respondWith(callback(event));
  } else if (req.method !== "GET") {
    return;
  } else if (isShell(path)) {
    event.respondWith(cacheFirst(event));
  } else if (req.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (isLayout(path) || PUBLIC.includes(path)) {
    event.respondWith(networkFirst(event, PUBLIC.includes(path) ? SHELL : DATA));
  } else if (path.startsWith("/geo/")) {
    event.respondWith(staleWhileRevalidate(event));
  }
  if ((seen += 1) % 50 === 0) { event.waitUntil(forgetGoneClients()); }
});

const keepable = (res) => res.ok && res.type === "basic" && !res.redirected;
const kindOf = (url) => KINDS.find(([p]) => new URL(url).pathname.startsWith(p))?.[1] || "page";

async function put(name, key, res, gen) {
  if (gen !== generation) { return; }
  const cache = await caches.open(name);
  await cache.put(key, res);
  const kind = kindOf(typeof key === "string" ? key : key.url);
  if (name !== DATA || !LIMIT[kind]) { return; }
  const keys = (await cache.keys()).filter((r) => kindOf(r.url) === kind);
  await Promise.all(keys.slice(0, Math.max(0, keys.length - LIMIT[kind])).map((r) => cache.delete(r)));
}

async function cacheFirst(event) {
  const hit = await caches.match(event.request, { cacheName: SHELL });
  if (hit) { return hit; }
  const res = await fetch(event.request);
  if (keepable(res)) { event.waitUntil(put(SHELL, event.request, res.clone(), generation)); }
  return res;
}

const ended = (event, res) => res.status === 401 && (event.waitUntil(clearData()), true);  // and what it kept goes

async function networkFirst(event, name) {
  const gen = generation;
  try {
    const res = await fetch(event.request);
    if (!ended(event, res) && keepable(res)) { event.waitUntil(put(name, event.request.url, res.clone(), gen)); }
    return res;
  } catch (err) {
    const hit = await caches.match(event.request.url, { cacheName: name });
    if (hit) { return hit; }
    throw err;
  }
}

async function navigate(event, url) {
  const gen = generation;
  try {
    const res = await fetch(event.request);
    if (!ended(event, res) && keepable(res) && !url.searchParams.has("token")) {
      event.waitUntil(put(DATA, url.href, res.clone(), gen));
    }
    return res;
  } catch (err) {
    const cache = await caches.open(DATA);
    const hit = (await cache.match(url.href)) || (await cache.match(url.href, { ignoreSearch: true }));
    if (hit) { return hit; }
    if (url.pathname === "/launch") {  // the installed app opened offline: where it last landed
      const keys = await cache.keys();
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const kept = new URL(keys[i].url);
        if (LANDINGS.includes(kept.pathname)) { return Response.redirect(kept.href, 302); }
      }
    }
    throw err;
  }
}

async function staleWhileRevalidate(event) {
  const gen = generation;
  const hit = await caches.match(event.request.url, { cacheName: DATA });
  const fresh = fetch(event.request).then((res) => {
    if (!ended(event, res) && keepable(res)) { return put(DATA, event.request.url, res.clone(), gen).then(() => res); }
    return res;
  });
  if (hit) {
    event.waitUntil(fresh.catch(() => null));
    return hit;
  }
  return fresh;
}

// ---- callbacks ----

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

function withoutTimers(dep) {
  if (Array.isArray(dep)) { return dep.map(withoutTimers); }
  return dep && dep.property === "n_intervals" ? { id: dep.id, property: dep.property } : dep;
}

async function keyOf(req, body) {
  let page = "";
  if (req.referrer) {
    const ref = new URL(req.referrer);
    page = ref.origin === self.location.origin ? ref.pathname + ref.search : "";
  }
  const text = JSON.stringify([page, body.output, (body.inputs || []).map(withoutTimers)]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return self.location.origin + KEPT + hex(digest);
}

const trigger = (propId) => String(propId).split(".").pop();
const keepableBody = (body) => (body.changedPropIds || []).every((p) => KEEP_PROPS.includes(trigger(p)));

const hasAnswered = (client, key) => (answered.get(client) || new Set()).has(key);
const remember = (client, key) => answered.set(client, (answered.get(client) || new Set()).add(key));

async function forgetGoneClients() {
  const alive = new Set((await self.clients.matchAll({ includeUncontrolled: true })).map((c) => c.id));
  for (const id of answered.keys()) { if (!alive.has(id)) { answered.delete(id); } }
}

async function callback(event) {
  const req = event.request;
  let body = null;
  try { body = JSON.parse(await req.clone().text()); } catch (err) { body = null; }
  const key = body && typeof body.output === "string" ? await keyOf(req, body) : null;
  const client = event.clientId || "";
  let res;
  try {
    res = await fetch(req);
  } catch (err) {
    if (key && !hasAnswered(client, key)) {
      const hit = await caches.match(key, { cacheName: DATA });
      if (hit) { remember(client, key); return hit; }  // a page opened offline: the kept answer, once
    }
    throw err;
  }
  if (ended(event, res) || !key) { return res; }
  remember(client, key);
  if (res.status === 200 && keepableBody(body)) { event.waitUntil(keepAnswer(key, res.clone(), generation)); }
  return res;
}

function keepAnswer(key, res, gen) {
  const next = (chains.get(key) || Promise.resolve()).then(() => mergeInto(key, res, gen)).catch(() => null);
  chains.set(key, next);
  return next.then(() => { if (chains.get(key) === next) { chains.delete(key); } });
}

async function mergeInto(key, res, gen) {
  const answer = await res.json();
  if (!answer || typeof answer.response !== "object") { return; }
  const old = await caches.match(key, { cacheName: DATA });
  const kept = old ? await old.json() : {};
  const merged = { ...answer, response: mergeProps(kept.response, answer.response) };
  if (kept.sideUpdate || answer.sideUpdate) { merged.sideUpdate = mergeProps(kept.sideUpdate, answer.sideUpdate); }
  const headers = { "Content-Type": "application/json", [CACHED_AT]: String(Date.now()) };
  await put(DATA, key, new Response(JSON.stringify(merged), { headers }), gen);
}

const isPatch = (v) => v !== null && typeof v === "object" && v.__dash_patch_update === "__dash_patch_update";

function mergeProps(kept, fresh) {
  const out = JSON.parse(JSON.stringify(kept || {}));
  for (const [id, props] of Object.entries(fresh || {})) {
    const into = out[id] || (out[id] = {});
    for (const [prop, value] of Object.entries(props || {})) {
      const next = !isPatch(value) ? value
        : into[prop] === undefined ? composeOrNothing({ operations: [] }, value)
          : isPatch(into[prop]) ? composeOrNothing(into[prop], value) : applyPatch(into[prop], value);
      if (next === undefined) { delete into[prop]; } else { into[prop] = next; }
    }
  }
  return out;
}

/* A Patch with no full value under it (its base is the page's own layout, the same on a fresh page): kept as
 * a Patch while it only assigns, each location's newest assignment replacing the older ones under it. */
function composeOrNothing(kept, fresh) {
  const ops = [...kept.operations, ...fresh.operations];
  if (!ops.every((op) => op.operation === "Assign")) { return undefined; }
  const under = (a, b) => a.length >= b.length && b.every((k, i) => a[i] === k);
  const last = ops.filter((op, i) => !ops.slice(i + 1).some((later) => under(op.location, later.location)));
  return { __dash_patch_update: "__dash_patch_update", operations: last };
}

/* Dash's own Patch operations (dash-renderer's patchHandlers) on a kept full value; undefined when one
 * cannot apply, and that output is then left out of the kept answer rather than kept wrong. */
function applyPatch(value, patch) {
  const root = { v: JSON.parse(JSON.stringify(value)) };
  const at = (obj, k) => (Array.isArray(obj) && typeof k === "number" && k < 0 ? obj.length + k : k);
  for (const op of patch.operations || []) {
    const loc = ["v", ...(op.location || [])];
    let parent = root;
    for (const k of loc.slice(0, -1)) {
      parent = parent[at(parent, k)];
      if (parent === null || typeof parent !== "object") { return undefined; }
    }
    const k = at(parent, loc[loc.length - 1]);
    const p = op.params || {};
    const cur = parent[k];
    const list = Array.isArray(cur);
    switch (op.operation) {
      case "Assign": parent[k] = p.value; break;
      case "Delete": if (Array.isArray(parent)) { parent.splice(k, 1); } else { delete parent[k]; } break;
      case "Merge": parent[k] = { ...cur, ...p.value }; break;
      case "Extend": if (!list) { return undefined; } parent[k] = cur.concat(p.value); break;
      case "Append": if (!list) { return undefined; } parent[k] = cur.concat([p.value]); break;
      case "Prepend": if (!list) { return undefined; } parent[k] = [p.value].concat(cur); break;
      case "Insert": if (!list) { return undefined; } cur.splice(at(cur, p.index), 0, p.value); break;
      case "Clear": parent[k] = list ? [] : typeof cur === "string" ? "" : {}; break;
      default: return undefined;
    }
  }
  return root.v;
}

// ---- what the page had already loaded before this worker controlled it ----

async function warm(urls) {
  const gen = generation;
  for (const raw of urls) {
    let url;
    try { url = new URL(String(raw), self.location.origin); } catch (err) { continue; }
    const path = url.pathname, name = isShell(path) ? SHELL : isLayout(path) ? DATA : null;
    if (url.origin !== self.location.origin || name === null || url.searchParams.has("token")) { continue; }
    if (await caches.match(url.href, { cacheName: name })) { continue; }
    const res = await fetch(url.href, { credentials: "same-origin", cache: "force-cache" }).catch(() => null);
    if (res === null) { return; }  // offline again: the rest on the next page
    if (keepable(res)) { await put(name, url.href, res, gen); }
  }
}
