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
DAILY_BATCH = "activity_daily_batch"


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

    def unpause(self, dag_id: str) -> None:
        """A paused DAG's runs wait: every way of starting one unpauses it first."""
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, conf: dict | None = None, logical_date: datetime | None = None) -> str:
        """Unpauses the DAG and starts a new run now, for `logical_date` (default: now); returns its run id."""
        self.unpause(dag_id)
        now = datetime.now(timezone.utc)
        logical = logical_date or now
        run_id = f"lab__{logical.strftime('%Y-%m-%d')}__{now.strftime('%Y%m%dT%H%M%S%f')}"
        self.api("POST", f"/dags/{dag_id}/dagRuns",
                 json={"dag_run_id": run_id, "logical_date": logical.isoformat(), "conf": conf or {}})
        return run_id

    def run_for_day(self, dag_id: str, day: datetime) -> str:
        """Runs the DAG for the logical date `day`: a new run, or, if the day has one (a logical date has one run
        in Airflow), that run cleared so every task runs again. Returns the run id."""
        stamp = day.isoformat()
        runs = self.api("GET", f"/dags/{dag_id}/dagRuns",
                        params={"logical_date_gte": stamp, "logical_date_lte": stamp})["dag_runs"]
        if not runs:
            return self.trigger(dag_id, logical_date=day)
        run_id = runs[0]["dag_run_id"]
        self.unpause(dag_id)
        self.api("POST", f"/dags/{dag_id}/dagRuns/{run_id}/clear", json={"dry_run": False})
        return run_id

    def task_log(self, dag_id: str, run_id: str, task_id: str) -> str:
        """The text of the task's latest try's log."""
        try_number = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}")["try_number"]
        body = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
                        params={"full_content": "true"}, headers={"Accept": "application/json"})
        content = body.get("content", "")
        if isinstance(content, str):
            return content
        return "\n".join(str(x.get("event", x)) if isinstance(x, dict) else str(x) for x in content)

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


def trigger(dag_id: str, wait: bool, timeout: float, logical_date: datetime | None = None) -> int:
    """A new run now, or with `logical_date` that day's run (new, or the existing one cleared to run again)."""
    client = Airflow()
    run_id = client.trigger(dag_id) if logical_date is None else client.run_for_day(dag_id, logical_date)
    print(f"started {dag_id} run {run_id} (UI: {BASE}/dags/{dag_id})")
    if not wait:
        return 0
    state = client.wait(dag_id, run_id, timeout=timeout)
    print(f"{dag_id} {run_id}: {state}")
    states = client.task_states(dag_id, run_id)
    if state == "success" and not states:   # a logical date before the DAG's start_date: nothing ran
        print(f"{dag_id} {run_id}: no task ran for this logical date (before the DAG's start_date?)")
        return 1
    for task, task_state in states.items():
        if task_state == "failed":   # say why without a trip to the UI
            tail = client.task_log(dag_id, run_id, task).strip().splitlines()[-15:]
            print(f"--- {task} failed; the end of its log:\n" + "\n".join(tail))
    return 0 if state == "success" else 1
