"""The Flume agent from the host: its metrics, its container, and waiting until what it holds is in HDFS."""

from __future__ import annotations

import time

import requests

from activity_clients import endpoints

from .compose import running_container

METRICS = endpoints.url("flume", "/metrics")


def metrics() -> dict:
    """The agent's counters: {"SOURCE.access": {...}, "CHANNEL.disk": {...}, "SINK.hdfs": {...}, ...}."""
    return requests.get(METRICS, timeout=10).json()


def container() -> str:
    return running_container("flume")


def wait_channel_written(timeout: float) -> None:
    """Until the sink has written to HDFS everything in the channel now. The channel is first in, first out
    with one sink, so once the sink has drained as many events as were queued, all of those are written."""
    m = metrics()
    goal = int(m["SINK.hdfs"]["EventDrainSuccessCount"]) + int(m["CHANNEL.disk"]["ChannelSize"])
    deadline = time.monotonic() + timeout
    while (drained := int(metrics()["SINK.hdfs"]["EventDrainSuccessCount"])) < goal:
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"Flume's sink wrote {drained} of the {goal} events it had to reach in {timeout:.0f} s "
                "(see `docker compose logs flume`)"
            )
        time.sleep(0.5)
