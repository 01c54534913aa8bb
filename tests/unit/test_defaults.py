"""A setting's default lives in .env.example (what `make env` writes into .env); the fallbacks written next to it
(compose.yaml's `${KEY:-default}`, storm_topology/deploy.py's DEFAULTS) say the same value, so a run without a key
in .env behaves as one with it."""

from __future__ import annotations

import re
from pathlib import Path

import deploy
from activity_contract import names

ROOT = Path(__file__).resolve().parents[2]


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"[A-Z][A-Z0-9_]*=", line))


def test_compose_fallbacks_equal_the_env_example():
    example = env_example()
    fallbacks = re.findall(r"\$\{([A-Z][A-Z0-9_]*):-([^}]*)\}", (ROOT / "compose.yaml").read_text())
    differ = sorted(
        {(key, value, example[key]) for key, value in fallbacks if key in example and example[key] != value}
    )
    assert not differ, "compose.yaml ${KEY:-X} vs .env.example KEY=Y:\n" + "\n".join(
        f"{k}: {v} vs {e}" for k, v, e in differ
    )
    assert len(fallbacks) > 50  # the pattern still finds compose.yaml's fallbacks


def test_the_deploy_scripts_fallbacks_equal_the_env_example():
    example = env_example()
    host_ports = {key for key, _ in names.HOST_PORTS.values()}  # the host's side; deploy.py speaks to the container's
    shared = {key: value for key, value in deploy.DEFAULTS.items() if key in example and key not in host_ports}
    assert {"SPEED_BATCH_MS", "ALERT_P95_MS", "ALERT_COOLDOWN_S"} <= set(shared)
    assert shared == {key: example[key] for key in shared}
