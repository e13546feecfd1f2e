/* The command wall's motion (/wall): big numbers count up to a new value, and long lists roll one row at
 * a time instead of being cut. Pure DOM work on what the wall callback renders (see assets/wall.js for
 * the map and the callbacks). */
(function () {
  "use strict";
  // --- big numbers count up to a new value -------------------------------------------------------
  // The wall callback renders every number as its final text; Dash (React) writes it into the element's
  // text node. When a number marked data-count changes, this walks that same text node from the old value
  // to the new one and ends on exactly the text Dash wrote. A write by Dash mid-way wins: the count
  // restarts from what is shown towards the newer value. No counting under prefers-reduced-motion.
  const COUNT_MS = 900;
  const settled = {};  // data-count key -> the last text Dash wrote
  const counting = new Map();  // element -> its run
  const still = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : {matches: false};

  function parseNumber(text) {
    const m = /^([^\d-]*)(-?[\d,]*\.?\d+)(.*)$/.exec(text);
    if (!m) { return null; }
    const dec = m[2].includes(".") ? m[2].split(".")[1].length : 0;
    return {pre: m[1], value: parseFloat(m[2].replace(/,/g, "")), dec: dec, post: m[3]};
  }

  function countUp(el, from, to) {
    const a = parseNumber(from), b = parseNumber(to), node = el.firstChild;
    if (!a || !b || a.pre !== b.pre || a.post !== b.post || Math.abs(b.value - a.value) * 10 ** b.dec < 2 ||
        !node || node.nodeType !== 3 || el.childNodes.length !== 1) { return; }
    const fmt = new Intl.NumberFormat("en-US", {minimumFractionDigits: b.dec, maximumFractionDigits: b.dec,
                                                useGrouping: from.includes(",") || to.includes(",")});
    const run = {shown: to, start: performance.now()};
    counting.set(el, run);
    const step = (now) => {
      if (counting.get(el) !== run) { return; }
      if (!el.isConnected || node.nodeValue !== run.shown) { counting.delete(el); return; }  // replaced, or Dash wrote
      const p = Math.min(1, (now - run.start) / COUNT_MS);
      run.shown = p >= 1 ? to : b.pre + fmt.format(a.value + (b.value - a.value) * (1 - (1 - p) ** 3)) + b.post;
      node.nodeValue = run.shown;
      if (p < 1) { requestAnimationFrame(step); } else { counting.delete(el); }
    };
    requestAnimationFrame(step);
    setTimeout(() => step(run.start + COUNT_MS), COUNT_MS + 250);  // frames held back (a hidden tab): end exact
  }

  function scanNumbers() {
    document.querySelectorAll(".wall [data-count]").forEach(el => {
      const run = counting.get(el), text = el.textContent;
      if (run && text === run.shown) { return; }  // our own step
      const key = el.dataset.count, before = settled[key];
      settled[key] = text;
      if (run) { counting.delete(el); }
      if (before === undefined || before === text || still.matches) { return; }
      countUp(el, run ? run.shown : before, text);
    });
  }

  // --- long lists roll ---------------------------------------------------------------------------
  // A list with more rows than its panel shows gets data-roll (its overflow in px) and steps one row up
  // every ROLL_MS (wall.css slides it), back to the top after its last row; a row cut by the panel's
  // foot is clipped away until the next step brings it in whole.
  const ROLL_MS = 5000;

  function placeRoll(box) {
    const track = box.firstElementChild;
    const rows = track ? [...track.children] : [];
    const height = box.clientHeight, over = track ? Math.ceil(track.scrollHeight - height) : 0;
    if (over < 2 || !rows.length) {
      if (box.dataset.roll) { delete box.dataset.roll; delete box.dataset.rollAt; delete box.dataset.rollLast; }
      return;
    }
    const tops = rows.map(r => r.offsetTop), bottoms = rows.map(r => r.offsetTop + r.offsetHeight);
    const end = bottoms[rows.length - 1];
    let last = tops.findIndex(top => end - top <= height);  // the first start that shows the last row
    if (last < 0) { last = rows.length - 1; }
    let at = Math.min(parseInt(box.dataset.rollAt || "0", 10), last);
    let shown = at;
    while (shown + 1 < rows.length && bottoms[shown + 1] - tops[at] <= height) { shown += 1; }
    box.style.setProperty("--roll-y", tops[0] - tops[at] + "px");
    box.style.setProperty("--roll-clip", Math.max(0, height - (bottoms[shown] - tops[at])) + "px");
    Object.assign(box.dataset, {roll: String(over), rollAt: String(at), rollLast: String(last)});
  }

  function rollLists() {
    document.querySelectorAll(".wall .roll").forEach(placeRoll);
  }

  function rollStep() {
    document.querySelectorAll(".wall .roll[data-roll]").forEach(box => {
      const at = parseInt(box.dataset.rollAt || "0", 10);
      box.dataset.rollAt = String(at >= parseInt(box.dataset.rollLast || "0", 10) ? 0 : at + 1);
      placeRoll(box);
    });
  }
  setInterval(rollStep, ROLL_MS);

  let pending = false;
  function changed() {
    if (!document.querySelector(".wall")) { return; }
    scanNumbers();  // at once: before the browser paints Dash's new value
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => { pending = false; rollLists(); });
    }
  }
  new MutationObserver(changed).observe(document.documentElement, {subtree: true, childList: true, characterData: true});
  window.addEventListener("resize", () => requestAnimationFrame(rollLists));
  window.cityops = Object.assign({}, window.cityops, {motion: {rollStep: rollStep}});  // wall.js re-exports it
})();
