"""Multi-node by scaling: 3 DataNodes and 2 NodeManagers. This runs as a second, throw-away compose
project on 127.0.0.2 so the main lab's data never depends on nodes that are later scaled away. On it,
a stopped DataNode shows on Prometheus (the Cluster page's HDFS figures, the DataNodeDead alert) as the NameNode
counts it, dead with blocks under-replicated, and clears once it is back; `lab up` (what `make up` runs) says why it
waits for a NameNode in safe mode and gives up at its timeout, and after scaling down it starts every DataNode that
holds blocks, so every file stays readable."""

import os
import re
import subprocess
import sys
import time
import uuid

import pytest
import requests
from conftest import ROOT, compose, exec_in

from activity_clients import endpoints
from activity_clients.checkout import read_env
from activity_clients.prometheus import Prometheus, PrometheusError
from activitylab.jmx import namenode_bean
from dashboard.cluster_data import FIGURES

PROJECT = ["-p", "activity-lab-scale"]
# A DataNode is dead after 2 x 15 s + 10 heartbeats (60 s; 150 s in the lab's default)
SHAPE = {
    "LAB_BIND": "127.0.0.2",
    "DATANODES": "3",
    "NODEMANAGERS": "2",
    "HDFS_REPLICATION": "3",
    "HDFS_HEARTBEAT_RECHECK_MS": "15000",
}
SCALE_ENV = {**read_env(), **SHAPE}  # where the host reaches this project: 127.0.0.2, .env's ports


def poll(fn, timeout=300, until=bool):
    """fn() until until(its value) holds; fails with fn's docstring and the last value (or error) it saw."""
    deadline, seen = time.monotonic() + timeout, None
    while True:
        try:
            seen = fn()
            if until(seen):
                return seen
        except (requests.RequestException, PrometheusError, KeyError, TypeError) as e:  # not answering, no bean yet
            seen = e
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {fn.__doc__}; last seen: {seen!r}")
        time.sleep(2)


@pytest.fixture(scope="module")
def scaled_cluster():
    # `up -d` returns once each service's dependencies are healthy; the tests then poll the REST APIs.
    up = compose(
        *PROJECT,
        "up",
        "-d",
        "namenode",
        "datanode",
        "resourcemanager",
        "nodemanager",
        "prometheus",  # no dependencies: it scrapes this project's services (and finds the lab's others absent)
        check=False,
        timeout=600,
        project_env=SHAPE,
    )
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        yield
    finally:
        compose(*PROJECT, "down", "-v", "--remove-orphans", check=False, timeout=300, project_env=SHAPE)


def test_three_datanodes_live_and_a_file_gets_three_replicas(scaled_cluster):
    def live_datanodes():
        """the NameNode reports 3 live DataNodes"""
        return namenode_bean("FSNamesystemState", env=SCALE_ENV)["NumLiveDataNodes"] == 3

    poll(live_datanodes)
    path = f"/tmp/e2e-rep3-{uuid.uuid4().hex[:8]}"
    run = lambda *cmd: exec_in("namenode", *cmd, project="activity-lab-scale")  # noqa: E731
    run("bash", "-c", f"head -c 3000000 /dev/urandom > /tmp/f && hdfs dfs -D dfs.replication=3 -put /tmp/f {path}")
    fsck = run("hdfs", "fsck", path, "-files", "-blocks", "-locations").stdout
    assert "Live_repl=3" in fsck and "is HEALTHY" in fsck, fsck


def test_yarn_lists_two_running_nodemanagers(scaled_cluster):
    def two_running():
        """YARN lists 2 RUNNING nodes"""
        nodes = requests.get(
            endpoints.url("resourcemanager", "/ws/v1/cluster/nodes", env=SCALE_ENV), timeout=10
        ).json()["nodes"]["node"]
        return len([n for n in nodes if n["state"] == "RUNNING"]) == 2

    poll(two_running)


