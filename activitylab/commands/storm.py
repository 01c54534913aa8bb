"""`lab storm deploy [--force]|kill|status`: the speed layer's topology."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("storm", help="the speed layer topology: deploy, kill, status")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser(
        "deploy",
        help="submit the topology when absent or when its code or settings changed",
        description="Runs the one-shot storm-deploy service: submits the topology when it is absent or its "
        "fingerprint (code and settings) changed, and waits until it processes events.",
    )
    a.add_argument("--force", action="store_true", help="replace it even when unchanged")
    a.set_defaults(func=deploy)
    actions.add_parser("kill", help="remove the topology, waiting until Nimbus no longer lists it").set_defaults(
        func=kill
    )
    actions.add_parser(
        "status", help="workers, uptime, tuples and latency from Nimbus; the spout's Kafka lag"
    ).set_defaults(func=status)


def deploy(args) -> int:
    from .. import storm

    return storm.deploy(force=args.force)


def kill(_args) -> int:
    from .. import storm

    return storm.kill()


def status(_args) -> int:
    from .. import storm

    return storm.status()
