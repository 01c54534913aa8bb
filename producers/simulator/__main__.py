"""`python -m producers.simulator [--app shop] [--base-url URL] [--seed N]`: run one site's simulated users."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from activity_contract import names
from producers.settings import Settings
from producers.simulator.runner import Simulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Simulated users browsing one Activity Lab site.")
    parser.add_argument("--app", choices=names.APPS, help="site (default: SITE_APP_ID)")
    parser.add_argument("--base-url", help="site URL (default: SIM_BASE_URL or http://127.0.0.1:{port})")
    parser.add_argument("--seed", type=int, help="seed of the users' choices (default: SIM_SEED or random)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s simulator %(message)s")
    settings = Settings.from_env(app_id=args.app)
    if args.base_url:
        settings = settings.replace(sim_base_url=args.base_url)
    simulator = Simulator(settings, seed=args.seed)
    signal.signal(signal.SIGTERM, lambda *_: simulator.stop.set())
    signal.signal(signal.SIGINT, lambda *_: simulator.stop.set())
    simulator.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
