"""`lab batch run`'s command line: a malformed day, or one not over yet, is refused before Airflow is asked
anything."""
from datetime import datetime, timedelta, timezone

import pytest

from activitylab.cli import main


@pytest.mark.parametrize("day", ["2025-13-01", "2025-02-30", "yesterday", "2025-1-1"])
def test_a_day_that_is_not_a_calendar_date_is_refused(day, capsys):
    assert main(["batch", "run", "--date", day]) == 2
    assert f"--date must be YYYY-MM-DD, not {day!r}" in capsys.readouterr().out


@pytest.mark.parametrize("days_ahead", [0, 1])
def test_a_day_not_over_yet_is_left_to_the_nightly_run(days_ahead, capsys):
    day = (datetime.now(timezone.utc) + timedelta(days=days_ahead)).strftime("%Y-%m-%d")
    assert main(["batch", "run", "--date", day]) == 2
    assert "not over yet" in capsys.readouterr().out


def test_the_day_is_required(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["batch", "run"])
    assert stop.value.code == 2 and "--date" in capsys.readouterr().err
