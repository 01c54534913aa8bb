"""HDFS from the host through HttpFS (the WebHDFS API, HTTPFS_PORT), and the NameNode's view."""

import os
import uuid

from activitylab import webhdfs
from activitylab.jmx import namenode_bean


def test_one_megabyte_round_trip_through_httpfs_is_byte_identical():
    payload = os.urandom(1024 * 1024)
    path = f"/tmp/e2e-httpfs-{uuid.uuid4().hex}.bin"
    webhdfs.put(path, payload)
    assert webhdfs.read(path) == payload
    assert webhdfs.status(path)["length"] == len(payload)
    assert webhdfs.delete(path) is True


def test_namenode_reports_every_datanode_live_and_safe_mode_off():
    from activitylab.compose import containers

    datanodes = [c for c in containers() if c.service == "datanode" and c.state == "running"]
    state = namenode_bean("FSNamesystemState")
    assert state["NumLiveDataNodes"] == len(datanodes) >= 1
    assert state["NumDeadDataNodes"] == 0
    assert namenode_bean("NameNodeInfo")["Safemode"] == ""


def test_lab_folders_exist():
    names = {f["pathSuffix"] for f in webhdfs.list_dir("/")}
    assert {"data", "logs", "hbase", "tmp", "mr-history"} <= names
