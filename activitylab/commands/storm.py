"""`lab storm deploy [--force]|kill|pause|resume|status`: the speed layer's topology."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("storm", help="the speed layer topology: deploy, kill, pause, resume, status")
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
        "pause", help="deactivate the topology: its spout stops reading Kafka, its lag grows (see the Cluster page)"
    ).set_defaults(func=pause)
    actions.add_parser("resume", help="activate the paused topology: it catches up from where it stopped").set_defaults(
        func=resume
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


def pause(_args) -> int:
    from .. import storm

    return storm.pause()


def resume(_args) -> int:
    from .. import storm

    return storm.resume()


def status(_args) -> int:
    from .. import storm

    return storm.status()
