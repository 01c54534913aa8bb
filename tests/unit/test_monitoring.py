"""The metrics stack's configuration (monitoring/): the alert rules pass promtool's check and their unit tests, every
rule has a test, the scrape jobs of the contract are the lab's services as compose.yaml runs them, and Prometheus'
generated configuration scrapes the batch profile's services only when that profile is on."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from activity_contract import names
from activity_contract.metrics import (
    AIRFLOW_STATSD_PORT,
    JMX_EXPORTER_PORT,
    PIPELINE_EXPORTER,
    SCRAPE_JOBS,
    STORM_WORKER_METRICS_OFFSET,
    scrape_jobs,
)
from activitylab.status import metrics_lines
from monitoring import prometheus_config
from monitoring.pipeline_exporter import storm_worker_targets

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "monitoring"
PROMTOOL = ROOT / "build" / "tools" / "promtool"
# The alerts the lab promises (monitoring/README.md); more may come, none of these may go.
REQUIRED_ALERTS = {
    "TargetDown",
    "DataNodeDead",
    "UnderReplicatedBlocks",
    "MissingBlocks",
    "HdfsAlmostFull",
    "ConsumerLagGrowing",
    "SiteErrorRate",
}


def promtool(*args: str) -> str:
    assert PROMTOOL.exists(), "no promtool: `make promtool` unpacks Debian's"
    out = subprocess.run([str(PROMTOOL), *args], cwd=MONITORING, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout + out.stderr


def alert_names() -> set[str]:
    return set(re.findall(r"^\s*- alert: (\w+)", (MONITORING / "alerts.yml").read_text(), re.M))


def test_the_alert_rules_pass_promtools_check():
    rules = len(re.findall(r"^\s*- (alert|record): ", (MONITORING / "alerts.yml").read_text(), re.M))
    assert rules > len(alert_names())  # the recording rules count too
    assert f"SUCCESS: {rules} rules found" in promtool("check", "rules", "alerts.yml")


def test_the_lag_alert_has_a_threshold_for_each_consumer_the_exporter_reports():
    rule = (MONITORING / "alerts.yml").read_text().split("- alert: ConsumerLagGrowing", 1)[1].split("- alert:", 1)[0]
    assert set(re.findall(r'consumer="([^"]+)"', rule)) == {names.SPEED_CONSUMER_GROUP, names.ARCHIVE_CONSUMER}
    tested = (MONITORING / "alerts_test.yml").read_text()
    for consumer in (names.SPEED_CONSUMER_GROUP, names.ARCHIVE_CONSUMER):  # each firing in a test
        assert f"exp_labels: {{severity: warning, consumer: {consumer}, topic: user-activity}}" in tested


def test_the_recording_rules_pass_promtools_check():
    rules = len(re.findall(r"^\s*- record: ", (MONITORING / "recording.yml").read_text(), re.M))
    assert f"SUCCESS: {rules} rules found" in promtool("check", "rules", "recording.yml")


def test_the_recording_rules_pass_their_unit_tests():
    assert "SUCCESS" in promtool("test", "rules", "recording_test.yml")
    tested = set(re.findall(r"expr: (activitylab:\S+)", (MONITORING / "recording_test.yml").read_text()))
    recorded = set(re.findall(r"- record: (\S+)", (MONITORING / "recording.yml").read_text()))
    assert recorded == tested, f"recording rules without a test: {sorted(recorded - tested)}"


def test_the_alert_rules_pass_their_unit_tests():
    assert "SUCCESS" in promtool("test", "rules", "alerts_test.yml")


def test_a_broken_expectation_fails_promtools_tests(tmp_path):
    # The check can fail: the same tests with one expected summary changed.
    text = (MONITORING / "alerts_test.yml").read_text().replace("12 HDFS block(s)", "13 HDFS block(s)")
    (tmp_path / "alerts_test.yml").write_text(text)
    (tmp_path / "alerts.yml").write_text((MONITORING / "alerts.yml").read_text())
    out = subprocess.run([str(PROMTOOL), "test", "rules", "alerts_test.yml"], cwd=tmp_path, capture_output=True)
    assert out.returncode != 0 and b"13 HDFS block(s)" in out.stdout + out.stderr


def test_every_alert_is_tested_and_the_promised_ones_exist():
    tested = set(re.findall(r"alertname: (\w+)", (MONITORING / "alerts_test.yml").read_text()))
    assert REQUIRED_ALERTS <= alert_names()
    assert alert_names() == tested, f"alerts without a promtool test: {sorted(alert_names() - tested)}"


def compose_services() -> dict[str, str]:
    """{service: its block of compose.yaml}."""
    text = (ROOT / "compose.yaml").read_text().split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks = re.split(r"^  (?=[a-z0-9-]+:)", text, flags=re.M)
    return {b.split(":", 1)[0]: b for b in blocks if re.match(r"[a-z0-9-]+:", b)}


def test_each_scrape_job_is_a_service_of_compose_in_its_profile():
    services = compose_services()
    assert {"namenode", "kafka", "prometheus", "hiveserver2"} <= set(services)
    for job in SCRAPE_JOBS:
        assert job.service in services, job
        assert job.batch == ("profiles: [batch]" in services[job.service]), job
        assert job.scaled == ("scale: ${" in services[job.service]), job


def test_the_jmx_exporter_jobs_run_its_agent():
    # The entrypoint's role of each such service starts the agent (jmx_agent NAME), whose rules exist.
    entrypoint = (ROOT / "compose" / "bin" / "entrypoint").read_text()
    roles = re.split(r"^(?=[a-z0-9|-]+\)\s*$)", entrypoint, flags=re.M)
    for job in (j for j in SCRAPE_JOBS if j.port == JMX_EXPORTER_PORT):
        role = next(r for r in roles if job.service in r.split(")", 1)[0].split("|"))
        rules = re.findall(r"jmx_agent (\w+)", role)
        assert rules, f"role {job.service} does not start the JMX exporter's agent"
        assert all((MONITORING / "jmx" / f"{r}.yaml").exists() for r in rules), rules
    assert "=9404:/etc/lab/jmx" in entrypoint and JMX_EXPORTER_PORT == 9404


@pytest.mark.parametrize("profiles, batch", [("batch", True), ("", False), ("light", False), ("x, batch", True)])
def test_the_generated_configuration_follows_the_profiles(profiles, batch):
    config = prometheus_config.prometheus_config(profiles)
    jobs = {c["job_name"]: c for c in config["scrape_configs"]}
    assert set(jobs) == {j.job for j in scrape_jobs(batch)}
    assert ("hiveserver2" in jobs) == batch and "namenode" in jobs and "prometheus" in jobs
    assert jobs["namenode"]["static_configs"] == [{"targets": ["namenode:9870"]}]
    assert jobs["namenode"]["metrics_path"] == "/prom"
    assert jobs["datanode"]["dns_sd_configs"][0]["names"] == ["datanode"]  # every replica
    assert config["global"]["scrape_interval"] == "15s"
    assert config["rule_files"] == [f"/opt/lab/src/monitoring/{f}" for f in ("alerts.yml", "recording.yml")]
    assert jobs["namenode"]["metric_relabel_configs"][0]["regex"] == "totalsynctimes"
    assert "metric_relabel_configs" not in jobs["kafka"]
    # the Storm workers, where Nimbus placed them: the pipeline exporter lists them
    assert jobs["storm-worker"]["http_sd_configs"][0]["url"] == "http://pipeline-exporter:9400/sd/storm-workers"
    json.dumps(config)  # written as JSON


def test_a_storm_workers_agent_serves_where_the_exporter_says():
    storm = (ROOT / "compose" / "conf" / "storm" / "storm.yaml").read_text()
    childopts = re.search(r"^worker\.childopts: \"(.*)\"$", storm, re.M).group(1)
    assert "jmx_prometheus_javaagent.jar=1%WORKER-PORT%:/etc/lab/jmx/storm-worker.yaml" in childopts
    slots = [int(p) for p in re.search(r"^supervisor\.slots\.ports: \[(.*)\]", storm, re.M).group(1).split(",")]
    assert all(1000 <= s <= 9999 for s in slots) and STORM_WORKER_METRICS_OFFSET == 10000  # "1" + 4 digits
    assert (MONITORING / "jmx" / "storm-worker.yaml").exists()
    assert storm_worker_targets([("172.18.0.9", 6701)]) == [
        {"targets": ["172.18.0.9:16701"], "labels": {"slot": "6701"}}
    ]


def test_airflow_sends_its_statsd_lines_where_the_exporter_receives_them():
    compose = (ROOT / "compose.yaml").read_text()
    settings = dict(re.findall(r"^\s+AIRFLOW__METRICS__(\w+): \"?([^\"\n#]+?)\"?\s*(?:#.*)?$", compose, re.M))
    assert settings["STATSD_HOST"] == PIPELINE_EXPORTER and int(settings["STATSD_PORT"]) == AIRFLOW_STATSD_PORT
    # tags as labels, not in the names: one series name per metric whatever the DAG or task
    assert settings["STATSD_ON"] == settings["STATSD_INFLUXDB_ENABLED"] == "True"
    assert settings["LEGACY_NAMES_ON"] == "False"
    assert re.search(r"^statsd==", (ROOT / "requirements" / "airflow.txt").read_text(), re.M)


def test_the_image_carries_the_rules_where_the_configuration_says():
    dockerfile = (ROOT / "compose" / "Dockerfile").read_text()
    assert "COPY monitoring/ /opt/lab/src/monitoring/" in dockerfile
    assert all((ROOT / path.replace("/opt/lab/src/", "")).exists() for path in prometheus_config.RULES)


def test_status_names_the_targets_down_and_the_alerts_firing():
    targets = [
        {"labels": {"job": "namenode", "instance": "namenode:9870"}, "health": "up"},
        {"labels": {"job": "kafka", "instance": "kafka:9404"}, "health": "down", "lastError": "connection refused"},
    ]
    alerts = [
        {"labels": {"alertname": "TargetDown"}, "annotations": {"summary": "kafka down"}, "state": "firing"},
        {"labels": {"alertname": "UnderReplicatedBlocks"}, "annotations": {}, "state": "pending"},
    ]
    assert metrics_lines(targets, alerts) == [
        "1 of 2 scrape targets up",
        "  target kafka (kafka:9404) down: connection refused",
        "alerts firing: 1, pending: 1",
        "  FIRING TargetDown: kafka down",
    ]
