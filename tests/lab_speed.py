"""Helpers of the speed layer's end-to-end tests: HBase reads and "the topology has caught up"."""

import json
import time

from activity_clients import hbase as lab_hbase
from activity_contract import names
from activity_contract.events import parse_event_time
from activitylab.storm import spout_lag

__all__ = [
    "WORKER_PROCESS",
    "site_row_after",
    "hbase",
    "counter",
    "speed_settled",
    "recent_pages",
    "session_state",
    "last_seen",
]

# The worker JVM's command line (the LogWriter that launches it names the same class, further in its arguments)
WORKER_PROCESS = "^/usr/lib/jvm/default-java/bin/java -server .*org.apache.storm.daemon.worker.Worker"


def hbase():
    return lab_hbase.connect()


def counter(conn, table, row, column):
    return names.decode_counter(conn.table(table).row(row, columns=[column]).get(column))


def speed_settled(timeout=120):
    """Waits until the spout's committed offsets reach the end of every partition of user-activity: every
    message produced so far has been fully processed (offsets are committed only after the tuple tree is acked).
    Only meaningful once producers are paused."""
    deadline, lag = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        lag = spout_lag()
        if not any(lag.values()):
            return
        time.sleep(0.5)
    raise AssertionError(f"the speed layer did not catch up within {timeout} s; lag per partition: {lag}")


def recent_pages(conn, user_id):
    raw = conn.table(names.T_USER_RECENT_PAGES).row(user_id.encode(), columns=[names.C_RECENT_PAGES])
    return json.loads(raw.get(names.C_RECENT_PAGES, b"[]"))


def session_state(conn, user_id):
    raw = conn.table(names.T_USER_RECENT_PAGES).row(user_id.encode(), columns=[names.C_USER_SESSION])
    return json.loads(raw[names.C_USER_SESSION]) if names.C_USER_SESSION in raw else None


def last_seen(conn, app_id):
    """{user_id: last event time in ms} of the site's users, as the user bolt keeps them."""
    row = conn.table(names.T_ACTIVE_USERS).row(app_id.encode(), columns=[names.LAST_SEEN_FAMILY.encode()])
    return {k.decode().split(":", 1)[1]: int(v) for k, v in row.items()}


def site_row_after(conn, app_id, column, since_ms, timeout=30):
    """The site's active_users row once `column` (an RFC 3339 time the bolts write: c:updated_at, c:health_at)
    is at or after since_ms: a value computed after everything before since_ms was processed."""
    deadline = time.monotonic() + timeout
    while True:
        row = conn.table(names.T_ACTIVE_USERS).row(app_id.encode())
        if column in row and parse_event_time(row[column].decode()).timestamp() * 1000 >= since_ms:
            return row
        if time.monotonic() > deadline:
            raise AssertionError(f"{app_id}: {column.decode()} not refreshed within {timeout} s: {row.get(column)}")
        time.sleep(0.1)
