"""`lab status`: one line per service (health, host URL), the Storm cluster read from Nimbus, the cold archive."""

from activity_clients import endpoints

from .compose import containers
from .services import BY_NAME, SERVICES
from .wait import classify


def status(storm=True):
    cs = containers()
    if not cs:
        print("The lab is not running: `make up` starts it.")
        return 1
    order = {s.name: i for i, s in enumerate(SERVICES)}
    print(f"{'service':<36} {'state':<22} url")
    for c in sorted(cs, key=lambda c: (order.get(c.service, 99), c.name)):
        svc = BY_NAME.get(c.service)
        state = (
            f"done (exit {c.exit_code})"
            if svc and svc.oneshot and c.state == "exited"
            else f"{c.state}/{c.health}"
            if c.health
            else c.state
        )
        mark = {"ready": "ok ", "waiting": "...", "failed": "ERR"}[classify(c)]
        print(f"{mark} {c.name:<32} {state:<22} {svc.url if svc else ''}")
    if storm:
        print_storm()
    if any(c.service == "spark-streaming" and c.state == "running" for c in cs):
        print_archive()
    if any(c.service == "prometheus" and c.state == "running" for c in cs):
        print_metrics()
    return 0 if all(classify(c) == "ready" for c in cs) else 1


def print_storm():
    from activity_clients.nimbus import cluster_summary

    try:
        summary = cluster_summary()
    except Exception as exc:  # status is informative: report, don't crash
        print(f"\nStorm (Nimbus {endpoints.address('nimbus')}): not reachable: {exc}")
        return
    sups = summary["supervisors"]
    free = sum(s["slots"] - s["used"] for s in sups)
    print(f"\nStorm (from Nimbus' Thrift API): {len(sups)} supervisor(s), {free} free slot(s)")
    for s in sups:
        print(f"  supervisor {s['host']:<20} slots {s['used']}/{s['slots']} used, up {s['uptime_s']} s")
    for t in summary["topologies"] or []:
        print(f"  topology {t['name']:<22} {t['status']:<8} workers {t['workers']}, executors {t['executors']}")
    if not summary["topologies"]:
        print("  no topology running")
    from activity_clients.nimbus import topology_summary

    from .storm import status_lines

    try:
        print("\n".join("  " + line for line in status_lines(topology_summary())))
    except Exception as exc:  # informative only
        print(f"  speed layer topology: not readable from Nimbus: {exc}")


def print_archive():
    from .archive import read_status, status_lines

    print(f"\nCold archive (spark-streaming, Spark UI {endpoints.url('spark-streaming')}):")
    try:
        print("\n".join("  " + line for line in status_lines(read_status())))
    except Exception as exc:  # informative only
        print(f"  status not readable: {exc}")


def print_metrics():
    """The scrape targets down and the alerts firing, as Prometheus sees them (monitoring/alerts.yml)."""
    from activity_clients.prometheus import Prometheus, PrometheusError

    prometheus = Prometheus()
    print(f"\nMetrics (Prometheus {prometheus.base}):")
    try:
        targets, alerts = prometheus.targets(), prometheus.alerts()
    except PrometheusError as exc:  # informative only
        print(f"  not readable: {exc}")
        return
    print("\n".join("  " + line for line in metrics_lines(targets, alerts)))


def metrics_lines(targets: list[dict], alerts: list[dict]) -> list[str]:
    up = sum(t["health"] == "up" for t in targets)
    lines = [f"{up} of {len(targets)} scrape targets up"]
    for t in targets:
        if t["health"] != "up":
            job, instance = t["labels"].get("job", "?"), t["labels"].get("instance", "?")
            lines.append(f"  target {job} ({instance}) {t['health']}: {t.get('lastError') or 'not scraped yet'}")
    firing = [a for a in alerts if a["state"] == "firing"]
    pending = [a for a in alerts if a["state"] == "pending"]
    lines.append(f"alerts firing: {len(firing)}" + (f", pending: {len(pending)}" if pending else ""))
    for a in sorted(firing, key=lambda a: a["labels"].get("alertname", "")):
        summary = a.get("annotations", {}).get("summary", "")
        lines.append(f"  FIRING {a['labels'].get('alertname', '?')}: {summary}")
    return lines
