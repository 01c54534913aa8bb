"""Helpers of the end-to-end tests that drive the sites and read the topic."""

import time
from contextlib import contextmanager

from kafka import KafkaConsumer, TopicPartition

from activity_clients import endpoints
from activitylab.simctl import simulator_columns
from activitylab.sites import SITE_PORTS, counters, simulation

__all__ = [
    "SITES",
    "SIMULATED_USERS",
    "counters",
    "simulation",
    "simulation_restored",
    "settled_counters",
    "wait_until_quiet",
    "consumer_at_end",
    "drain",
    "simulator_report",
]

SITES = SITE_PORTS
SIMULATED_USERS = {f"{app}-u{i:02d}" for app in SITES for i in range(1, 11)}


@contextmanager
def simulation_restored(token, apps=tuple(SITES)):
    """Yields {app: simulation state found}; puts back paused, speed and users as found, whatever the test set."""
    found = {app: simulation(app, token) for app in apps}
    try:
        yield found
    finally:
        for app, state in found.items():
            simulation(app, token, paused=state["paused"], speed=state["speed"], users=state["users"])


def settled_counters(app, timeout=30):
    """The site's counters once its sink holds nothing queued, in flight or spooled: `produced` is bumped
    by the producer's ack callback, which can run just after a consumer already sees the message."""
    deadline = time.monotonic() + timeout
    while True:
        c = counters(app)
        if c["sink"]["queued"] == c["sink"]["in_flight"] == c["sink"]["spool_pending"] == 0:
            return c
        if time.monotonic() > deadline:
            raise AssertionError(f"{app}: sink not settled after {timeout} s: {c['sink']}")
        time.sleep(0.2)


def wait_until_quiet(app, timeout=20):
    """Waits until the site's emitted counter stops moving (the simulated users are paused)."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        now = counters(app)["sink"]["emitted"]
        if now == last:
            return
        last = now
        time.sleep(1.5)
    raise AssertionError(f"{app} kept emitting for {timeout} s after pause")


def consumer_at_end(topic="user-activity"):
    """A consumer positioned at the topic's current end: it sees only what is produced from now on."""
    consumer = KafkaConsumer(bootstrap_servers=endpoints.kafka_bootstrap(), enable_auto_commit=False)
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(parts)
    consumer.seek_to_end(*parts)
    for p in parts:
        consumer.position(p)  # resolve the end offsets now, before the test produces anything
    return consumer


def drain(consumer, until, timeout=60):
    """Polls messages into a list until `until(messages)` holds or the timeout passes."""
    got, deadline = [], time.monotonic() + timeout
    while not until(got) and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=1000).values():
            got.extend(records)
    return got


def simulator_report(app):
    """The site's simulation as its simulator last reported it, for the message of a failed assertion."""
    state = simulation(app)
    seen, requests, errors = simulator_columns(state.get("simulator"))
    return (
        f"{app}: paused={state['paused']} speed={state['speed']} users={state['users']}; simulator last seen "
        f"{seen}, {requests} page requests, {errors} failed; its counters: "
        f"{(state.get('simulator') or {}).get('counters')}"
    )
