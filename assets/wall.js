/* Command wall: dash-leaflet style functions, clientside callbacks (clock, stale banner, carousel), and
 * what the map does on its own: heat drawn as dots, warned areas drawn last, refitted when its box changes
 * size (area names: assets/wall-labels.js; the scope's outline and the approximate note: assets/areamap.js;
 * numbers counting up and lists rolling: assets/wall-motion.js). Served from the app's own assets. */
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
  const drawnRev = {}, areaLayers = {};  // layer id -> the rev its areas were drawn with, its areas on the map
  function redrawAreas(id) {
    const h = newest[id];
    if (!h || (drawnRev[id] === undefined ? -1 : drawnRev[id]) >= (h.rev || 0)) { return; }
    (areaLayers[id] || new Set()).forEach(layer => {
      if (!layer._map) { areaLayers[id].delete(layer); return; }
      layer.setStyle(wall.areaStyle(layer.feature, {hideout: h}));
      areasIn(id, layer._map, h);
    });
  }

  // --- what the wall's map draws besides its fills ---------------------------------------------
  // the map is watched once: it refits when its box changes size (below)
  const watched = new WeakSet();
  function watchMap(map) {
    if (map && !watched.has(map)) {
      watched.add(map);
      watchSize(map);
    }
  }

  // heat as dots in a class's colour with a dark rim, on a lattice denser for hotter classes (rank 0: the
  // hottest): a canvas pattern, so the area's own colour shows between the dots (components/theme.py HEAT_DOTS)
  const patterns = {};
  function dots(colour, rank, spec) {
    const sizes = spec.sizes || [[0.45, 0.085]], [rim, rimColour] = spec.rim || [0.04, "rgba(6, 20, 43, 0.85)"];
    const [tile, radius] = sizes[Math.min(rank, sizes.length - 1)].map(v => v * rem());
    const key = [colour, tile, radius].join();
    if (!patterns[key]) {
      const c = document.createElement("canvas"), n = Math.max(2, Math.round(tile));
      c.width = c.height = n;
      const g = c.getContext("2d");
      [[rimColour, radius + rim * rem()], [colour, radius]].forEach(([fill, r]) => {
        g.fillStyle = fill;
        g.beginPath();
        g.arc(n / 2, n / 2, r, 0, 2 * Math.PI);
        g.fill();
      });
      patterns[key] = g.createPattern(c, "repeat");
    }
    return patterns[key];
  }

  // once the areas of a layer are in (a load or a recolouring re-adds them all): warned areas drawn last,
  // so their outlines lie over their neighbours'; on the wall, the scope's outline and the approximate note
  const settling = {};
  function areasIn(id, map, h) {
    clearTimeout(settling[id]);
    settling[id] = setTimeout(() => {
      const layers = [...(areaLayers[id] || [])].filter(l => l._map === map);
      const level = l => (hideoutOf({hideout: h}).levels || {})[l.feature.id] || 5;
      layers.sort((a, b) => level(b) - level(a)).forEach(l => { if (level(l) < 5) { l.bringToFront(); } });
      window.cityops.labels.schedule(map);  // warned areas' names go first
      if (h.approx) { window.cityops.areamap.decorate(map, layers.map(l => l.feature), h); }
    }, 0);
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
      const level = String((h.levels || {})[feature.id] || 5);
      const colours = h.colours || {};  // level -> fill colour, from components/theme.py MAP_FILL through citymap
      const fills = h.fills || {};  // level -> fill opacity: each level reads as its colour, red strongest
      const [line, width, opacity] = (h.strokes || {})[level] || ["#c9d8f0", 0.075, 0.9];  // red's edge widest
      return {color: line, weight: width * rem(), opacity: opacity, fillColor: colours[level] || colours["5"],
              fillOpacity: fills[level] !== undefined ? fills[level] : 0.3};
    },
    areaLabel: function (feature, layer, context) {
      const h = hideoutOf(context);
      const p = feature.properties || {};
      const code = p.code || "";
      // the map says what its areas are: "Jing'an", not "Jing'an District" (English names are long)
      let text = h.lang === "en" ? String(p.name_en || "").replace(/ (Sub)?[Dd]istrict$/, "") : p.name_zh;
      if (code.length === 12) { text = String(h.grid || "{n}").replace("{n}", parseInt(code.slice(9), 10)); }  // grids
      layer.once("add", e => {
        watchMap(e.target._map);
        if (h.layer) { areasIn(h.layer, e.target._map, h); }
      });
      if (h.layer) {  // held while on the map: a recolouring re-creates every area, and the old ones must go
        const id = h.layer;
        layer.on("add", () => { (areaLayers[id] = areaLayers[id] || new Set()).add(layer); });
        layer.on("remove", () => { if (areaLayers[id]) { areaLayers[id].delete(layer); } });
      }
      // every area named, warned ones first (assets/wall-labels.js): a district's name always shows, a
      // street's or grid's where it fits inside its area
      window.cityops.labels.label(layer, {text: text, short: window.cityops.areamap.shortName(text, h.lang, code), code: code,
                                          levelOf: () => (hideoutOf(context).levels || {})[feature.id] || 5,
                                          fit: code.length > 6 ? 0.6 : 0, warnedFit: 0, always: code.length === 6});
    },
    heatStyle: function (feature, context) {
      const h = hideoutOf(context);
      const colours = h.colours || ["#9b5de5"];
      const k = Math.min(wall.heatClass(feature, h), colours.length - 1);
      if (k < 0) { return {stroke: false, fillOpacity: 0}; }
      // the wall's heat view: solid cells, as its legend shows them; elsewhere dots over the warning colours
      if (((context && context.filter) || {}).variable === "cityops.wall.heatAny") {
        return {stroke: false, fillColor: colours[k], fillOpacity: 1};
      }
      const rank = Math.max(0, Math.min(colours.length, (h.breaks || []).length + 1) - 1 - k);  // 0: the hottest
      // the hottest class's dots in the ramp's lightest colour, the next in the next: they show on any fill
      return {stroke: false, fillColor: dots(colours[Math.max(0, colours.length - 1 - rank)], rank, h.dots || {}), fillOpacity: 1};
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
    heatAll: function (feature, context) {  // the desks: every class, drawn as dots (heatAny: solid cells)
      return wall.heatClass(feature, hideoutOf(context)) >= 0;
    },
    incidentPoint: function (feature, latlng) {
      const fresh = feature.properties.fresh === true;  // decided by the server (snapshot.FRESH_MARKER_S)
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

    newestHideout: hideoutOf,  // for assets/areamap.js
    rollStep: function () { window.cityops.motion.rollStep(); },  // one step of every rolling list (tests)
    heldAreas: function (id) { return (areaLayers[id] || new Set()).size; },  // the areas this script holds (tests)

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
        next.ok_at = now - 1000 * Math.max(0, meta.behind || 0);  // a snapshot the worker wrote a while ago
        next.good_tick = meta.tick;
        next.failing = false;
      } else if (meta && meta.ok === false) {
        next.failing = true;
      }
      return next;
    },
    clock: function (_n, beat, config) {
      // a replay's clock shows the replayed moment (assets/wall-replay.js moves it), never the time now
      const now = config.at == null ? new Date() : new Date(config.at * 1000);
      const lang = config.lang === "en" ? "en-GB" : "zh-CN";
      const long = config.lang !== "en";  // English names are long: "Sat 21 Nov 2026"
      const date = now.toLocaleDateString(lang, {timeZone: TZ, year: "numeric", month: long ? "long" : "short",
                                                 day: "numeric", weekday: long ? "long" : "short"});
      const clock = now.toLocaleTimeString("zh-CN", {timeZone: TZ, hour12: false});
      beat = beat || {};
      const limit = 2.5 * config.refresh * 1000;
      const last = beat.ok_at || (performance.timeOrigin || 0);
      const stale = beat.failing || Date.now() - last > limit;
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