def test_a_stopped_datanode_shows_dead_under_replicated_and_alerting_until_it_is_back(scaled_cluster):
    prometheus = Prometheus(endpoints.url("prometheus", env=SCALE_ENV))
    page = {title: query for title, query, _ in FIGURES["HDFS"]}  # the Cluster page's PromQL
    names = {"live DataNodes": "NumLiveDataNodes", "dead DataNodes": "NumDeadDataNodes"}

    def hdfs():
        """the NameNode's figures on Prometheus as its JMX gives them, and whether DataNodeDead fires"""
        state = namenode_bean("FSNamesystemState", env=SCALE_ENV)
        jmx = {title: state[bean] for title, bean in names.items()}
        jmx["under-replicated blocks"] = namenode_bean("FSNamesystem", env=SCALE_ENV)["UnderReplicatedBlocks"]
        return {
            "namenode up": prometheus.value('up{job="namenode"}'),
            "prometheus": {title: prometheus.value(page[title]) for title in jmx},
            "jmx": jmx,
            "DataNodeDead": any(a["labels"]["alertname"] == "DataNodeDead" for a in prometheus.firing()),
        }

    def shows(live, dead, under_replicated, alert):
        return lambda seen: (
            seen["namenode up"] == 1
            and seen["prometheus"] == seen["jmx"]
            and (seen["jmx"]["live DataNodes"], seen["jmx"]["dead DataNodes"]) == (live, dead)
            and (seen["jmx"]["under-replicated blocks"] > 0) == under_replicated
            and seen["DataNodeDead"] == alert
        )

    run = lambda *cmd: exec_in("namenode", *cmd, project=PROJECT[1])  # noqa: E731
    path = f"/tmp/e2e-dead-{uuid.uuid4().hex[:8]}"
    run("bash", "-c", f"head -c 1000000 /dev/urandom > /tmp/f && hdfs dfs -D dfs.replication=3 -put /tmp/f {path}")
    poll(hdfs, 120, shows(3, 0, False, False))

    datanodes = compose(*PROJECT, "ps", "--format", "{{.Name}}", "datanode", project_env=SHAPE).stdout.split()
    assert len(datanodes) == 3, datanodes
    docker = lambda *args: subprocess.run(["docker", *args], check=True, capture_output=True, timeout=120)  # noqa: E731
    docker("stop", max(datanodes))
    try:
        # dead after 2 x dfs.namenode.heartbeat.recheck-interval + 10 heartbeats (60 s), its blocks counted
        # under-replicated at the NameNode's next dead-node check (every recheck interval, 15 s); then a scrape
        # and a rule evaluation (15 s each)
        poll(hdfs, 180, shows(2, 1, True, True))
    finally:
        docker("start", max(datanodes))
    poll(hdfs, 180, shows(3, 0, False, False))


def lab_up(*services, timeout, **env):
    """`lab up` (what `make up` runs) on this project; returns (exit code, [(seconds since start, line)])."""
    cmd = [sys.executable, "-m", "activitylab.cli", "up", *services, "--timeout", str(timeout)]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **SHAPE, "COMPOSE_PROJECT_NAME": PROJECT[1], **env},
    )
    start, lines = time.monotonic(), []
    for line in proc.stdout:
        lines.append((time.monotonic() - start, line.rstrip("\n")))
    return proc.wait(timeout=60), lines


def test_a_namenode_in_safe_mode_makes_lab_up_say_why_and_give_up(scaled_cluster):
    run = lambda *cmd: exec_in("namenode", *cmd, project=PROJECT[1])  # noqa: E731
    run("hdfs", "dfsadmin", "-safemode", "enter")
    try:
        started = time.monotonic()
        # resourcemanager depends on hdfs-init, so `docker compose up -d` blocks while hdfs-init waits: make up's case
        rc, lines = lab_up("namenode", "datanode", "resourcemanager", "nodemanager", timeout=90)
        elapsed = time.monotonic() - started
    finally:
        run("hdfs", "dfsadmin", "-safemode", "leave")
    text = "\n".join(line for _, line in lines)
    said = [t for t, line in lines if "the NameNode is in safe mode" in line and "turned on manually" in line]
    assert said and said[0] <= 120, text  # the reason, in the NameNode's words, within 2 minutes
    assert rc == 1 and "lab up: gave up after 90 s" in text and elapsed < 90 + 60, (rc, elapsed, text)


def test_after_scaling_down_lab_up_starts_every_datanode_holding_blocks(scaled_cluster):
    marker = uuid.uuid4().hex[:8]
    run = lambda *cmd: exec_in("namenode", *cmd, project=PROJECT[1])  # noqa: E731
    folder = f"/tmp/e2e-scaledown-{marker}"
    files = {f"{folder}/f{i:02d}": f"file {i} {marker}\n" * 1000 for i in range(12)}
    run(
        "bash",
        "-c",
        f'mkdir -p {folder} && for i in $(seq -w 0 11); do yes "file $((10#$i)) {marker}" | '
        f"head -n 1000 > {folder}/f$i; done && hdfs dfs -D dfs.replication=1 -put {folder} /tmp/",
    )
    fsck = run("hdfs", "fsck", folder, "-files", "-blocks", "-locations").stdout
    holders = set(re.findall(r"DatanodeInfoWithStorage\[([\d.]+):", fsck))
    assert len(holders) >= 2, fsck  # one replica each, spread: fewer DataNodes would strand some blocks

    compose(*PROJECT, "down", timeout=300, project_env=SHAPE)
    started = time.monotonic()
    # HDFS alone (hdfs-init waits for the NameNode to leave safe mode: every block reported), default shape
    rc, lines = lab_up("namenode", "datanode", "hdfs-init", timeout=300, DATANODES="1", HDFS_REPLICATION="1")
    text = "\n".join(line for _, line in lines)
    assert rc == 0, text
    assert "lab up: 3 datanode slots hold data, DATANODES=1: starting 3 datanodes" in text, text
    assert time.monotonic() - started < 300
    for path, body in files.items():
        assert run("hdfs", "dfs", "-cat", path).stdout == body, path
