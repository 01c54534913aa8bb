"""Where the host reaches the lab: the address the ports are published on (LAB_BIND) and each published port,
from .env as compose.yaml publishes them. Every host tool and test builds its URLs here, never from literals.

    endpoints.url("namenode", "/jmx")     -> http://127.0.0.1:9870/jmx
    endpoints.kafka_bootstrap()           -> 127.0.0.1:9092
    endpoints.host_port("hbase-thrift")   -> ("127.0.0.1", 9090)
"""

from __future__ import annotations

import os

from activity_clients.checkout import ROOT, read_env
from activity_contract.names import HOST_PORTS

# service -> (.env key, default): the host side of every port compose.yaml publishes (container side unchanged).
PORTS = HOST_PORTS


def published_env() -> dict[str, str]:
    """As docker compose sees them: the environment first, then .env (when `make env` has written it); the
    defaults above are .env.example's."""
    path = os.path.join(ROOT, ".env")
    values = read_env() if os.path.exists(path) else {}
    keys = ["LAB_BIND"] + [key for key, _ in PORTS.values()]
    return {**values, **{k: os.environ[k] for k in keys if os.environ.get(k)}}


def bind_address(env: dict[str, str] | None = None) -> str:
    """The address compose.yaml publishes the ports on: LAB_BIND, 127.0.0.1 when unset."""
    return (env if env is not None else published_env()).get("LAB_BIND", "127.0.0.1").strip() or "127.0.0.1"


def host(env: dict[str, str] | None = None) -> str:
    """The address to connect to: LAB_BIND, or the loopback address when the ports are published on every
    interface (0.0.0.0)."""
    bind = bind_address(env)
    return "127.0.0.1" if bind in ("0.0.0.0", "::") else bind


def port(service: str, env: dict[str, str] | None = None) -> int:
    key, default = PORTS[service]
    value = (env if env is not None else published_env()).get(key, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValueError(f".env: {key}={value} is not a port number")
    return int(value)


def host_port(service: str, env: dict[str, str] | None = None) -> tuple[str, int]:
    env = env if env is not None else published_env()  # .env read once for both
    return host(env), port(service, env)


def address(service: str, env: dict[str, str] | None = None) -> str:
    """host:port, e.g. Kafka's bootstrap servers or a JDBC URL's authority."""
    host, port = host_port(service, env)
    return f"{host}:{port}"


def url(service: str, path: str = "", scheme: str = "http", env: dict[str, str] | None = None) -> str:
    return f"{scheme}://{address(service, env)}{path}"


def kafka_bootstrap(env: dict[str, str] | None = None) -> str:
    return address("kafka", env)
