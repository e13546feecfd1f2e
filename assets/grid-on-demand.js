/* On a page served without AG Grid's bundle (app.py GRIDLESS_PAGES: the wall), window.dash_ag_grid starts
 * as a stand-in: the first grid that renders (the wall drilling into a page with a grid) loads the bundle
 * from the address app.py left in #dash-ag-grid-bundle, then draws the real grid in its place. On every
 * other page the real bundle is already there and this does nothing. */
(function () {
  var block = document.getElementById("dash-ag-grid-bundle");
  if (window.dash_ag_grid || !block) { return; }
  var React = window.React, real = null, loading = null, standIn;
  function load() {
    loading = loading || new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = JSON.parse(block.textContent);
      script.onload = function () {
        real = window.dash_ag_grid;
        AgGrid.dashPersistence = real.AgGrid.dashPersistence;
        window.dash_ag_grid = standIn;  // Dash keeps drawing the same component: no second mount
        resolve(real);
      };
      script.onerror = function (e) { loading = null; reject(e); };  // the next grid tries again
      document.head.appendChild(script);
    });
    return loading;
  }
  function AgGrid(props) {
    var state = React.useState(real);
    React.useEffect(function () { if (!state[0]) { load().then(state[1]); } }, []);
    return state[0] ? React.createElement(state[0].AgGrid, props) : null;
  }
  AgGrid.dashRenderType = true;  // as the real one: Dash tells it who changed its props
  standIn = {
    AgGrid: AgGrid,
    getApi: function (id) { return real && real.getApi(id); },
    getApiAsync: function (id) { return load().then(function (m) { return m.getApiAsync(id); }); }
  };
  window.dash_ag_grid = standIn;
})();
