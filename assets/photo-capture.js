/* Handling photos from a phone (issue 17): the incident page's photo field (components/incident_moves.py) holds
 * two labels, "拍照" and "从相册选择", in a container with the incident, the language and the limits as data-*
 * attributes. Dash's html has no <input>, so this script puts an <input type=file accept="image/*"> in each
 * (capture="environment" in the camera's: the phone opens its back camera). A picked photo is decoded,
 * turned upright, drawn at most data-max-edge px on its long side and re-encoded as JPEG before it is sent, one
 * POST per photo to the route the desk uses (/incidents/<id>/photos?lang=, multipart file + phase), each with
 * an Idempotency-Key of its own: the server keeps one photo per key, so sending it again never adds a second.
 * The route's answers (status, reason, id: nothing the browser wrote) go to the page's photo store, whose server
 * callback lists the waiting photos and says why any was refused.
 *
 * window.cityopsPhotos is the API other scripts use (the offline queue resends kept photos with their key):
 *   send(incidentId, phase, blob, key, lang) -> Promise<{status, reason, id}>   one POST, never rejects:
 *       201 -> {status: 201, reason: null, id}; a refusal -> {status, reason: the route's code, id: null};
 *       no answer (offline, dropped) -> {status: 0, reason: 'failed', id: null}
 *   newKey() -> a random UUID v4 (crypto.getRandomValues: plain-HTTP intranets have no randomUUID)
 *   shrink(blob, maxEdge, quality) -> Promise<Blob>   the photo as sent (the blob itself when small already)
 *   sendFiles(incidentId, phase, files, lang, opts) -> Promise<[{status, reason, id}]>   what a pick does:
 *       shrink, a new key, send through window.cityopsPhotos.send (looked up at each call, so a wrapper
 *       installed later is used), one retry with the same key when there was no answer or the server was busy.
 */
(function () {
  "use strict";
  if (window.cityopsPhotos) { return; }
  var RETRY_MS = 1500;

  function newKey() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function send(incidentId, phase, blob, key, lang) {
    var url = "/incidents/" + encodeURIComponent(String(incidentId)) + "/photos?lang=" + encodeURIComponent(lang || "zh");
    var form = new FormData();
    form.append("phase", phase);
    form.append("file", blob, "photo.jpg");
    var headers = key ? {"Idempotency-Key": key} : {};
    return fetch(url, {method: "POST", body: form, credentials: "same-origin", headers: headers})
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (b) {
          var ok = r.status === 201;
          return {status: r.status, reason: ok ? null : (b.reason || "failed"), id: ok ? b.id : null};
        });
      })
      .catch(function () { return {status: 0, reason: "failed", id: null}; });
  }

  function decode(blob) {  // an ImageBitmap (upright by its EXIF orientation) or an <img>
    if (window.createImageBitmap) {
      return createImageBitmap(blob, {imageOrientation: "from-image"})
        .catch(function () { return createImageBitmap(blob); })
        .catch(function () { return viaImg(blob); });
    }
    return viaImg(blob);
  }

  function viaImg(blob) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(blob), img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      img.src = url;
    });
  }

  function shrink(blob, maxEdge, quality) {
    return decode(blob).then(function (pic) {
      var w = pic.width || pic.naturalWidth, h = pic.height || pic.naturalHeight;
      var scale = Math.min(1, maxEdge / Math.max(w, h));
      if (scale === 1 && blob.type === "image/jpeg") {  // small enough, and re-encoding would only lose
        if (pic.close) { pic.close(); }
        return blob;
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      var g = canvas.getContext("2d");
      g.fillStyle = "#fff";  // a transparent PNG on white, as the server would flatten it
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.drawImage(pic, 0, 0, canvas.width, canvas.height);
      if (pic.close) { pic.close(); }
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (out) { return out ? resolve(out) : reject(new Error("no jpeg")); }, "image/jpeg", quality);
      });
    });
  }

  function sendOne(incidentId, phase, file, lang, opts) {
    return shrink(file, opts.maxEdge || 1600, opts.quality || 0.85)
      .catch(function () { return file; })  // not decodable here: the server decides (and names why)
      .then(function (blob) {
        if (opts.limit && blob.size > opts.limit) {  // a body the server refuses mid-way is a dropped connection
          return {status: 413, reason: "too_large", id: null};
        }
        var key = newKey(), api = window.cityopsPhotos;
        return api.send(incidentId, phase, blob, key, lang).then(function (got) {
          if (got.queued || (got.status !== 0 && got.status !== 503)) { return got; }  // queued: sent once later
          return new Promise(function (r) { setTimeout(r, RETRY_MS); })
            .then(function () { return window.cityopsPhotos.send(incidentId, phase, blob, key, lang); });
        });
      });
  }

  function sendFiles(incidentId, phase, files, lang, opts) {
    opts = opts || {};
    var list = Array.prototype.slice.call(files || [], 0, opts.most || 6), results = [];
    return list.reduce(function (done, file) {
      return done.then(function () { return sendOne(incidentId, phase, file, lang, opts); })
        .then(function (got) { results.push(got); });
    }, Promise.resolve()).then(function () { return results; });
  }

  window.cityopsPhotos = {send: send, newKey: newKey, shrink: shrink, sendFiles: sendFiles};

  // --- the page's photo field -------------------------------------------------------------------------------
  var PHASE = {start: "before", handled: "after"};

  function arm(root) {  // an <input type=file> in each of the field's labels, once
    var labels = (root || document).querySelectorAll(".photo-pick label.photo-btn");
    Array.prototype.forEach.call(labels, function (label) {
      if (label.querySelector("input[type=file]")) { return; }
      var input = document.createElement("input");
      input.type = "file";
      input.accept = "image/*";
      if (label.getAttribute("data-capture")) {
        input.setAttribute("capture", label.getAttribute("data-capture"));
      } else {
        input.multiple = true;
      }
      input.className = "photo-input";
      input.setAttribute("aria-label", label.textContent.trim());
      label.appendChild(input);
    });
  }

  function chosenPhase() {
    var picked = document.querySelector("#inc-action input[type=radio]:checked");
    return picked ? (PHASE[picked.value] || "") : "";
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.closest(".photo-pick")) { return; }
    var box = input.closest(".photo-pick"), files = Array.prototype.slice.call(input.files || []);
    if (!files.length) { return; }
    var d = box.dataset, busy = box.querySelector(".photo-busy");
    var opts = {maxEdge: +d.maxEdge, quality: +d.quality, limit: +d.limit, most: +d.most};
    box.classList.add("sending");
    if (busy) { busy.textContent = d.busyText || ""; }
    sendFiles(d.incident, chosenPhase(), files, d.lang, opts).then(function (results) {
      input.value = "";  // the same photo may be picked again
      box.classList.remove("sending");
      if (busy) { busy.textContent = ""; }
      if (window.dash_clientside && window.dash_clientside.set_props) {
        window.dash_clientside.set_props(d.sentStore, {data: {results: results, at: Date.now()}});
      }
    });
  });

  function start() {
    arm(document);
    new MutationObserver(function (changes) {
      for (var i = 0; i < changes.length; i++) {
        if (changes[i].addedNodes.length) { arm(document); return; }
      }
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
