"""Airflow 3 through its REST API from the host (AIRFLOW_PORT, 8080): DAG runs, backfills, task states and logs,
the components' health. Used by `lab airflow`, `lab batch`, `lab smoke`, `lab bench batch` and the tests.

The simple auth manager's user `admin` signs in with AIRFLOW_ADMIN_PASSWORD from .env (POST /auth/token gives a
JWT for /api/v2). Health needs no token.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

import requests

from activity_clients import endpoints
from activity_clients.checkout import read_env

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

    def unpause(self, dag_id: str) -> None:
        """A paused DAG's runs wait: every way of starting one unpauses it first."""
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, conf: dict | None = None, logical_date: datetime | None = None) -> str:
        """Unpauses the DAG and starts a new run now, for `logical_date` (default: now); returns its run id."""
        self.unpause(dag_id)
        now = datetime.now(UTC)
        logical = logical_date or now
        run_id = f"lab__{logical.strftime('%Y-%m-%d')}__{now.strftime('%Y%m%dT%H%M%S%f')}"
        self.api(
            "POST",
            f"/dags/{dag_id}/dagRuns",
            json={"dag_run_id": run_id, "logical_date": logical.isoformat(), "conf": conf or {}},
        )
        return run_id

    def run_for_day(self, dag_id: str, day: datetime) -> str:
        """Runs the DAG for the logical date `day`: a new run, or, if the day has one (a logical date has one run
        in Airflow), that run cleared so every task runs again. Returns the run id."""
        runs = self.day_runs(dag_id, day, day)
        if not runs:
            return self.trigger(dag_id, logical_date=day)
        run_id = next(iter(runs.values()))["dag_run_id"]
        self.unpause(dag_id)
        self.api("POST", f"/dags/{dag_id}/dagRuns/{run_id}/clear", json={"dry_run": False})
        return run_id

    def backfill_days(self, dag_id: str, first: datetime, last: datetime, reprocess: str = "none") -> list[str]:
        """The logical dates (YYYY-MM-DD) a backfill of first..last would run: those without a run, and those
        `reprocess` names (failed ones, or every finished one); a day whose run is in flight is never among them."""
        body = self.api("POST", "/backfills/dry_run", json=self._backfill_body(dag_id, first, last, reprocess))
        return [b["logical_date"][:10] for b in body["backfills"]]

    def backfill(self, dag_id: str, first: datetime, last: datetime, reprocess: str = "none") -> dict:
        """Airflow's own backfill (POST /backfills) of the logical dates first..last, oldest first, one run at a
        time (a backfill's own limit: the DAG's max_active_runs does not bound it, and two days side by side would
        overcommit the NodeManager). Unpauses the DAG first: a paused DAG's backfill runs wait. Returns the
        backfill (its id, completed_at once every run finished)."""
        self.unpause(dag_id)
        return self.api("POST", "/backfills", json=self._backfill_body(dag_id, first, last, reprocess))

    @staticmethod
    def _backfill_body(dag_id: str, first: datetime, last: datetime, reprocess: str) -> dict:
        return {
            "dag_id": dag_id,
            "from_date": first.isoformat(),
            "to_date": last.isoformat(),
            "reprocess_behavior": reprocess,
            "max_active_runs": 1,
            "run_backwards": False,
        }

    def day_runs(self, dag_id: str, first: datetime, last: datetime) -> dict[str, dict]:
        """{YYYY-MM-DD: run} of the logical dates first..last that have a run (Airflow keeps one per date)."""
        params: dict[str, Any] = {
            "logical_date_gte": first.isoformat(),
            "logical_date_lte": last.isoformat(),
            "order_by": "logical_date",
            "limit": 100,
            "offset": 0,
        }  # 100: the API's largest page
        runs: dict[str, dict] = {}
        while True:  # page by page: a backfill can span years
            body = self.api("GET", f"/dags/{dag_id}/dagRuns", params=params)
            page = list(body["dag_runs"])
            runs.update((r["logical_date"][:10], r) for r in page)
            params["offset"] += len(page)
            if not page or params["offset"] >= (body.get("total_entries") or 0):
                return runs

    def wait_backfill(
        self, backfill: dict, days: list[str], timeout: float = 7200, poll: float = 5, out=sys.stdout
    ) -> dict[str, dict] | None:
        """Polls until the run of each of the backfill's days (backfill_days: queued by the time POST /backfills
        answered) has finished, printing each day's state as it changes; returns the days' runs, or None on
        timeout. (The scheduler marks the backfill itself complete up to half a minute later.)"""
        dag_id = backfill["dag_id"]
        first, last = (datetime.fromisoformat(backfill[k]) for k in ("from_date", "to_date"))
        start, seen = time.monotonic(), dict[str, str]()
        while time.monotonic() - start < timeout:
            runs = self.day_runs(dag_id, first, last)
            for day, run in runs.items():
                if day in days and seen.get(day) != run["state"]:
                    seen[day] = run["state"]
                    print(f"  {time.monotonic() - start:6.0f} s  {day}  {run['state']}", file=out, flush=True)
            if all(runs.get(day, {}).get("state") in FINISHED for day in days):
                return runs
            time.sleep(poll)
        return None

    def task_log(self, dag_id: str, run_id: str, task_id: str) -> str:
        """The text of the task's latest try's log."""
        try_number = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}")["try_number"]
        body = self.api(
            "GET",
            f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
            params={"full_content": "true"},
            headers={"Accept": "application/json"},
        )
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
        start, seen, state = time.monotonic(), dict[str, str | None](), "queued"
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


def health_report(base: str = BASE, timeout_s: float = 10) -> dict[str, dict]:
    """/api/v2/monitor/health as Airflow gives it, no token needed: {component: {"status": ..., "latest_..._heartbeat":
    ISO time}}; `base` inside the lab: http://airflow-api-server:8080."""
    return requests.get(f"{base}/api/v2/monitor/health", timeout=timeout_s).json()


def health() -> dict[str, str]:
    """Each component's status in /api/v2/monitor/health (healthy or unhealthy)."""
    body = health_report()
    return {c: body.get(c, {}).get("status") or "unknown" for c in COMPONENTS}


def heartbeat_ages(body: dict[str, dict], now: datetime) -> dict[str, float]:
    """Seconds since each component's latest heartbeat in a health report (those that report one)."""
    ages = {}
    for component in COMPONENTS:
        beat = next((v for k, v in (body.get(component) or {}).items() if k.endswith("_heartbeat") and v), None)
        if beat:
            ages[component] = (now - datetime.fromisoformat(beat.replace("Z", "+00:00"))).total_seconds()
    return ages
