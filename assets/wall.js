/* Command wall: dash-leaflet style functions and clientside callbacks (clock, stale banner, carousel).
 * Served from the app's own assets; no outside requests. */
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

  const wall = {
    // --- map styles ---------------------------------------------------------------------
    areaStyle: function (feature, context) {
      const h = hideoutOf(context);
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
      let text = h.lang === "en" ? p.name_en : p.name_zh;
      const level = (h.levels || {})[feature.id] || 5;
      // districts are always named; streets and grids only when they carry a warning (no clutter)
      if ((p.code || "").length > 6 && level === 5) { return; }
      if ((p.code || "").length === 12) { text = String(parseInt(p.code.slice(9), 10)); }  // grids: their number
      layer.bindTooltip(text, {permanent: true, direction: "center", className: "area-label", interactive: false});
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

    // --- clientside callbacks ----------------------------------------------------------
    rememberHideouts: function (...hideouts) {
      hideouts.forEach(h => {
        if (h && h.layer && (!newest[h.layer] || (h.rev || 0) >= (newest[h.layer].rev || 0))) { newest[h.layer] = h; }
      });
      return window.dash_clientside.no_update;
    },
    refit: function (n, config) {
      // the window changed size (F11, a new wall layout): fit the scope again
      if (!n) { return window.dash_clientside.no_update; }
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

  let resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (document.getElementById("wall-map") && window.dash_clientside.set_props) {  // a Store has no DOM node
        window.dash_clientside.set_props("wall-resize", {data: Date.now()});
      }
    }, 400);
  });

  window.cityops = Object.assign({}, window.cityops, {wall: wall});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {"cityops.wall": wall});
})();
