"""Size-based rotation of the sites' logs and the flume container's janitor: nothing written is lost or moved
out of the names Flume tails, and a rotated file goes only once Flume has read all of it."""

import importlib.machinery
import importlib.util
import json
import os
import re
import threading
from datetime import datetime

from producers.logs import AppendLog, SiteLogs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_loader = importlib.machinery.SourceFileLoader("flume_janitor", os.path.join(ROOT, "compose", "bin", "flume-janitor"))
janitor = importlib.util.module_from_spec(importlib.util.spec_from_loader("flume_janitor", _loader))
_loader.exec_module(janitor)
TAILED = re.compile(r"access.*\.log")  # the access group of flume/conf/agent.conf


def all_lines(folder):
    return [line for p in sorted(folder.iterdir()) for line in p.read_text().splitlines()]


def test_rotation_by_size_keeps_every_line_under_names_flume_tails(tmp_path):
    log = AppendLog(tmp_path / "access.log", max_bytes=4096)
    lines = [f"line {i:05d} " + "x" * 90 for i in range(400)]  # ~40 KB: about ten rotations
    for line in lines:
        log.write(line)
    log.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) >= 9 and all(TAILED.fullmatch(name) and janitor.ROTATED.match(name) for name in files[:-1])
    assert "access.log" in files
    assert sorted(all_lines(tmp_path)) == sorted(lines)
    assert all(p.stat().st_size <= 4096 + 100 for p in tmp_path.iterdir())


def test_rotation_under_concurrent_writers_loses_and_doubles_nothing(tmp_path):
    log = AppendLog(tmp_path / "perf.log", max_bytes=8192)

    def writer(t):
        for i in range(500):
            log.write(json.dumps({"t": t, "i": i}))

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    log.close()
    got = [json.loads(line) for line in all_lines(tmp_path)]
    assert sorted((r["t"], r["i"]) for r in got) == [(t, i) for t in range(4) for i in range(500)]


def test_rotate_now_skips_empty_logs_and_names_the_rotated_files(tmp_path):
    logs = SiteLogs(tmp_path, "shop")
    assert logs.rotate() == []
    logs.access_line(
        host="h",
        user=None,
        time=datetime(2026, 1, 1),
        method="GET",
        uri="/",
        protocol="HTTP/1.1",
        status=200,
        size=1,
        referer=None,
        user_agent=None,
    )
    rotated = logs.rotate()
    assert len(rotated) == 1 and janitor.ROTATED.match(rotated[0]) and rotated[0].startswith("access-")
    assert (tmp_path / "access.log").stat().st_size == 0 and (tmp_path / rotated[0]).stat().st_size > 0


def test_the_janitor_deletes_a_rotated_file_only_once_flume_read_all_of_it(tmp_path, monkeypatch):
    logs, positions = tmp_path / "logs" / "news", tmp_path / "positions"
    logs.mkdir(parents=True)
    positions.mkdir()
    monkeypatch.setattr(janitor, "LOGS", str(tmp_path / "logs"))
    monkeypatch.setattr(janitor, "POSITIONS", str(positions))
    names = {
        "done": "access-20261201T101010123456Z.log",
        "partly": "perf-20261201T101010123456Z.log",
        "unknown": "error-20261201T101010123456Z.log",
        "active": "access.log",
        "replay": "access-replay-20261201T101010123456Z-abcdef012345.log",
    }
    for name in names.values():
        (logs / name).write_text("0123456789\n")
    ino = {k: (logs / v).stat().st_ino for k, v in names.items()}
    (positions / "access.json").write_text(
        json.dumps([{"inode": ino[k], "pos": 11, "file": "x"} for k in ("done", "active", "replay")])
    )
    (positions / "perf.json").write_text(json.dumps([{"inode": ino["partly"], "pos": 5, "file": "x"}]))
    mtime = (logs / names["done"]).stat().st_mtime
    assert janitor.sweep(mtime + 1) == []  # written a moment ago: a late line may follow
    deleted = janitor.sweep(mtime + janitor.IDLE_S + 1)
    assert deleted == [f"{logs / names['done']} (11 bytes, shipped)"]
    assert sorted(p.name for p in logs.iterdir()) == sorted(v for k, v in names.items() if k != "done")


def test_replay_reads_a_positions_file_caught_mid_rewrite_as_no_position_yet(tmp_path):
    """Flume rewrites its positions file in place; lab replay's wait polls it and must not fail on a torn read."""
    import subprocess
    import sys

    from activitylab.replay import POSITION_SCRIPT

    log = tmp_path / "access.log"
    log.write_text("x" * 123)
    positions = tmp_path / "access.json"
    whole = json.dumps([{"inode": 1, "pos": 100, "file": str(log)}])

    def read():
        out = subprocess.run(
            [sys.executable, "-c", POSITION_SCRIPT, str(log), str(positions)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(out)

    assert read() == [123, None]  # not written yet
    for torn in ("", whole[: len(whole) // 2]):  # truncated, then partly written
        positions.write_text(torn)
        assert read() == [123, None]
    positions.write_text(whole)
    assert read() == [123, 100]
