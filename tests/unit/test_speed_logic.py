"""The speed layer's pure logic (storm_topology/speedlayer): offsets, routing, rows, sessions, alerts, settings.

No Storm, Kafka or HBase: each module is plain functions over dicts and bytes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from activity_contract import names
from activity_contract.events import decode_message, format_event_time
from event_cases import valid_event
from speedlayer.alerts import Alert, Cooldown, SiteWindow, evaluate, percentile, zscore
from speedlayer.offsets import OffsetTracker
from speedlayer.routing import MAX_RAW_CHARS, counter_updates, dlq_record, event_ms, parse, site_sample, split_key
from speedlayer.rows import apply_counters, counter_columns
from speedlayer.sessions import (
    decode_session_row,
    encode_session_row,
    is_idle,
    next_session,
    push_recent,
    session_update,
)
from speedlayer.settings import Settings

BASE = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
BASE_MS = 1796119200000  # BASE in epoch milliseconds
MINUTE_MS = 60_000


def at(minutes: float = 0, ms: int = 0) -> str:
    """The v1 event time `minutes` (+ `ms`) after BASE."""
    return format_event_time(BASE + timedelta(minutes=minutes, milliseconds=ms))


def uid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def ev(event_type="page_view", page="/a", t=None, sid="s1", eid=None, **more) -> dict:
    """A valid v1 event (the shared factory's geo/device values) with the fields these tests vary."""
    return valid_event(event_type=event_type, page=page, event_time=t or at(), session_id=sid, event_id=eid, **more)


# ---------------------------------------------------------------- offsets


def tracker(emitted: dict[int, range | list[int]]) -> OffsetTracker:
    t = OffsetTracker()
    for partition, offsets in emitted.items():
        for o in offsets:
            t.emitted(partition, o)
    return t


def ack(t: OffsetTracker, partition: int, *offsets: int) -> dict[int, int]:
    """Ack these offsets, then what is committable."""
    for o in offsets:
        t.acked(partition, o)
    return t.committable()


def test_commit_offset_is_lowest_in_flight_then_one_past_highest_emitted():
    t = tracker({0: [5, 6, 7]})
    assert t.committable() == {0: 5} and t.in_flight() == 3
    assert ack(t, 0, 5, 6) == {0: 7}
    assert ack(t, 0, 7) == {0: 8} and t.in_flight() == 0


def test_nothing_is_committable_twice():
    t = tracker({0: [0]})
    t.mark_committed(ack(t, 0, 0))
    assert t.committable() == {}
    t.emitted(0, 1)  # in flight: the safe offset is still 1, already committed
    assert t.committable() == {}
    assert ack(t, 0, 1) == {0: 2}


def test_out_of_order_acks_hold_the_commit_at_the_oldest_unacked():
    t = tracker({0: range(5)})
    assert ack(t, 0, 4, 2, 3) == {0: 0}
    assert ack(t, 0, 0) == {0: 1}
    assert ack(t, 0, 1) == {0: 5}


def test_partitions_are_tracked_independently():
    t = tracker({0: [10, 11], 1: [3]})
    assert ack(t, 1, 3) == {0: 10, 1: 4}
    t.mark_committed({0: 10, 1: 4})
    assert ack(t, 0, 10) == {0: 11}


def test_forget_drops_a_partition_and_its_committed_offset():
    t = tracker({0: range(3), 1: [0]})
    t.mark_committed({0: 3})
    t.forget(0)
    assert t.in_flight() == 1 and t.committable() == {1: 0}
    t.emitted(0, 1)  # re-read after a seek back: committable again from 1
    assert t.committable() == {0: 1, 1: 0}


# ---------------------------------------------------------------- routing


def test_decode_message_null_value_and_invalid_utf8():
    assert decode_message(None) == ("", "$: empty message (null value)")
    assert decode_message("é".encode()) == ("é", None)
    text, reason = decode_message(b'{"a": "\xff"}')
    assert text == '{"a": "\ufffd"}'
    assert reason == "$: message is not valid UTF-8 (invalid start byte at byte 7)"


def test_parse_a_valid_event():
    e = ev()
    assert parse(json.dumps(e)) == (e, None)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("hello", "$: body is not valid JSON: Expecting value: line 1 column 1 (char 0)"),
        ("null", "$: None is not of type 'object'"),
        ("[" * 100_000, "$: body is not valid JSON: nested too deeply"),  # was a RecursionError
    ],
)
def test_parse_rejects_what_is_not_a_json_object(text, reason):
    assert parse(text) == (None, reason)


