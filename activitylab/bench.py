"""`lab bench startup`: wall time of `make up` (images built) until every service is healthy, and the
memory of the running lab (RSS per container from its memory cgroup), written to docs/benchmarks.md.
`lab bench replay`: lines per second of `lab replay` from the file to HDFS, through Flume."""

import datetime
import os
import platform
import subprocess
import time

from activity_clients.checkout import ROOT
from activity_contract import names

from .compose import compose, containers

REPORT = os.path.join(ROOT, "docs", "benchmarks.md")


def container_rss_mib(name):
    """RSS of everything in the container: anonymous + mapped file pages (cgroup v1 or v2)."""
    script = "cat /sys/fs/cgroup/memory/memory.stat 2>/dev/null || cat /sys/fs/cgroup/memory.stat"
    out = subprocess.run(
        ["docker", "exec", name, "sh", "-c", script], text=True, capture_output=True, timeout=30
    ).stdout
    stat = dict(line.split() for line in out.splitlines() if len(line.split()) == 2)
    if "total_rss" in stat:  # v1
        rss = int(stat["total_rss"]) + int(stat.get("total_mapped_file", 0))
    else:  # v2
        rss = int(stat.get("anon", 0)) + int(stat.get("file_mapped", 0))
    return rss / 2**20


def memory_table():
    rows = [(c.name, container_rss_mib(c.name)) for c in containers() if c.state == "running"]
    return sorted(rows, key=lambda r: -r[1])


def host_busy_jiffies():
    """Busy time of every core since boot, in clock ticks: user, nice, system, irq, softirq, steal."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields[:3]) + sum(fields[5:8])


def cpu_busy_cores(seconds=60):
    """Cores kept busy on the host, on average over `seconds` (the lab at rest: users browsing at speed 1,
    the speed layer, the healthchecks Docker runs every few seconds, and anything else the machine does)."""
    hz = os.sysconf("SC_CLK_TCK")
    t0, j0 = time.monotonic(), host_busy_jiffies()
    time.sleep(seconds)
    return (host_busy_jiffies() - j0) / hz / (time.monotonic() - t0)


def machine():
    mem_kib = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
    return f"{os.cpu_count()} cores, {mem_kib / 2**20:.0f} GiB, {platform.machine()}"


def bench_startup(skip_up=False, light=False):
    """light: the light lab (`make up LIGHT=1`: no batch engines), else the whole lab."""
    startup, had_volumes = None, True
    up = ["make", "up"] + (["LIGHT=1"] if light else [])
    if not skip_up:
        print(f"lab bench: building images (not timed), stopping the lab, then timing `{' '.join(up)}`")
        subprocess.run(["make", "build"], cwd=ROOT, check=True)
        compose("down", capture=False)  # with .env's profiles: every service of the lab
        had_volumes = bool(
            subprocess.run(
                ["docker", "volume", "ls", "-q", "--filter", "label=com.docker.compose.project=activity-lab"],
                text=True,
                capture_output=True,
            ).stdout.strip()
        )
        t0 = time.monotonic()
        subprocess.run(up, cwd=ROOT, check=True)
        startup = time.monotonic() - t0
    rows = memory_table()
    total = sum(mib for _, mib in rows)
    print("lab bench: measuring the host's CPU use at rest for 60 s")
    busy = cpu_busy_cores(60)
    today = datetime.date.today().isoformat()
    flags = (" --light" if light else "") + (" --skip-up" if skip_up else "")
    lab = "the light lab (`make up LIGHT=1`: no Hive, Spark, edge node, Airflow)" if light else "the whole lab"
    lines = [
        f"## Startup and memory{', light lab' if light else ''}, {today} ({machine()})",
        "",
        f"Measured with `lab bench startup{flags}`: {lab}.",
        "",
    ]
    if startup is not None:
        volumes = "volumes kept" if had_volumes else "first start: empty volumes, HDFS and Kafka formatted"
        lines += [f"- `{' '.join(up)}` to every service healthy (images built, {volumes}): **{startup:.0f} s**"]
    lines += (
        [
            f"- whole lab, sum of container RSS: **{total / 1024:.2f} GiB** over {len(rows)} containers",
            f"- host CPU at rest (users browsing at speed 1), 60 s average: **{busy:.2f} of {os.cpu_count()} cores**",
            "",
            "| container | RSS MiB |",
            "|---|---:|",
        ]
        + [f"| {n} | {m:.0f} |" for n, m in rows]
        + [""]
    )
    return write_report(lines)


def write_report(lines):
    text = "\n".join(lines)
    print(text)
    header = "# Benchmarks\n\nNewest first. Numbers from shared, noisy machines: read them as orders of magnitude.\n\n"
    old = open(REPORT).read().split("\n", 4)[-1] if os.path.exists(REPORT) else ""
    with open(REPORT, "w") as f:
        f.write(header + text + "\n" + (old if old.startswith("## ") else ""))
    print(f"lab bench: written to {os.path.relpath(REPORT, ROOT)}")
    return 0


def bench_replay(lines=200_000):
    """Replays `lines` Common Log Format lines (one month of NASA-like traffic) and times it to 'shipped'."""
    import tempfile
    import uuid
    from datetime import datetime, timedelta
    from pathlib import Path

    from .replay import replay

    start = datetime.fromisoformat("1995-07-01T00:00:00-04:00")
    step = timedelta(days=30) / lines
    run = uuid.uuid4().hex[:8]  # each run's file is new content: lab replay takes a file once
    with tempfile.TemporaryDirectory(prefix="lab-bench-") as tmp:
        source = Path(tmp) / "access_log"
        with open(source, "w") as f:
            for i in range(lines):
                t = start + step * i
                f.write(
                    f"host{i % 997}.example.net - - [{t.strftime('%d/%b/%Y:%H:%M:%S')} -0400] "
                    f'"GET /shuttle/missions/sts-{i % 90}/mission.html?bench={run} HTTP/1.0" 200 {4000 + i % 3000}\n'
                )
        t0 = time.monotonic()
        report = replay(names.NEWS, "common", source, wait_timeout=1800, out=lambda *_: None)
        elapsed = time.monotonic() - t0
    return write_report(
        [
            f"## Replay throughput, {datetime.now().date().isoformat()} ({machine()})",
            "",
            "Measured with `lab bench replay`: a generated Common Log Format file (30 days, -0400) through",
            "`lab replay` into HDFS, timed until Flume has read it all and written its channel out.",
            "",
            f"- {report.replayed} lines into {len(report.by_date)} daily partitions in **{elapsed:.1f} s**: "
            f"**{report.replayed / elapsed:,.0f} lines/s**",
            "",
        ]
    )
