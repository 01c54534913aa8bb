"""`lab bench idle`: what the lab costs at rest, container by container.

Each running container's CPU time from its cgroup over a window (60 s by default), first with the simulated users
browsing at speed 1, then with them paused; its memory as the lab's benchmarks count it (RSS: anonymous + mapped
file pages) and as `docker stats` shows it (usage less inactive file pages); the host's busy time from /proc/stat
over the same windows, so what the engine and the containers' shims cost outside the containers shows too.
The users' settings are restored at the end. The cgroup files are read on the host (no `docker exec`, which would
itself cost CPU in the containers it measures); where the engine runs elsewhere (a VM), inside each container.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import time
from dataclasses import dataclass

from .bench import host_busy_jiffies, machine, write_report
from .compose import containers
from .sites import SITE_PORTS, simulation

V1_CONTROLLER = {"cpuacct": "cpuacct", "memory": "memory"}  # file prefix -> its cgroup v1 hierarchy


@dataclass
class Cgroup:
    """One container's cgroup files, read on the host (`dirs`: v2's one folder, or v1's folder per hierarchy) or,
    failing that, through `docker exec` in the container (`container`)."""

    container: str
    dirs: dict[str, str] | None

    def read(self, name: str) -> str:
        prefix = name.split(".")[0]
        if self.dirs:
            folder = self.dirs.get(V1_CONTROLLER.get(prefix, ""), self.dirs.get("", ""))
            try:
                with open(os.path.join(folder, name)) as f:
                    return f.read()
            except OSError:
                return ""
        v1 = V1_CONTROLLER.get(prefix)
        script = f"cat /sys/fs/cgroup/{name} 2>/dev/null" + (f" || cat /sys/fs/cgroup/{v1}/{name}" if v1 else "")
        return subprocess.run(
            ["docker", "exec", self.container, "sh", "-c", script], text=True, capture_output=True, timeout=30
        ).stdout

    def cpu_seconds(self) -> float:
        """CPU time of every process in the container since it started (cgroup v2 cpu.stat, else v1 cpuacct)."""
        for line in self.read("cpu.stat").splitlines():
            key, _, value = line.partition(" ")
            if key == "usage_usec":
                return int(value) / 1e6
        return int(self.read("cpuacct.usage").strip() or 0) / 1e9

    def memory_mib(self) -> tuple[float, float]:
        """(RSS, what `docker stats` shows) in MiB."""
        stat = dict(line.split() for line in self.read("memory.stat").splitlines() if len(line.split()) == 2)
        if "total_rss" in stat:  # v1
            rss = int(stat["total_rss"]) + int(stat.get("total_mapped_file", 0))
            usage = int(self.read("memory.usage_in_bytes").strip()) - int(stat.get("total_inactive_file", 0))
        else:
            rss = int(stat.get("anon", 0)) + int(stat.get("file_mapped", 0))
            usage = int(self.read("memory.current").strip()) - int(stat.get("inactive_file", 0))
        return rss / 2**20, usage / 2**20


def host_cgroup_dirs(proc_cgroup: str, root: str = "/sys/fs/cgroup") -> dict[str, str] | None:
    """The folders of a process' cgroup (its /proc/PID/cgroup file) on this host, when the engine runs here:
    {"": folder} for v2 (one hierarchy), {"cpuacct": ..., "memory": ...} for v1; None when they cannot be read."""
    try:
        with open(proc_cgroup) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    dirs = {}
    for line in lines:
        hierarchy, controllers, path = line.split(":", 2)
        if hierarchy == "0" and os.path.exists(f"{root}{path}/cpu.stat"):
            return {"": f"{root}{path}"}
        for controller in controllers.split(","):
            if controller in V1_CONTROLLER.values() and os.path.isdir(f"{root}/{controller}{path}"):
                dirs[controller] = f"{root}/{controller}{path}"
    return dirs if set(dirs) == set(V1_CONTROLLER.values()) else None


def lab_cgroups() -> dict[str, Cgroup]:
    """service-replica name (without the project prefix) -> its cgroup, for every running container of the lab."""
    running = [c for c in containers() if c.state == "running"]
    if not running:
        raise RuntimeError("no container of the lab is running: start it first (`make up`)")
    pids = subprocess.run(
        ["docker", "inspect", "-f", "{{.Name}} {{.State.Pid}}", *(c.name for c in running)],
        text=True,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    out = {}
    for line in pids.splitlines():
        name, pid = line.lstrip("/").split()
        out[name] = Cgroup(name, host_cgroup_dirs(f"/proc/{pid}/cgroup"))
    return out


@dataclass
class Window:
    seconds: float
    host_busy: float  # cores, from /proc/stat
    cores: dict[str, float]  # container -> cores


def measure_window(groups: dict[str, Cgroup], seconds: float) -> Window:
    hz = os.sysconf("SC_CLK_TCK")
    before = {n: g.cpu_seconds() for n, g in groups.items()}
    t0, j0 = time.monotonic(), host_busy_jiffies()
    time.sleep(seconds)
    elapsed = time.monotonic() - t0
    busy = (host_busy_jiffies() - j0) / hz / elapsed
    cores = {n: (g.cpu_seconds() - before[n]) / elapsed for n, g in groups.items()}
    return Window(elapsed, busy, cores)


def set_users(paused: bool, speed: float | None = None) -> None:
    for app in SITE_PORTS:
        if speed is None:
            simulation(app, paused=paused)
        else:
            simulation(app, paused=paused, speed=speed)


def short(name: str) -> str:
    return name.removeprefix("activity-lab-")


def figures(browsing: Window, paused: Window, memory: dict[str, tuple[float, float]], seconds: float) -> dict:
    """What `--json` writes and `--before` reads back: the host's busy cores and each container's figures."""
    return {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "seconds": seconds,
        "host_busy": {"browsing": browsing.host_busy, "paused": paused.host_busy},
        "containers": {
            short(n): {
                "browsing": browsing.cores[n],
                "paused": paused.cores[n],
                "rss_mib": memory[n][0],
                "docker_stats_mib": memory[n][1],
            }
            for n in browsing.cores
        },
    }


def comparison_lines(before: dict, after: dict) -> list[str]:
    """A before -> after table of two runs' figures, container by container (the busiest now first), with the sums
    and the host's busy cores."""
    rows = sorted(
        set(before["containers"]) | set(after["containers"]),
        key=lambda n: (-after["containers"].get(n, {}).get("browsing", 0), n),
    )
    keys = ("browsing", "paused", "rss_mib", "docker_stats_mib")

    def pair(b, a, key):
        digits = 3 if key in ("browsing", "paused") else 0
        return " -> ".join(f"{d[key]:.{digits}f}" if d else "-" for d in (b, a))

    lines = [
        f"| container (before {before['date']}, after {after['date']}) | CPU, users browsing | CPU, users paused "
        "| RSS MiB | docker stats MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    for n in rows:
        b, a = before["containers"].get(n), after["containers"].get(n)
        lines.append(f"| {n} | " + " | ".join(pair(b, a, k) for k in keys) + " |")
    total_b, total_a = ({k: sum(c[k] for c in d["containers"].values()) for k in keys} for d in (before, after))
    lines.append("| **all containers** | " + " | ".join(f"**{pair(total_b, total_a, k)}**" for k in keys) + " |")
    lines.append(
        "| **host busy** (/proc/stat) | "
        + " | ".join(f"**{before['host_busy'][k]:.2f} -> {after['host_busy'][k]:.2f}**" for k in ("browsing", "paused"))
        + " | | |"
    )
    return lines


def bench_idle(
    seconds: float = 60, settle: float = 20, json_out: str | None = None, note: str = "", before: str | None = None
) -> int:
    groups = lab_cgroups()
    where = "on the host" if all(g.dirs for g in groups.values()) else "through docker exec"
    print(f"lab bench idle: {len(groups)} containers, cgroups read {where}")
    found = {app: simulation(app) for app in SITE_PORTS}
    try:
        set_users(paused=False, speed=1.0)
        print(f"lab bench idle: users browsing at speed 1; settling {settle:.0f} s, then measuring {seconds:.0f} s")
        time.sleep(settle)
        browsing = measure_window(groups, seconds)
        set_users(paused=True)
        print(f"lab bench idle: users paused; settling {settle:.0f} s, then measuring {seconds:.0f} s")
        time.sleep(settle)
        paused = measure_window(groups, seconds)
        memory = {n: g.memory_mib() for n, g in groups.items()}
    finally:
        for app, state in found.items():
            simulation(app, paused=state["paused"], speed=state["speed"])
    rows = sorted(groups, key=lambda n: (-browsing.cores[n], n))
    now = figures(browsing, paused, memory, seconds)
    if json_out:
        with open(json_out, "w") as f:
            json.dump(now, f, indent=1)
    total = {k: sum(w.cores.values()) for k, w in (("browsing", browsing), ("paused", paused))}
    rss, stats = sum(m[0] for m in memory.values()), sum(m[1] for m in memory.values())
    lines = [
        f"## The lab at rest, per container, {datetime.date.today()} ({machine()})",
        "",
        f"Measured with `lab bench idle --seconds {seconds:g}`: each container's CPU from its cgroup over "
        f"{seconds:g} s, users browsing at speed 1, then paused; memory at the end (RSS: anonymous + mapped file "
        "pages; `docker stats`: usage less inactive file pages); host busy from /proc/stat.",
        "",
    ]
    if note:
        lines += [note, ""]
    lines += [
        f"- host busy: **{browsing.host_busy:.2f} of {os.cpu_count()} cores** with the users browsing, "
        f"**{paused.host_busy:.2f}** paused; the containers {total['browsing']:.2f} and {total['paused']:.2f}",
        f"- memory: **{rss / 1024:.2f} GiB** summed RSS, **{stats / 1024:.2f} GiB** as `docker stats` shows it, "
        f"over {len(rows)} containers",
        "",
        "| container | CPU, users browsing | CPU, users paused | RSS MiB | docker stats MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {short(n)} | {browsing.cores[n]:.3f} | {paused.cores[n]:.3f} | {memory[n][0]:.0f} | {memory[n][1]:.0f} |"
        for n in rows
    ]
    lines += [
        f"| **all containers** | **{total['browsing']:.2f}** | **{total['paused']:.2f}** | **{rss:.0f}** | "
        f"**{stats:.0f}** |",
        f"| outside them (engine, shims, this bench) | {browsing.host_busy - total['browsing']:.2f} | "
        f"{paused.host_busy - total['paused']:.2f} | | |",
        "",
    ]
    if before:
        with open(before) as f:
            lines += [f"Against `{before}`:", ""] + comparison_lines(json.load(f), now) + [""]
    return write_report(lines)
