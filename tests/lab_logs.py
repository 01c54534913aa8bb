"""Helpers of the end-to-end tests that follow the sites' log lines through Flume into HDFS."""
import time
from collections import defaultdict
from datetime import date, timedelta

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


def partition_lines(app, kind, day):
    """Every line of one partition, open files included."""
    files = webhdfs.read_folder(f"/logs/{app}/{kind}/dt={day}")
    while files is None:  # a file was closed (renamed) while we read: read the partition again
        files = webhdfs.read_folder(f"/logs/{app}/{kind}/dt={day}")
    return [line for content in files.values() for line in content.decode("latin-1").splitlines()]


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
