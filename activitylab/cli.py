"""The `lab` command: status, wait, urls, smoke, bench (more subcommands come with each component)."""
import argparse
import os
import sys


def cmd_wait(args):
    from .wait import wait
    return wait(timeout=args.timeout)


def cmd_urls(_args):
    from .services import SERVICES
    print("\nActivity Lab is up. From this machine:")
    for s in SERVICES:
        if s.url:
            print(f"  {s.role:<48} {s.url}")
    print("Secrets (database passwords, admin token) are in .env.")
    return 0


def cmd_status(args):
    from .status import status
    return status(storm=not args.no_storm)


def cmd_smoke(_args):
    from .smoke import smoke
    return smoke()


def cmd_bench(args):
    from .bench import bench_startup
    return bench_startup(skip_up=args.skip_up)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="lab", description="Activity Lab command line")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("wait", help="wait until every service is healthy")
    p.add_argument("--timeout", type=int, default=int(os.environ.get("LAB_WAIT_TIMEOUT", "900")))
    p.set_defaults(func=cmd_wait)
    sub.add_parser("urls", help="print what to open from this machine").set_defaults(func=cmd_urls)
    p = sub.add_parser("status", help="every service with its health and URL, Storm from Nimbus")
    p.add_argument("--no-storm", action="store_true", help="skip the Nimbus query")
    p.set_defaults(func=cmd_status)
    sub.add_parser("smoke", help="one real check per component, human-readable").set_defaults(func=cmd_smoke)
    p = sub.add_parser("bench", help="measure the lab")
    bsub = p.add_subparsers(dest="what", required=True)
    b = bsub.add_parser("startup", help="time from `make up` to all healthy, and memory per service")
    b.add_argument("--skip-up", action="store_true", help="measure memory only, of the running lab")
    b.set_defaults(func=cmd_bench)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
