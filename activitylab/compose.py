"""Reads the state of the lab's containers through `docker compose`."""

import json
import subprocess
from dataclasses import dataclass

from activity_clients.checkout import checkout


def compose(*args, check=True, capture=True, timeout=120):
    return subprocess.run(
        ["docker", "compose", *args], cwd=checkout(), check=check, text=True, capture_output=capture, timeout=timeout
    )


@dataclass
class Container:
    name: str
    service: str
    state: str  # running, exited, created, restarting, ...
    health: str  # healthy, unhealthy, starting, "" (no healthcheck)
    exit_code: int
    ports: list

    @property
    def published(self):
        return sorted({f"{p['URL']}:{p['PublishedPort']}" for p in self.ports if p.get("PublishedPort")})


def containers():
    out = compose("ps", "--all", "--format", "json").stdout.strip()
    if not out:
        return []
    rows = json.loads(out) if out.startswith("[") else [json.loads(line) for line in out.splitlines()]
    return [
        Container(
            r["Name"], r["Service"], r["State"], r.get("Health", ""), r.get("ExitCode", 0), r.get("Publishers") or []
        )
        for r in rows
    ]


def logs_tail(service, lines=40):
    return compose("logs", "--no-color", "--tail", str(lines), service, check=False).stdout


ZK_SRVR = (
    "import socket; s = socket.create_connection(('localhost', 2181)); s.sendall(b'srvr'); "
    "print(b''.join(iter(lambda: s.recv(4096), b'')).decode())"
)


def zookeeper_mode():
    """The `Mode:` ZooKeeper reports to `srvr` (standalone, leader, follower), or None."""
    out = exec_in("zookeeper", "python3", "-c", ZK_SRVR).stdout
    return next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Mode:")), None)


def running_container(service, missing="start the lab first (`make up`)"):
    """The name of the service's first running container; RuntimeError naming the service when there is none."""
    name = next((c.name for c in containers() if c.service == service and c.state == "running"), None)
    if name is None:
        raise RuntimeError(f"the {service} service is not running: {missing}")
    return name


def exec_in(service, *cmd, env=None, timeout=300, project=None, input_text=None):
    """Runs a command in the service's first running container (`docker exec`: `project` names a container of
    another Compose project, such as the scale tests' throw-away one)."""
    name = f"{project}-{service}-1" if project else running_container(service)
    flags = [x for k, v in (env or {}).items() for x in ("-e", f"{k}={v}")]
    return subprocess.run(
        ["docker", "exec", "-i", *flags, name, *cmd],
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
        input=input_text,
    )
