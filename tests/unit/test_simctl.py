"""`lab sim status`'s simulator columns: when the simulator last reported, its requests and failures."""

import time

from activitylab.simctl import simulator_columns


def test_a_simulator_that_never_reported_says_so():
    assert simulator_columns(None) == ("never", "-", "-")


def test_heartbeat_age_requests_and_every_kind_of_failure():
    status = {
        "heartbeat": time.time() - 7.2,
        "counters": {
            "page_requests": 120,
            "connection_errors": 2,
            "collect_errors": 1,
            "session_failures": 3,
            "events_sent": 99,
        },
    }
    seen, requests, errors = simulator_columns(status)
    assert seen in ("7 s ago", "8 s ago")
    assert (requests, errors) == (120, 6)


def test_a_simulator_with_no_requests_yet():
    assert simulator_columns({"heartbeat": time.time(), "counters": {}}) == ("0 s ago", 0, 0)
