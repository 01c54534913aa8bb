"""The lab's published host ports before `docker compose up`: kept out of the kernel's ephemeral range, and free.

- A published port inside the ephemeral range (`net.ipv4.ip_local_port_range`, 32768-60999 on Debian) can be taken
  at any moment as the local port of an outgoing connection to 127.0.0.1 (a probe, a test client, another program
  on the host). Docker then fails to publish it: `listen tcp4 127.0.0.1:41414: bind: address already in use` (seen
  in CI for Flume's 41414 while the lab started). The kernel's own remedy is `net.ipv4.ip_local_reserved_ports`:
  reserved ports are never handed out as ephemeral ones, and an explicit bind still gets them. `lab up` adds the
  lab's ports in that range to the list (as root; otherwise it says which command would).
- A port another program already holds, for a service whose container is not running, stops `lab up` at once with
  the `.env` key to change, instead of Docker's error a minute into the start.
"""

from __future__ import annotations

import errno
import socket

from activity_clients.endpoints import PORTS, bind_address, port

RANGE_FILE = "/proc/sys/net/ipv4/ip_local_port_range"
RESERVED_FILE = "/proc/sys/net/ipv4/ip_local_reserved_ports"


def parse_ports(text: str) -> set[int]:
    """`41414,50000-50002` (the reserved-ports sysctl's format) -> {41414, 50000, 50001, 50002}."""
    ports: set[int] = set()
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        ports.update(range(int(low), int(high or low) + 1))
    return ports


def format_ports(ports: set[int]) -> str:
    """The inverse of parse_ports, runs of consecutive ports written as ranges."""
    runs: list[list[int]] = []
    for p in sorted(ports):
        if runs and p == runs[-1][1] + 1:
            runs[-1][1] = p
        else:
            runs.append([p, p])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def lab_ports(env: dict[str, str]) -> dict[int, str]:
    """port -> its .env key, for every port compose.yaml publishes."""
    return {port(service, env): key for service, (key, _default) in PORTS.items()}


def to_reserve(ports: dict[int, str], ephemeral: tuple[int, int], reserved: set[int]) -> dict[int, str]:
    """The lab's ports inside the ephemeral range that are not reserved yet."""
    low, high = ephemeral
    return {p: key for p, key in ports.items() if low <= p <= high and p not in reserved}


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def reserve(env: dict[str, str], out=print) -> dict[int, str]:
    """Reserves the lab's ports that lie in the ephemeral range; returns those still unreserved (not root)."""
    try:
        low, high = (int(x) for x in _read(RANGE_FILE).split())
        reserved = parse_ports(_read(RESERVED_FILE))
    except (OSError, ValueError):
        return {}  # not Linux, or no such sysctl: nothing to do
    missing = to_reserve(lab_ports(env), (low, high), reserved)
    if not missing:
        return {}
    names = ", ".join(f"{p} ({key})" for p, key in sorted(missing.items()))
    wanted = format_ports(reserved | set(missing))
    try:
        _write(RESERVED_FILE, wanted)
    except OSError:
        out(
            f"lab up: port(s) {names} lie in the kernel's ephemeral range {low}-{high}: an outgoing connection can "
            f"take one and make the start fail (`address already in use`). To prevent it: "
            f"sudo sysctl -w net.ipv4.ip_local_reserved_ports={wanted}"
        )
        return missing
    out(
        f"lab up: reserved port(s) {names} in net.ipv4.ip_local_reserved_ports, out of the ephemeral range "
        f"{low}-{high}, so no outgoing connection takes them (until the next reboot; lab up does it again)"
    )
    return {}


def in_use(host: str, number: int) -> bool:
    """Whether binding host:number fails because something holds it (SO_REUSEADDR, as Docker's proxy binds:
    connections in TIME_WAIT do not count)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, number))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def taken(env: dict[str, str], services: set[str]) -> list[str]:
    """One line per published port of the SERVICES (those about to start) that something already holds."""
    bind = bind_address(env)
    lines = []
    for service, (key, _default) in PORTS.items():
        number = port(service, env)
        if service in services and in_use(bind, number):
            lines.append(
                f"  {bind}:{number} ({key}, for {service}): `ss -tanp 'sport = :{number}'` shows who "
                f"holds it; stop that, or set another {key} in .env"
            )
    return lines
