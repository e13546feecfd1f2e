"""Record of how the real-data samples in this folder were cut; not run by tests.

Both samples are cut from public Git snapshots by selecting rows (and, for the
tickets, keys); no value is edited. Run from anywhere with the two snapshots
present (paths below; fetch them with `git clone` and check out the commits):

    python tests/data/real/cut.py BOS311_GIT_DIR PRSA_GIT_DIR

The script only reads with `git show`, so a bare clone is enough.
"""

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

# balsama/bos311: pages of Boston's Open311 GeoReport v2 `requests.json`.
BOS311_COMMIT = "4e7adba1b4c50ef0587e272d6cd036918f01a492"
BOS311_DIRS = [  # one folder per Open311 service_code, in this order
    "data/illegal-parking",
    "data/abandoned-vehicle",
    "data/sidewalk-not-shovelled",
    "data/dangerous",
]
# Keys kept, in GeoReport v2 order. Dropped: `description` (residents' free
# text: plates, names, phone numbers; not in the city's PDDL dataset) and
# `media_url` (links to residents' photos).
BOS311_KEYS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "requested_datetime",
    "updated_datetime",
    "address",
    "lat",
    "long",
]
# One week, Boston local time: the 1-3 December 2019 snowstorm and after.
BOS311_FROM = datetime.fromisoformat("2019-12-01T00:00:00-05:00")
BOS311_TO = datetime.fromisoformat("2019-12-08T00:00:00-05:00")
BOS311_OUT = HERE / "boston311_open311_2019-12-01_07.jsonl"

# Peiris94-dev/Beijing-Multi-Site-Air-Quality-Analysis: the UCI files as
# published (same Git blob ids as in roccohsia/stats131group10).
PRSA_COMMIT = "0aa46c055fcca7da49ebac9329435ffe674b74c3"
PRSA_STATIONS = ["Dongsi", "Changping", "Huairou"]
PRSA_FROM, PRSA_TO = (2015, 12, 1), (2016, 1, 14)  # inclusive days
PRSA_OUT = HERE / "beijing_prsa_3stations_2015-12-01_2016-01-14.csv"


def git_show(git_dir: str, commit: str, path: str) -> bytes:
    """Return a file's bytes at a commit."""
    return subprocess.run(
        ["git", "-C", git_dir, "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def git_ls(git_dir: str, commit: str, folder: str) -> list[str]:
    """Return the file paths under a folder at a commit, sorted."""
    out = subprocess.run(
        ["git", "-C", git_dir, "ls-tree", "-r", "--name-only", commit, folder + "/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(out.split())


def cut_boston(git_dir: str) -> int:
    """Write the week's requests of four service codes as JSON lines.

    The scrape repeats some requests (pages shifted while it ran); the first
    occurrence is kept. Files that are not valid JSON, or absent from the
    snapshot (4 MiB and larger: the unsplit `...--0-605.json`, whose pages
    are also in the split `--aa` ... files), are skipped.
    """
    seen: set[str] = set()
    lines = []
    for folder in BOS311_DIRS:
        for path in git_ls(git_dir, BOS311_COMMIT, folder):
            try:
                records = json.loads(git_show(git_dir, BOS311_COMMIT, path))
            except (ValueError, subprocess.CalledProcessError):
                continue
            for rec in records:
                rid = rec.get("service_request_id")
                if rid is None or rid in seen:
                    continue
                asked = datetime.fromisoformat(rec["requested_datetime"])
                if not BOS311_FROM <= asked < BOS311_TO:
                    continue
                seen.add(rid)
                kept = {k: rec[k] for k in BOS311_KEYS if k in rec}
                lines.append(json.dumps(kept, ensure_ascii=False, separators=(",", ":")))
    BOS311_OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def cut_beijing(git_dir: str) -> int:
    """Write the stations' rows for the window, byte for byte, one header."""
    out: list[bytes] = []
    for station in PRSA_STATIONS:
        path = f"PRSA_Data_{station}_20130301-20170228.csv"
        header, *rows = git_show(git_dir, PRSA_COMMIT, path).splitlines(keepends=True)
        if not out:
            out.append(header)
        for row in rows:
            _no, year, month, day = row.split(b",")[:4]
            if PRSA_FROM <= (int(year), int(month), int(day)) <= PRSA_TO:
                out.append(row)
    PRSA_OUT.write_bytes(b"".join(out))
    return len(out) - 1


if __name__ == "__main__":
    print(cut_boston(sys.argv[1]), "tickets")
    print(cut_beijing(sys.argv[2]), "readings rows")
