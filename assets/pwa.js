/* The installable app in the page (issue 17): registers the service worker (assets/sw.js, served at /sw.js),
 * says when the page is offline, stops writes that cannot reach the server, and keeps photos taken offline
 * until they can be sent. The words come from the page's HTML (#pwa-texts, api/pwa.py), in the page's
 * language (?lang=, else the app's default).
 *
 * - A banner at the top of the page (small, in a corner, on the wall) while navigator.onLine is false or a
 *   callback cannot reach the server: "离线：显示的是 HH:MM 的数据", HH:MM (Shanghai) the last successful
 *   update (or the time the worker kept the answer a page opened offline shows). Gone once a callback gets
 *   through again or the browser is back online.
 * - A click on anything with class `needs-network` while offline is stopped before the page sees it, with a
 *   sentence next to it and in the banner; what was typed stays. A callback a person set off (not a timer, a
 *   URL or a Store) that fails at the network level says "网络中断，操作未提交，请重试". Only requests to
 *   /_dash-update-component are watched; a response is handed on unchanged.
 * - Photos taken offline (assets/photo-capture.js sends them through window.cityopsPhotos.send(incidentId,
 *   phase, blob, key, lang) -> Promise of {status, reason, id}, status 0 when nothing answered). Once the page
 *   has loaded, that send is wrapped: offline, or when the send got no answer, the photo goes into IndexedDB
 *   (cityops-pwa/photos, one entry per Idempotency-Key, marked with the account of <meta name=cityops-user>)
 *   and the answer is {status: 0, reason: "queued", id: null, queued: true, count}. window.cityopsQueue:
 *     put({incidentId, phase: "before"|"after", blob, key: the photo's Idempotency-Key (8-128 of
 *          [A-Za-z0-9._:-]), lang}) -> Promise of the number waiting; rejects on a malformed item or a full
 *          queue (MAX_ITEMS; the page says so). For capture code that queues by itself.
 *     flush() -> sends what waits, once each, through the unwrapped send with the item's own key (the
 *          server keeps one photo per key, so a try that did reach it is not stored twice): 2xx: sent;
 *          another 4xx: dropped and the page says a photo was not accepted; 0, 401, 408, 429, 5xx: kept for
 *          the next time. Runs when the browser comes online, when a page opens and after a refresh gets
 *          through; only a page of the same account sends. Without window.cityopsPhotos the queue waits.
 *     count() -> Promise of the number waiting for this account.
 *   The banner says "N 张照片待上传" while any wait, then what became of them. Signing out with photos
 *   waiting asks first (the logout's Clear-Site-Data drops them).
 * - window.cityopsPwa.status() -> {offline, lastOk, replayedAt}: for a page that says how old its data is.
 */
