"""`lab batch run` and `lab batch backfill` command lines: a malformed day, a range backwards, or a day not over yet
is refused before Airflow is asked anything."""

from datetime import UTC, datetime, timedelta

import pytest

from activitylab.cli import main


@pytest.mark.parametrize("day", ["2025-13-01", "2025-02-30", "yesterday", "2025-1-1"])
def test_a_day_that_is_not_a_calendar_date_is_refused(day, capsys):
    assert main(["batch", "run", "--date", day]) == 2
    assert f"lab batch run: --date must be YYYY-MM-DD, not {day!r}" in capsys.readouterr().err


@pytest.mark.parametrize("days_ahead", [0, 1])
def test_a_day_not_over_yet_is_left_to_the_nightly_run(days_ahead, capsys):
    day = (datetime.now(UTC) + timedelta(days=days_ahead)).strftime("%Y-%m-%d")
    assert main(["batch", "run", "--date", day]) == 2
    assert "not over yet" in capsys.readouterr().err


def test_the_day_is_required(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["batch", "run"])
    assert stop.value.code == 2 and "--date" in capsys.readouterr().err


@pytest.mark.parametrize(
    "first, last, message",
    [
        ("2025-1-1", "2025-01-02", "--from must be YYYY-MM-DD, not '2025-1-1'"),
        ("2025-01-01", "2025-02-30", "--to must be YYYY-MM-DD, not '2025-02-30'"),
        ("2025-01-03", "2025-01-02", "--from 2025-01-03 is after --to 2025-01-02"),
    ],
)
def test_a_backfill_of_a_bad_range_is_refused(first, last, message, capsys):
    assert main(["batch", "backfill", "--from", first, "--to", last]) == 2
    assert f"lab batch backfill: {message}" in capsys.readouterr().err


def test_a_backfill_up_to_a_day_not_over_yet_is_refused(capsys):
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert main(["batch", "backfill", "--from", "2025-01-01", "--to", today]) == 2
    assert f"lab batch backfill: {today} (UTC) is not over yet" in capsys.readouterr().err


def test_a_backfill_reprocesses_only_what_airflow_knows(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["batch", "backfill", "--from", "2025-01-01", "--to", "2025-01-02", "--reprocess", "all"])
    assert stop.value.code == 2 and "invalid choice: 'all'" in capsys.readouterr().err


def test_the_days_runs_are_read_page_by_page():
    """A backfill can span more days than the API's largest page (100 runs): day_runs reads every page."""
    from activity_clients.airflow import Airflow

    days = [datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i) for i in range(250)]
    runs = [{"logical_date": d.strftime("%Y-%m-%dT00:00:00Z"), "state": "success"} for d in days]
    asked = []

    def api(method, path, params):
        asked.append((params["offset"], params["limit"]))
        page = runs[params["offset"] : params["offset"] + params["limit"]]
        return {"dag_runs": page, "total_entries": len(runs)}

    client = object.__new__(Airflow)  # no sign-in: the API answers above
    client.api = api
    got = client.day_runs("activity_daily_batch", days[0], days[-1])
    assert list(got) == [d.strftime("%Y-%m-%d") for d in days]
    assert asked == [(0, 100), (100, 100), (200, 100)]
