"""What the Mahout step's jobs (recommend.py, segment.py, evaluate.py) share: the day's input the daily ETL wrote
(spark_jobs/mahout_inputs.py), commands run with their output in the task log, and a Hive partition replaced.
Runs on the edge node and the Airflow services (mahout and beeline on PATH, HttpFS at `httpfs:14000`)."""

from __future__ import annotations

import os
import subprocess
import sys

from activity_clients.webhdfs import WebHdfs
from activity_contract import names

# HDFS through HttpFS (activity_clients/webhdfs.py), not a JVM per `hdfs dfs` call (each 1-2 s of CPU, a dozen per
# task, three tasks side by side on two cores); Mahout's own jobs still read and write HDFS themselves.
httpfs = WebHdfs(os.environ.get("HTTPFS_URL", "http://httpfs:14000/webhdfs/v1"))


def base(day: str) -> str:
    return f"{names.HDFS_MAHOUT}/dt={day}"


def run(*command: str, capture: bool = False) -> str:
    """Runs a command, echoing it; its errors go to the task log, a failure ends the job with its exit code."""
    print("+", " ".join(command), flush=True)
    done = subprocess.run(command, stdout=subprocess.PIPE if capture else None, text=True)
    if done.returncode:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}")
    return done.stdout or ""


def read_rows(folder: str, sep: str = "\t") -> list[list[str]]:
    """The rows of a folder of text part files the daily ETL (or Mahout) wrote (no part file: the day had nothing of
    the kind). No folder: the day's spark_etl has not run, which ends the job saying so rather than writing empty
    tables. Read through HttpFS."""
    print(f"+ read {folder}/part-*", flush=True)
    listed = httpfs.list_names(folder)
    if listed is None:
        sys.exit(
            f"{folder}: no such folder\nno input from the daily ETL for this day: "
            "run its spark_etl task first (lab batch run --date D runs every task)"
        )
    text = "".join(httpfs.read(f"{folder}/{name}").decode() for name in sorted(listed) if name.startswith("part-"))
    return [line.split(sep) for line in text.splitlines() if line]


def remove(*paths: str) -> None:
    """Deletes files or folders with all they hold, if there (`hdfs dfs -rm -r -f`)."""
    for path in paths:
        print(f"+ remove {path}", flush=True)
        httpfs.delete(path, recursive=True)


def active_users(day: str) -> dict[int, dict]:
    """user_no -> {app_id, user_id, the k-means features as ints} of every user active that day."""
    users = {}
    for no, app, user, *features in read_rows(f"{base(day)}/users"):
        users[int(no)] = {
            "app_id": app,
            "user_id": user,
            **dict(zip(names.SEGMENT_FEATURES, map(int, features), strict=True)),
        }
    return users


def hive_text(value) -> str:
    """A field of Hive's delimited text: NULL as \\N; no tab or newline can reach one (paths and ids)."""
    return "\\N" if value is None else str(value)


def put_text(path: str, text: str) -> None:
    """A new HDFS file with this text (its folder made as needed)."""
    print(f"+ write {path}", flush=True)
    httpfs.write(path, text.encode())


def replace_partition(table: str, day: str, rows: list[tuple]) -> None:
    """The day's partition of an external text table (tab-separated) replaced whole by these rows; no rows: the
    partition dropped, so a rerun of a day that lost its users leaves none of the old ones."""
    folder = f"{names.HDFS_WAREHOUSE}/{table}/dt={day}"
    text = "".join("\t".join(hive_text(v) for v in row) + "\n" for row in rows)
    remove(folder)
    qualified = f"{names.HIVE_DATABASE}.{table}"
    ddl = f"ALTER TABLE {qualified} DROP IF EXISTS PARTITION (dt = '{day}')"
    if rows:
        put_text(f"{folder}/000000_0", text)
        ddl = f"ALTER TABLE {qualified} ADD IF NOT EXISTS PARTITION (dt = '{day}')"
    run("beeline", "--silent=true", "-e", ddl)
    print(f"{table} {day}: {len(rows)} rows", flush=True)
