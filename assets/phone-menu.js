/* The navigation's menu on narrow screens (components/shell.py; assets/theme.css shows its button below
 * 64rem). The button opens and closes the panel it controls and keeps aria-expanded true to what is shown;
 * following a link in it, a click outside it, or Escape (focus back on the button) closes it. Pure UI: no
 * server round-trip, and nothing here outlives the page. */
(function () {
  if (window.__cityopsMenu) { return; }
  window.__cityopsMenu = true;

  function button() { return document.getElementById("shell-menu-button"); }

  function isOpen(b) { return b !== null && b.getAttribute("aria-expanded") === "true"; }

  function setOpen(b, open) {
    b.setAttribute("aria-expanded", open ? "true" : "false");
    var nav = b.closest(".shell-nav");
    if (nav) { nav.classList.toggle("menu-open", open); }
  }

  document.addEventListener("click", function (event) {
    var b = button();
    if (b === null) { return; }
    if (b.contains(event.target)) {  // a click, Enter or Space on the button
      setOpen(b, !isOpen(b));
      return;
    }
    if (!isOpen(b)) { return; }
    var panel = document.getElementById(b.getAttribute("aria-controls"));
    var inside = panel !== null && panel.contains(event.target);
    if (!inside || event.target.closest("a") !== null) { setOpen(b, false); }
  });

  document.addEventListener("keydown", function (event) {
    var b = button();
    if (event.key === "Escape" && isOpen(b)) {
      setOpen(b, false);
      b.focus();
    }
  });

  // and on any change of address: a page's own links, back and forward
  ["popstate", "_dashprivate_pushstate"].forEach(function (name) {
    window.addEventListener(name, function () {
      var b = button();
      if (isOpen(b)) { setOpen(b, false); }
    });
  });
})();
