"""The daily jobs' --date argument (activity_contract/days.py): a UTC day or a clear error before Spark starts."""

import pytest

from activity_contract.days import day_argument as parse_day


def test_a_day_is_taken_as_given():
    assert parse_day(["--date", "2026-12-01"], "job") == "2026-12-01"


@pytest.mark.parametrize(
    "argv", [[], ["--date", "2026-12-1"], ["--date", "yesterday"], ["--date", "2026-12-01x"], ["--date", "2025-02-30"]]
)
def test_a_missing_or_malformed_day_stops_with_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        parse_day(argv, "job")
    assert stop.value.code == 2
    assert "--date" in capsys.readouterr().err
