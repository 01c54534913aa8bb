"""`lab up`'s decisions without containers: how many DataNodes to start, and what it says while it waits."""

import pytest

from activitylab import up
from activitylab.compose import Container


@pytest.fixture(autouse=True)
def ports_are_free(monkeypatch):
    """up.up's port check needs the engine; tests/unit/test_host_ports.py covers it."""
    monkeypatch.setattr(up, "ports_free", lambda services, out: True)


def test_no_fewer_datanodes_than_slots_holding_data(monkeypatch):
    monkeypatch.delenv("DATANODES", raising=False)
    monkeypatch.setattr(up, "slots_with_data", lambda env, service: 3)
    said = []
    assert up.worker_counts({"DATANODES": "1"}, said.append) == {"DATANODES": "3"}
    assert said == [
        "lab up: 3 datanode slots hold data, DATANODES=1: starting 3 datanodes, so every block stays "
        "readable (to run fewer for good, move their blocks first: docs/troubleshooting.md)"
    ]
    said.clear()
    assert up.worker_counts({"DATANODES": "4"}, said.append) == {} and said == []
    monkeypatch.setenv("DATANODES", "3")  # the environment (make up DATANODES=3) wins over .env, like compose
    assert up.worker_counts({"DATANODES": "1"}, said.append) == {} and said == []


def test_the_wait_line_names_what_is_not_ready_and_the_safe_mode_reason(monkeypatch):
    cs = [
        Container("p-namenode-1", "namenode", "running", "healthy", 0, []),
        Container("p-hdfs-init-1", "hdfs-init", "running", "", 0, []),
        Container("p-datanode-1", "datanode", "running", "starting", 0, []),
    ]
    monkeypatch.setattr(up, "containers", lambda: cs)
    monkeypatch.setattr(up, "safe_mode_reason", lambda env: "Safe mode is ON. It was turned on manually. ")
    assert up.waiting_for({}) == (
        "waiting for datanode(starting), hdfs-init(running)\n  the NameNode is in safe "
        "mode, so hdfs-init (and everything after HDFS) waits: Safe mode is ON. It was "
        "turned on manually."
    )
    monkeypatch.setattr(up, "safe_mode_reason", lambda env: "")
    assert up.waiting_for({}) == "waiting for datanode(starting), hdfs-init(running)"


def test_containers_left_created_by_compose_are_started_by_a_second_pass(monkeypatch):
    """compose exiting 0 with services still `created`: lab up says so and runs it again, then waits."""
    states = iter(
        [
            [
                Container("p-flume-1", "flume", "created", "", 0, []),
                Container("p-kafka-1", "kafka", "running", "healthy", 0, []),
            ],
            [Container("p-flume-1", "flume", "running", "starting", 0, [])],
        ]
    )
    calls, said = [], []
    monkeypatch.setattr(up, "read_env", lambda: {})
    monkeypatch.setattr(up, "compose_up", lambda services, env, timeout, out: calls.append(services) or 0)
    monkeypatch.setattr(up, "containers", lambda: next(states))
    monkeypatch.setattr(up, "wait", lambda timeout: 0)
    assert up.up(out=said.append) == 0
    assert len(calls) == 2
    assert said[0].startswith(
        "lab up: docker compose up -d exited 0 after 0 s but left 1 container(s) created and "
        "never started: p-flume-1; running it again"
    )


def test_lab_up_fails_naming_the_containers_compose_never_starts(monkeypatch):
    monkeypatch.setattr(up, "read_env", lambda: {})
    monkeypatch.setattr(up, "compose_up", lambda services, env, timeout, out: 0)
    monkeypatch.setattr(up, "containers", lambda: [Container("p-edge-1", "edge", "created", "", 0, [])])
    monkeypatch.setattr(up, "wait", lambda timeout: 0)
    said = []
    assert up.up(out=said.append) == 1
    assert len(said) == up.CONVERGE_TRIES and said[-1].endswith("never started: p-edge-1")


def test_a_dependency_compose_gave_up_on_as_unhealthy_is_waited_for_and_compose_runs_again(monkeypatch):
    """compose exits 1 at once when a dependency's healthcheck has failed its retries; the container comes good
    later (Docker keeps probing): lab up waits for it to be healthy and runs compose again."""
    outputs = iter([(1, "dependency failed to start: container p-hbase-regionserver-1 is unhealthy"), (0, "")])
    health = iter(["unhealthy", "unhealthy", "healthy"])

    def compose_up(services, env, timeout, out):
        rc, line = next(outputs)
        out(line)
        return rc

    def containers():
        return [Container("p-hbase-regionserver-1", "hbase-regionserver", "running", next(health, "healthy"), 0, [])]

    said = []
    monkeypatch.setattr(up, "read_env", lambda: {})
    monkeypatch.setattr(up, "compose_up", compose_up)
    monkeypatch.setattr(up, "containers", containers)
    monkeypatch.setattr(up.time, "sleep", lambda s: None)
    monkeypatch.setattr(up, "wait", lambda timeout: 0)
    assert up.up(out=said.append) == 0
    assert next(outputs, "all used") == "all used" and next(health, "all read") == "all read"
    assert said[1] == (
        "lab up: docker compose up -d gave up on p-hbase-regionserver-1 (unhealthy); Docker keeps "
        "probing, so lab up waits for it and runs compose again"
    )


def test_a_dependency_that_stays_unhealthy_fails_lab_up_naming_it(monkeypatch):
    clock = iter(range(0, 10_000, 50))
    monkeypatch.setattr(up.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(up.time, "sleep", lambda s: None)
    monkeypatch.setattr(up, "containers", lambda: [Container("p-hive-1", "hive", "running", "unhealthy", 0, [])])
    said = []
    assert up.wait_healthy_again(["p-hive-1"], 120, said.append) is False
    assert said[-1].startswith("lab up: gave up after 120 s; still not healthy: p-hive-1(unhealthy)")
