/* Desk pages: the incident deadline ticking every second, the action form, and the small map's style.
 * Served from the app's own assets; no outside requests. */
(function () {
  "use strict";
  let started = {key: null, at: 0};

  function countdown(seconds, day) {
    const s = Math.abs(Math.trunc(seconds));
    const pad = n => String(n).padStart(2, "0");
    const hms = `${pad(Math.floor(s % 86400 / 3600))}:${pad(Math.floor(s % 3600 / 60))}:${pad(s % 60)}`;
    const d = Math.floor(s / 86400);
    return d ? `${d} ${day} ${hms}` : hms;  // the same text as components.incident_views.format_countdown
  }

  const desk = {
    // seconds left are measured from when this page got them, so a wrong desk clock cannot skew them
    countdown: function (_n, clock) {
      const nu = window.dash_clientside.no_update;
      if (!clock || !clock.key) { return [nu, nu]; }
      if (clock.closed || clock.due_in_s === null) { return [clock.done, "deadline done"]; }
      if (started.key !== clock.key) { started = {key: clock.key, at: Date.now()}; }
      const left = clock.due_in_s - Math.floor((Date.now() - started.at) / 1000);
      const text = (left >= 0 ? clock.left : clock.over).replace("{t}", countdown(left, clock.day));
      return [text, left >= 0 ? "deadline" : "deadline overdue"];
    },
    gridFocus: function (feature, context) {
      const mine = feature.id === ((context && context.hideout) || {}).grid;
      return {color: mine ? "#22d3ee" : "#4a6d9c", weight: mine ? 2.5 : 1, fillColor: "#22d3ee",
              fillOpacity: mine ? 0.25 : 0.04};
    },
  };
  window.cityops = Object.assign({}, window.cityops, {desk: desk});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {"cityops.desk": desk});
})();