def test_parse_names_the_missing_field_and_joins_several_errors():
    e = ev()
    del e["event_time"]
    assert parse(json.dumps(e)) == (None, "event_time: required field is missing")
    e["http_status"] = "200"
    assert parse(json.dumps(e)) == (
        None,
        "event_time: required field is missing; http_status: '200' is not of type 'integer'",
    )


def test_dlq_record_shape_and_truncation():
    assert json.loads(dlq_record("caf\ufffd", "$: why")) == {"error": "$: why", "raw": "caf\ufffd"}
    assert json.loads(dlq_record("x" * MAX_RAW_CHARS, "r"))["error"] == "r"
    cut = json.loads(dlq_record("x" * (MAX_RAW_CHARS + 5), "r"))
    assert cut == {"error": "r (raw cut to 65536 characters)", "raw": "x" * MAX_RAW_CHARS}


def test_page_view_counts_its_minute_and_its_page():
    e = ev(page="/product/3", t="2026-12-01T10:07:59.999Z", app_id="shop")
    updates = counter_updates(e)
    assert updates == [
        ("activity:minute_stats|shop#202612011007", {"events": 1, "page_views": 1, "errors": 0}),
        ("activity:page_counts|shop#/product/3", {"views": 1, "views_20261201": 1}),
    ]
    assert [split_key(k) for k, _ in updates] == [
        (names.T_MINUTE_STATS, names.minute_row("shop", datetime(2026, 12, 1, 10, 7, tzinfo=UTC))),
        (names.T_PAGE_COUNTS, names.page_row("shop", "/product/3")),
    ]


def test_a_page_view_counts_in_its_own_utc_day_too():
    e = ev(t="2026-12-01T23:59:59.999Z")
    assert counter_updates(e)[1][1] == {"views": 1, "views_20261201": 1}
    assert (
        names.day_views_column(datetime(2026, 12, 2, 0, 30, tzinfo=timezone(timedelta(hours=2)))) == b"c:views_20261201"
    )  # 00:30 at UTC+2 is still the 1st in UTC
    assert names.day_active_column(date(2026, 12, 1), "news") == b"c:active_20261201_news"


def test_click_counts_only_its_minute():
    assert counter_updates(ev("click", t=at(1), app_id="news")) == [
        ("activity:minute_stats|news#202612011001", {"events": 1, "page_views": 0, "errors": 0})
    ]


@pytest.mark.parametrize("status, errors", [(503, 1), (500, 1), (499, 0), (404, 0), (200, 0)])
def test_only_5xx_counts_as_error(status, errors):
    assert counter_updates(ev(http_status=status))[0][1]["errors"] == errors


def test_site_sample_keeps_what_alerting_needs():
    e = ev(t=at(ms=123), eid=uid(1), http_status=503, latency_ms=42.25)
    assert site_sample(e) == {
        "event_id": uid(1),
        "time_ms": BASE_MS + 123,
        "page_view": True,
        "status": 503,
        "latency_ms": 42.25,
    }
    assert site_sample(ev("click"))["page_view"] is False


# ---------------------------------------------------------------- rows


