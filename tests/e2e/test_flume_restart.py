"""Flume stopped and started again: every line written before, during and after the stop is in HDFS exactly once
(TAILDIR's saved positions, the file channel, files closed on stop, and a stop that never splits a sink batch:
flume/UninterruptedHdfsSink.java). Runs after the tests that read Flume's files (it stops Flume), beside the archive's."""

import time
import uuid
from collections import Counter

from conftest import compose, exec_in

from activitylab import flume
from activitylab.clf import parse_line
from activitylab.replay import wait_shipped
from activitylab.wait import wait
from lab_logs import log_bytes, log_size, partition_files, wait_landed_once
from lab_sites import simulation, simulation_restored, simulator_report

STOPPED_S = 20  # the scenario's length, not a wait for readiness


def test_access_lines_written_across_a_flume_restart_land_exactly_once(lab_env):
    with simulation_restored(lab_env["LAB_ADMIN_TOKEN"], ["shop"]):
        simulation("shop", lab_env["LAB_ADMIN_TOKEN"], paused=False, speed=5.0)
        before = log_size("shop", "access")
        compose("stop", "flume", timeout=120)
        time.sleep(STOPPED_S)
        compose("start", "flume", timeout=120)
        assert wait(timeout=300) == 0
        end = log_size("shop", "access")
    window = Counter(log_bytes("shop", "access", before, end).splitlines())
    assert window, f"no access line while Flume was stopped: {simulator_report('shop')}"
    # Two requests can log the same line (same second, user and path), so copies are counted. Identical lines
    # share their second, and a line's time is its request's start (written up to ~2 s later): lines within 5 s of
    # either end of the window are left out, as their twins may lie outside it.
    times = {line: parse_line(line, "combined").time for line in window}
    first, last = min(times.values()), max(times.values())
    copies = {
        line: n
        for line, n in window.items()
        if (times[line] - first).total_seconds() > 5 and (last - times[line]).total_seconds() > 5
    }
    assert sum(copies.values()) >= 20, f"the simulated users hardly browsed during the stop: {simulator_report('shop')}"
    expected = {line: parse_line(line, "combined").utc_date for line in copies}
    found = wait_landed_once("shop", "access", expected, timeout=180, copies=copies)
    assert {line: days for line, days in found.items()} == {
        line: [day] * copies[line] for line, day in expected.items()
    }


def test_a_stop_in_the_middle_of_a_large_file_renamed_meanwhile_loses_and_repeats_nothing():
    """60 000 lines written at once keep the sink busy with full batches, so the stop lands inside one. While the
    agent is down the half-read file is renamed, as a log rotation would: TAILDIR goes on where it was (Flume
    1.11, unpatched, reads it again from the start)."""
    marker, n = uuid.uuid4().hex, 60_000
    lines = [
        f"10.0.{i % 250}.{i % 199} - - [0{1 + i * 3 // n}/Aug/1995:10:{i % 60:02d}:00 +0000] "
        f'"GET /{marker}/{i} HTTP/1.0" 200 {i}'
        for i in range(n)
    ]
    path = f"/site/logs/news/access-e2e-{marker}.log"
    drained = int(flume.metrics()["SINK.hdfs"]["EventDrainSuccessCount"])
    exec_in("flume", "sh", "-c", f"cat > {path}", input_text="\n".join(lines) + "\n")
    deadline = time.monotonic() + 60
    while int(flume.metrics()["SINK.hdfs"]["EventDrainSuccessCount"]) < drained + 5000:  # mid-file
        assert time.monotonic() < deadline, "Flume did not start on the file"
        time.sleep(0.1)
    compose("stop", "flume", timeout=120)
    renamed = path.replace(".log", "-rotated.log")
    exec_in("news", "mv", *(p.replace("/site/", "/data/") for p in (path, renamed)))  # the site's mount
    compose("start", "flume", timeout=120)
    assert wait(timeout=300) == 0
    wait_shipped(flume.container(), renamed, timeout=600, out=lambda *_: None)
    files = {
        f"dt={day}/{name}": [line for line in lines if marker in line]
        for day in ("1995-08-01", "1995-08-02", "1995-08-03")
        for name, lines in partition_files("news", "access", day).items()
    }
    copies = Counter(line for lines in files.values() for line in lines)
    exec_in("flume", "rm", renamed)
    assert len(copies) == n, f"{n - len(copies)} lines missing"
    assert sum(copies.values()) == n, f"{sum(copies.values()) - n} lines twice: {twice(copies, files)}"


def twice(copies, files):
    """Where the extra copies are: the runs of line numbers, and the files holding each run's first line."""
    numbers = sorted(int(line.split()[6].rsplit("/", 1)[1]) for line, n in copies.items() if n > 1)
    runs, start = [], numbers[0]
    for previous, number in zip(numbers, numbers[1:] + [None], strict=True):
        if number != previous + 1:
            first = next(line for line in copies if line.split()[6].endswith(f"/{start}"))
            holders = [name for name, lines in files.items() if first in lines]
            runs.append(f"lines {start}-{previous} in {holders}")
            start = number
    return "; ".join(runs)
