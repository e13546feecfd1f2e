/* Leaflet's zoom buttons say "Zoom in"/"Zoom out" and dash-leaflet's ZoomControl cannot retitle them: give
 * them the page's language (the nearest lang attribute, else the URL's; Chinese unless English) as they appear. */
(function () {
  var WORDS = { zh: ["放大", "缩小"], en: ["Zoom in", "Zoom out"] };
  function retitle(root) {
    root.querySelectorAll(".leaflet-control-zoom-in, .leaflet-control-zoom-out").forEach(function (a) {
      var holder = a.closest("[lang]");
      var en = holder ? holder.lang === "en" : /[?&]lang=en(&|$)/.test(location.search);
      var words = WORDS[en ? "en" : "zh"];
      var word = words[a.classList.contains("leaflet-control-zoom-in") ? 0 : 1];
      if (a.title !== word) { a.title = word; a.setAttribute("aria-label", word); }
    });
  }
  new MutationObserver(function () { retitle(document); }).observe(document.documentElement, { childList: true, subtree: true });
})();
