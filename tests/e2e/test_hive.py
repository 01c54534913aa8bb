"""Hive 4.0.1 (metastore on PostgreSQL, HiveServer2, MapReduce on YARN), reached as users reach it: PyHive
from the host and `lab beeline -e`. An external table over a file the test writes to HDFS gives back exactly
that file's rows, through both; an INSERT ... SELECT runs as a YARN application that ends SUCCEEDED and counts them."""

import os
import subprocess
import time
import uuid

import requests
from conftest import ROOT

from activity_clients import endpoints
from activitylab import webhdfs
from lab_archive import hive_cursor

ROWS = [(i, f"/page/{i % 7}", round(i * 1.5, 1)) for i in range(1, 101)]
LAB = os.path.join(ROOT, ".venv", "bin", "lab")


def beeline(*args):
    proc = subprocess.run(
        [LAB, "beeline", "--silent=true", "--outputformat=csv2", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.splitlines()


def test_external_table_over_an_hdfs_file_through_pyhive_and_beeline():
    run = uuid.uuid4().hex[:8]
    folder, table = f"/tmp/e2e-hive-{run}", f"e2e_pages_{run}"
    webhdfs.put(f"{folder}/part-0.csv", "".join(f"{i},{p},{s}\n" for i, p, s in ROWS).encode())
    cur = hive_cursor()
    cur.execute(
        f"CREATE EXTERNAL TABLE {table} (id INT, page STRING, score DOUBLE) "
        f"ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS TEXTFILE LOCATION '{folder}'"
    )
    # Every row, value for value (a plain SELECT is a fetch task: HiveServer2 reads the file itself, no YARN job;
    # the next test runs one)
    cur.execute(f"SELECT id, page, score FROM {table}")
    assert sorted(cur.fetchall()) == ROWS
    cur.execute(f"SELECT id, page, score FROM {table} WHERE id = 42")
    assert cur.fetchall() == [(42, "/page/0", 63.0)]
    lines = beeline("-e", f"SELECT id, page, score FROM {table}")
    assert lines[0] == "id,page,score" and sorted(lines[1:]) == sorted(f"{i},{p},{s}" for i, p, s in ROWS)
    assert beeline("-e", f"SELECT id, page, score FROM {table} WHERE id = 42") == ["id,page,score", "42,/page/0,63.0"]
    cur.execute(f"DROP TABLE {table}")


def test_insert_select_runs_on_yarn_and_succeeds():
    run = uuid.uuid4().hex[:8]
    folder, source, target = f"/tmp/e2e-hive-agg-{run}", f"e2e_src_{run}", f"e2e_agg_{run}"
    webhdfs.put(f"{folder}/part-0.csv", "".join(f"{i},{p},{s}\n" for i, p, s in ROWS).encode())
    cur = hive_cursor()
    cur.execute(
        f"CREATE EXTERNAL TABLE {source} (id INT, page STRING, score DOUBLE) "
        f"ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '{folder}'"
    )
    cur.execute(f"CREATE TABLE {target} (page STRING, views BIGINT) STORED AS ORC")
    cur.execute("SET hive.jobname.length=500")  # the whole statement as the job's name (default: cut to 50)
    started_ms = int(time.time() * 1000) - 5000
    cur.execute(f"INSERT INTO {target} SELECT page, count(*) FROM {source} GROUP BY page")
    cur.execute(f"SELECT page, views FROM {target}")  # a fetch task: the INSERT is the test's one YARN job
    expected = {}
    for _, page, _ in ROWS:
        expected[page] = expected.get(page, 0) + 1
    assert sorted(cur.fetchall()) == sorted(expected.items())

    apps = requests.get(
        endpoints.url("resourcemanager", "/ws/v1/cluster/apps"),
        params={"applicationTypes": "MAPREDUCE", "startedTimeBegin": started_ms},
        timeout=10,
    ).json()
    mine = [a for a in (apps["apps"] or {}).get("app", []) if a["name"].startswith(f"INSERT INTO {target} ")]
    assert mine, f"no MapReduce application named after {target}: {apps}"
    assert {a["finalStatus"] for a in mine} == {"SUCCEEDED"}, mine
    cur.execute(f"DROP TABLE {target}")
    cur.execute(f"DROP TABLE {source}")
