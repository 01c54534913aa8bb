"""`lab batch run --date D` / `lab batch backfill --from A --to B`: the daily batch DAG through Airflow's REST API."""

from __future__ import annotations

from datetime import UTC, datetime

from activity_contract.days import parse_day

from .conventions import FAILED, USAGE, add_timeout, add_wait, fail


def register(sub) -> None:
    p = sub.add_parser(
        "batch",
        help="the daily batch DAG: run --date D, backfill --from A --to B",
        description="The DAG activity_daily_batch through Airflow's REST API, following each task; "
        "a failed task's log ends the output. Running a day again replaces its "
        "partitions; a day without data skips its tasks.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser(
        "run",
        help="one day: a new run, or that day's run cleared to run again",
        description="Triggers the DAG for the day (its logical date), or clears that day's run.",
    )
    a.add_argument("--date", required=True, help="the day, YYYY-MM-DD (UTC)")
    add_wait(a, "the run to end")
    add_timeout(a, "the run", 7200)
    a.set_defaults(func=run)
    a = actions.add_parser(
        "backfill",
        help="Airflow's own backfill of the days --from A --to B, one at a time",
        description="Creates an Airflow backfill (POST /api/v2/backfills) of the logical dates A "
        "to B, oldest first, one run at a time. Days that have a run are kept unless "
        "--reprocess says otherwise.",
    )
    a.add_argument("--from", dest="first", required=True, metavar="A", help="the first day, YYYY-MM-DD (UTC)")
    a.add_argument("--to", dest="last", required=True, metavar="B", help="the last day, YYYY-MM-DD (UTC)")
    a.add_argument(
        "--reprocess",
        choices=("none", "failed", "completed"),
        default="none",
        help="days that have a run: none (keep them, the default), failed (run the failed ones "
        "again), completed (run every one again)",
    )
    add_wait(a, "every day's run to end")
    add_timeout(a, "the runs", 7200)
    a.set_defaults(func=backfill)


def past_day(text: str, option: str, command: str) -> datetime:
    """The UTC day of YYYY-MM-DD text that is over; else ValueError with the message for the user."""
    try:
        day = datetime.combine(parse_day(text), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{option} must be YYYY-MM-DD, not {text!r}") from None
    if day.date() >= datetime.now(UTC).date():
        # Airflow keeps one run per logical date: a run now would also stand in for the nightly run of that day.
        raise ValueError(
            f"{text} (UTC) is not over yet; the DAG runs it by itself after "
            "midnight UTC. For a look at the day so far: lab shell -- spark-submit "
            f"/opt/lab/spark_jobs/daily_etl.py --date {text}"
        )
    return day


def run(args) -> int:
    from .. import airflow

    try:
        day = past_day(args.date, "--date", "run")
    except ValueError as exc:
        return fail("batch run", str(exc), USAGE)
    try:
        return airflow.trigger(airflow.DAILY_BATCH, wait=args.wait, timeout=args.timeout, logical_date=day)
    except (RuntimeError, OSError) as exc:
        return fail("batch run", str(exc), FAILED)


def backfill(args) -> int:
    from .. import airflow

    try:
        first, last = past_day(args.first, "--from", "backfill"), past_day(args.last, "--to", "backfill")
        if first > last:
            raise ValueError(f"--from {args.first} is after --to {args.last}")
    except ValueError as exc:
        return fail("batch backfill", str(exc), USAGE)
    try:
        return airflow.backfill(airflow.DAILY_BATCH, first, last, args.reprocess, wait=args.wait, timeout=args.timeout)
    except (RuntimeError, OSError) as exc:
        return fail("batch backfill", str(exc), FAILED)
