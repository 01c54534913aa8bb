"""Airflow's StatsD lines as Prometheus series (monitoring/statsd_receiver.py): parsing, adding up, the exposition
Prometheus reads, and a datagram over a real UDP socket."""

from __future__ import annotations

import socket
import time

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from monitoring.statsd_receiver import Line, StatsdCollector, StatsdTotals, parse_line, serve_udp


def test_a_line_with_influxdb_tags():
    assert parse_line("airflow.ti.finish,dag_id=lab_smoke,task_id=hdfs.ls,state=success:1|c") == Line(
        "airflow_ti_finish", "counter", (("dag_id", "lab_smoke"), ("state", "success"), ("task_id", "hdfs.ls")), 1.0
    )
    assert parse_line("airflow.scheduler.scheduler_loop_duration:12.5|ms").kind == "timer"
    assert parse_line("airflow.pool.open_slots,pool_name=default_pool:128|g").value == 128
    assert parse_line("airflow.dag-processing.x:3|c|@0.5").value == 6.0  # sampled: each line stands for two
    assert parse_line("airflow.executor.queued_tasks:-2|g").relative


@pytest.mark.parametrize(
    "text",
    ["no value", "name:1", "name:1|x", "name:abc|c", ":1|c", "name,tag:1|c", "name:1|c|@0", "name:1|c|@2"],
)
def test_what_is_not_statsd_is_refused(text):
    with pytest.raises(ValueError):
        parse_line(text)


def exposition(totals: StatsdTotals) -> dict[tuple[str, tuple], float]:
    registry = CollectorRegistry()
    registry.register(StatsdCollector(totals))
    text = generate_latest(registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_counters_add_up_gauges_hold_timers_become_summaries_in_seconds():
    totals = StatsdTotals()
    totals.add_packet(
        b"airflow.ti.finish,dag_id=d,task_id=t,state=success:1|c\n"
        b"airflow.ti.finish,dag_id=d,task_id=t,state=success:1|c\n"
        b"airflow.ti.finish,dag_id=d,task_id=u,state=failed:1|c\n"
        b"airflow.executor.open_slots:4|g\nairflow.executor.open_slots:3|g\nairflow.executor.open_slots:-1|g\n"
        b"airflow.dagrun.duration,dag_id=d:1500|ms\nairflow.dagrun.duration,dag_id=d:500|ms\n"
        b"not a line\n"
    )
    series = exposition(totals)
    assert series[("airflow_ti_finish_total", (("dag_id", "d"), ("state", "success"), ("task_id", "t")))] == 2
    assert series[("airflow_ti_finish_total", (("dag_id", "d"), ("state", "failed"), ("task_id", "u")))] == 1
    assert series[("airflow_executor_open_slots", ())] == 2  # set to 3, then moved by -1
    assert series[("airflow_dagrun_duration_seconds_count", (("dag_id", "d"),))] == 2
    assert series[("airflow_dagrun_duration_seconds_sum", (("dag_id", "d"),))] == 2.0
    assert series[("activitylab_statsd_bad_lines_total", ())] == 1


def test_a_name_sent_as_two_kinds_keeps_its_first_and_the_scrape_stays_valid():
    totals = StatsdTotals()
    totals.add("airflow.x:1|c")
    totals.add("airflow.x:5|g")
    series = exposition(totals)  # parsing it back would fail on a second TYPE for the name
    assert series[("airflow_x_total", ())] == 1 and ("airflow_x", ()) not in series


def test_datagrams_over_udp():
    totals = StatsdTotals()
    port = serve_udp(totals, 0)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for _ in range(3):
            sender.sendto(b"airflow.scheduler.heartbeat:1|c", ("127.0.0.1", port))
    deadline = time.monotonic() + 5
    while totals.counters.get(("airflow_scheduler_heartbeat", "counter", ())) != 3:
        assert time.monotonic() < deadline, totals.counters
        time.sleep(0.05)
