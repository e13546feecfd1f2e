/* When the server says a session has ended (HTTP 401 from a callback), say so instead of freezing on
 * old data: a wall whose display token was revoked shows the server's sentence and stays that way; a
 * desk shows it for a moment and goes to the login page, which then brings the user back here. */
(function () {
  if (window.__cityopsSessionGuard) { return; }
  window.__cityopsSessionGuard = true;
  var original = window.fetch;
  var shown = false;

  function show(message) {
    if (shown) { return; }
    shown = true;
    var box = document.createElement("div");
    box.className = "session-ended";
    box.id = "session-ended";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = message;
    box.appendChild(text);
    document.body.appendChild(box);
  }

  window.fetch = function () {
    return original.apply(this, arguments).then(function (response) {
      if (response.status === 401 && String(response.url).indexOf("/_dash-") !== -1) {
        response.clone().json().then(function (body) {
          show(body.message || "");
          if (body.reason !== "revoked" && body.login) {
            var back = window.location.pathname + window.location.search;
            window.setTimeout(function () {
              window.location.assign(body.login + "&next=" + encodeURIComponent(back));
            }, 1500);
          }
        }).catch(function () { show(""); });
      }
      return response;
    });
  };
})();
