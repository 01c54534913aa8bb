"""Helpers for the tests of the cold archive and the Hive tables over it, read as users read them: PyHive."""

import subprocess
import time

from activity_clients import hive as lab_hive
from activitylab.compose import containers


def hive_cursor():
    """A PyHive cursor on HiveServer2, database activity, as a user on the host opens one."""
    return lab_hive.connect().cursor()


def hive_rows(sql):
    cur = hive_cursor()
    try:
        cur.execute(sql)
        return cur.fetchall()
    finally:
        cur.close()


def container_state(service):
    """(state, restarts Docker made) of the service's first container, running or not."""
    name = next(c.name for c in containers() if c.service == service)
    out = subprocess.run(
        ["docker", "inspect", "-f", "{{.State.Status}} {{.RestartCount}}", name],
        text=True,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout.split()
    return out[0], int(out[1])


def wait_for(what, check, timeout, every=5):
    """Polls check() until it returns something truthy; fails naming `what` and its last value."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout} s (last: {str(last)[:500]})")
