"""Site logs through Flume into HDFS: every line of a paused window lands exactly once, in the partition of its
own date; `lab replay` lands a Common Log Format file the same way and reports what it could not parse, detects
a combined log with extra fields, and takes a file once; rotated site logs ship every line once, then go."""

import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import requests
from conftest import ROOT, exec_in

from activity_clients import endpoints
from activitylab import flume
from activitylab.clf import parse_line
from activitylab.replay import wait_shipped
from lab_logs import log_bytes, log_size, next_day, partition_lines, wait_landed_once
from lab_sites import wait_until_quiet


def test_paused_window_of_access_and_perf_lines_lands_in_hdfs_exactly_once(paused_simulation):
    wait_until_quiet("learn")
    before = {kind: log_size("learn", kind) for kind in ("access", "perf")}
    marker = uuid.uuid4().hex
    pages = ["/", "/courses", "/no-such-page", "/forum"] * 5
    for i, page in enumerate(pages):
        requests.get(
            endpoints.url("learn", f"{page}?window={marker}-{i}"),
            timeout=30,
            headers={"X-Lab-User": f"e2e-{marker[:8]}", "X-Lab-Session": f"e2e-window-{marker}"},
        )
    window = {kind: log_bytes("learn", kind, before[kind], log_size("learn", kind)).splitlines() for kind in before}

    # The paused window holds the test's requests and nothing else, in order.
    assert [line.split('"')[1].split()[1] for line in window["access"]] == [
        f"{page}?window={marker}-{i}" for i, page in enumerate(pages)
    ]
    assert [json.loads(line)["path"] for line in window["perf"]] == pages
    access = {line: parse_line(line, "combined").utc_date for line in window["access"]}
    perf = {line: json.loads(line)["time"][:10] for line in window["perf"]}

    for kind, expected in (("access", access), ("perf", perf)):
        found = wait_landed_once("learn", kind, expected)
        assert {line: days for line, days in found.items()} == {line: [day] for line, day in expected.items()}, kind


def clf_sample(marker):
    """A Common Log Format file like the NASA-HTTP 1995 logs (-0400): three days, lines either side of
    midnight both local and UTC, and lines that must not parse."""
    good, start = [], datetime.fromisoformat("1995-07-01T00:00:01-04:00")
    hosts = ["199.72.81.55", "unicomp6.unicomp.net", "burger.letters.com", "d104.aa.net", "129.94.144.152"]
    for i in range(150):
        t = start + timedelta(minutes=29 * i, seconds=i)  # ~72 h: crosses 3 local and 4 UTC midnights
        stamp = (
            t.strftime("%d/")
            + ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul"][t.month - 1]
            + t.strftime("/%Y:%H:%M:%S -0400")
        )
        size = "-" if i % 13 == 0 else str(1000 + 7 * i)
        good.append(
            f'{hosts[i % 5]} - - [{stamp}] "GET /shuttle/missions/sts-71/{marker}-{i}.html HTTP/1.0" '
            f"{[200, 200, 304, 404][i % 4]} {size}"
        )
    good.append(f'local - - [02/Jul/1995:23:59:59 -0400] "GET /{marker}-late HTTP/1.0" 200 100')  # dt=1995-07-03
    good.append(f'local - - [03/Jul/1995:00:00:00 +0200] "GET /{marker}-early HTTP/1.0" 200 100')  # dt=1995-07-02
    bad = [
        "",
        "garbage that is no log line",
        f'199.72.81.55 - - [31/Jun/1995:00:00:13 -0400] "GET /{marker}-bad-1 HTTP/1.0" 200 3985',  # no such day
        f'199.72.81.55 - - [01/Jul/1995:25:00:13 -0400] "GET /{marker}-bad-2 HTTP/1.0" 200 3985',  # no such hour
        f'199.72.81.55 - - [01/Jly/1995:00:00:13 -0400] "GET /{marker}-bad-3 HTTP/1.0" 200 3985',  # no such month
        f'199.72.81.55 - - 01/Jul/1995:00:00:13 -0400 "GET /{marker}-bad-4 HTTP/1.0" 200 3985',  # no brackets
        f'199.72.81.55 - - [01/Jul/1995:00:00:13 -0400] "GET /{marker}-bad-5 HTTP/1.0" 200',  # no size
        f'199.72.81.55 - - [01/Jul/1995:00:00:13 -0400] "GET /{marker}-bad-6 HTTP/1.0" 200 12 "-" "Mozilla/2.0"',
    ]
    lines = good[:40] + bad[:4] + good[40:100] + bad[4:] + good[100:]
    return lines, good, bad


