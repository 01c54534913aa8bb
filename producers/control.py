"""Simulation control shared by the site (admin endpoint writes) and the simulator process (reads).

A small JSON file, STATE_DIR/{app_id}/simulation.json, replaced atomically on every change:
it works across gunicorn workers and separate processes or containers sharing the directory,
and survives restarts. The simulator writes its heartbeat next to it (simulator-status.json).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

from activity_contract.events import FieldError
from activity_contract.names import SIM_SPEED_MAX, SIM_SPEED_MIN

CONTROL_FILE = "simulation.json"
STATUS_FILE = "simulator-status.json"


def validate_update(body: Any, max_users: int) -> tuple[dict[str, Any], list[FieldError]]:
    """Check a PUT /admin/simulation body; any subset of paused/speed/users, nothing else."""
    if not isinstance(body, dict):
        return {}, [FieldError("$", 'body must be a JSON object like {"paused": false, "speed": 1.0, "users": 10}')]
    errors: list[FieldError] = []
    changes: dict[str, bool | float | int] = {}
    for key in sorted(body):
        value = body[key]
        if key == "paused":
            if isinstance(value, bool):
                changes[key] = value
            else:
                errors.append(FieldError(key, "must be true or false"))
        elif key == "speed":
            if (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and SIM_SPEED_MIN <= value <= SIM_SPEED_MAX
            ):
                changes[key] = float(value)
            else:
                errors.append(FieldError(key, f"must be a number from {SIM_SPEED_MIN} to {SIM_SPEED_MAX:g}"))
        elif key == "users":
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= max_users:
                changes[key] = value
            else:
                errors.append(FieldError(key, f"must be an integer from 0 to {max_users} (SIM_MAX_USERS)"))
        else:
            errors.append(FieldError(key, "unknown field; allowed: paused, speed, users"))
    if not body:
        errors.append(FieldError("$", "empty body: give at least one of paused, speed, users"))
    return changes, errors


class SimulationControl:
    def __init__(self, directory: Path, defaults: dict[str, Any]):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / CONTROL_FILE
        self.status_path = self.directory / STATUS_FILE
        self.defaults = {
            "paused": bool(defaults["paused"]),
            "speed": float(defaults["speed"]),
            "users": int(defaults["users"]),
            "updated_at": None,
        }

    def read(self) -> dict[str, Any]:
        """Current state. Always re-read: the file is tiny, and mtime granularity could hide a change."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return dict(self.defaults)
        try:
            return {**self.defaults, **json.loads(text)}
        except ValueError:
            return dict(self.defaults)  # never happens with atomic replace, but never crash on it

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        with open(self.directory / ".simulation.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # read-modify-write across workers/processes
            state = {**self.read(), **changes, "updated_at": time.time()}
            _atomic_write_json(self.path, state)
        return self.read()

    def write_status(self, status: dict[str, Any]) -> None:
        _atomic_write_json(self.status_path, status)

    def read_status(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.status_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None


def _atomic_write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
