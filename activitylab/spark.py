"""Spark on the lab's YARN, read from the host: the application id spark-submit reports, and the History
Server's record of it (SPARK_HISTORY_PORT, 18080). Used by `lab smoke` and the end-to-end tests."""

from __future__ import annotations

import re
import time

import requests

from activity_clients import endpoints

HISTORY = endpoints.url("spark-history", "/api/v1")
APP_ID = re.compile(r"Submit(?:ted|ting) application (application_\d+_\d+)")


def submitted_app(output: str) -> str:
    """The YARN application id spark-submit reported in its output (its last one)."""
    found = APP_ID.findall(output)
    assert found, f"no 'Submitting application' line in:\n{output[-3000:]}"
    return found[-1]


def history_server_app(app_id: str, timeout: float = 90) -> requests.Response:
    """The History Server's answer for the application: 200 once it has read its event log, or its last answer
    when the timeout passes first."""
    deadline = time.monotonic() + timeout
    while True:
        r = requests.get(f"{HISTORY}/applications/{app_id}", timeout=10)
        if r.status_code == 200 or time.monotonic() > deadline:
            return r
        time.sleep(2)
