/* The vital-sign tiles' sparklines, drawn as inline SVG from each .tile-spark's data-spark attribute
 * (components/sparkline.py: polyline points in a 200x40 viewBox, the last point, the first warning
 * threshold's height, the colour). One <svg> per box, made once and then only given new attributes when
 * the server sends a new shape: no image documents (an <img> with an SVG data URI got one per distinct
 * series in Blink, and a wall left running grew by them), no nodes added per refresh.
 * The box is a Dash html.Div without children, so React leaves the <svg> put inside it alone. */
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const POINTS = /^[0-9. ,-]*$/, COLOUR = /^#[0-9a-fA-F]{3,8}$/;

  function el(tag, attrs) {
    const node = document.createElementNS(NS, tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  }

  function build(box) {
    const svg = el("svg", {viewBox: "0 0 200 40", preserveAspectRatio: "none", "aria-hidden": "true"});
    // strokes keep their width however the box stretches the viewBox; the last point is a round cap on a
    // zero-length path, so it stays a dot where a <circle> would become an ellipse
    const scaled = {"vector-effect": "non-scaling-stroke", fill: "none"};
    svg.append(
      el("line", {...scaled, class: "band", x1: 3, x2: 197, stroke: "#8fa6c8", "stroke-width": 1,
                  "stroke-dasharray": "4 4", opacity: 0.6}),
      el("polyline", {...scaled, class: "line", "stroke-width": 2.2, "stroke-linejoin": "round",
                      "stroke-linecap": "round"}),
      el("path", {...scaled, class: "last", "stroke-width": 6, "stroke-linecap": "round"}));
    box.replaceChildren(svg);
    return svg;
  }

  function draw(box) {
    let spec;
    try {
      spec = JSON.parse(box.getAttribute("data-spark") || "{}");
    } catch (e) {
      spec = {};
    }
    const svg = box.firstElementChild && box.firstElementChild.tagName === "svg" ? box.firstElementChild : build(box);
    const [band, line, last] = [svg.querySelector(".band"), svg.querySelector(".line"), svg.querySelector(".last")];
    const points = typeof spec.points === "string" && POINTS.test(spec.points) ? spec.points : "";
    const colour = typeof spec.colour === "string" && COLOUR.test(spec.colour) ? spec.colour : "#8fa6c8";
    line.setAttribute("points", points);
    line.setAttribute("stroke", colour);
    const [lx, ly] = Array.isArray(spec.last) ? spec.last.map(Number) : [NaN, NaN];
    last.setAttribute("d", points && isFinite(lx) && isFinite(ly) ? `M${lx} ${ly}h0` : "");
    last.setAttribute("stroke", colour);
    const by = Number(spec.band);
    band.setAttribute("display", points && spec.band != null && isFinite(by) ? "inline" : "none");
    band.setAttribute("y1", isFinite(by) ? by : 0);
    band.setAttribute("y2", isFinite(by) ? by : 0);
  }

  function drawWithin(node) {
    if (node.nodeType !== 1) return;
    if (node.matches(".tile-spark[data-spark]")) draw(node);
    node.querySelectorAll(".tile-spark[data-spark]").forEach(draw);
  }

  function start() {
    const boxes = document.getElementsByClassName("tile-spark");  // live: a page without tiles costs a length
    new MutationObserver(records => {
      if (!boxes.length) return;
      records.forEach(r => {
        if (r.type === "attributes") {
          if (r.target.matches(".tile-spark")) draw(r.target);
        } else r.addedNodes.forEach(drawWithin);
      });
    }).observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ["data-spark"]});
    drawWithin(document.body);
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
  window.cityops = Object.assign({}, window.cityops, {sparkline: {draw: draw}});
})();
