"""`lab airflow status` / `lab airflow trigger DAG [--no-wait] [--timeout S]`: Airflow through its REST API."""

from __future__ import annotations

from .conventions import FAILED, add_timeout, add_wait, fail


def register(sub) -> None:
    p = sub.add_parser("airflow", help="Airflow through its REST API: status, trigger DAG")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("status", help="Airflow's components, DAGs and import errors").set_defaults(func=status)
    a = actions.add_parser(
        "trigger",
        help="start a DAG run and follow its tasks",
        description="Unpauses the DAG, starts a run and (unless --no-wait) prints each task's state as it "
        "changes until the run ends; exit 0 when it succeeded.",
    )
    a.add_argument("dag", metavar="DAG", help="the DAG id, e.g. lab_smoke")
    add_wait(a, "the run to end")
    add_timeout(a, "the run", 1800)
    a.set_defaults(func=trigger)


def status(_args) -> int:
    from .. import airflow

    try:
        return airflow.status()
    except (RuntimeError, OSError) as exc:  # refused password, API error, api-server down
        return fail("airflow status", str(exc), FAILED)


def trigger(args) -> int:
    from .. import airflow

    try:
        return airflow.trigger(args.dag, wait=args.wait, timeout=args.timeout)
    except (RuntimeError, OSError) as exc:
        return fail("airflow trigger", str(exc), FAILED)
