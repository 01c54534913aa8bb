"""pig/access_logs.pig against the lab's Python parser (activitylab/clf.py): its line pattern, run here by Python's
`re` (which reads the Java syntax it uses, possessive quantifiers included), splits every line the way clf.py does
and matches exactly the lines clf.py parses; its list of sites and paths are the contract's. The Pig job itself runs
in tests/e2e/test_daily_batch.py."""

import re
from pathlib import Path

import pytest

from activity_contract import names
from activitylab.clf import EXAMPLES, FORMATS, PATTERNS

ROOT = Path(__file__).resolve().parents[2]
PIG = (ROOT / "pig" / "access_logs.pig").read_text()
SHELL = (ROOT / "pig" / "access_logs.sh").read_text()
DDL = (ROOT / "hive" / "ddl" / "40-access-logs.sql").read_text()
GROUPS = ("vhost", "host", "ident", "user", "time", "request", "status", "size", "referer", "agent", "extras")


def pig_pattern(after):
    """The string literal of the REGEX_EXTRACT_ALL that follows `after`, with Pig's escapes undone."""
    literal = re.search(re.escape(f"REGEX_EXTRACT_ALL({after},") + r"\s*'((?:[^'\\]|\\.)*)'", PIG).group(1)
    return re.compile(re.sub(r"\\(.)", r"\1", literal))


LINE = pig_pattern("line")
TIME = pig_pattern("f.$4")
LINES = list(EXAMPLES.values()) + [
    '2001:db8::1f - bob [29/Feb/2024:23:59:59 -0930] "GET /a\\"b\\\\ HTTP/1.1" 404 - "-" "curl/8" rt=0.004 "1.2.3.4, 10.0.0.1"',
    'h - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/" 200 6245',
    'h - - [01/Jul/1995:00:00:01 -0400] "\\x16\\x03\\x01" 400 0',
    'v.example h - - [01/Jul/1995:00:00:01 -0400] "" 200 0 "" ""',
    'h - - [01/Jul/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 12 "-" "Mozilla/2.0" ' + "x" * 20000,
    # not lines of any format
    "garbage",
    "",
    'h - - [01/Jul/1995:00:00:01 -0400] "GET / HTTP/1.0" 200',
    'h - - [01/Jul/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 12 "-" "Mozilla/2.0" "open',
    'a b c d e [01/Jul/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 12',
]


def clf_groups(line):
    for fmt in FORMATS:
        if m := PATTERNS[fmt].match(line):
            return tuple(m.groupdict().get(g) for g in GROUPS)
    return None


@pytest.mark.parametrize("line", LINES, ids=range(len(LINES)))
def test_the_pig_pattern_splits_each_line_as_clf_does(line):
    m = LINE.fullmatch(line)  # Pig's REGEX_EXTRACT_ALL matches the whole line
    want = clf_groups(line)
    if want is None:
        assert m is None
    else:
        got = m.groups()
        assert got[:10] == want[:10]
        assert (got[10] or "") == (want[10] or "")  # extras: absent in the common formats


def test_the_time_pattern_takes_the_parts_clf_reads():
    assert TIME.fullmatch("29/Feb/2024:23:59:59 -0930").groups() == ("29", "Feb", "2024", "23", "59", "59", "09", "30")
    assert TIME.fullmatch("01/Jly/1995:00:00:13 -0400") is None


def test_the_sites_and_paths_are_the_contracts():
    apps = list(names.APPS)
    assert re.search(r"IN \(([^)]*)\)", PIG).group(1) == ", ".join(f"'{a}'" for a in apps)
    assert re.findall(r"(\w+) IF app_id == '(\w+)'", PIG) == [(a, a) for a in apps]
    assert re.findall(r"STORE \(FOREACH (\w+) GENERATE \$1 \.\.\) INTO '\$out/app_id=(\w+)'", PIG) == [
        (a, a) for a in apps
    ]
    assert re.findall(r"fs -mv \$out/app_id=(\w+) \$table/app_id=(\w+)/dt=\$day", PIG) == [(a, a) for a in apps]
    assert re.search(r"^APPS=\(([^)]*)\)", SHELL, re.M).group(1).split() == apps
    assert re.search(r"^LOGS=(\S+)", SHELL, re.M).group(1) == names.HDFS_LOGS
    for table in ("access_logs", "rejected_access_lines"):
        path = f"{names.HDFS_WAREHOUSE}/{table}"
        assert f"LOCATION '{path}'" in DDL and re.search(rf"^\w+={re.escape(path)}\s", SHELL, re.M), table