def test_apply_counters_from_an_empty_row():
    put, skipped = apply_counters({}, [("e1", {"events": 1, "page_views": 1}), ("e2", {"events": 1, "page_views": 0})])
    assert skipped == 0
    assert put == {
        b"d:e1": b"",
        b"d:e2": b"",
        b"c:events": names.encode_counter(2),
        b"c:page_views": names.encode_counter(1),
    }
    assert put[b"c:events"] == b"\x00\x00\x00\x00\x00\x00\x00\x02"


def test_apply_counters_adds_to_existing_counters():
    current = {b"c:events": names.encode_counter(300), b"c:errors": names.encode_counter(3), b"d:old": b""}
    put, _ = apply_counters(current, [("e1", {"events": 1, "errors": 1})])
    assert put == {b"d:e1": b"", b"c:events": b"\x00\x00\x00\x00\x00\x00\x01\x2d", b"c:errors": names.encode_counter(4)}


def test_an_applied_event_is_skipped_and_its_marker_not_rewritten():
    current = {b"c:views": names.encode_counter(5), b"d:e1": b""}
    put, skipped = apply_counters(current, [("e1", {"views": 1}), ("e2", {"views": 1})])
    assert skipped == 1
    assert put == {b"d:e2": b"", b"c:views": names.encode_counter(6)}
    assert apply_counters(current, [("e1", {"views": 1})]) == ({}, 1)


def test_the_same_event_twice_in_one_batch_counts_once():
    put, skipped = apply_counters({}, [("e1", {"views": 1}), ("e1", {"views": 1})])
    assert (put, skipped) == ({b"d:e1": b"", b"c:views": names.encode_counter(1)}, 1)


def test_counter_columns_reads_counters_and_markers():
    assert counter_columns([("e2", {"views": 1}), ("e1", {"views": 1, "errors": 0})]) == [
        b"c:errors",
        b"c:views",
        b"d:e1",
        b"d:e2",
    ]


# ---------------------------------------------------------------- sessions: recent pages


def push_all(events: list[dict], pages: list[dict] | None = None) -> list[dict]:
    pages = pages or []
    for e in events:
        pages = push_recent(pages, e, event_ms(e))
    return pages


def test_recent_pages_are_newest_first_even_out_of_order():
    pages = push_all(
        [
            ev(page="/b", t=at(2), eid=uid(2)),
            ev(page="/a", t=at(0), eid=uid(0)),
            ev(page="/c", t=at(3), eid=uid(3)),
            ev(page="/x", t=at(1), eid=uid(1)),
        ]
    )
    assert [p["page"] for p in pages] == ["/c", "/b", "/x", "/a"]
    assert pages[0] == {
        "event_id": uid(3),
        "page": "/c",
        "time": at(3),
        "app_id": "shop",
        "ms": BASE_MS + 3 * MINUTE_MS,
    }


def test_recent_pages_are_unique_bounded_and_page_views_only():
    e = ev(page="/once")
    assert push_all([e, e, ev("click", page="/clicked")]) == push_all([e])
    assert len(push_all([e])) == 1
    assert names.RECENT_PAGES_KEPT >= 10
    pages = push_all([ev(page=f"/p{i}", t=at(i)) for i in range(names.RECENT_PAGES_KEPT + 5)])
    assert len(pages) == names.RECENT_PAGES_KEPT
    assert pages[0]["page"] == f"/p{names.RECENT_PAGES_KEPT + 4}" and pages[-1]["page"] == "/p5"


# ---------------------------------------------------------------- sessions: sessionization


def sessions_of(events: list[dict]) -> list[tuple[str, str | None, str]]:
    """(session key, closed key, ended) after each event, fed in order to next_session."""
    state, out = None, []
    for e in events:
        state, closed = next_session(state, e, event_ms(e))
        out.append((state["key"], closed, state["ended"]))
    return out


def test_first_event_opens_a_session_keyed_by_session_id():
    e = ev(sid="abc", t=at(5))
    state, closed = next_session(None, e, event_ms(e))
    assert closed is None
    assert state == {
        "key": "abc",
        "sid": "abc",
        "n": 0,
        "start_ms": BASE_MS + 5 * MINUTE_MS,
        "last_ms": BASE_MS + 5 * MINUTE_MS,
        "ended": "",
    }


