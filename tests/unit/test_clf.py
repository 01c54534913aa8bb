"""Common / Combined Log Format parsing: what parses, the partition date, and the reason for what does not."""

from datetime import UTC

import pytest

from activitylab.clf import parse_line, parse_time
from producers.logs import combined_log_line

NASA = '199.72.81.55 - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245'


def test_a_nasa_line_parses_with_its_offset_and_utc_date():
    p = parse_line(NASA, "common")
    assert p.time.isoformat() == "1995-07-01T00:00:01-04:00"
    assert (p.status, p.request, p.utc_date) == (200, "GET /history/apollo/ HTTP/1.0", "1995-07-01")


@pytest.mark.parametrize(
    "stamp, utc_date",
    [
        ("01/Jul/1995:23:59:59 -0400", "1995-07-02"),  # late evening west of UTC: next UTC day
        ("02/Jul/1995:00:30:00 +0200", "1995-07-01"),  # just after midnight east of UTC: previous UTC day
        ("31/Dec/1999:23:59:59 +0000", "1999-12-31"),
        ("29/Feb/2024:12:00:00 -0930", "2024-02-29"),
    ],
)
def test_the_partition_is_the_utc_date_of_the_line(stamp, utc_date):
    assert parse_line(f'h - - [{stamp}] "GET / HTTP/1.0" 200 -', "common").utc_date == utc_date


def test_the_sites_own_lines_round_trip_as_combined():
    from datetime import datetime

    t = datetime(2026, 11, 23, 19, 34, 5, 123000, tzinfo=UTC)
    line = combined_log_line(
        host="10.0.0.1",
        user="shop-u01",
        time=t,
        method="GET",
        uri="/search?q=a b",
        protocol="HTTP/1.1",
        status=404,
        size=None,
        referer='https://x/?q="1"',
        user_agent="Mozilla/5.0 (X11)",
    )
    p = parse_line(line, "combined")
    assert (p.time, p.status, p.request) == (t.replace(microsecond=0), 404, "GET /search?q=a%20b HTTP/1.1")


@pytest.mark.parametrize(
    "line, reason",
    [
        ("", "blank line"),
        ("   ", "blank line"),
        ("garbage", "not common log format"),
        (NASA.replace("01/Jul", "31/Jun"), "day is out of range"),
        (NASA.replace("00:00:01", "24:00:01"), "hour must be in"),
        (NASA.replace("Jul", "Jly"), "unknown month 'Jly'"),
        (NASA.replace("-0400", "-2500"), "offset -2500 out of range"),
        (NASA.replace("[01/Jul/1995:00:00:01 -0400]", "[1995-07-01T00:00:01]"), "is not dd/Mon/yyyy:HH:MM:SS +zzzz"),
        (NASA[:-5], "not common log format"),
        (NASA + ' "-" "Mozilla/4.0"', "not common log format (it is combined format)"),
    ],
)
def test_unparseable_lines_say_why(line, reason):
    with pytest.raises(ValueError, match=None) as err:
        parse_line(line, "common")
    assert reason in str(err.value)


def test_a_common_line_is_not_combined():
    with pytest.raises(ValueError, match=r"it is common format"):
        parse_line(NASA, "combined")


def test_parse_time_rejects_seconds_past_sixty():
    with pytest.raises(ValueError):
        parse_time("01/Jul/1995:00:00:61 +0000")


# --- the variants users' logs come in, and `--format auto`

from activitylab.clf import EXAMPLES, FORMATS, detect  # noqa: E402

XFF = '"198.51.100.4, 10.0.0.2"'


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_example_parses_as_its_own_format_only(fmt):
    assert parse_line(EXAMPLES[fmt], fmt).status == 200
    for other in FORMATS:
        if other != fmt:
            with pytest.raises(ValueError, match=f"it is {fmt} format"):
                parse_line(EXAMPLES[fmt], other)


@pytest.mark.parametrize("extras", [f" {XFF}", " 0.012", f" {XFF} 0.012", ' "-" "rt=0.004 uct=0.001"'])
def test_combined_takes_extra_trailing_fields_quoted_or_not(extras):
    base = EXAMPLES["vcombined"].split(" ", 1)[1]
    p = parse_line(base + extras, "combined")
    assert (p.referer, p.agent) == ("https://shop.example/", "Mozilla/5.0 (X11; Linux x86_64)")
    assert " " + " ".join(p.extras) == extras
    assert parse_line(EXAMPLES["vcombined"] + extras, "vcombined").vhost == "shop.example:443"


def test_a_request_without_protocol_parses_like_the_1995_nasa_logs():
    p = parse_line('pm13.j51.com - - [01/Jul/1995:00:00:07 -0400] "GET /shuttle/countdown/" 200 3985', "common")
    assert (p.method, p.path, p.protocol, p.host, p.size) == ("GET", "/shuttle/countdown/", None, "pm13.j51.com", 3985)
    assert parse_line('h - - [01/Jul/1995:00:00:07 -0400] "\\x16\\x03\\x01" 400 -', "common").method is None


def test_ipv6_hosts_and_escaped_quotes_parse():
    line = (
        '2001:db8::8a2e:370:7334 - - [10/Oct/2026:13:55:36 +0000] "GET /q?x=\\"a\\" HTTP/1.1" 200 12 '
        '"https://e.example/\\"r\\"" "agent \\"quoted\\" \\\\ end"'
    )
    p = parse_line(line, "combined")
    assert p.host == "2001:db8::8a2e:370:7334"
    assert (p.path, p.referer, p.agent) == ('/q?x="a"', 'https://e.example/"r"', 'agent "quoted" \\ end')


@pytest.mark.parametrize(
    "sample, fmt",
    [
        ([NASA] * 3, "common"),
        ([EXAMPLES["combined"]] * 3, "combined"),
        ([EXAMPLES["vcombined"].split(" ", 1)[1]] * 3, "combined"),
        ([EXAMPLES["vcommon"]] * 3, "vcommon"),
        ([EXAMPLES["vcombined"], EXAMPLES["vcombined"] + " 0.3"], "vcombined"),
    ],
)
def test_auto_detection_picks_the_format_of_the_first_lines(sample, fmt):
    found = detect(["", *sample, "garbage"])
    assert found.format == fmt and found.parsed[fmt] == len(sample) and found.looked_at == len(sample) + 1
    assert f"{len(sample)} of the first {len(sample) + 1} lines parse as {fmt}" in found.reason()


def test_auto_detection_names_extra_fields_and_prefers_the_majority():
    lines = [EXAMPLES["combined"]] * 4 + [NASA]
    found = detect(lines)
    assert (found.format, found.extras, found.parsed["common"]) == ("combined", 4, 1)
    assert "4 with extra fields after the user agent" in found.reason()


def test_auto_detection_of_nothing_parseable_says_so():
    found = detect(["garbage", "2026-10-10T13:55:36Z GET /"])
    assert found.format is None
    assert found.reason().startswith("none of the formats parses any of the first 2 lines")


def test_the_sites_own_lines_are_detected_as_combined():
    from datetime import datetime

    line = combined_log_line(
        host="10.0.0.1",
        user=None,
        time=datetime(2026, 1, 1, tzinfo=UTC),
        method="GET",
        uri="/",
        protocol="HTTP/1.1",
        status=200,
        size=5,
        referer=None,
        user_agent=None,
    )
    assert detect([line]).format == "combined"
