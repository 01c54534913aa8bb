"""ZooKeeper answers `srvr` with a mode; Nimbus' Thrift API reports supervisors with free slots."""
from conftest import exec_in

from activitylab.compose import containers
from activitylab.nimbus import cluster_summary

SRVR = ("import socket; s = socket.create_connection(('localhost', 2181)); s.sendall(b'srvr'); "
        "print(b''.join(iter(lambda: s.recv(4096), b'')).decode())")


def test_zookeeper_srvr_reports_a_mode():
    out = exec_in("zookeeper", "python3", "-c", SRVR).stdout
    mode = [line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Mode:")]
    assert mode in (["standalone"], ["leader"], ["follower"]), out


def test_nimbus_reports_every_supervisor_with_free_slots():
    running = [c for c in containers() if c.service == "supervisor" and c.state == "running"]
    summary = cluster_summary()
    assert len(summary["supervisors"]) == len(running) >= 1
    for s in summary["supervisors"]:
        assert s["slots"] == 3 and s["slots"] - s["used"] >= 1, s