def test_session_continues_within_30_minutes_and_splits_after_a_longer_gap():
    events = [ev(t=at(0)), ev("click", t=at(30)), ev(t=at(60, ms=1)), ev(t=at(95))]
    assert sessions_of(events) == [("s1", None, ""), ("s1", None, ""), ("s1.1", "s1", ""), ("s1.2", "s1.1", "")]


def test_a_new_session_id_opens_a_session_keyed_by_it():
    assert sessions_of([ev(sid="s1", t=at(0)), ev(sid="s2", t=at(1))]) == [("s1", None, ""), ("s2", "s1", "")]


def test_logout_ends_the_session_after_the_logout_page_view():
    events = [
        ev(page="/cart", t=at(0)),
        ev("logout", page="/cart", t=at(1)),
        ev(page="/logout", t=at(1, ms=5)),
        ev(page="/", t=at(2)),
    ]
    assert sessions_of(events) == [("s1", None, ""), ("s1", None, "logout"), ("s1", None, "logout"), ("s1.1", None, "")]


def test_session_row_entry_and_current_pages_counts_and_times():
    state = {"ended": ""}
    row = None
    for e in [ev(page="/b", t=at(1)), ev("click", page="/b", t=at(3)), ev(page="/a", t=at(0)), ev(page="/c", t=at(2))]:
        row = session_update(row, e, state)
    assert row == {
        "user_id": "shop-u01",
        "app_id": "shop",
        "start": at(0),
        "last_seen": at(3),
        "page_count": 3,
        "event_count": 4,
        "entry_page": "/a",
        "entry_time": at(0),
        "current_page": "/c",
        "current_time": at(2),
        "ended": "",
    }
    assert session_update(row, ev("logout", page="/c", t=at(4)), {"ended": "logout"})["ended"] == "logout"


def test_session_row_round_trip():
    row = session_update(None, ev(page="/start", t=at(0)), {"ended": "idle"})
    cells = encode_session_row(row)
    assert cells[names.C_SESSION_PAGES] == names.encode_counter(1)
    assert cells[names.C_SESSION_ENTRY] == b"/start" and cells[names.C_SESSION_ENDED] == b"idle"
    assert decode_session_row(cells) == row
    assert decode_session_row({}) is None


def test_is_idle_after_more_than_30_minutes_unless_ended():
    state = {"last_ms": BASE_MS, "ended": ""}
    assert not is_idle(state, BASE_MS + 30 * MINUTE_MS)
    assert is_idle(state, BASE_MS + 30 * MINUTE_MS + 1)
    assert not is_idle(dict(state, ended="logout"), BASE_MS + 60 * MINUTE_MS)


# ---------------------------------------------------------------- alerts


def test_percentile_is_nearest_rank():
    assert percentile(list(range(100, 0, -1)), 95) == 95
    assert percentile([7.5], 95) == 7.5
    assert percentile(list(range(1, 21)), 50) == 10


def test_zscore_has_a_poisson_floor():
    assert zscore(10, [0] * 10) == 10.0
    assert zscore(12, [4] * 10) == 4.0  # deviation floored at sqrt(4) = 2
    assert zscore(9, [0, 10, 0, 10]) == 0.8  # mean 5, pstdev 5 over sqrt(5)


def sample(n: int, seconds: float = 0, page_view=True, status=200, latency=100.0) -> dict:
    return {
        "event_id": uid(n),
        "time_ms": BASE_MS + int(seconds * 1000),
        "page_view": page_view,
        "status": status,
        "latency_ms": latency,
    }


def window_of(samples: list[dict], window_s: int = 60) -> SiteWindow:
    w = SiteWindow(window_s)
    for s in samples:
        w.add(s)
    return w


