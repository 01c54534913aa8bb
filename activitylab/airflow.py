"""Airflow 3 from the host through its REST API (AIRFLOW_PORT, 8080): `lab airflow status|trigger`.

The simple auth manager's user `admin` signs in with AIRFLOW_ADMIN_PASSWORD from .env (POST /auth/token gives a
JWT for /api/v2). Health needs no token.
"""
from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

import requests

from . import endpoints
from .compose import read_env

BASE = endpoints.url("airflow-api-server")
COMPONENTS = ("metadatabase", "scheduler", "dag_processor", "triggerer")
FINISHED = {"success", "failed"}


def token(username: str = "admin", password: str | None = None) -> requests.Response:
    """The raw answer of POST /auth/token (201 with access_token, 401 on a wrong password)."""
    password = read_env()["AIRFLOW_ADMIN_PASSWORD"] if password is None else password
    return requests.post(f"{BASE}/auth/token", json={"username": username, "password": password}, timeout=30)


class Airflow:
    def __init__(self):
        r = token()
        if r.status_code not in (200, 201):
            raise RuntimeError(f"Airflow refused admin's password from .env: HTTP {r.status_code} {r.text[:200]}")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def api(self, method: str, path: str, **kwargs):
        r = self.session.request(method, f"{BASE}/api/v2{path}", timeout=30, **kwargs)
        if r.status_code >= 400:
            raise RuntimeError(f"Airflow {method} /api/v2{path}: HTTP {r.status_code} {r.text[:300]}")
        return r.json() if r.content else None

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        """Unpauses the DAG and starts a run now; returns its run id."""
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
        now = datetime.now(timezone.utc)
        run_id = f"lab__{now.strftime('%Y%m%dT%H%M%S%f')}"
        self.api("POST", f"/dags/{dag_id}/dagRuns",
                 json={"dag_run_id": run_id, "logical_date": now.isoformat(), "conf": conf or {}})
        return run_id

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"]

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        tasks = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
        return {t["task_id"]: t["state"] for t in tasks}

    def wait(self, dag_id: str, run_id: str, timeout: float = 1800, poll: float = 3, out=sys.stdout) -> str:
        """Polls until the run is success or failed, printing each task's state as it changes."""
        start, seen, state = time.monotonic(), {}, "queued"
        while time.monotonic() - start < timeout:
            state = self.run_state(dag_id, run_id)
            for task, task_state in self.task_states(dag_id, run_id).items():
                if seen.get(task) != task_state:
                    seen[task] = task_state
                    print(f"  {time.monotonic() - start:6.0f} s  {task:<12} {task_state}", file=out, flush=True)
            if state in FINISHED:
                return state
            time.sleep(poll)
        return state


def health() -> dict[str, str]:
    """Each component's status in /api/v2/monitor/health (healthy or unhealthy)."""
    body = requests.get(f"{BASE}/api/v2/monitor/health", timeout=10).json()
    return {c: body.get(c, {}).get("status") or "unknown" for c in COMPONENTS}


def status() -> int:
    states = health()
    print("Airflow " + ", ".join(f"{c} {s}" for c, s in states.items()))
    client = Airflow()
    errors = client.api("GET", "/importErrors")["import_errors"]
    for dag in client.api("GET", "/dags")["dags"]:
        print(f"  {dag['dag_id']:<24} {'paused' if dag['is_paused'] else 'active':<7} {dag['timetable_description'] or ''}")
    for e in errors:
        print(f"  import error in {e['filename']}: {e['stack_trace'].strip().splitlines()[-1]}")
    return 0 if all(s == "healthy" for s in states.values()) and not errors else 1


def trigger(dag_id: str, wait: bool, timeout: float) -> int:
    client = Airflow()
    run_id = client.trigger(dag_id)
    print(f"triggered {dag_id} run {run_id} (UI: {BASE}/dags/{dag_id})")
    if not wait:
        return 0
    state = client.wait(dag_id, run_id, timeout=timeout)
    print(f"{dag_id} {run_id}: {state}")
    return 0 if state == "success" else 1
