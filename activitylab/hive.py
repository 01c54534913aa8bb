"""`lab beeline` and `lab hive run NAME`: beeline inside the lab (HiveServer2 4.0.1, database `activity`).

beeline runs in the hiveserver2 container (Hive 3.1.3's beeline: no 4.0.x client is published), so the host
needs no Java. `-f FILE` reads a file of the host: its text goes to beeline's standard input.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from activity_clients.checkout import ROOT
from activity_contract.names import HIVE_JDBC_URL

from .compose import running_container

QUERIES = Path(ROOT) / "hive" / "queries"
URL = HIVE_JDBC_URL


def hiveserver2_container() -> str:
    try:
        return running_container("hiveserver2", "`make up`; `lab status` shows why")
    except RuntimeError as exc:
        raise SystemExit(f"lab beeline: {exc}") from None


def beeline_command(args: list[str], interactive: bool, container: str) -> tuple[list[str], str | None]:
    """(the docker command, text for stdin or None): `-f HOSTFILE` becomes `-f /dev/stdin` with the file's text.
    `docker exec`, not `docker compose exec`: the latter can return 0 for a failed command
    (docs/troubleshooting.md)."""
    args, stdin_text = list(args), None
    if "-f" in args:
        i = args.index("-f")
        if i + 1 >= len(args):
            raise SystemExit("lab beeline: -f needs a file")
        path = Path(args[i + 1])
        if not path.is_file():
            raise SystemExit(f"lab beeline: no such file: {path}")
        stdin_text, args[i + 1] = path.read_text(encoding="utf-8"), "/dev/stdin"
    if not any(a == "-u" for a in args):
        args = ["-u", URL, *args]
    tty = ["-it"] if interactive and stdin_text is None else ["-i"] if stdin_text is not None else []
    return ["docker", "exec", *tty, container, "beeline", *args], stdin_text


def beeline(args: list[str]) -> int:
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not ({"-e", "-f"} & set(args))
    cmd, stdin_text = beeline_command(args, interactive, hiveserver2_container())
    if interactive:
        os.chdir(ROOT)
        os.execvp(cmd[0], cmd)  # beeline's own prompt, history and line editing
    proc = subprocess.run(cmd, cwd=ROOT, input=stdin_text, text=True)
    return proc.returncode


def saved_queries() -> list[str]:
    return sorted(p.stem for p in QUERIES.glob("*.sql"))


def run_saved(name: str, extra: list[str]) -> int:
    path = QUERIES / f"{name}.sql"
    if not path.is_file():
        print(
            f"lab hive run: no saved query {name!r}; saved queries: {', '.join(saved_queries()) or 'none'}",
            file=sys.stderr,
        )
        return 2
    return beeline(["--silent=true", "-f", str(path), *extra])
