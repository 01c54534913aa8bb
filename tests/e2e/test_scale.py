"""Multi-node by scaling: 3 DataNodes and 2 NodeManagers. This runs as a second, throw-away compose
project on 127.0.0.2 so the main lab's data never depends on nodes that are later scaled away."""
import time
import uuid

import pytest
import requests
from conftest import compose, exec_in

PROJECT = ["-p", "activity-lab-scale"]
SHAPE = {"LAB_BIND": "127.0.0.2", "DATANODES": "3", "NODEMANAGERS": "2", "HDFS_REPLICATION": "3"}


def poll(fn, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = fn()
            if value:
                return value
        except (requests.RequestException, KeyError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {fn.__doc__}")
        time.sleep(2)


@pytest.fixture(scope="module")
def scaled_cluster():
    # `up -d` returns once each service's dependencies are healthy; the tests then poll the REST APIs.
    up = compose(*PROJECT, "up", "-d", "namenode", "datanode", "resourcemanager",
                 "nodemanager", check=False, timeout=600, project_env=SHAPE)
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        yield
    finally:
        compose(*PROJECT, "down", "-v", "--remove-orphans", check=False, timeout=300, project_env=SHAPE)


def test_three_datanodes_live_and_a_file_gets_three_replicas(scaled_cluster):
    def live_datanodes():
        """the NameNode reports 3 live DataNodes"""
        beans = requests.get("http://127.0.0.2:9870/jmx", params={"qry": "Hadoop:service=NameNode,name=FSNamesystemState"},
                             timeout=10).json()["beans"]
        return beans[0]["NumLiveDataNodes"] == 3
    poll(live_datanodes)
    path = f"/tmp/e2e-rep3-{uuid.uuid4().hex[:8]}"
    run = lambda *cmd: exec_in("namenode", *cmd, project="activity-lab-scale")  # noqa: E731
    run("bash", "-c", f"head -c 3000000 /dev/urandom > /tmp/f && hdfs dfs -D dfs.replication=3 -put /tmp/f {path}")
    fsck = run("hdfs", "fsck", path, "-files", "-blocks", "-locations").stdout
    assert "Live_repl=3" in fsck and "is HEALTHY" in fsck, fsck


def test_yarn_lists_two_running_nodemanagers(scaled_cluster):
    def two_running():
        """YARN lists 2 RUNNING nodes"""
        nodes = requests.get("http://127.0.0.2:8088/ws/v1/cluster/nodes", timeout=10).json()["nodes"]["node"]
        return len([n for n in nodes if n["state"] == "RUNNING"]) == 2
    poll(two_running)
