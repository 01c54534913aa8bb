"""ZooKeeper answers `srvr` with a mode; Nimbus' Thrift API reports supervisors with free slots."""

from activity_clients.nimbus import cluster_summary
from activitylab.compose import containers, zookeeper_mode


def test_zookeeper_srvr_reports_a_mode():
    assert zookeeper_mode() in ("standalone", "leader", "follower")


def test_nimbus_reports_every_supervisor_with_free_slots():
    running = [c for c in containers() if c.service == "supervisor" and c.state == "running"]
    summary = cluster_summary()
    assert len(summary["supervisors"]) == len(running) >= 1
    for s in summary["supervisors"]:
        assert s["slots"] == 3 and s["slots"] - s["used"] >= 1, s
