"""`lab shell`: a shell on the edge node, where every client of the lab is installed and configured
(hdfs, yarn, mapred, beeline, spark-submit, pyspark, pig, sqoop, mahout, kafka-topics ...).
`lab shell -- CMD ARGS` runs one command there instead."""

from __future__ import annotations

import os
import subprocess
import sys

from activity_clients.checkout import ROOT

from .compose import running_container


def edge_container() -> str:
    try:
        return running_container("edge", "`make up` (not LIGHT=1); `lab status` shows why")
    except RuntimeError as exc:
        raise SystemExit(f"lab shell: {exc}") from None


def shell(command: list[str]) -> int:
    container = edge_container()
    if not command:
        if not sys.stdin.isatty():
            raise SystemExit("lab shell: no terminal; give a command: lab shell -- hdfs dfs -ls /")
        os.chdir(ROOT)
        os.execvp("docker", ["docker", "exec", "-it", "-w", "/opt/lab", container, "bash", "-l"])
    tty = ["-it"] if sys.stdin.isatty() and sys.stdout.isatty() else ["-i"]
    return subprocess.run(["docker", "exec", *tty, "-w", "/opt/lab", container, *command]).returncode
