"""One command per site container: the gunicorn site and, unless SIM_ENABLED=false, its simulator.

    python -m producers.serve            # SITE_APP_ID=shop|news|learn from the environment
    python -m producers.serve --app news

Both run as child processes; SIGTERM/SIGINT are passed on, and if either exits the other is
stopped and serve exits with its status, so the container's restart policy takes over.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from producers.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=("shop", "news", "learn"), help="site (default: SITE_APP_ID)")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.app:
        env["SITE_APP_ID"] = args.app
    settings = Settings.from_env(env)  # fail fast on a bad setting, before starting anything
    children = [subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:producers.gunicorn_conf",
                                  "producers.wsgi:app"], env=env)]
    if settings.sim_enabled:
        children.append(subprocess.Popen([sys.executable, "-m", "producers.simulator"], env=env))

    def forward(signum, _frame):
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 25
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    return next((c.returncode for c in children if c.returncode), 0)


if __name__ == "__main__":
    sys.exit(main())
