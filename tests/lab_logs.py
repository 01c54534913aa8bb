"""Helpers of the end-to-end tests that follow the sites' log lines through Flume into HDFS."""

import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

from activitylab import flume, webhdfs
from activitylab.compose import exec_in


def in_flume(*cmd, input_text=None):
    proc = exec_in("flume", *cmd, input_text=input_text)
    assert proc.returncode == 0, f"flume: {' '.join(cmd)} exited {proc.returncode}: {proc.stderr}"
    return proc.stdout


def log_size(app, kind):
    return int(in_flume("stat", "-c", "%s", f"/site/logs/{app}/{kind}.log"))


def log_bytes(app, kind, start, end):
    script = "import sys; f = open(sys.argv[1], 'rb'); f.seek(int(sys.argv[2])); sys.stdout.write(f.read(int(sys.argv[3])).decode())"
    return in_flume("python3", "-c", script, f"/site/logs/{app}/{kind}.log", str(start), str(end - start))


def next_day(day, delta):
    return (date.fromisoformat(day) + timedelta(days=delta)).isoformat()


def partition_files(app, kind, day):
    """{file name: its lines} of one partition, open files included."""
    files = webhdfs.read_folder(f"/logs/{app}/{kind}/dt={day}")
    while files is None:  # a file was closed (renamed) while we read: read the partition again
        files = webhdfs.read_folder(f"/logs/{app}/{kind}/dt={day}")
    return {name: content.decode("latin-1").splitlines() for name, content in files.items()}


def partition_lines(app, kind, day):
    """Every line of one partition, open files included."""
    return [line for lines in partition_files(app, kind, day).values() for line in lines]


def occurrences(app, kind, lines_by_date):
    """{line: [dt of each copy found]} over the partitions of the lines' dates and the day either side of each."""
    days = {next_day(d, delta) for d in lines_by_date.values() for delta in (-1, 0, 1)}
    found = defaultdict(list)
    for day in sorted(days):
        for line in partition_lines(app, kind, day):
            if line in lines_by_date:
                found[line].append(day)
    return found


def wait_landed_once(app, kind, lines_by_date, timeout=120, copies=None):
    """Waits until every line is in HDFS (`copies[line]` times when given, else once), then until the sink has
    written all Flume had in its channel at that point (so one more copy would be there too), and returns
    where each copy of each line was found."""
    copies = copies or {}

    def complete(found):
        return all(len(found.get(line, [])) >= copies.get(line, 1) for line in lines_by_date)

    deadline = time.monotonic() + timeout
    while not complete(occurrences(app, kind, lines_by_date)):
        assert time.monotonic() < deadline, f"{kind} lines of {app} not all in HDFS after {timeout} s"
        time.sleep(1)
    flume.wait_channel_written(max(1.0, deadline - time.monotonic()))
    return occurrences(app, kind, lines_by_date)


def wait_all_closed(app, kind, day, lines, timeout=240):
    """Waits until the partition's files are all closed (no hidden `_*.tmp` Flume still writes: Pig, Hive and Spark
    skip those) and together hold `lines` lines; returns those lines."""
    deadline = time.monotonic() + timeout
    while True:
        files = webhdfs.read_folder(f"/logs/{app}/{kind}/dt={day}") or {}
        open_files = [name for name in files if name.startswith("_")]
        closed = [
            line
            for name, content in files.items()
            if not name.startswith("_")
            for line in content.decode("latin-1").splitlines()
        ]
        if not open_files and len(closed) == lines:
            return closed
        assert time.monotonic() < deadline, (
            f"/logs/{app}/{kind}/dt={day} after {timeout} s: {len(closed)} of "
            f"{lines} lines in closed files, still open: {open_files}"
        )
        time.sleep(2)


def access_line(event, fmt, rng):
    """An access line for a page view event in log format `fmt` (activitylab/clf.py FORMATS), the way a web server
    in front of the site might have written it: the event's instant in one of several UTC offsets, IPv4 or IPv6
    clients, a response size or `-`, a request without protocol now and then, escaped quotes in the referrer,
    extra fields (X-Forwarded-For, request time) after the user agent in the combined formats."""
    instant = datetime.fromisoformat(event["event_time"].replace("Z", "+00:00"))
    stamp = instant.astimezone(timezone(timedelta(minutes=rng.choice([-570, -300, 0, 60, 330, 840]))))
    n = rng.randrange(1, 250)
    host = rng.choice([f"203.0.113.{n}", f"2001:db8::{n:x}", f"client-{n}.example.net"])
    request = rng.choice(["GET", "GET", "HEAD", "POST"]) + f" {event['page']}" + rng.choice([" HTTP/1.1"] * 9 + [""])
    size = rng.choice(["-", str(rng.randrange(200, 90_000))])
    line = (
        f"{host} - {rng.choice(['-', event['user_id']])} [{stamp.strftime('%d/%b/%Y:%H:%M:%S %z')}] "
        f'"{request}" {event["http_status"]} {size}'
    )
    if fmt in ("combined", "vcombined"):
        referrer = rng.choice([event.get("referrer") or "-", 'https://search.example/?q=\\"lamp\\"'])
        line += f' "{referrer}" "{event["user_agent"]}"'
        line += rng.choice(["", f' "198.51.100.{n}, 10.0.0.1"', f" 0.{n:03d}", f' "198.51.100.{n}" rt=0.{n:03d}'])
    if fmt in ("vcommon", "vcombined"):
        line = f"{event['app_id']}.example:443 {line}"
    return line
