/* The wall's replay (/wall?at=..., issue 16): the play clock and the banner's words. The clock is the replay
 * config Store's `at`; each change of it asks the server for that moment's frame (callbacks/wall.py), which checks it
 * again: this file only keeps the clock inside the bounds the server last said, so a replay never runs into
 * the future or past its 30 days. Step, speed and pause are pure UI; the next red warning is the server's. */
(function () {
  "use strict";
  const TZ = "Asia/Shanghai";

  function moment(ts) {  // 2026-11-22 21:30:15, Shanghai time ("sv-SE" writes dates the ISO way)
    return new Date(ts * 1000).toLocaleString("sv-SE", {timeZone: TZ});
  }

  const replay = {
    moment: moment,
    // -> [config, state]: the moment rides in the config Store (the server's tick reads it from there)
    control: function (_play, _back, _forward, _speed, _tick, state, config, meta) {
      const nu = window.dash_clientside.no_update;
      if (!config || config.at == null) { return [nu, nu]; }
      const ctx = window.dash_clientside.callback_context;
      const trigger = ((ctx.triggered[0] || {}).prop_id || "").split(".")[0];
      const next = Object.assign({speed: 60}, state || {}, {msg: ""});
      const refresh = config.refresh || 10;
      let at = config.at;
      if (trigger === "wall-replay-play") {
        next.playing = !next.playing;
      } else if (trigger === "wall-replay-back") {
        at -= config.step;
      } else if (trigger === "wall-replay-forward") {
        at += config.step;
      } else if (trigger === "wall-replay-speed") {
        const speeds = config.speeds || [60, 600];
        next.speed = speeds[(speeds.indexOf(next.speed) + 1) % speeds.length];
      } else {  // the wall's tick: a playing clock moves on by the tick's length times its speed
        if (!next.playing) { return [nu, nu]; }
        at += refresh * next.speed;
      }
      // within the server's bounds (else the browser's clock): the earliest kept moment, and "now" a step early
      const bounds = (meta && meta.replay && meta.replay.bounds) || [null, Math.floor(Date.now() / 1000)];
      const latest = bounds[1] - refresh;
      if (bounds[0] != null && at < bounds[0] + refresh) { at = bounds[0] + refresh; }
      if (at >= latest && at !== config.at) {
        at = Math.min(at, latest);
        next.playing = false;
        next.msg = config.replay_text.at_now;  // "back to live" is the banner's last button
      }
      return [at === config.at ? nu : Object.assign({}, config, {at: at}), next];
    },
    view: function (state, meta, config) {
      const nu = window.dash_clientside.no_update;
      if (!config || config.at == null) { return [nu, nu, nu, nu]; }
      state = state || {};
      const words = config.replay_text || {};
      const msg = (meta && meta.replay_error) || state.msg || "";
      return [moment(config.at), state.playing ? words.pause : words.play,
              String(words.speed || "{n}×").replace("{n}", state.speed || 60), msg];
    },
  };

  window.cityops = Object.assign({}, window.cityops, {replay: replay});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {"cityops.replay": replay});
})();
