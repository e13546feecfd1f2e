/* Leaflet 1.9.4 (inside dash-leaflet 1.1.3) leaves its zoom-end and resize timers running when a map
 * is removed; one that fires after a page change reads the removed map pane and throws
 * "Cannot read properties of undefined (reading '_leaflet_pos')" (Leaflet/Leaflet#9575, fixed only
 * after 1.9). A removed map has no pane: report its position as the origin instead of throwing. */
(function () {
  "use strict";
  let tries = 0;
  function guard() {
    const L = window.L;
    if (!L || !L.Map || !L.point) {
      if (tries++ < 400) { setTimeout(guard, 25); }  // dash-leaflet defines window.L when its bundle runs
      return;
    }
    const proto = L.Map.prototype;
    if (proto.__cityopsGuarded) { return; }
    const panePos = proto._getMapPanePos;
    proto._getMapPanePos = function () {
      return this._mapPane ? panePos.call(this) : L.point(0, 0);
    };
    proto.__cityopsGuarded = true;
  }
  guard();
})();
