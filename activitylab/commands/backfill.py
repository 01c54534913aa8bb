"""`lab backfill FILE...` / `lab backfill --make-samples DIR`: historical event files into the events topic."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from activity_contract.days import parse_day

from .conventions import FAILED, fail


def register(sub) -> None:
    p = sub.add_parser(
        "backfill",
        help="load historical event files (CSV/JSONL/Parquet) into user-activity",
        description="Normalizes each file into schema v1 (docs/backfill.md) and sends the valid "
        "events to user-activity, the rejected ones to user-activity-dlq. The shape "
        "comes from the extension: .csv shop, .jsonl news, .parquet learn.",
    )
    p.add_argument("files", nargs="*")
    p.add_argument("--dry-run", action="store_true", help="read, normalize and validate only")
    p.add_argument("--make-samples", metavar="DIR", help="write one sample file per shape into DIR, then stop")
    p.add_argument("--start", help="first day of the samples, YYYY-MM-DD (default: --days before today)")
    p.add_argument("--days", type=int, default=3, help="days of activity in the samples")
    p.add_argument("--seed", type=int, default=1, help="same seed, same samples")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..backfill import backfill, make_samples, shape_of

    if args.make_samples:
        return samples(args, make_samples)
    if not args.files:
        return fail("backfill", "give files to load (.csv, .jsonl, .parquet), or --make-samples DIR")
    paths = [Path(f) for f in args.files]
    for path in paths:
        if not path.is_file():
            return fail("backfill", f"no such file: {path}")
        try:
            shape_of(path)
        except ValueError as exc:
            return fail("backfill", str(exc))
    try:
        reports = backfill(paths, dry_run=args.dry_run)
    except Exception as exc:  # Kafka unreachable, unreadable file: say which, never a bare traceback
        return fail("backfill", f"{type(exc).__name__}: {exc}", FAILED)
    return 0 if all(r.sent for r in reports) else FAILED


def samples(args, make_samples) -> int:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        start = (
            datetime.combine(parse_day(args.start), time(), tzinfo=UTC)
            if args.start
            else today - timedelta(days=args.days)
        )
    except ValueError:
        return fail("backfill", f"--start {args.start!r} is not YYYY-MM-DD")
    print(
        f"lab backfill: sample files in {args.make_samples} ({args.days} days from {start:%Y-%m-%d}, seed {args.seed})"
    )
    made = make_samples(Path(args.make_samples), start, args.days, args.seed)
    print("load them with: lab backfill " + " ".join(str(p) for p, _ in made.values()))
    return 0
