"""`lab up`'s decisions without containers: how many DataNodes to start, and what it says while it waits."""
from activitylab import up
from activitylab.compose import Container


def test_no_fewer_datanodes_than_slots_holding_data(monkeypatch):
    monkeypatch.delenv("DATANODES", raising=False)
    monkeypatch.setattr(up, "slots_with_data", lambda env, service: 3)
    said = []
    assert up.worker_counts({"DATANODES": "1"}, said.append) == {"DATANODES": "3"}
    assert said == ["lab up: 3 datanode slots hold data, DATANODES=1: starting 3 datanodes, so every block stays "
                    "readable (to run fewer for good, move their blocks first: docs/troubleshooting.md)"]
    said.clear()
    assert up.worker_counts({"DATANODES": "4"}, said.append) == {} and said == []
    monkeypatch.setenv("DATANODES", "3")   # the environment (make up DATANODES=3) wins over .env, like compose
    assert up.worker_counts({"DATANODES": "1"}, said.append) == {} and said == []


def test_the_wait_line_names_what_is_not_ready_and_the_safe_mode_reason(monkeypatch):
    cs = [Container("p-namenode-1", "namenode", "running", "healthy", 0, []),
          Container("p-hdfs-init-1", "hdfs-init", "running", "", 0, []),
          Container("p-datanode-1", "datanode", "running", "starting", 0, [])]
    monkeypatch.setattr(up, "containers", lambda: cs)
    monkeypatch.setattr(up, "safe_mode_reason", lambda env: "Safe mode is ON. It was turned on manually. ")
    assert up.waiting_for({}) == ("waiting for datanode(starting), hdfs-init(running)\n  the NameNode is in safe "
                                  "mode, so hdfs-init (and everything after HDFS) waits: Safe mode is ON. It was "
                                  "turned on manually.")
    monkeypatch.setattr(up, "safe_mode_reason", lambda env: "")
    assert up.waiting_for({}) == "waiting for datanode(starting), hdfs-init(running)"


def test_containers_left_created_by_compose_are_started_by_a_second_pass(monkeypatch):
    """compose exiting 0 with services still `created`: lab up says so and runs it again, then waits."""
    states = iter([[Container("p-flume-1", "flume", "created", "", 0, []),
                    Container("p-kafka-1", "kafka", "running", "healthy", 0, [])],
                   [Container("p-flume-1", "flume", "running", "starting", 0, [])]])
    calls, said = [], []
    monkeypatch.setattr(up, "read_env", lambda: {})
    monkeypatch.setattr(up, "compose_up", lambda services, env, timeout, out: calls.append(services) or 0)
    monkeypatch.setattr(up, "containers", lambda: next(states))
    monkeypatch.setattr(up, "wait", lambda timeout: 0)
    assert up.up(out=said.append) == 0
    assert len(calls) == 2
    assert said[0].startswith("lab up: docker compose up -d exited 0 after 0 s but left 1 container(s) created and "
                              "never started: p-flume-1; running it again")


def test_lab_up_fails_naming_the_containers_compose_never_starts(monkeypatch):
    monkeypatch.setattr(up, "read_env", lambda: {})
    monkeypatch.setattr(up, "compose_up", lambda services, env, timeout, out: 0)
    monkeypatch.setattr(up, "containers", lambda: [Container("p-edge-1", "edge", "created", "", 0, [])])
    monkeypatch.setattr(up, "wait", lambda timeout: 0)
    said = []
    assert up.up(out=said.append) == 1
    assert len(said) == up.CONVERGE_TRIES and said[-1].endswith("never started: p-edge-1")
