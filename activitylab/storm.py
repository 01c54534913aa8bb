"""`lab storm deploy|kill|pause|resume|status`: the speed layer's topology on the lab's Nimbus."""

from __future__ import annotations

import sys
import time

from activity_clients import endpoints
from activity_clients.nimbus import nimbus_client, topology_summary
from activity_contract.names import SPEED_CONSUMER_GROUP, TOPIC_EVENTS, TOPOLOGY_NAME

from .compose import compose


def deploy(force: bool = False) -> int:
    """Runs the one-shot storm-deploy service (it submits when the topology is absent or changed)."""
    args = ["run", "--rm", "--no-deps", "storm-deploy"] + (["--force"] if force else [])
    return compose(*args, check=False, capture=False, timeout=600).returncode


def kill(wait_secs: int = 5, timeout_s: int = 120) -> int:
    from streamparse.thrift import KillOptions, NotAliveException

    client = nimbus_client()
    try:
        client.killTopologyWithOpts(TOPOLOGY_NAME, KillOptions(wait_secs=wait_secs))
    except NotAliveException:
        print(f"lab storm kill: {TOPOLOGY_NAME} is not running")
        return 0
    print(f"lab storm kill: {TOPOLOGY_NAME} killed (spouts stop now, workers after {wait_secs} s); waiting ...")
    deadline = time.monotonic() + timeout_s
    while topology_summary() is not None:
        if time.monotonic() > deadline:
            print(f"lab storm kill: still listed by Nimbus after {timeout_s} s", file=sys.stderr)
            return 1
        time.sleep(1)
    print("lab storm kill: gone. `lab storm deploy` (or `make up`) submits it again.")
    return 0


def pause(timeout_s: int = 60) -> int:
    """Deactivates the topology: Storm stops calling its spout, so nothing more is read from Kafka (in-flight
    tuples still finish) and the spout's lag grows; `resume` picks up where it stopped."""
    return _set_active(False, timeout_s)


def resume(timeout_s: int = 60) -> int:
    return _set_active(True, timeout_s)


def _set_active(active: bool, timeout_s: int) -> int:
    from streamparse.thrift import NotAliveException

    verb, want = ("resume", "ACTIVE") if active else ("pause", "INACTIVE")
    client = nimbus_client()
    try:
        (client.activate if active else client.deactivate)(TOPOLOGY_NAME)
    except NotAliveException:
        print(f"lab storm {verb}: {TOPOLOGY_NAME} is not running (`lab storm deploy` submits it)", file=sys.stderr)
        return 1
    deadline = time.monotonic() + timeout_s
    while (t := topology_summary()) is None or t["status"] != want:
        if time.monotonic() > deadline:
            print(f"lab storm {verb}: not {want} after {timeout_s} s", file=sys.stderr)
            return 1
        time.sleep(0.5)
    what = "reading from Kafka again" if active else "its spout reads nothing until `lab storm resume`"
    print(f"lab storm {verb}: {TOPOLOGY_NAME} {want}: {what}")
    return 0


def spout_offsets(bootstrap: str | None = None) -> dict[int, tuple[int | None, int]]:
    """Per partition of user-activity: (the offset the topology's spout has committed, None before its first; the
    topic's end offset). The spout commits an offset only once the tuple trees before it are acked."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap or endpoints.kafka_bootstrap(),
        group_id=SPEED_CONSUMER_GROUP,
        enable_auto_commit=False,
    )
    try:
        parts = [TopicPartition(TOPIC_EVENTS, p) for p in consumer.partitions_for_topic(TOPIC_EVENTS) or ()]
        ends = consumer.end_offsets(parts)
        return {tp.partition: (consumer.committed(tp), ends[tp]) for tp in parts}
    finally:
        consumer.close()


def spout_lag(bootstrap: str | None = None) -> dict[int, int]:
    """Per partition of user-activity: messages not yet processed and committed by the topology's spout."""
    return {p: end - (committed or 0) for p, (committed, end) in spout_offsets(bootstrap).items()}


def status_lines(t: dict | None, lag: dict[int, int] | None = None) -> list[str]:
    lag_line = (
        [f"  Kafka lag of the spout: {sum(lag.values())} message(s) of {TOPIC_EVENTS} not yet processed"]
        if lag is not None
        else []
    )
    if t is None:
        return [f"topology {TOPOLOGY_NAME}: not running (`lab storm deploy` submits it)"] + lag_line
    return [
        f"topology {t['name']}: {t['status']}, up {t['uptime_s']} s, {t['workers']} worker(s), "
        f"{t['executors']} executors (worker up {t['worker_uptime_s']} s)",
        f"  tuples: emitted {t['emitted']}, transferred {t['transferred']}, acked {t['acked']}, failed {t['failed']}; "
        f"complete latency {t['complete_latency_ms']} ms (10-minute average)",
    ] + lag_line


def status() -> int:
    try:
        t = topology_summary()
    except Exception as exc:  # Nimbus down or lab stopped: say so, don't trace back
        print(f"lab storm status: Nimbus not reachable on {endpoints.address('nimbus')}: {exc}", file=sys.stderr)
        return 1
    try:
        lag = spout_lag()
    except Exception as exc:  # Kafka down: the topology's own numbers are still worth showing
        print(f"(Kafka not reachable on {endpoints.kafka_bootstrap()} for the spout's lag: {exc})", file=sys.stderr)
        lag = None
    print("\n".join(status_lines(t, lag)))
    return 0 if t is not None and t["status"] == "ACTIVE" else 1
