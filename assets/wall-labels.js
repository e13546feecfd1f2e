/* Area names on the wall's and the desks' maps, placed from geometry: each at the point deepest inside its
 * area or, when another name or an overlay holds it, the nearest free point inside its own area; else
 * shortened or smaller, else (a district) just outside its edge with a line, else hidden: never thrown
 * across the map. Positions come from the map's projection, not from the labels' on-screen boxes (those
 * lag while Leaflet's zoom transition runs, which once scattered the names across the city), so the same
 * map, size and data always give the same placement. Used by assets/wall.js and assets/areamap.js. */
(function () {
  "use strict";

  function rem() {
    return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  }

  // --- geometry in layer pixels (stable under panning; recomputed per zoom) ----------------------
  function polygons(layer, map) {  // [[outer, hole, ...], ...] in layer points, from a Polygon or MultiPolygon
    let ll = layer.getLatLngs();
    ll = Array.isArray(ll[0]) ? ll : [ll];
    ll = Array.isArray(ll[0][0]) ? ll : [ll];
    return ll.map(poly => poly.map(ring => ring.map(p => map.latLngToLayerPoint(p))));
  }

  function inside(x, y, rings) {
    let hit = false;
    rings.forEach(ring => {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const a = ring[i], b = ring[j];
        if ((a.y > y) !== (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) { hit = !hit; }
      }
    });
    return hit;
  }

  function edgeDistance(x, y, rings) {
    let best = Infinity;
    rings.forEach(ring => {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const a = ring[j], b = ring[i], dx = b.x - a.x, dy = b.y - a.y;
        const t = dx || dy ? Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / (dx * dx + dy * dy))) : 0;
        best = Math.min(best, Math.hypot(x - a.x - t * dx, y - a.y - t * dy));
      }
    });
    return best;
  }

  function ringArea(ring) {
    let s = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) { s += (ring[j].x + ring[i].x) * (ring[j].y - ring[i].y); }
    return Math.abs(s / 2);
  }

  function shape(layer, map, step) {
    // the area's largest part, its bounds, its deepest point and the points inside it on a lattice of `step`
    // px, nearest that point first: the places its name may take (cached per zoom and step)
    const key = [map.getZoom(), map.getPixelOrigin(), step].join();
    if (layer._cityopsShape && layer._cityopsShape.key === key) { return layer._cityopsShape; }
    const parts = polygons(layer, map).map(rings => ({rings: rings, area: ringArea(rings[0]) - rings.slice(1).reduce((s, r) => s + ringArea(r), 0)}));
    parts.sort((a, b) => b.area - a.area);
    const rings = parts[0].rings;
    const xs = rings[0].map(p => p.x), ys = rings[0].map(p => p.y);
    const box = {left: Math.min(...xs), right: Math.max(...xs), top: Math.min(...ys), bottom: Math.max(...ys)};
    const spots = [];
    for (let y = box.top + step / 2; y < box.bottom; y += step) {
      for (let x = box.left + step / 2; x < box.right; x += step) {
        if (inside(x, y, rings)) { spots.push({x: x, y: y, depth: edgeDistance(x, y, rings)}); }
      }
    }
    const c = map.latLngToLayerPoint(layer.getCenter());
    let pole = spots.reduce((best, s) => (!best || s.depth > best.depth + 1e-9 ? s : best), null);
    if (!pole) { pole = {x: c.x, y: c.y, depth: 0}; spots.push(pole); }  // smaller than one lattice step
    spots.sort((a, b) => Math.hypot(a.x - pole.x, a.y - pole.y) - Math.hypot(b.x - pole.x, b.y - pole.y) || a.y - b.y || a.x - b.x);
    layer._cityopsShape = {key: key, rings: rings, box: box, area: parts.reduce((s, p) => s + p.area, 0), pole: pole, spots: spots};
    return layer._cityopsShape;
  }

  // --- what a name must keep clear of ------------------------------------------------------------
  function overlaps(a, b, gap, gy = gap) {
    return a.left < b.right + gap && b.left < a.right + gap && a.top < b.bottom + gy && b.top < a.bottom + gy;
  }

  function shareInside(box, rings) {  // the share of a 5 x 3 lattice over the name's box inside its own area
    let n = 0;
    for (let k = 0; k < 15; k += 1) {
      n += inside(box.left + (box.right - box.left) * (k % 5 + 0.5) / 5, box.top + (box.bottom - box.top) * (Math.floor(k / 5) + 0.5) / 3, rings);
    }
    return n / 15;
  }

  function obstacles(map) {
    // in layer points: what stands over the map (zoom buttons, a note, a title, a legend); the incident markers
    const origin = map.containerPointToLayerPoint([0, 0]);
    const frame = map.getContainer().getBoundingClientRect();
    const panel = map.getContainer().closest(".wall-map") || map.getContainer();
    const boxes = [...panel.querySelectorAll(".leaflet-control, .map-note, .panel-title, .wall-legend")].map(e => e.getBoundingClientRect())
      .filter(r => r.width > 0 && r.height > 0).map(r => ({left: r.left - frame.left + origin.x, right: r.right - frame.left + origin.x,
                                                          top: r.top - frame.top + origin.y, bottom: r.bottom - frame.top + origin.y}));
    const dots = [];  // names avoid these when they can
    map.eachLayer(l => { if (l instanceof L.CircleMarker && l.options.pane === "markers") { dots.push(l); } });
    return {boxes: boxes, dots: dots.map(l => boxAt(map.latLngToLayerPoint(l.getLatLng()), {w: 2 * l.options.radius + 4, h: 2 * l.options.radius + 4}))};
  }

  // --- placing ------------------------------------------------------------------------------------
  const NEAR = 1.0;  // how far outside its own area a district's name may stand, in the name's heights
  const FAR = 3.0;  // how far when no spot inside or near it is free (a crowded centre)
  const STRAINED = 300;  // what a name that far out costs: more than any arrangement with names near their areas
  const ROUNDS = 6;  // orders tried: the names placed worst in one round go first in the next
  const TRIES = 60;  // then, while a name is still squeezed or left out, shuffled orders of the worst placed
  const WORK = 150000;  // spots looked at per placing, at most, before the shuffles stop (~100 ms): a wall never stalls
  let work = 0;

  function seeded(seed) {  // a small deterministic generator (mulberry32): the same shuffles on every load
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6D2B79F5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function shuffled(list, random) {
    const out = list.slice();
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  function forms(item) {
    // the name in full, shortened, and (where it may stand over its neighbours: a district's, a warned
    // area's) shortened in a smaller type, then also on two lines; each with its layout size, which
    // transforms in flight do not move
    const short = item.short && item.short !== item.text ? item.short : null, small = !item.fit;
    const key = [rem(), fontsIn, small, item.el.className.replace(/ (compact|led|label-hidden)\b/g, "")].join();
    if (item.layer._cityopsForms && item.layer._cityopsForms.key === key) { return item.layer._cityopsForms.forms; }
    const out = [];
    [[item.text, false, false], [short, false, false], [small && (short || item.text), true, false],
     [small && (short || item.text).length >= 8 && (short || item.text), true, true]].forEach(([text, compact, wrap]) => {
      if (!text || out.some(f => f.text === text && f.compact === compact && f.wrap === wrap)) { return; }
      const html = window.cityops.areamap.markup(item.text, text, wrap);
      if (html === null) { return; }
      item.el.classList.toggle("compact", compact);
      item.el.innerHTML = html;
      out.push({text: text, html: html, compact: compact, wrap: wrap, w: item.el.offsetWidth, h: item.el.offsetHeight});
    });
    item.layer._cityopsForms = {key: key, forms: out};  // measured once per type size and font
    return out;
  }

  const boxAt = (p, f) => ({left: p.x - f.w / 2, right: p.x + f.w / 2, top: p.y - f.h / 2, bottom: p.y + f.h / 2});

  function tryPlace(item, f, placed, obs, frame, near) {
    // the cheapest free spot: inside the area (near = 0), or within `near` heights outside its edge
    const s = item.shape, gap = rem() * 0.25, gapY = rem() * 0.05;  // names side by side must not read as one
    const spots = near ? nearSpots(s, f.h * near, f.h * (near > NEAR ? 0.8 : 0.4)) : s.spots;  // further out: coarser
    let best = null;
    for (const p of spots) {
      work += 1;
      const dist = Math.hypot(p.x - s.pole.x, p.y - s.pole.y) / f.h;
      if (best && dist >= best.cost) { break; }  // spots come nearest first: none further on can be cheaper
      const box = boxAt(p, f);
      if (box.left < frame.left || box.right > frame.right || box.top < frame.top || box.bottom > frame.bottom) { continue; }
      if (placed.some(q => overlaps(box, q, gap, gapY)) || obs.boxes.some(q => overlaps(box, q, 0))) { continue; }
      if (item.fit && shareInside(box, s.rings) < item.fit) { continue; }
      const cost = dist + 3 * obs.dots.filter(q => overlaps(box, q, 0)).length;
      if (!best || cost < best.cost) { best = {p: p, box: box, cost: cost, outside: !!near}; }
    }
    return best;
  }

  function squeeze(item, f, placed, obs, frame) {
    // an `always` name with no free spot inside or near its area: a free spot up to FAR heights out (a longer
    // line leads in), else the spot near it that covers the least of the other names (with their gaps),
    // nearest its deepest point; that costs like a name left out, so another order that frees a spot wins
    const far = work < WORK && tryPlace(item, f, placed, obs, frame, FAR);  // a free spot further out, a longer line in
    if (far) { return Object.assign(far, {cost: far.cost + STRAINED}); }
    const s = item.shape, gap = rem() * 0.25, gapY = rem() * 0.05;
    const covered = (box, q) => Math.max(0, Math.min(box.right, q.right + gap) - Math.max(box.left, q.left - gap)) *
      Math.max(0, Math.min(box.bottom, q.bottom + gapY) - Math.max(box.top, q.top - gapY));
    let best = null;
    for (const p of s.spots.concat(nearSpots(s, f.h * NEAR, f.h * 0.4))) {
      work += 1;
      const box = boxAt(p, f);
      if (box.left < frame.left || box.right > frame.right || box.top < frame.top || box.bottom > frame.bottom) { continue; }
      const over = placed.reduce((a, q) => a + covered(box, q), 0) + obs.boxes.reduce((a, q) => a + covered(box, q), 0);
      if (!best || over < best.over) { best = {p: p, box: box, over: over, outside: !inside(p.x, p.y, s.rings)}; }
      if (!over) { break; }
    }
    return best && {p: best.p, box: best.box, cost: 1e3 + best.over, outside: best.outside};
  }

  function nearSpots(s, reach, step) {
    // points outside the area within `reach` px of its edge, nearest its deepest point first
    const key = reach + ":" + step;
    s.near = s.near || {};  // one list per reach: the near and the far search alternate
    if (s.near[key]) { return s.near[key]; }
    const spots = [], cost = 1 + s.rings.reduce((n, ring) => n + ring.length, 0) / 32;  // work per point looked at
    for (let y = s.box.top - reach; y <= s.box.bottom + reach; y += step) {
      for (let x = s.box.left - reach; x <= s.box.right + reach; x += step) {
        work += cost;
        if (!inside(x, y, s.rings) && edgeDistance(x, y, s.rings) <= reach) { spots.push({x: x, y: y}); }
      }
    }
    spots.sort((a, b) => Math.hypot(a.x - s.pole.x, a.y - s.pole.y) - Math.hypot(b.x - s.pole.x, b.y - s.pole.y) || a.y - b.y || a.x - b.x);
    s.near[key] = spots;
    return spots;
  }

  function arrange(order, obs, frame) {
    // first every name inside its own area (in full, else shortened, else smaller); then the districts'
    // names that found no room there just outside their area's edge (a line leads in), so that they take
    // no other name's inside spot. Cost: a name left out outweighs any placement; outside, shortened and
    // smaller names cost more than names far from their area's deepest point
    const placed = [], spots = new Map();
    let cost = 0;
    const put = (item, near) => item.forms.some((f, i, all) => {
      // the selected area is always named (in full, at its deepest point); an `always` one (a district on the
      // wall) too, in its smallest form, when neither inside nor just outside had room
      const last = item.always && near && i === all.length - 1;
      const spot = tryPlace(item, f, placed, obs, frame, near) ||
        (item.selected && !near ? {p: item.shape.pole, box: boxAt(item.shape.pole, f), cost: 0, outside: false} : null) ||
        (last ? squeeze(item, f, placed, obs, frame) : null);
      if (spot) {
        spots.set(item, {form: f, spot: spot});
        placed.push(spot.box);
        const worse = (near ? 10 : 0) + (f.text !== item.text ? 3 : 0) + (f.compact ? 3 : 0);
        cost += spot.cost + worse * (item.level < 5 ? 200 : 1);  // a warned name shrinks only to save others
      }
      return !!spot;
    });
    const left = order.filter(item => !put(item, 0));
    const missed = left.filter(item => item.fit || !put(item, NEAR));
    const worst = order.filter(item => missed.includes(item) || spots.get(item).spot.outside || spots.get(item).spot.cost >= STRAINED || spots.get(item).form !== item.forms[0]);
    // a warned or selected area's name left out costs more than every other name
    const strained = order.filter(item => missed.includes(item) || spots.get(item).spot.cost >= STRAINED);
    return {spots: spots, missed: missed, worst: worst, strained: strained, cost: cost + missed.reduce((c, item) => c + (item.level < 5 || item.selected ? 1e6 : 1e3), 0)};
  }

  function place(map) {
    if (!map._container || !map._container.isConnected || !map._cityopsLabels) { return; }  // a map gone with its page
    if (!map._loaded || map._animatingZoom) { return schedule(map, 120); }
    const size = map.getSize(), origin = map.containerPointToLayerPoint([0, 0]);
    if (!size.x || !size.y) { return; }
    const edge = rem() * 0.2;
    const frame = {left: origin.x + edge, top: origin.y + edge, right: origin.x + size.x - edge, bottom: origin.y + size.y - edge};
    const obs = obstacles(map);
    const step = Math.max(3, rem() * 0.45);
    const items = [];
    map._cityopsLabels.forEach(layer => {
      const tip = layer.getTooltip && layer.getTooltip();
      const el = tip && tip.isOpen() && tip.getElement();
      if (!layer._map || !el || !el.isConnected) { return; }
      const item = Object.assign({layer: layer, tip: tip, el: el, shape: shape(layer, map, step)}, layer._cityopsLabel);
      item.level = item.levelOf();  // now: colours may change after the name was made
      item.fit = item.level < 5 && item.warnedFit !== undefined ? item.warnedFit : item.fit;
      item.forms = forms(item);
      items.push(item);
    });
    // warned areas first (red before orange...), the selected one before all, then the smaller areas, whose
    // names have the fewest places to go; the area code settles ties, so every run places alike
    items.sort((a, b) => (b.selected - a.selected) || (a.level - b.level) || (a.shape.area - b.shape.area) ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    let best = null, order = items;
    work = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const plan = arrange(order, obs, frame);
      if (!best || plan.cost < best.cost) { best = plan; }
      const next = plan.worst.concat(order.filter(item => !plan.worst.includes(item)));  // the cost keeps warned names in
      if (!plan.worst.length || next.every((item, i) => item === order[i])) { break; }
      order = next;
    }
    // still a name far out, squeezed over another or left out (a crowded centre, whose names fight for the
    // same few spots): try other orders of the names placed worst and of their neighbours, the same orders on
    // every run (a seeded shuffle)
    if (best.strained.length) {
      const near = (a, b) => overlaps(a.shape.box, b.shape.box, FAR * b.forms[0].h);
      const group = items.filter(item => best.worst.includes(item) || best.strained.some(b => near(item, b)));
      const rest = items.filter(item => !group.includes(item)), some = seeded(group.length);
      for (let k = 0; k < TRIES && best.strained.length && work < WORK; k += 1) {
        const plan = arrange(shuffled(group, some).concat(rest), obs, frame);
        if (plan.cost < best.cost) { best = plan; }
      }
    }
    items.forEach(item => {
      const got = best.spots.get(item);
      if (got) { show(item, got.form, got.spot); } else { hide(item); }
    });
  }

  function show(item, form, spot) {
    const map = item.layer._map, pole = item.shape.pole;
    content(item, form.html);
    item.el.classList.toggle("compact", form.compact);
    item.el.classList.remove("label-hidden");
    item.tip.options.offset = L.point(0, 0);
    item.tip.setLatLng(map.layerPointToLatLng([spot.p.x, spot.p.y]));
    // how far the name sits from its area's deepest point (tests read the area's colour there), and a line
    // to that point when it stands outside its area (assets/wall.css draws it from these)
    const dx = pole.x - spot.p.x, dy = pole.y - spot.p.y, far = Math.hypot(dx, dy);
    Object.assign(item.el.dataset, {dx: String(-dx), dy: String(-dy), outside: spot.outside ? "1" : ""});
    item.el.classList.toggle("led", !!spot.outside);
    if (spot.outside) {
      const ux = dx / far, uy = dy / far;
      const from = Math.min(ux ? form.w / 2 / Math.abs(ux) : Infinity, uy ? form.h / 2 / Math.abs(uy) : Infinity);
      item.el.style.setProperty("--lead-angle", Math.atan2(uy, ux) + "rad");
      item.el.style.setProperty("--lead-from", from + "px");
      item.el.style.setProperty("--lead-len", Math.max(0, far - from) + "px");
    }
  }

  function content(item, html) {
    // Leaflet rewrites a tooltip from its content when it reopens: keep the two the same
    if (item.tip.getContent() !== html) { item.tip.setContent(html); }
    if (item.el.innerHTML !== html) { item.el.innerHTML = html; }
  }

  function hide(item) {
    content(item, window.cityops.areamap.esc(item.text));
    item.el.classList.remove("led", "compact");
    item.el.classList.add("label-hidden");
  }

  function schedule(map, ms) {
    clearTimeout(map._cityopsLabelTimer);
    map._cityopsLabelTimer = setTimeout(() => place(map), ms === undefined ? 40 : ms);
  }

  function hook(map) {
    if (map._cityopsLabels) { return; }
    map._cityopsLabels = new Set();
    map.on("zoomend moveend viewreset resize", () => schedule(map));
    // new incident markers (every refresh) may free or take a name's spot
    map.on("layeradd layerremove", e => { if (e.layer && e.layer.options && e.layer.options.pane === "markers") { schedule(map, 80); } });
    const again = () => schedule(map, 80);
    const seen = window.ResizeObserver && new ResizeObserver(again);  // the map's box changed size
    if (seen) { seen.observe(map.getContainer()); }
    if (document.fonts) {  // names are measured in their font: again once it has arrived
      document.fonts.ready.then(again);
      document.fonts.addEventListener("loadingdone", again);
    }
    map.once("unload", () => {
      clearTimeout(map._cityopsLabelTimer);
      if (seen) { seen.disconnect(); }
      if (document.fonts) { document.fonts.removeEventListener("loadingdone", again); }
    });
  }

  let fontsIn = 0;  // fonts arrived so far: names measured before are measured again
  if (document.fonts) {
    document.fonts.addEventListener("loadingdone", () => { fontsIn += 1; });
  }

  const labels = {
    // name a layer of a map: text, a shorter text for tight spots, levelOf() its warning level now, whether
    // it is the selected area, `always`: named even where nothing is free, `fit`: the share of its name's box that must lie inside it (0: only its
    // centre) and `warnedFit`, the same while it carries a warning
    label: function (layer, opts) {
      layer._cityopsLabel = Object.assign({levelOf: () => 5, selected: false, always: false, fit: 0, short: null, code: ""}, opts);
      layer.bindTooltip(window.cityops.areamap.esc(opts.text), {permanent: true, direction: "center", interactive: false,
                                    className: "area-label" + (opts.className ? " " + opts.className : "")});
      let map = null;
      layer.on("tooltipopen", () => {
        map = layer._map;
        if (!map) { return; }
        hook(map);
        map._cityopsLabels.add(layer);
        schedule(map);
      });
      layer.on("remove", () => {
        if (map && map._cityopsLabels) { map._cityopsLabels.delete(layer); schedule(map); }
      });
    },
    schedule: schedule,
  };

  window.cityops = Object.assign({}, window.cityops, {labels: labels});
})();
