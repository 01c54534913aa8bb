"""`lab airflow status|trigger` and the runs and backfills behind `lab batch run|backfill`, printed for a person to
follow; the REST client is activity_clients/airflow.py."""

from __future__ import annotations

from datetime import datetime

from activity_clients.airflow import BASE, Airflow, health
from activity_contract import names

DAILY_BATCH = names.DAG_DAILY_BATCH


def status() -> int:
    states = health()
    print("Airflow " + ", ".join(f"{c} {s}" for c, s in states.items()))
    client = Airflow()
    errors = client.api("GET", "/importErrors")["import_errors"]
    for dag in client.api("GET", "/dags")["dags"]:
        print(
            f"  {dag['dag_id']:<24} {'paused' if dag['is_paused'] else 'active':<7} {dag['timetable_description'] or ''}"
        )
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
    if state == "success" and not states:  # a logical date before the DAG's start_date: nothing ran
        print(f"{dag_id} {run_id}: no task ran for this logical date (before the DAG's start_date?)")
        return 1
    print_failed_tasks(client, dag_id, run_id, states)
    return 0 if state == "success" else 1


def print_failed_tasks(client: Airflow, dag_id: str, run_id: str, states: dict[str, str | None]) -> None:
    """The end of each failed task's log: why, without a trip to the UI."""
    for task, task_state in states.items():
        if task_state == "failed":
            tail = client.task_log(dag_id, run_id, task).strip().splitlines()[-15:]
            print(f"--- {task} failed; the end of its log:\n" + "\n".join(tail))


def backfill(dag_id: str, first: datetime, last: datetime, reprocess: str, wait: bool, timeout: float) -> int:
    """Airflow's own backfill of the days first..last: which days it runs, then (wait) each day's state and, per
    day, success, nothing to build (every task skipped: no data), or the failed task's log."""
    client = Airflow()
    days = client.backfill_days(dag_id, first, last, reprocess)
    span = f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
    if not days:
        hint = "" if reprocess == "completed" else " (--reprocess completed runs them again)"
        print(f"{dag_id}: every day from {span} has a run, finished or in flight: none to backfill{hint}")
        return 0
    created = client.backfill(dag_id, first, last, reprocess)
    listed = ", ".join(days) if len(days) <= 7 else f"{days[0]}, {days[1]} ... {days[-1]}"
    print(
        f"backfill {created['id']} of {dag_id}, {span}: {len(days)} day(s) to run, one at a time: {listed} "
        f"(UI: {BASE}/dags/{dag_id})"
    )
    if not wait:
        return 0
    runs = client.wait_backfill(created, days, timeout=timeout)
    if runs is None:
        print(f"backfill {created['id']}: not complete after {timeout:.0f} s; it goes on in Airflow")
        return 1
    ok = True
    for day in days:
        run = runs.get(day)
        states = client.task_states(dag_id, run["dag_run_id"]) if run else {}
        if run and run["state"] == "success":
            built = "nothing to build (no data for the day)" if set(states.values()) == {"skipped"} else "built"
            print(f"{day}: success, {built} (run {run['dag_run_id']})")
            continue
        ok = False
        if not run:
            print(f"{day}: no run")
            continue
        print(f"{day}: {run['state']} (run {run['dag_run_id']})")
        print_failed_tasks(client, dag_id, run["dag_run_id"], states)
    return 0 if ok else 1
