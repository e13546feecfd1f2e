/* Desk maps (the area pages): every area named where its name fits, the selected area outlined above the
 * other layers, and the heat classes drawn at the theme's opacities. Builds on cityops.wall's style
 * functions, which know the newest hideout of each layer. Served from the app's own assets. */
(function () {
  "use strict";
  const FIT_W = 0.8;  // a name shows when it is at most this share of its area's width on screen ...
  const FIT_H = 0.6;  // ... and of its height (the bounding box is larger than the shape)

  function wall() {
    return window.cityops.wall;
  }

  function hideout(context) {
    return (context && context.hideout) || {};
  }

  // --- names that fit ------------------------------------------------------------------------------
  function place(map) {
    // biggest areas first (and the selected one before all): a name that would overlap one already
    // shown, or that does not fit inside its own area at this zoom, is hidden until it does
    if (map._animatingZoom) { schedule(map); return; }  // sizes and positions disagree mid-zoom
    const items = [];
    (map._cityopsLabels || new Set()).forEach(function (layer) {
      const tip = layer.getTooltip && layer.getTooltip();
      const el = tip && tip.getElement && tip.getElement();
      if (!layer._map || !el || !el.isConnected) { return; }
      const b = layer.getBounds();
      const sw = map.latLngToLayerPoint(b.getSouthWest());
      const ne = map.latLngToLayerPoint(b.getNorthEast());
      const w = Math.abs(ne.x - sw.x), h = Math.abs(sw.y - ne.y);
      items.push({el: el, w: w, h: h, size: w * h, selected: el.classList.contains("selected")});
    });
    items.sort(function (a, b) { return (b.selected - a.selected) || (b.size - a.size); });
    const shown = [];
    items.forEach(function (it) {
      const r = it.el.getBoundingClientRect();
      let show = it.selected || (it.el.offsetWidth <= FIT_W * it.w && it.el.offsetHeight <= FIT_H * it.h);
      if (show && !it.selected) {
        show = !shown.some(function (s) {
          return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
        });
      }
      it.el.classList.toggle("label-hidden", !show);
      if (show) { shown.push(r); }
    });
  }

  function schedule(map) {
    // soon, and again once the map has settled (layers redrawn, a fit or a resize finished)
    (map._cityopsLabelTimers || []).forEach(clearTimeout);
    map._cityopsLabelTimers = [30, 600].map(function (ms) { return setTimeout(function () { place(map); }, ms); });
  }

  function watch(layer) {
    const map = layer._map;
    if (!map) { return; }
    map._cityopsLabels = map._cityopsLabels || new Set();
    map._cityopsLabels.add(layer);
    if (!map._cityopsLabelsHooked) {
      map._cityopsLabelsHooked = true;
      map.on("zoomend moveend viewreset resize", function () { schedule(map); });
    }
    schedule(map);
  }

  function unwatch(layer, map) {
    if (map && map._cityopsLabels) { map._cityopsLabels.delete(layer); }
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
      // grids by their number, the others by name (in English without "Subdistrict"/"Town", which rarely fit)
      const text = (p.code || "").length === 12 ? String(parseInt(p.code.slice(9), 10))
                                                 : (h.lang === "en" ? shortEnglish(p.name_en) : p.name_zh);
      layer.bindTooltip(text, {permanent: true, direction: "center", interactive: false,
                               className: "area-label fit" + (selected ? " selected" : "")});
      let map = null;
      layer.on("add", function () { map = layer._map; watch(layer); });
      layer.on("remove", function () { unwatch(layer, map); });
    },
    heatStyle: function (feature, context) {
      // wall.heatStyle picks the class from the newest counts; the opacity is the theme's for that class
      const style = wall().heatStyle(feature, context);
      const h = hideout(context);
      const k = (h.colours || []).indexOf(style.fillColor);
      if (k >= 0 && h.fills && h.fills[k] !== undefined) { style.fillOpacity = h.fills[k]; }
      return style;
    },
  };

  window.cityops = Object.assign({}, window.cityops, {areamap: areamap});
})();
