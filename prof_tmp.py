import sys, cProfile, pstats
import callbacks.area as area_cb, data.queries as qm
from app import create_app
from data.cache import cache
from data.snapshot import RefreshAhead
from bench.wall import post_callback
from data.timeutil import parse_local
now = parse_local("2026-11-20 16:30"); area_cb.now_ts = qm.now_ts = lambda: now
RefreshAhead.touch = lambda self, s, t: None
app = create_app({"DATABASE_URL": "sqlite:///bench/results/bench-1000000.sqlite", "SECRET_KEY": "x"})
c = app.server.test_client()
code = sys.argv[1]
post_callback(app, c, "area-meta.data", 0, {"scope": code, "lang": "zh"}, {})
cache.clear()
cProfile.run('post_callback(app, c, "area-meta.data", 0, {"scope": code, "lang": "zh"}, {})', "/tmp/p.out")
pstats.Stats("/tmp/p.out").sort_stats("cumulative").print_stats(60)