def test_lab_replay_lands_every_parseable_line_under_its_date_and_counts_the_rest(tmp_path):
    marker = uuid.uuid4().hex
    lines, good, bad = clf_sample(marker)
    sample = tmp_path / "access_log_Jul95"
    sample.write_text("\n".join(lines) + "\n", encoding="latin-1")
    rejects = tmp_path / "rejects.log"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "activitylab.cli",
            "replay",
            "--app",
            "news",
            "--format",
            "common",
            "--speed",
            "1000000",
            "--rejects",
            str(rejects),
            str(sample),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(lines)} lines read: {len(good)} replayed, {len(bad)} unparseable" in run.stdout, run.stdout
    assert rejects.read_text(encoding="latin-1").splitlines() == bad
    expected = {line: parse_line(line, "common").utc_date for line in good}
    assert expected[good[-2]] == "1995-07-03" and expected[good[-1]] == "1995-07-02"
    assert set(expected.values()) == {"1995-07-01", "1995-07-02", "1995-07-03", "1995-07-04"}
    for day in sorted(set(expected.values())):
        assert f"/logs/news/access/dt={day}/  {list(expected.values()).count(day)} lines" in run.stdout

    found = wait_landed_once("news", "access", expected)
    assert {line: days for line, days in found.items()} == {line: [day] for line, day in expected.items()}
    for day in ("1995-06-30", "1995-07-01", "1995-07-02", "1995-07-03", "1995-07-04"):  # nothing unparseable shipped
        assert not [line for line in partition_lines("news", "access", day) if f"{marker}-bad" in line]


def combined_with_extras_sample(marker):
    """An nginx-style combined log: each line ends in one or two extra fields (X-Forwarded-For quoted, request
    time bare), over two UTC days; IPv6 clients, escaped quotes, a request without protocol."""
    lines, start = [], datetime.fromisoformat("2024-03-09T22:00:00+01:00")
    for i in range(60):
        t = start + timedelta(minutes=4 * i)  # 4 h: crosses UTC midnight after 3 h
        host = ["203.0.113.9", "2001:db8::1f", "198.51.100.23"][i % 3]
        request = f"GET /cart/{marker}-{i}" + ("" if i % 10 == 7 else " HTTP/1.1")
        extras = f' "198.51.100.{i % 250}, 10.0.0.1"' + (f" 0.{i:03d}" if i % 2 else "")
        lines.append(
            f'{host} - - [{t.strftime("%d/%b/%Y:%H:%M:%S %z")}] "{request}" {[200, 302, 404][i % 3]} '
            f'{500 + i} "https://shop.example/?q=\\"lamp\\"" "Mozilla/5.0 (X11; Linux x86_64)"{extras}'
        )
    return lines


def test_lab_replay_auto_detects_combined_with_extra_fields_and_takes_a_file_once(tmp_path):
    marker = uuid.uuid4().hex
    lines = combined_with_extras_sample(marker)
    sample = tmp_path / "nginx-access.log"
    sample.write_text("\n".join(lines) + "\n", encoding="latin-1")
    cmd = [sys.executable, "-m", "activitylab.cli", "replay", "--app", "shop", str(sample)]  # --format auto
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (
        "format combined, detected: 50 of the first 50 lines parse as combined; 50 with extra fields" in run.stdout
    ), run.stdout
    assert f"{len(lines)} lines read: {len(lines)} replayed, 0 unparseable" in run.stdout, run.stdout
    expected = {line: parse_line(line, "combined").utc_date for line in lines}
    assert sorted(set(expected.values())) == ["2024-03-09", "2024-03-10"]
    found = wait_landed_once("shop", "access", expected)
    assert {line: days for line, days in found.items()} == {line: [day] for line, day in expected.items()}
    shipped = exec_in("flume", "sh", "-c", "ls /site/logs/shop/ | grep -c access-replay- || true").stdout
    assert shipped.strip() == "0"  # the replayed copy left the site volume once shipped

    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 1 and "nothing sent" in again.stderr, again.stdout + again.stderr  # a refusal: stderr
    assert f"{len(lines)} lines shipped to /logs/shop/access/" in again.stderr
    found = wait_landed_once("shop", "access", expected)
    assert {line: days for line, days in found.items()} == {line: [day] for line, day in expected.items()}


