"""Common / Combined Log Format parsing: what parses, the partition date, and the reason for what does not."""
import pytest

from activitylab.clf import parse_line, parse_time
from producers.logs import combined_log_line

NASA = '199.72.81.55 - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245'


def test_a_nasa_line_parses_with_its_offset_and_utc_date():
    p = parse_line(NASA, "common")
    assert p.time.isoformat() == "1995-07-01T00:00:01-04:00"
    assert (p.status, p.request, p.utc_date) == (200, "GET /history/apollo/ HTTP/1.0", "1995-07-01")


@pytest.mark.parametrize("stamp, utc_date", [
    ("01/Jul/1995:23:59:59 -0400", "1995-07-02"),   # late evening west of UTC: next UTC day
    ("02/Jul/1995:00:30:00 +0200", "1995-07-01"),   # just after midnight east of UTC: previous UTC day
    ("31/Dec/1999:23:59:59 +0000", "1999-12-31"),
    ("29/Feb/2024:12:00:00 -0930", "2024-02-29"),
])
def test_the_partition_is_the_utc_date_of_the_line(stamp, utc_date):
    assert parse_line(f'h - - [{stamp}] "GET / HTTP/1.0" 200 -', "common").utc_date == utc_date


def test_the_sites_own_lines_round_trip_as_combined():
    from datetime import datetime, timezone
    t = datetime(2026, 11, 23, 19, 34, 5, 123000, tzinfo=timezone.utc)
    line = combined_log_line(host="10.0.0.1", user="shop-u01", time=t, method="GET", uri="/search?q=a b",
                             protocol="HTTP/1.1", status=404, size=None, referer='https://x/?q="1"',
                             user_agent="Mozilla/5.0 (X11)")
    p = parse_line(line, "combined")
    assert (p.time, p.status, p.request) == (t.replace(microsecond=0), 404, "GET /search?q=a%20b HTTP/1.1")


@pytest.mark.parametrize("line, reason", [
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
])
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
