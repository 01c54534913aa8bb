"""Airflow 3.3.2 (api-server, scheduler, dag-processor, triggerer; LocalExecutor on PostgreSQL): healthy, admin signs
in with the .env password and only with it, the DAGs import without errors, and lab_smoke, triggered through the
REST API, ends success with every task success: one real task per engine (HDFS, Hive, Spark, Pig, Sqoop, Mahout),
each counted by Airflow's own metrics in Prometheus."""

import json
import time

from conftest import exec_in

from activity_clients.airflow import Airflow, health, token
from activity_clients.prometheus import Prometheus

SMOKE_TASKS = {"hdfs", "hive", "spark", "pig", "sqoop", "mahout"}
SMOKE_FINISHED = 'airflow_ti_finish_total{dag_id="lab_smoke", state="success"}'  # per task


def test_every_component_reports_healthy():
    assert health() == {c: "healthy" for c in ("metadatabase", "scheduler", "dag_processor", "triggerer")}


def test_admin_signs_in_with_the_env_password_and_the_usual_defaults_are_refused(lab_env):
    good = token("admin", lab_env["AIRFLOW_ADMIN_PASSWORD"])
    assert good.status_code == 201 and good.json()["access_token"]
    for user, password in [("admin", "admin"), ("airflow", "airflow"), ("admin", "airflow")]:
        assert token(user, password).status_code == 401, (user, password)
    assert token("admin", "").status_code == 400  # an empty password is not even a valid request


def test_dags_import_without_errors():
    code = (
        "import json; from airflow.dag_processing.dagbag import DagBag; "
        "b = DagBag('/opt/airflow/dags'); "
        "print(json.dumps({'errors': {k: str(v) for k, v in b.import_errors.items()}, 'dags': sorted(b.dag_ids)}))"
    )
    out = exec_in("airflow-scheduler", "/opt/airflow-python/bin/python", "-c", code, timeout=300).stdout
    bag = json.loads(out.strip().splitlines()[-1])
    assert bag["errors"] == {}
    assert {"lab_smoke", "activity_daily_batch"} <= set(bag["dags"]), bag["dags"]
    assert Airflow().api("GET", "/importErrors")["total_entries"] == 0


def test_lab_smoke_triggered_through_the_rest_api_succeeds_task_by_task():
    client, prometheus = Airflow(), Prometheus()
    succeeded_before = prometheus.value(f"sum({SMOKE_FINISHED})") or 0
    run_id = client.trigger("lab_smoke")
    assert client.wait("lab_smoke", run_id, timeout=1500) == "success", client.task_states("lab_smoke", run_id)
    assert client.task_states("lab_smoke", run_id) == {task: "success" for task in SMOKE_TASKS}
    # Airflow's own metrics (its StatsD lines, through the pipeline exporter): each task's finish counted once
    deadline = time.monotonic() + 60  # the exporter's next scrape, Prometheus' next
    while (succeeded := prometheus.value(f"sum({SMOKE_FINISHED})") or 0) < succeeded_before + len(SMOKE_TASKS):
        assert time.monotonic() < deadline, f"Airflow's StatsD: {succeeded - succeeded_before} tasks succeeded"
        time.sleep(2)
    assert succeeded == succeeded_before + len(SMOKE_TASKS)
    per_task = prometheus.query(f"sum by (task_id) ({SMOKE_FINISHED})")
    assert {r["metric"]["task_id"] for r in per_task} == SMOKE_TASKS