def test_site_window_dedupes_and_trims_by_event_time():
    w = window_of([sample(1, 0), sample(1, 0), sample(2, 30), sample(3, 61)])
    assert w.health()["requests"] == 3
    w.trim(BASE_MS + 90_000)  # keeps events at or after 30 s
    assert w.health()["requests"] == 2


def test_site_health_uses_page_views_but_all_errors_counts_every_5xx():
    w = window_of(
        [
            sample(1, latency=100),
            sample(2, status=503, latency=300),
            sample(3, latency=200),
            sample(4, page_view=False, status=500, latency=9000),
        ]
    )
    assert w.health() == {"requests": 3, "errors": 1, "error_rate": 1 / 3, "p95_latency_ms": 300, "all_errors": 2}
    assert window_of([]).health() == {
        "requests": 0,
        "errors": 0,
        "error_rate": 0.0,
        "p95_latency_ms": 0.0,
        "all_errors": 0,
    }


def health(requests=100, errors=0, p95=100.0, all_errors=None) -> dict:
    return {
        "requests": requests,
        "errors": errors,
        "error_rate": errors / requests if requests else 0.0,
        "p95_latency_ms": p95,
        "all_errors": errors if all_errors is None else all_errors,
    }


S = Settings()  # error rate 0.2, p95 2500 ms, 30 requests, z 3, 10 spike errors, 10 baseline minutes
NOW = BASE_MS


def types(h: dict, baseline=()) -> list[str]:
    return [a.type for a in evaluate("shop", h, list(baseline), S, NOW)]


def test_error_rate_fires_at_the_threshold_with_enough_requests():
    [alert] = evaluate("shop", health(requests=30, errors=6), [], S, NOW)
    assert (alert.type, alert.metric, alert.value, alert.threshold, alert.time_ms) == (
        "error_rate",
        "error_rate",
        0.2,
        0.2,
        NOW,
    )
    assert alert.message == "shop: 20% of 30 page views answered 5xx in the last 60 s (threshold 20%)"
    assert types(health(requests=29, errors=29)) == []
    assert types(health(requests=100, errors=19)) == []


def test_p95_latency_fires_over_the_threshold():
    [alert] = evaluate("news", health(requests=30, p95=2600.0), [], S, NOW)
    assert (alert.app_id, alert.type, alert.metric, alert.value, alert.threshold) == (
        "news",
        "p95_latency",
        "p95_latency_ms",
        2600.0,
        2500.0,
    )
    assert "p95 latency 2600 ms" in alert.message and "(threshold 2500 ms)" in alert.message
    assert types(health(requests=30, p95=2400.0)) == []
    assert types(health(requests=29, p95=9000.0)) == []


def test_error_spike_needs_baseline_min_errors_and_zscore():
    [alert] = evaluate("shop", health(requests=0, all_errors=12), [1] * 10, S, NOW)
    assert (alert.type, alert.metric, alert.value, alert.threshold) == ("error_spike", "errors_zscore", 11.0, 3.0)
    assert alert.message == (
        "shop: 12 errors in the last 60 s against 1.0 per minute over the previous 10 minutes (z = 11.0, threshold 3.0)"
    )
    assert types(health(requests=0, all_errors=12), [1] * 4) == []  # too few baseline minutes (< 5)
    assert types(health(requests=0, all_errors=12), [1] * 5) == ["error_spike"]
    assert types(health(requests=0, all_errors=9), [0] * 10) == []  # z 9, but under 10 errors
    assert types(health(requests=0, all_errors=12), [10] * 10) == []  # z 0.6


def test_a_normal_window_raises_nothing():
    samples = [sample(i, i * 0.25, latency=50 + i, status=503 if i in (50, 150) else 200) for i in range(200)]
    h = window_of(samples).health()
    assert (h["requests"], h["errors"], h["all_errors"], h["p95_latency_ms"]) == (200, 2, 2, 239)
    assert evaluate("shop", h, [2, 1, 3, 2, 2, 1, 2, 3, 2, 2], S, NOW) == []


