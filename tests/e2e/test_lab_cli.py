"""The `lab` commands a user runs against the lab: status, smoke, urls, sim, storm, shell and airflow."""

import os
import re
import subprocess

from conftest import ROOT

from activity_clients import endpoints
from activity_clients.nimbus import topology_summary
from activity_contract import names
from activitylab.services import SERVICES

LAB = os.path.join(ROOT, ".venv", "bin", "lab")


def run(*args):
    return subprocess.run([LAB, *args], cwd=ROOT, text=True, capture_output=True, timeout=600)


def test_status_lists_every_service_ok_and_storm_slots():
    proc = run("status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for s in SERVICES:
        assert f"ok  activity-lab-{s.name}-1" in proc.stdout, s.name
    assert "supervisor(s)" in proc.stdout and "free slot(s)" in proc.stdout


def test_smoke_passes_every_component_check():
    proc = run("smoke")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("\nok   ") + proc.stdout.startswith("ok   ") == 14
    assert "smoke: 14 of 14 checks passed" in proc.stdout
    assert (
        f"ok   Hive            PyHive on {endpoints.address('hiveserver2')}: databases activity, default" in proc.stdout
    )
    assert "ok   Flume" in proc.stdout
    assert "ok   Speed layer     activity-speed ACTIVE" in proc.stdout
    assert re.search(
        r"ok   Spark           sum 50005000, databases activity,default; application_\d+_\d+ in the "
        r"History Server",
        proc.stdout,
    ), proc.stdout
    assert "sqoop eval on MariaDB gives 42; Apache Pig version 0.18.0" in proc.stdout
    assert (
        f"ok   Airflow         4 components healthy on {endpoints.address('airflow-api-server')}; admin signed in; "
        "DAGs activity_daily_batch, lab_smoke, no import error"
    ) in proc.stdout


def test_urls_lists_the_batch_engines():
    proc = run("urls")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for url in (
        endpoints.url("spark-history"),
        endpoints.url("airflow-api-server"),
        f"jdbc:hive2://{endpoints.address('hiveserver2')}/activity",
        "lab shell",
    ):
        assert url in proc.stdout, url


def test_shell_runs_a_command_on_the_edge_node_with_every_client_configured():
    proc = run(
        "shell",
        "--",
        "bash",
        "-c",
        "hdfs dfs -test -d /spark-logs && echo hdfs-ok; "
        "kafka-topics --list | grep -x user-activity; which spark-submit pig sqoop mahout beeline; "
        # the jobs' imports, as `lab shell -- spark-submit /opt/lab/spark_jobs/...` and the Mahout step have them
        "python3 -c 'from activity_clients.webhdfs import WebHdfs; from activity_contract import names; "
        "print(names.DAG_DAILY_BATCH)'",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.split()
    assert lines[:2] == ["hdfs-ok", "user-activity"], lines
    assert lines[2:] == [
        "/opt/spark-python/bin/spark-submit",
        "/opt/lab/bin/pig",
        "/opt/lab/bin/sqoop",
        "/opt/lab/bin/mahout",
        "/opt/lab/bin/beeline",
        names.DAG_DAILY_BATCH,
    ]


def test_airflow_status_reports_healthy_components_and_the_dags():
    proc = run("airflow", "status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Airflow metadatabase healthy, scheduler healthy, dag_processor healthy, triggerer healthy" in proc.stdout
    assert re.search(r"^  lab_smoke\s+(paused|active)", proc.stdout, re.M), proc.stdout
    # The daily batch runs by itself: active from the start, at midnight UTC.
    assert re.search(r"^  activity_daily_batch\s+active\s+At 00:00$", proc.stdout, re.M), proc.stdout


def test_sim_status_lists_the_three_sites_and_refuses_a_bad_speed():
    proc = run("sim", "status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines()[1:]}
    assert set(rows) == {"shop", "news", "learn"}
    assert all(int(row[4]) > 0 for row in rows.values())  # page views so far
    proc = run("sim", "speed", "99", "--app", "news")
    assert proc.returncode == 1
    assert "news: PUT /admin/simulation refused (HTTP 400): speed: must be a number from 0.1 to 20" in proc.stderr


def test_storm_status_shows_the_topology_and_the_spouts_lag():
    proc = run("storm", "status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "topology activity-speed: ACTIVE" in proc.stdout
    assert re.search(r"Kafka lag of the spout: \d+ message\(s\) of user-activity", proc.stdout), proc.stdout


def test_storm_deploy_leaves_an_unchanged_topology_alone():
    before = topology_summary()
    proc = run("storm", "deploy")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "with this code and settings" in proc.stdout and "nothing to do" in proc.stdout, proc.stdout
    assert topology_summary()["id"] == before["id"]
