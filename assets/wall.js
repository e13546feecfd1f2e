/* Command wall: dash-leaflet style functions, clientside callbacks (clock, stale banner, carousel), and
 * what the map does on its own: labels kept apart, refitted when its box changes size (numbers counting
 * up and lists rolling: assets/wall-motion.js). Served from the app's own assets; no outside requests. */
(function () {
  "use strict";
  const TZ = "Asia/Shanghai";

  function rem() {
    return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  }

  function hhmmss(ts) {
    return new Date(ts * 1000).toLocaleTimeString("zh-CN", {timeZone: TZ, hour12: false});
  }

  // the newest hideout Dash holds for each map layer: dash-leaflet draws a layer that finishes loading
  // its url with the hideout it had when the load began, so the style functions read the newer of the two
  const newest = {};
  function hideoutOf(context) {
    const h = (context && context.hideout) || {};
    const m = newest[h.layer];
    return m && (m.rev || 0) > (h.rev || 0) ? m : h;
  }
  // ...and when the layer finished loading (and drew with an older hideout) before its newest hideout got
  // here, nothing would draw it again until its colours next change: the mirror redraws the areas itself
  const drawnRev = {}, areaLayers = {};  // layer id -> the rev its areas were drawn with, its area layers
  function redrawAreas(id) {
    const h = newest[id];
    if (!h || (drawnRev[id] === undefined ? -1 : drawnRev[id]) >= (h.rev || 0)) { return; }
    (areaLayers[id] || new Set()).forEach(layer => {
      if (!layer._map) { areaLayers[id].delete(layer); return; }
      layer.setStyle(wall.areaStyle(layer.feature, {hideout: h}));
    });
  }

  // --- map labels kept apart ------------------------------------------------------------------
  // Leaflet puts each area's name on its centre; the small central districts' names then overlap. After
  // each zoom or move, names are placed smallest area first: each keeps its centre when that is free,
  // otherwise takes the nearest free spot around it (inside the map).
  const labelled = new Set();
  const watched = new WeakSet();
  let labelTimer = null;

  function watchMap(map) {
    if (map && !watched.has(map)) {
      watched.add(map);
      map.on("zoomend moveend resize", () => queueDeclutter(map));
      watchSize(map);
    }
  }

  function labelOpened(e) {
    labelled.add(e.target);
    watchMap(e.target._map);
    queueDeclutter(e.target._map);
  }

  function queueDeclutter(map) {
    clearTimeout(labelTimer);
    labelTimer = setTimeout(() => declutter(map), 30);
  }

  const DIRS = [[0, -1], [0, 1], [1, 0], [-1, 0], [1, -1], [-1, -1], [1, 1], [-1, 1]];

  function declutter(map) {
    if (!map || !map._loaded) { return; }
    const frame = map.getContainer().getBoundingClientRect();
    const items = [];
    labelled.forEach(layer => {
      const tip = layer.getTooltip && layer.getTooltip();
      if (!layer._map) { labelled.delete(layer); return; }
      if (layer._map !== map || !tip || !tip.isOpen() || !tip.getElement()) { return; }
      tip.options.offset = L.point(0, 0);
      tip._updatePosition();
      const b = layer.getBounds ? layer.getBounds() : null;
      const nw = b ? map.latLngToContainerPoint(b.getNorthWest()) : L.point(0, 0);
      const se = b ? map.latLngToContainerPoint(b.getSouthEast()) : L.point(0, 0);
      items.push({tip: tip, area: Math.abs((se.x - nw.x) * (se.y - nw.y))});
    });
    items.sort((a, b) => a.area - b.area);
    const placed = [];
    const gap = rem() * 0.15;
    const hits = (r) => placed.reduce((sum, q) => sum + Math.max(0, Math.min(r.right, q.right) - Math.max(r.left, q.left) + gap) *
      Math.max(0, Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top) + gap), 0);
    items.forEach(item => {
      const r = item.tip.getElement().getBoundingClientRect();
      let best = null;
      for (let ring = 0; ring <= 6 && !(best && best.cost === 0); ring += 1) {
        for (const [ux, uy] of (ring ? DIRS : [[0, 0]])) {
          const dx = ux * ring * (r.width * 0.3 + r.height * 0.2), dy = uy * ring * r.height * 0.55;
          const box = {left: r.left + dx, right: r.right + dx, top: r.top + dy, bottom: r.bottom + dy};
          const outside = box.left < frame.left || box.right > frame.right || box.top < frame.top || box.bottom > frame.bottom;
          const cost = hits(box) + (outside ? 1e6 : 0);
          if (!best || cost < best.cost) { best = {dx: dx, dy: dy, box: box, cost: cost}; }
          if (cost === 0) { break; }
        }
      }
      placed.push(best.box);
      if (best.dx || best.dy) {
        item.tip.options.offset = L.point(best.dx, best.dy);
        item.tip._updatePosition();
      }
      lead(item.tip.getElement(), best.dx, best.dy, r.width, r.height);
    });
  }

  // a line from a moved name's edge back to its area's centre, when it moved more than half its height
  function lead(el, dx, dy, w, h) {
    const far = Math.hypot(dx, dy);
    Object.assign(el.dataset, {dx: String(dx), dy: String(dy)});  // how far the name moved off its centre
    el.classList.toggle("led", far > h * 0.5);
    if (far <= h * 0.5) { return; }
    const ux = -dx / far, uy = -dy / far;
    const from = Math.min(ux ? w / 2 / Math.abs(ux) : Infinity, uy ? h / 2 / Math.abs(uy) : Infinity);
    el.style.setProperty("--lead-angle", Math.atan2(uy, ux) + "rad");
    el.style.setProperty("--lead-from", from + "px");
    el.style.setProperty("--lead-len", Math.max(0, far - from) + "px");
  }

  // --- the map refitted when its box changes size (the window, or the legend beside it) --------
  let resizeTimer = null;
  function resized() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (document.getElementById("wall-map") && window.dash_clientside.set_props) {  // a Store has no DOM node
        window.dash_clientside.set_props("wall-resize", {data: Date.now()});
      }
    }, 400);
  }
  window.addEventListener("resize", resized);

  function watchSize(map) {
    const box = map.getContainer();
    if (box.id !== "wall-map" || !window.ResizeObserver) { return; }
    let size = null;
    new ResizeObserver(() => {
      const now = box.clientWidth + "x" + box.clientHeight;
      if (size !== null && now !== size) {
        map.invalidateSize({pan: false});
        resized();
      }
      size = now;
    }).observe(box);
  }

  const wall = {
    // --- map styles ---------------------------------------------------------------------
    areaStyle: function (feature, context) {
      const h = hideoutOf(context);
      if (h.layer) { drawnRev[h.layer] = h.rev || 0; }
      const level = (h.levels || {})[feature.id] || 5;
      const colours = h.colours || {};  // level -> colour, from components/theme.py through citymap
      const colour = colours[String(level)] || colours["5"];
      const fills = h.fills || {};  // level -> fill opacity, from components/theme.py: red reads strongest
      const fill = fills[String(level)] !== undefined ? fills[String(level)] : (level === 5 ? 0.28 : 0.6);
      return {color: "#c9d8f0", weight: 1.2, opacity: 0.9, fillColor: colour, fillOpacity: fill};
    },
    areaLabel: function (feature, layer, context) {
      const h = hideoutOf(context);
      const p = feature.properties || {};
      // the map says what its areas are: "Jing'an", not "Jing'an District" (English names are long)
      let text = h.lang === "en" ? String(p.name_en || "").replace(/ (Sub)?[Dd]istrict$/, "") : p.name_zh;
      const level = (h.levels || {})[feature.id] || 5;
      layer.once("add", e => watchMap(e.target._map));
      if (h.layer) { (areaLayers[h.layer] = areaLayers[h.layer] || new Set()).add(layer); }
      // districts are always named; streets and grids only when they carry a warning (no clutter)
      if ((p.code || "").length > 6 && level === 5) { return; }
      if ((p.code || "").length === 12) { text = String(parseInt(p.code.slice(9), 10)); }  // grids: their number
      layer.bindTooltip(text, {permanent: true, direction: "center", className: "area-label", interactive: false});
      layer.on("tooltipopen", labelOpened);
    },
    heatStyle: function (feature, context) {
      const h = hideoutOf(context);
      const colours = h.colours || ["#9b5de5"];
      const k = Math.min(wall.heatClass(feature, h), colours.length - 1);
      if (k < 0) { return {stroke: false, fillOpacity: 0}; }
      return {stroke: false, fillColor: colours[k], fillOpacity: [0.35, 0.5, 0.65, 0.82, 0.92][k]};
    },
    heatClass: function (feature, hideout) {
      const n = (hideout.v || [])[feature.properties.i] || 0;
      if (!n) { return -1; }
      const breaks = hideout.breaks || [];
      let k = 0;
      while (k < breaks.length && n >= breaks[k]) { k += 1; }
      return k;
    },
    // filters: the overview keeps only the hottest cells over the warning colours; the heat layer shows all
    heatHot: function (feature, context) {
      const h = hideoutOf(context);
      return wall.heatClass(feature, h) >= Math.max(1, (h.breaks || []).length - 1);  // the two hottest classes
    },
    heatAny: function (feature, context) {
      return wall.heatClass(feature, hideoutOf(context)) >= 0;
    },
    incidentPoint: function (feature, latlng) {
      const fresh = (feature.properties.age_s || 0) < 1800;
      return L.circleMarker(latlng, {pane: "markers", radius: rem() * 0.42, color: "#ffffff", weight: 2, fillColor: "#ff2d2d",
                                     fillOpacity: 0.95, className: fresh ? "pulse" : ""});
    },
    projectPoint: function (feature, latlng, context) {
      const c = feature.properties.counts || {};
      const colours = (context.hideout || {}).colours || {};
      const parts = ["late", "at_risk", "on_track"].filter(k => c[k]).map(
        k => `<span style="background:${colours[k]}">${c[k]}</span>`);
      return L.marker(latlng, {pane: "projects", icon: L.divIcon({className: "proj-icon", html: parts.join(""), iconSize: null}),
                               interactive: false, keyboard: false});
    },

    rollStep: function () { window.cityops.motion.rollStep(); },  // one step of every rolling list (tests)

    // --- clientside callbacks ----------------------------------------------------------
    rememberHideouts: function (...hideouts) {
      hideouts.forEach(h => {
        if (h && h.layer && (!newest[h.layer] || (h.rev || 0) >= (newest[h.layer].rev || 0))) {
          newest[h.layer] = h;
          redrawAreas(h.layer);
        }
      });
      return window.dash_clientside.no_update;
    },
    refit: function (n, config, state) {
      // the window or the map's box changed size (F11, a new wall layout, a longer legend): fit the scope
      // again, unless the carousel has just flown to a new red warning
      if (!n || (state && state.jumped)) { return window.dash_clientside.no_update; }
      // `resized` (ignored by Leaflet) makes each request differ from the last, so dash-leaflet applies it
      return {bounds: config.bounds, transition: "fitBounds", options: {resized: n}};
    },
    heartbeat: function (meta, config, beat) {
      const now = Date.now();
      const next = Object.assign({}, beat || {});
      if (meta && meta.build && config.build && meta.build !== config.build) {
        setTimeout(() => window.location.reload(), 500);  // redeployed: load the new app
      }
      if (meta && meta.ok) {
        next.ok_at = now;
        next.good_tick = meta.tick;
        next.failing = false;
      } else if (meta && meta.ok === false) {
        next.failing = true;
      }
      return next;
    },
    clock: function (_n, beat, config) {
      const now = new Date();
      const lang = config.lang === "en" ? "en-GB" : "zh-CN";
      const long = config.lang !== "en";  // English names are long: "Sat 21 Nov 2026"
      const date = now.toLocaleDateString(lang, {timeZone: TZ, year: "numeric", month: long ? "long" : "short",
                                                 day: "numeric", weekday: long ? "long" : "short"});
      const clock = now.toLocaleTimeString("zh-CN", {timeZone: TZ, hour12: false});
      beat = beat || {};
      const limit = 2.5 * config.refresh * 1000;
      const last = beat.ok_at || (performance.timeOrigin || 0);
      const stale = beat.failing || now.getTime() - last > limit;
      // a wall left running for days reloads itself now and then to give back browser memory
      if (config.reload_hours > 0 && performance.now() > config.reload_hours * 3600e3 && !stale) {
        window.location.reload();
      }
      if (!stale) {
        return [date, clock, "", "wall-banner hidden"];
      }
      const since = beat.good_tick ? hhmmss(beat.good_tick) : "—";
      return [date, clock, "⚠ " + config.stale_text.replace("{since}", since), "wall-banner"];
    },
    heatFilter: function (mode) {
      return {variable: mode === "heat" ? "cityops.wall.heatAny" : "cityops.wall.heatHot"};
    },
    rotate: function (n, meta, config, state) {
      const ctx = window.dash_clientside.callback_context;
      const trigger = (ctx.triggered[0] || {}).prop_id || "";
      const nu = window.dash_clientside.no_update;
      state = Object.assign({mode: -1}, state || {});
      const red = meta && meta.newest_red;
      if (trigger.startsWith("wall-meta")) {
        const seen = state.red;
        state.red = red ? red.id : null;
        if (!config.rotate || !red || seen === undefined || seen === red.id || red.lat == null) {
          return [nu, nu, nu, nu, nu, nu, state];
        }
        // a new red warning: show the warning layer, fly to it and say what it is
        state.mode = 0;
        state.jumped = true;
        const name = config.lang === "en" ? red.area.en : red.area.zh;
        const cause = config.lang === "en" ? red.cause_en : red.cause_zh;
        return ["wall-panel wall-map mode-warnings", config.titles.warnings, wall.heatFilter("warnings"),
                {center: [red.lat, red.lon], zoom: red.area_code.length > 6 ? 12 : 10.5, transition: "flyTo"},
                `${config.new_red}：${name} · ${cause}`, "wall-callout", state];
      }
      if (!config.rotate) {
        return [nu, nu, nu, nu, nu, nu, state];
      }
      state.mode = (state.mode + 1) % config.modes.length;
      const mode = config.modes[state.mode];
      let viewport = nu;
      if (state.jumped) {
        viewport = {bounds: config.bounds, transition: "flyToBounds"};
        state.jumped = false;
      }
      return ["wall-panel wall-map mode-" + mode, config.titles[mode], wall.heatFilter(mode), viewport, "",
              "wall-callout hidden", state];
    },
  };

  window.cityops = Object.assign({}, window.cityops, {wall: wall});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {"cityops.wall": wall});
})();
