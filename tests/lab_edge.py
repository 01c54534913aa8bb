"""Helpers for the end-to-end tests that run the lab's clients on the edge node, as users do with `lab shell`."""

import os

import requests
from conftest import exec_in

from activity_clients import endpoints

JOBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e", "jobs")


def edge(*cmd, timeout=900, input_text=None, check=True):
    """Runs a command on the edge node; fails with its output when it exits non-zero and check is set."""
    return exec_in("edge", *cmd, timeout=timeout, input_text=input_text, check=check)


def ship(name, dest_dir="/tmp/e2e-jobs"):
    """Copies a job from tests/e2e/jobs onto the edge node; returns its path there."""
    with open(os.path.join(JOBS, name), encoding="utf-8") as f:
        edge("sh", "-c", f"mkdir -p {dest_dir} && cat > {dest_dir}/{name}", input_text=f.read())
    return f"{dest_dir}/{name}"


def hdfs_put(path, text):
    """Writes text to an HDFS file from the edge node (its parent folders are created)."""
    edge("sh", "-c", f"hdfs dfs -mkdir -p $(dirname {path}) && hdfs dfs -put -f - {path}", input_text=text)


def hdfs_cat(pattern):
    return edge("sh", "-c", f"hdfs dfs -cat {pattern}").stdout


def yarn_app(app_id):
    return requests.get(endpoints.url("resourcemanager", f"/ws/v1/cluster/apps/{app_id}"), timeout=10).json()["app"]
