"""One command per site container: the gunicorn site and, unless SIM_ENABLED=false, its simulator.

    python -m producers.serve            # SITE_APP_ID=shop|news|learn from the environment
    python -m producers.serve --app news

Both run as child processes. On SIGTERM/SIGINT the simulated users stop first, then the site (which
drains its Kafka sink and spools the rest): no request of a simulated user is cut off half-way. If either
child exits the other is stopped and serve exits with its status, so the container's restart policy takes
over. The whole stop takes at most STOP_TIMEOUT_S, inside the service's stop_grace_period (compose.yaml).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from activity_contract import names
from producers.kafka_sink import producer_config
from producers.settings import Settings

STOP_TIMEOUT_S = 30  # simulator, then gunicorn (graceful_timeout + the sink's drain and close)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=names.APPS, help="site (default: SITE_APP_ID)")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.app:
        env["SITE_APP_ID"] = args.app
    settings = Settings.from_env(env)  # fail fast on a bad setting, before starting anything
    producer_config(settings.kafka_bootstrap, settings.sink_delivery_timeout_ms, settings.app_id)
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:producers.gunicorn_conf", "producers.wsgi:app"], env=env
        )
    ]
    if settings.sim_enabled:
        children.append(subprocess.Popen([sys.executable, "-m", "producers.simulator"], env=env))

    stopping = []

    def stop(signum, _frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for child in reversed(children):  # the simulator first, the site last
        if child.poll() is None:
            child.send_signal(stopping[0] if stopping else signal.SIGTERM)
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"serve: {child.args[2]} did not stop within {STOP_TIMEOUT_S} s: killed", file=sys.stderr)
            child.kill()
    return next((c.returncode for c in children if c.returncode), 0)


if __name__ == "__main__":
    sys.exit(main())
