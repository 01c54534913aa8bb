"""Access log (Combined Log Format), perf log (JSON lines) and error log round trips."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime

from activitylab.clf import PATTERNS
from producers.logs import AppendLog, clf_time, combined_log_line

CLF = PATTERNS["combined"]  # the parser lab replay uses: the sites' own lines must pass it
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"


def test_access_log_lines_parse_back_with_the_combined_log_format_regex(site, settings):
    app, client, sink = site
    client.get(
        "/product/3?ref=home",
        headers={
            "X-Lab-User": "shop-u02",
            "X-Lab-Session": "s9",
            "User-Agent": UA,
            "Referer": "https://www.google.com/search?q=lamp",
            "X-Forwarded-For": "198.51.100.2, 10.0.0.1",
        },
    )
    client.get("/nope", headers={"User-Agent": 'odd "quoted" agent'})
    client.post("/collect", data=b"{", content_type="application/json")
    client.get("/healthz")  # health probes are not logged
    lines = (settings.app_log_dir() / "access.log").read_text().splitlines()
    assert len(lines) == 3
    parsed = [CLF.match(line) for line in lines]
    assert all(parsed), lines
    first = parsed[0].groupdict()
    assert first["host"] == "198.51.100.2" and first["user"] == "shop-u02"
    assert (first["request"], first["status"]) == ("GET /product/3?ref=home HTTP/1.1", "200")
    assert int(first["size"]) > 500
    assert first["referer"] == "https://www.google.com/search?q=lamp" and first["agent"] == UA
    assert datetime.strptime(first["time"], "%d/%b/%Y:%H:%M:%S %z").tzinfo is not None
    second = parsed[1].groupdict()
    assert second["status"] == "404" and second["agent"] == 'odd \\"quoted\\" agent'
    assert second["user"].startswith("anon-")  # the anonymous visitor got an id
    assert parsed[2].group("request").split()[:2] == ["POST", "/collect"] and parsed[2].group("status") == "400"


def test_access_log_line_matches_the_page_view(site, settings):
    app, client, sink = site
    client.get("/catalog/toys", headers={"X-Lab-User": "shop-u03"})
    line = CLF.match((settings.app_log_dir() / "access.log").read_text().splitlines()[-1])
    event = sink.events[-1]
    assert line.group("user") == event["user_id"]
    assert int(line.group("status")) == event["http_status"]
    event_time = datetime.strptime(event["event_time"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert line.group("time") == clf_time(event_time)


def test_perf_log_is_json_lines_with_route_status_latency_time(site, settings):
    app, client, sink = site
    client.get("/product/7")
    client.get("/product/8", headers={"X-Lab-Fault": "error"})
    client.get("/missing")
    records = [json.loads(line) for line in (settings.app_log_dir() / "perf.log").read_text().splitlines()]
    assert [r["status"] for r in records] == [200, 500, 404]
    assert [r["route"] for r in records] == ["/product/<int:pid>", "/product/<int:pid>", None]
    for record, event in zip(records, sink.events, strict=True):
        assert record["event_id"] == event["event_id"] and record["latency_ms"] == event["latency_ms"]
        assert record["time"] == event["event_time"]
        assert isinstance(record["latency_ms"], float) and record["app_id"] == "shop"
    assert records[1]["fault"] == "error"


def test_clf_time_is_english_and_utc():
    dt = datetime(2026, 3, 5, 7, 8, 9, tzinfo=UTC)
    assert clf_time(dt) == "05/Mar/2026:07:08:09 +0000"


def test_combined_line_with_empty_fields_uses_dashes():
    line = combined_log_line(
        host="",
        user=None,
        time=datetime(2026, 1, 1, tzinfo=UTC),
        method="GET",
        uri="/a b",
        protocol="HTTP/1.1",
        status=304,
        size=0,
        referer=None,
        user_agent="",
    )
    assert line == '- - - [01/Jan/2026:00:00:00 +0000] "GET /a%20b HTTP/1.1" 304 - "-" "-"'
    assert CLF.match(line)


def test_error_log_entry_carries_the_traceback(tmp_path):
    from producers.logs import SiteLogs

    logs = SiteLogs(tmp_path, "learn")
    try:
        {}["missing"]
    except KeyError as exc:
        logs.error("lookup failed", exc)
    text = (tmp_path / "error.log").read_text()
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR learn \[pid \d+\] lookup failed\n", text)
    assert "Traceback (most recent call last)" in text and "KeyError: 'missing'" in text


def test_concurrent_writers_never_interleave_lines(tmp_path):
    # stands in for several gunicorn threads or workers appending to one file
    logs = [AppendLog(tmp_path / "perf.log") for _ in range(4)]

    def write(n: int):
        for i in range(500):
            logs[n].write(json.dumps({"writer": n, "i": i, "pad": "x" * 300}))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = (tmp_path / "perf.log").read_text().splitlines()
    assert len(lines) == 2000
    assert all(json.loads(line)["pad"] == "x" * 300 for line in lines)


def test_append_log_follows_external_rotation(tmp_path):
    log = AppendLog(tmp_path / "access.log")
    log.REOPEN_CHECK_S = 0
    log.write("one")
    (tmp_path / "access.log").rename(tmp_path / "access.log.1")
    log.write("two")
    assert (tmp_path / "access.log.1").read_text() == "one\n"
    assert (tmp_path / "access.log").read_text() == "two\n"
