/* Dash's undo history, kept short. The renderer records the previous value of a callback input each time
 * the browser changes one (every dcc.Interval tick: the wall's clock each second, every refresh) and never
 * lets go: its `past` list grows by one entry per change, copied whole each time, and holds the old
 * values of response-fed inputs too (the wall's meta, a few kB a tick). A wall left on for days gained
 * about 3.5 kB of JavaScript heap per refresh in the soak (bench/soak.py). We show no undo/redo buttons;
 * the renderer only steps back one entry to recover from an error, so the last KEEP entries are enough.
 * Known upstream: plotly/dash#727 ("Limit history when show_undo_redo=False"), open. */
(function () {
  "use strict";
  const KEEP = 2, EVERY_MS = 2000;

  function trim() {
    (window.dash_stores || []).forEach(store => {
      const history = store && typeof store.getState === "function" ? (store.getState() || {}).history : null;
      if (history && Array.isArray(history.past) && history.past.length > KEEP) {
        history.past.splice(0, history.past.length - KEEP);  // the renderer copies the list on its next change
      }
    });
  }

  setInterval(trim, EVERY_MS);
  window.cityops = Object.assign({}, window.cityops, {history: {trim: trim, keep: KEEP}});
})();
