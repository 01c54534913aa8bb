"""Airflow 3.3.2 (api-server, scheduler, dag-processor, triggerer; LocalExecutor on PostgreSQL): healthy, admin signs
in with the .env password and only with it, the DAGs import without errors, and lab_smoke, triggered through the
REST API, ends success with every task success: one real task per engine (HDFS, Hive, Spark, Pig, Sqoop, Mahout)."""

import json

from conftest import exec_in

from activity_clients.airflow import Airflow, health, token

SMOKE_TASKS = {"hdfs", "hive", "spark", "pig", "sqoop", "mahout"}


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
    client = Airflow()
    run_id = client.trigger("lab_smoke")
    assert client.wait("lab_smoke", run_id, timeout=1500) == "success", client.task_states("lab_smoke", run_id)
    assert client.task_states("lab_smoke", run_id) == {task: "success" for task in SMOKE_TASKS}