def test_cooldown_allows_one_alert_per_site_and_type():
    def alert(app_id="shop", type_="error_rate", time_ms=NOW) -> Alert:
        return Alert(app_id, type_, "m", 1.0, 0.5, "msg", time_ms)

    cd = Cooldown(60)
    assert cd.allow(alert())
    assert not cd.allow(alert(time_ms=NOW + 59_999))
    assert cd.allow(alert(type_="p95_latency", time_ms=NOW + 1))
    assert cd.allow(alert(app_id="news", time_ms=NOW + 1))
    assert cd.allow(alert(time_ms=NOW + 60_000))
    assert not cd.allow(alert(time_ms=NOW + 60_001))


# ---------------------------------------------------------------- settings


def test_settings_from_storm_conf_converts_lab_keys():
    s = Settings.from_storm_conf(
        {
            "lab.alert_error_rate": "0.3",
            "lab.hbase_port": 9091,
            "lab.alert_min_requests": "50",
            "lab.kafka_bootstrap": "kafka:9092",
            "lab.alert_p95_ms": 3000,
            "lab.deploy_sha256": "abc",
            "topology.workers": 2,
            "alert_zscore": 9,
        }
    )
    assert (s.alert_error_rate, s.hbase_port, s.alert_min_requests, s.kafka_bootstrap, s.alert_p95_ms) == (
        0.3,
        9091,
        50,
        "kafka:9092",
        3000.0,
    )
    assert type(s.alert_p95_ms) is float and type(s.alert_min_requests) is int
    assert s.alert_zscore == 3.0 and s.batch_ms == 50


def test_settings_missing_or_empty_keep_defaults():
    assert Settings.from_storm_conf({}) == Settings()
    assert Settings.from_storm_conf({"lab.hbase_port": "", "lab.alert_zscore": None}) == Settings()


@pytest.mark.parametrize(
    "key, raw",
    [("hbase_port", "ninety"), ("alert_min_requests", "0.3"), ("alert_error_rate", "high"), ("batch_ms", [50])],
)
def test_settings_wrong_type_names_the_key(key, raw):
    with pytest.raises(ValueError, match=rf"lab\.{key}="):
        Settings.from_storm_conf({f"lab.{key}": raw})


def test_alerts_of_one_evaluation_get_their_own_rows():
    alerts = evaluate("shop", health(requests=40, errors=40, p95=3000.0), [1.0] * 10, S, NOW)
    assert [a.type for a in alerts] == ["error_rate", "p95_latency", "error_spike"]
    assert [a.time_ms for a in alerts] == [NOW, NOW + 1, NOW + 2]
    assert len({names.alert_row(a.app_id, a.time_ms) for a in alerts}) == 3


def test_failed_tuples_back_off_before_their_replay():
    from speedlayer.spout import retry_delay

    assert [retry_delay(n) for n in (1, 2, 3, 4, 7, 8, 20)] == [0.5, 1.0, 2.0, 4.0, 30.0, 30.0, 30.0]


def test_a_micro_batch_bolts_batch_thread_waits_for_initialize():
    """pystorm starts the batch thread in the constructor, before the handshake: a period ending before
    initialize() must not reach periodic() (it raised on a bolt not set up, and killed the worker's process)."""
    import io

    from speedlayer.microbatch import MicroBatchBolt

    calls = []

    class Probe(MicroBatchBolt):
        secs_between_batches = 3600  # the thread sleeps; the test calls process_batches itself

        def setup(self):
            self.ready_at = 1

        def periodic(self, now_ms):
            calls.append(self.ready_at)

    bolt = Probe(input_stream=io.BytesIO(), output_stream=io.BytesIO())
    bolt.process_batches()
    assert calls == []
    bolt.initialize({"lab.batch_ms": "50"}, {"taskid": 3, "componentid": "alerts", "task->component": {"3": "alerts"}})
    bolt.process_batches()
    assert calls == [1] and bolt.secs_between_batches == 0.05
