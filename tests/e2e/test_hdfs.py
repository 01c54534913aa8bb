"""HDFS from the host through HttpFS (the WebHDFS API on 14000), and the NameNode's view."""
import os
import uuid

import requests

HTTPFS = "http://localhost:14000/webhdfs/v1"
USER = {"user.name": "root"}


def jmx(query):
    return requests.get("http://localhost:9870/jmx", params={"qry": query}, timeout=10).json()["beans"][0]


def httpfs_put(path, data, **params):
    r = requests.put(f"{HTTPFS}{path}", params={"op": "CREATE", "data": "true", "overwrite": "true", **USER, **params},
                     data=data, headers={"Content-Type": "application/octet-stream"}, timeout=60)
    assert r.status_code == 201, r.text


def httpfs_get(path):
    r = requests.get(f"{HTTPFS}{path}", params={"op": "OPEN", **USER}, timeout=60)
    assert r.status_code == 200, r.text
    return r.content


def test_one_megabyte_round_trip_through_httpfs_is_byte_identical():
    payload = os.urandom(1024 * 1024)
    path = f"/tmp/e2e-httpfs-{uuid.uuid4().hex}.bin"
    httpfs_put(path, payload)
    assert httpfs_get(path) == payload
    status = requests.get(f"{HTTPFS}{path}", params={"op": "GETFILESTATUS", **USER}, timeout=10).json()
    assert status["FileStatus"]["length"] == len(payload)
    requests.delete(f"{HTTPFS}{path}", params={"op": "DELETE", **USER}, timeout=10)


def test_namenode_reports_every_datanode_live_and_safe_mode_off():
    from activitylab.compose import containers
    datanodes = [c for c in containers() if c.service == "datanode" and c.state == "running"]
    state = jmx("Hadoop:service=NameNode,name=FSNamesystemState")
    assert state["NumLiveDataNodes"] == len(datanodes) >= 1
    assert state["NumDeadDataNodes"] == 0
    assert jmx("Hadoop:service=NameNode,name=NameNodeInfo")["Safemode"] == ""


def test_lab_folders_exist():
    listing = requests.get(f"{HTTPFS}/", params={"op": "LISTSTATUS", **USER}, timeout=10).json()
    names = {f["pathSuffix"] for f in listing["FileStatuses"]["FileStatus"]}
    assert {"data", "logs", "hbase", "tmp", "mr-history"} <= names
