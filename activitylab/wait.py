"""`lab wait`: block until every service is healthy and every init job has exited 0, showing progress.

Fails fast, with the service's last log lines, when a daemon exits or turns unhealthy or an init
job exits non-zero: waiting on until the timeout would only hide the cause.
"""

import sys
import time

from .compose import containers, logs_tail
from .services import BY_NAME


def classify(c):
    """'ready', 'waiting' or 'failed' for one container."""
    oneshot = BY_NAME.get(c.service) and BY_NAME[c.service].oneshot
    if oneshot:
        if c.state == "exited":
            return "ready" if c.exit_code == 0 else "failed"
        return "waiting"
    # A daemon restarting during start-up is crash-looping: waiting longer would only hide why.
    if c.state in ("exited", "dead", "restarting") or c.health == "unhealthy":
        return "failed"
    return "ready" if c.state == "running" and c.health in ("healthy", "") else "waiting"


def wait(timeout=600, poll=2.0, out=sys.stdout):
    start, last = time.monotonic(), None
    while True:
        cs = containers()
        if not cs:
            print("lab wait: no lab containers: run `make up` first", file=sys.stderr)
            return 1
        verdict = {c.name: classify(c) for c in cs}
        failed = [c for c in cs if verdict[c.name] == "failed"]
        if failed:
            for c in failed:
                print(
                    f"\nlab wait: {c.name} failed (state {c.state}, health {c.health or '-'}, "
                    f"exit {c.exit_code}); its last log lines:\n{logs_tail(c.service)}",
                    file=sys.stderr,
                )
            return 1
        pending = sorted(f"{c.service}({c.health or c.state})" for c in cs if verdict[c.name] == "waiting")
        elapsed = time.monotonic() - start
        line = f"[{elapsed:5.0f}s] {len(cs) - len(pending)}/{len(cs)} ready" + (
            f"; waiting for {', '.join(pending)}" if pending else ""
        )
        if not pending:
            print(f"{line}\nlab wait: every service is healthy after {elapsed:.0f} s", file=out)
            return 0
        if line.split("] ", 1)[1] != last or int(elapsed) % 30 < poll:
            print(line, file=out, flush=True)
            last = line.split("] ", 1)[1]
        if elapsed > timeout:
            print(f"lab wait: gave up after {timeout} s; still waiting for {', '.join(pending)}", file=sys.stderr)
            return 1
        time.sleep(poll)
