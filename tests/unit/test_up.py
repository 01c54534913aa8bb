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
