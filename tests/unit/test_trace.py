"""`lab trace`'s pure parts (activitylab/trace_report.py): where the speed layer marks an event, which access-log
line is its request, and the report."""

from __future__ import annotations

import json

from activity_contract import names
from activity_contract.events import parse_event_time
from activitylab.trace_report import NOT_YET, THERE, Hop, KafkaRecord, as_json, is_its_request, render, speed_rows
from event_cases import valid_event
from producers.logs import combined_log_line
from storm_topology.speedlayer.routing import counter_updates, split_key


def event(event_type="page_view", status=200, page="/product/7"):
    return valid_event(
        event_type=event_type,
        user_id="shop-u03",
        page=page,
        http_status=status,
        event_time="2026-12-07T19:35:59.377Z",
    )


def test_the_rows_traced_are_the_ones_the_speed_layer_counts_in():
    for e in (event(), event("click"), event(status=503)):
        counted = {
            split_key(key): {f"{names.FAMILY}:{c}".encode() for c in deltas} for key, deltas in counter_updates(e)
        }
        traced = {(table, row): set(cols) for table, row, cols in speed_rows(e) if table != names.T_USER_RECENT_PAGES}
        assert traced == counted
        assert (names.T_USER_RECENT_PAGES, b"shop-u03", []) in speed_rows(e)  # the user bolt's marker


def access_line(**changes):
    fields = dict(
        host="172.18.0.1",
        user="shop-u03",
        time=parse_event_time("2026-12-07T19:35:59.377Z"),
        method="GET",
        uri="/product/7?ref=home",
        protocol="HTTP/1.1",
        status=200,
        size=3041,
        referer=None,
        user_agent="curl/7.88.1",
    )
    return combined_log_line(**{**fields, **changes})


def test_its_request_is_the_line_of_its_user_second_path_and_status():
    e = event()
    assert is_its_request(access_line(), e)
    assert not is_its_request(access_line(user="shop-u04"), e)
    assert not is_its_request(access_line(time=parse_event_time("2026-12-07T19:36:00.001Z")), e)
    assert not is_its_request(access_line(uri="/product/8"), e)
    assert not is_its_request(access_line(status=404), e)
    assert not is_its_request("garbage", e)


def test_the_report_names_each_hop_with_its_delay_after_the_event():
    e = event()
    record = KafkaRecord(2, 201, 1796672159393, "broker", e)  # 16 ms after the event's time
    hops = [
        Hop("Kafka", THERE, 1796672159393, ["user-activity partition 2, offset 201"]),
        Hop("archive (Parquet)", NOT_YET, lines=["next micro-batch within 60 s"]),
    ]
    text = "\n".join(render(record, hops))
    assert f"event {e['event_id']}: page_view of shop /product/7 by shop-u03" in text
    assert "Kafka              there      +0.016 s" in text
    assert "archive (Parquet)  not yet" in text and "next micro-batch within 60 s" in text
    report = json.loads(as_json(record, hops))
    assert report["kafka"] == {"partition": 2, "offset": 201, "timestamp_ms": 1796672159393, "timestamp_type": "broker"}
    assert [(h["state"], h["delay_ms"]) for h in report["hops"]] == [("there", 16), ("not yet", None)]
