/* The maps' outlines and notes: on a desk map (the area pages) every area named where its name fits (warned
 * areas first, placed by assets/wall-labels.js) and the selected area outlined above the other layers; on
 * the wall's map of a district or a street, the scope's own boundary and a note when its shapes are
 * approximate; and the names' shorter and two-line forms. Builds on cityops.wall's style functions, which
 * know the newest hideout of each layer. Served from the app's own assets. */
(function () {
  "use strict";
  const FIT = 0.6;  // a name shows where at least this share of it lies inside its own area

  function wall() {
    return window.cityops.wall;
  }

  function rem() {
    return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  }

  function hideout(context) {
    return wall().newestHideout(context);
  }

  // --- the selected area ---------------------------------------------------------------------------
  function outline(layer, feature) {
    // drawn as SVG in its own pane above the heat (the areas are on a canvas, under the heat): a dark
    // halo and a white line read over any fill
    const map = layer._map;
    if (!map) { return; }
    if (!map.getPane("selected")) { map.createPane("selected").style.zIndex = 445; }
    map._cityopsOutline = map._cityopsOutline || L.svg({pane: "selected"});
    const common = {renderer: map._cityopsOutline, pane: "selected", interactive: false, fill: false};
    const halo = L.geoJSON(feature, Object.assign({}, common,
                                                  {className: "area-selected-halo", color: "#06142b", weight: 8, opacity: 0.85}));
    const ring = L.geoJSON(feature, Object.assign({}, common,
                                                  {className: "area-selected", color: "#ffffff", weight: 4, opacity: 1}));
    halo.addTo(map);
    ring.addTo(map);
    layer.once("remove", function () { halo.remove(); ring.remove(); });
  }

  // --- the wall's map: its scope outlined, and a note when its shapes are approximate -----------------
  function outerEdges(features) {
    // the edges only one area has: the scope's own boundary (neighbours share their common edges)
    const seen = new Map();
    features.forEach(f => {
      const g = f.geometry || {};
      const polys = g.type === "MultiPolygon" ? g.coordinates : g.type === "Polygon" ? [g.coordinates] : [];
      polys.forEach(poly => poly.forEach(ring => {
        for (let i = 1; i < ring.length; i += 1) {
          const a = ring[i - 1].join(), b = ring[i].join(), key = a < b ? a + "|" + b : b + "|" + a;
          const edge = seen.get(key);
          if (edge) { edge.n += 1; } else { seen.set(key, {n: 1, ll: [[ring[i - 1][1], ring[i - 1][0]], [ring[i][1], ring[i][0]]]}); }
        }
      }));
    });
    return [...seen.values()].filter(e => e.n === 1).map(e => e.ll);
  }

  function decorate(map, features, h) {
    if (!map || !features.length) { return; }
    const code = (features[0].properties || {}).code || "";
    if (code.length > 6 && !map._cityopsScope) {  // a district's or a street's wall: a line around all of it
      if (!map.getPane("scope")) { map.createPane("scope").style.zIndex = 435; }  // above the heat
      const edges = outerEdges(features), line = {pane: "scope", interactive: false};
      const halo = L.polyline(edges, Object.assign({color: "#06142b", opacity: 0.8}, line));
      const ring = L.polyline(edges, Object.assign({color: "#e6f4ff", opacity: 1, className: "scope-outline"}, line));
      const widths = () => { halo.setStyle({weight: 0.5 * rem()}); ring.setStyle({weight: 0.2 * rem()}); };
      widths();
      map._cityopsScope = L.layerGroup([halo, ring]).addTo(map);
      map.on("resize", widths);
    }
    const level = code.length === 12 ? "grid" : code.length === 9 ? "street" : "district";
    if (!map._cityopsNote && (h.approx || {})[level] && features.some(f => (f.properties || {}).approximate)) {
      const note = L.control({position: "bottomleft"});
      note.onAdd = () => {
        const div = L.DomUtil.create("div", "map-note");
        div.textContent = "≈ " + h.approx[level];
        return div;
      };
      map._cityopsNote = note.addTo(map);
      window.cityops.labels.schedule(map);  // names keep clear of it
    }
  }

  function shortName(text, lang, code) {
    // a name for a tight spot: "黄浦区" -> "黄浦", "浦东新区" -> "浦东", "花木街道" -> "花木",
    // "Pudong New Area" -> "Pudong"; "中国（上海）" and "(Subdistrict)" words dropped
    const t = String(text || "").replace(/^(中国|China|Zhongguo) ?[（(]上?(海|Shanghai)[)）] ?/, "");
    if (lang === "en") { return code.length === 6 ? t.split(" ")[0] : t.replace(/ (Subdistrict|Town)$/, ""); }
    const short = t.replace(code.length === 6 ? /(新区|区)$/ : /(新镇|街道|镇|乡)$/, "");
    return short.length >= 2 ? short : t;
  }

  function esc(text) {  // names are set as HTML (a wrapped one holds a <br>)
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function wrapped(text) {
    // a long name on two lines: before its last bracket, else at the space nearest its middle, else (Chinese)
    // at its middle character; null when it has nowhere to break
    const mid = text.length / 2, spaces = [...text.matchAll(/ /g)].map(m => m.index);
    const bracket = Math.max(text.lastIndexOf("（"), text.lastIndexOf(" ("));
    const at = bracket > 0 ? bracket : spaces.length ? spaces.reduce((a, b) => (Math.abs(b - mid) < Math.abs(a - mid) ? b : a))
      : /[\u4e00-\u9fff]/.test(text) ? Math.ceil(mid) : -1;
    return at > 0 ? esc(text.slice(0, at).trim()) + "<br>" + esc(text.slice(at).trim()) : null;
  }

  function markup(full, shown, wrap) {
    // the name as shown; the rest of its full name stays in the label, not displayed, so the label still
    // holds the whole name (for screen readers and tests, as textContent)
    const at = full.indexOf(shown);
    const cut = part => (part ? `<span class="cut">${esc(part)}</span>` : "");
    const core = wrap ? wrapped(shown) : esc(shown);
    if (core === null) { return null; }
    return at < 0 ? core : cut(full.slice(0, at)) + core + cut(full.slice(at + shown.length));
  }

  function shortEnglish(name) {
    return String(name || "").replace(/ (Subdistrict|Town)$/, "");
  }

  const areamap = {
    areaLabel: function (feature, layer, context) {
      const h = hideout(context);
      const p = feature.properties || {};
      const selected = !!h.selected && feature.id === h.selected;
      if (selected) { layer.on("add", function () { outline(layer, feature); }); }
      if (!h.named) { return wall().areaLabel(feature, layer, context); }
      // grids by their number, the others by name (in English without "Subdistrict"/"Town", which rarely fit);
      // placed by assets/wall-labels.js: warned areas first, then the smaller ones, each inside its own area
      const text = (p.code || "").length === 12 ? String(parseInt(p.code.slice(9), 10))
                                                 : (h.lang === "en" ? shortEnglish(p.name_en) : p.name_zh);
      // a warned area is named even where its name spills over its edge
      const code = p.code || "", levelOf = () => (hideout(context).levels || {})[feature.id] || 5;
      window.cityops.labels.label(layer, {text: text, short: code.length === 12 ? null : shortName(text, h.lang, code),
                                          levelOf: levelOf, code: code, selected: selected, fit: FIT, warnedFit: 0,
                                          className: "fit" + (selected ? " selected" : "")});
    },
    // for assets/wall.js and assets/wall-labels.js
    decorate: decorate,
    shortName: shortName,
    markup: markup,
    esc: esc,
  };

  window.cityops = Object.assign({}, window.cityops, {areamap: areamap});
})();