def test_a_line_with_an_impossible_date_still_ships_and_never_stalls_the_source():
    """A hand-edited log line: `31/Feb` looks like a time but is none. It lands under the day it was read
    (line_time=read), and the valid line after it under its own date: the source did not stop at it."""
    marker = uuid.uuid4().hex
    bad = f'10.0.0.1 - - [31/Feb/1995:00:00:01 +0000] "GET /{marker}-impossible HTTP/1.0" 200 1'
    good = f'10.0.0.1 - - [01/Mar/1995:00:00:01 +0000] "GET /{marker}-after HTTP/1.0" 200 1'
    read_day = datetime.now(UTC).strftime("%Y-%m-%d")
    path = f"/site/logs/news/access-e2e-{marker}.log"
    exec_in("flume", "sh", "-c", f"printf '%s\\n' '{bad}' '{good}' > {path}")
    found = wait_landed_once("news", "access", {good: "1995-03-01", bad: read_day})
    exec_in("flume", "rm", path)
    assert found[good] == ["1995-03-01"]
    assert len(found[bad]) == 1 and found[bad][0] in (read_day, next_day(read_day, 1))  # read just after midnight
    assert flume.metrics()["SOURCE.access"]["EventReadFail"] == "0"


def marked_access_lines(app, marker, days):
    """{request number: [dt of each copy]} of the access lines carrying `?rot=<marker>-<n>`."""
    found = {}
    for day in days:
        for line in partition_lines(app, "access", day):
            if f"rot={marker}-" in line:
                n = int(line.split(f"rot={marker}-", 1)[1].split()[0])
                found.setdefault(n, []).append(day)
    return found


def test_rotated_logs_ship_every_line_once_and_then_leave_the_site_volume(paused_simulation, lab_env):
    """Three rotations (POST /admin/logs/rotate, the same rotation SITE_LOG_MAX_BYTES triggers by size) while a
    visitor browses: every access line is in HDFS exactly once, and the rotated files are deleted once shipped.
    The first and last rotations rename a file Flume has already read to its end (Flume 1.11's TAILDIR, unpatched,
    reads such a file again from its start), the middle one a file it may not have read yet."""
    wait_until_quiet("news")
    marker, auth = uuid.uuid4().hex, {"Authorization": f"Bearer {lab_env['LAB_ADMIN_TOKEN']}"}
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    rotated = []
    for part in range(3):
        for n in range(15 * part, 15 * part + 15):
            requests.get(endpoints.url("news", f"/?rot={marker}-{n}"), timeout=30, headers={"X-Lab-User": "e2e-rot"})
        if part != 1:
            wait_shipped(flume.container(), "/site/logs/news/access.log", timeout=60, out=lambda *_: None)
        r = requests.post(endpoints.url("news", "/admin/logs/rotate"), headers=auth, timeout=30)
        assert r.status_code == 200, r.text
        rotated += r.json()["rotated"]
    assert len([name for name in rotated if name.startswith("access-")]) == 3, rotated
    days = [today, next_day(today, 1)]  # read just after midnight
    deadline = time.monotonic() + 120
    while len(marked_access_lines("news", marker, days)) < 45:
        assert time.monotonic() < deadline, marked_access_lines("news", marker, days)
        time.sleep(1)
    flume.wait_channel_written(60)  # one more copy, had there been one, would be in HDFS now
    assert {n: len(copies) for n, copies in marked_access_lines("news", marker, days).items()} == {
        n: 1 for n in range(45)
    }
    deadline = time.monotonic() + 120
    while left := [name for name in rotated if name in exec_in("flume", "ls", "/site/logs/news").stdout.split()]:
        assert time.monotonic() < deadline, f"rotated logs still in the site volume after 120 s: {left}"
        time.sleep(2)