(function () {
  if (window.__cityopsPwa) { return; }
  window.__cityopsPwa = true;
  var KEEP_PROPS = ["n_intervals", "pathname", "search", "hash", "href", "data"];  // as assets/sw.js
  var CACHED_AT = "X-Cityops-Cached-At";
  var DB = "cityops-pwa", STORE = "photos", MAX_ITEMS = 30, MAX_BYTES = 20 * 1024 * 1024;
  var KEY = /^[A-Za-z0-9._:-]{8,128}$/;
  var WARM_AFTER_MS = 10000;  // the worker copies what the first page loaded only after its data came
  var state = { unreachable: false, lastOk: 0, replayedAt: 0, queued: 0, message: "", messageUntil: 0 };
  var banner = null, note = null, messageTimer = null, lastFlush = 0;

  // ---- words ----
  var all = null;
  function texts() {
    if (all === null) {
      var el = document.getElementById("pwa-texts");
      try { all = el ? JSON.parse(el.textContent) : {}; } catch (e) { all = {}; }
    }
    var lang = new URLSearchParams(window.location.search).get("lang");
    return all[lang === "en" || lang === "zh" ? lang : all["default"]] || all.zh || {};
  }
  function say(key, values) {
    var text = texts()[key] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }
  function hhmm(ms) { return new Date(ms + 8 * 3600 * 1000).toISOString().slice(11, 16); }  // Shanghai, no DST
  function lang() {
    var l = new URLSearchParams(window.location.search).get("lang");
    return l === "en" || l === "zh" ? l : (all && all["default"]) || "zh";
  }

  // ---- the banner ----
  function offline() { return !navigator.onLine || state.unreachable; }
  function render() {
    if (banner === null) {
      if (!document.body) { return; }
      banner = document.createElement("div");
      banner.id = "pwa-banner";
      banner.setAttribute("role", "status");
      banner.setAttribute("aria-live", "polite");
      document.body.insertBefore(banner, document.body.firstChild);
    }
    var lines = [];
    var since = state.lastOk || state.replayedAt;
    if (offline()) { lines.push(since ? say("offline_at", { time: hhmm(since) }) : say("offline")); }
    if (state.queued > 0) {
      lines.push(state.queued === 1 ? say("queued_one") : say("queued_n", { n: state.queued }));
    }
    if (state.message && Date.now() < state.messageUntil) { lines.push(state.message); }
    var text = lines.join("\n");
    if (banner.textContent !== text) { banner.textContent = text; }
    var wall = window.location.pathname === "/wall";
    banner.className = "pwa-banner" + (wall ? " pwa-small" : "") + (offline() ? " pwa-offline" : "");
    banner.hidden = lines.length === 0;
  }
  function tell(text, seconds) {
    state.message = text;
    state.messageUntil = Date.now() + (seconds || 8) * 1000;
    if (messageTimer) { window.clearTimeout(messageTimer); }
    messageTimer = window.setTimeout(render, (seconds || 8) * 1000 + 50);
    render();
  }
  function noteBeside(el, text) {
    if (note) { note.remove(); }
    var r = el.getBoundingClientRect();
    note = document.createElement("div");
    note.id = "pwa-note";
    note.className = "pwa-note";
    note.setAttribute("role", "alert");
    note.textContent = text;
    note.style.left = Math.max(4, r.left + window.scrollX) + "px";
    note.style.top = (r.bottom + window.scrollY + 4) + "px";
    document.body.appendChild(note);
    var mine = note;
    window.setTimeout(function () { if (note === mine) { note.remove(); note = null; } }, 8000);
  }

  // ---- callbacks: watched, never changed ----
  function byPerson(init) {
    try {
      var changed = JSON.parse(init && typeof init.body === "string" ? init.body : "{}").changedPropIds || [];
      return changed.some(function (p) { return KEEP_PROPS.indexOf(String(p).split(".").pop()) === -1; });
    } catch (e) { return false; }
  }
  var original = window.fetch;
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    if (url.indexOf("/_dash-update-component") === -1) { return original.apply(this, arguments); }
    return original.apply(this, arguments).then(function (res) {
      var kept = res.headers.get(CACHED_AT);
      if (kept) {  // the worker's kept answer: the network failed
        state.unreachable = true;
        var at = Number(kept) || 0;
        state.replayedAt = state.replayedAt ? Math.min(state.replayedAt, at) : at;
      } else {
        state.unreachable = false;
        if (res.ok) { state.lastOk = Date.now(); }
        if (state.queued > 0 && Date.now() - lastFlush > 30000) { flush(); }
      }
      render();
      return res;
    }, function (err) {
      state.unreachable = true;
      if (byPerson(init) && navigator.onLine) { tell(say("failed"), 10); }
      render();
      throw err;
    });
  };

  // ---- a write while offline ----
  window.addEventListener("click", function (event) {
    if (navigator.onLine) { return; }
    var el = event.target && event.target.closest ? event.target.closest(".needs-network") : null;
    if (el === null) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    noteBeside(el, say("refused"));
    tell(say("refused"), 10);
  }, true);

  window.addEventListener("online", function () { state.unreachable = false; render(); flush(); });
  window.addEventListener("offline", render);
  ["popstate", "_dashprivate_pushstate"].forEach(function (name) { window.addEventListener(name, render); });

  // ---- photos taken offline ----
  function userTag() {
    var m = document.querySelector('meta[name="cityops-user"]');
    return m ? m.getAttribute("content") || "" : "";
  }
  function withStore(mode, work) {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open(DB, 1);
      open.onupgradeneeded = function () { open.result.createObjectStore(STORE, { keyPath: "key" }); };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var db = open.result, tx = db.transaction(STORE, mode), out = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(out && "result" in out ? out.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      };
    });
  }
  function mine() {
    var tag = userTag();
    return withStore("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).filter(function (i) { return i.user === tag; });
    });
  }
  function count() {
    return mine().then(function (items) { state.queued = items.length; render(); return items.length; });
  }
  function valid(item) {
    if (!item || typeof item !== "object") { return null; }
    var id = item.incidentId;
    var idOk = (typeof id === "number" && Number.isInteger(id) && id > 0)
      || (typeof id === "string" && /^[1-9][0-9]{0,11}$/.test(id));
    var blobOk = item.blob instanceof Blob && item.blob.size > 0 && item.blob.size <= MAX_BYTES;
    var phaseOk = item.phase === "before" || item.phase === "after";
    if (!idOk || !blobOk || !phaseOk || !KEY.test(String(item.key || ""))) { return null; }
    return {
      key: item.key, incidentId: id, phase: item.phase, blob: item.blob,
      lang: item.lang === "en" || item.lang === "zh" ? item.lang : lang(), user: userTag(), at: Date.now(),
    };
  }
  function put(item) {
    var it = valid(item);
    if (it === null) { return Promise.reject(new TypeError("cityopsQueue.put({incidentId, phase, blob, key, lang})")); }
    return mine().then(function (items) {
      if (items.length >= MAX_ITEMS && !items.some(function (i) { return i.key === it.key; })) {
        var full = say("queue_full", { n: items.length });
        tell(full, 12);
        throw new Error(full);
      }
      return withStore("readwrite", function (s) { s.put(it); });
    }).then(function () {
      if (navigator.onLine) { window.setTimeout(flush, 15000); }  // online but the send failed: try again soon
      return count();
    });
  }
  function remove(key) { return withStore("readwrite", function (s) { s.delete(key); }); }
  var flushing = null;
  function flush() {
    wrapSend();
    var photos = window.cityopsPhotos;
    if (flushing) { return flushing; }
    if (!navigator.onLine || sendOne === null) { return Promise.resolve(0); }
    lastFlush = Date.now();
    var run = function () {
      return mine().then(function (items) {
        var sent = 0, refused = 0, words = [];
        var next = function (i) {
          if (i >= items.length) { return Promise.resolve(); }
          var it = items[i];
          return Promise.resolve().then(function () {
            return sendOne.call(photos, it.incidentId, it.phase, it.blob, it.key, it.lang);
          }).then(function (r) {
            var status = r && Number(r.status);
            if (!status || status === 401 || status === 408 || status === 429 || status >= 500) { return; }  // later
            return remove(it.key).then(function () {
              if (status >= 200 && status < 300) { sent += 1; } else { refused += 1; }
              return next(i + 1);
            });
          }, function () { return undefined; });  // the network again: the rest wait
        };
        return next(0).then(function () {
          if (sent) { words.push(sent === 1 ? say("sent_one") : say("sent_n", { n: sent })); }
          if (refused) { words.push(say("photo_refused")); }
          if (words.length) { tell(words.join("\n"), 15); }
          return count().then(function () { return sent; });
        });
      });
    };
    var locked = navigator.locks ? navigator.locks.request("cityops-photo-queue", run) : run();
    flushing = locked.catch(function () { return 0; }).then(function (n) { flushing = null; return n; });
    return flushing;
  }
  var sendOne = null;  // window.cityopsPhotos.send as photo-capture.js made it
  function wrapSend() {
    var photos = window.cityopsPhotos;
    if (!photos || typeof photos.send !== "function" || photos.send.queued) { return; }
    sendOne = photos.send;
    var wrapped = function (incidentId, phase, blob, key, lang) {
      var item = { incidentId: incidentId, phase: phase, blob: blob, key: key, lang: lang };
      var queue = function () {
        return put(item).then(
          function (n) { return { status: 0, reason: "queued", id: null, queued: true, count: n }; },
          function () { return { status: 0, reason: "failed", id: null }; });
      };
      if (!navigator.onLine) { return queue(); }
      return sendOne.apply(photos, arguments).then(function (r) { return r && Number(r.status) ? r : queue(); });
    };
    wrapped.queued = true;
    photos.send = wrapped;
  }
  window.cityopsQueue = { put: put, count: count, flush: flush };
  // for a page's own "updated N s ago": offline or not, the last answer from the server (ms), and when the
  // worker kept the answers a page opened offline was given (ms; 0: none)
  window.cityopsPwa = {
    status: function () { return { offline: offline(), lastOk: state.lastOk, replayedAt: state.replayedAt }; },
  };

  // signing out: the server's Clear-Site-Data drops the queue with everything else, so ask first
  window.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form && form.getAttribute ? form.getAttribute("action") || "" : "";
    if (new URL(action, window.location.href).pathname !== "/logout") { return; }
    if (state.queued > 0 && !window.confirm(say("logout_queued", { n: state.queued }))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "clear" });
    }
  }, true);

  // ---- the worker ----
  function start() {
    wrapSend();
    render();
    if (window.indexedDB) { count().then(function (n) { if (n) { flush(); } }).catch(function () { return 0; }); }
    if (!("serviceWorker" in navigator) || !window.isSecureContext) { return; }
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (reg.active) { reg.active.postMessage({ type: "user", tag: userTag() }); }  // whose page this is
      // what this page loaded before the worker ran, once the page is quiet
      window.setTimeout(function () {
        var urls = performance.getEntriesByType("resource").map(function (e) { return e.name; });
        if (reg.active) { reg.active.postMessage({ type: "warm", urls: urls }); }
      }, WARM_AFTER_MS);
    }).catch(function () { return null; });
  }
  if (document.readyState === "complete") { start(); } else { window.addEventListener("load", start); }
})();
