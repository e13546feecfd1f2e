"""`cityops worker`: the one background process beside the web tier.

Every tick it computes the snapshot of every active wall scope in one pass and writes it to the
shared cache (data.wall.refresh); every minute it runs the rules engine (warnings and the five
colours follow the data even with no simulator); with LIVE_SIMULATOR on (a demo or a training
city) it also runs the live simulator, which evaluates the rules itself. Web workers started with
TICK_WORKER=external only read what it writes. Run exactly one per deployment.
"""

from __future__ import annotations

import logging
import signal
import threading

log = logging.getLogger("cityops.worker")

RULES_SECONDS = 60


def _rules_loop(engine, catalog, stop: threading.Event) -> None:
    from data.domain.timeutil import now_ts
    from data.rules import engine as rules
    from data.rules.dispatch import auto_dispatch
    from data.write import retry

    while not stop.wait(RULES_SECONDS):
        try:  # reconciles, so a retry or a repeat changes nothing
            retry.background(lambda: rules.evaluate(engine, catalog, now_ts()), "rules evaluation", budget=50)
            retry.background(lambda: auto_dispatch(engine, now_ts()), "automatic dispatch", budget=50)
        except Exception:  # counted and logged as lost; the next minute tries again
            pass


def run(simulate: bool | None = None) -> None:
    """Serve ticks until SIGTERM or Ctrl-C."""
    from app import create_app
    from data.rules.config import load_catalog
    from data.store.db import get_engine
    from data.wall.refresh import TickWorker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app({"LIVE_SIMULATOR": False, "TICK_WORKER": "external"})  # the simulator is started below
    cfg = app.server.config
    if simulate is None:
        from config import Config

        simulate = Config().LIVE_SIMULATOR
    engine, catalog = get_engine(cfg["DATABASE_URL"]), load_catalog(cfg["RULES_FILE"])
    stop = threading.Event()
    if simulate:
        from data.synthetic.simulator import Simulator

        Simulator(engine, catalog).start_thread(cfg["SIMULATOR_SECONDS"])
    else:
        threading.Thread(target=_rules_loop, args=(engine, catalog, stop), name="rules", daemon=True).start()
    if not cfg.get("CACHE_REDIS_URL"):
        log.warning("no CACHE_REDIS_URL: the snapshots stay in this process and no web worker can read them")
    ticker = TickWorker(app.server, int(cfg["REFRESH_SECONDS"]))

    def _stop(*_args):
        stop.set()
        ticker.stop()

    signal.signal(signal.SIGTERM, _stop)
    log.info(
        "worker on: wall ticks every %s s, %s",
        cfg["REFRESH_SECONDS"],
        "simulator on" if simulate else "rules each minute",
    )
    try:
        ticker.run()
    except KeyboardInterrupt:
        _stop()
