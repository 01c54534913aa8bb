"""Submit the speed layer to Nimbus when it is absent or its code or settings changed (idempotent).

Run by the one-shot `storm-deploy` service at `make up` (and by `lab storm deploy`):
    python deploy.py [--force]
The deploy's fingerprint is the sha256 of the topology's Python sources (computed at image build) and of the
rendered Flux file; it is stored in the topology's config (`lab.deploy_sha256`), so a running topology with
the same fingerprint is left alone, and a different one is killed and replaced.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time

from activity_clients.nimbus import nimbus_client
from activity_contract import names

HOME = os.environ.get("TOPOLOGY_HOME", "/opt/topology")
JAR = f"{HOME}/activity-speed.jar"
FLUX_TEMPLATE = f"{HOME}/topology.yaml"
STORM_CONF = "/etc/lab/storm"
DEFAULTS = {
    "PYTHON": sys.executable,
    "KAFKA_BOOTSTRAP": "kafka:29092",
    "HBASE_THRIFT_HOST": "hbase-thrift",
    "HBASE_THRIFT_PORT": "9090",
    "SPEED_BATCH_MS": "50",
    "SPEED_MAX_PENDING": "2000",
    "STORM_WORKER_HEAP_MB": "256",
    "ALERT_ERROR_RATE": "0.2",
    "ALERT_P95_MS": "2500",
    "ALERT_MIN_REQUESTS": "30",
    "ALERT_ZSCORE": "3.0",
    "ALERT_SPIKE_MIN_ERRORS": "10",
    "ALERT_COOLDOWN_S": "60",
}
_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")


def render(template: str, env: dict[str, str]) -> str:
    """${NAME} from env (else DEFAULTS); an unknown name is an error, not an empty string."""

    def sub(m):
        name = m.group(1)
        value = env.get(name) or DEFAULTS.get(name)
        if value is None:
            raise SystemExit(f"storm-deploy: {FLUX_TEMPLATE} uses ${{{name}}}, which is not set")
        return value

    return _VAR.sub(sub, template)


def heap_mb(text: str) -> str:
    """`256m` / `1g` (the .env heap style) as megabytes."""
    m = re.fullmatch(r"(\d+)([mMgG]?)", text.strip())
    if not m:
        raise SystemExit(f"storm-deploy: STORM_WORKER_HEAP={text!r} is not like 256m or 1g")
    return str(int(m.group(1)) * (1024 if m.group(2).lower() == "g" else 1))


def nimbus():
    host, port = os.environ.get("NIMBUS_HOST", "nimbus"), int(os.environ.get("NIMBUS_PORT", "6627"))
    return nimbus_client(host, port, timeout_ms=15000)


def wait_for_cluster(timeout_s: int = 300):
    """Nimbus answering and at least one supervisor with a free slot (a progress line every 15 s)."""
    start, last_note, why = time.monotonic(), 0.0, ""
    while time.monotonic() - start < timeout_s:
        try:
            info = nimbus().getClusterInfo()
            if info.supervisors:
                return info
            why = "Nimbus is up, no supervisor registered yet"
        except Exception as exc:  # Nimbus still starting
            why = f"Nimbus not answering yet ({exc.__class__.__name__})"
        if time.monotonic() - last_note > 15:
            print(f"storm-deploy: waiting: {why}", flush=True)
            last_note = time.monotonic()
        time.sleep(2)
    raise SystemExit(f"storm-deploy: gave up after {timeout_s} s: {why}")


def running(client, name):
    return next((t for t in client.getClusterInfo().topologies if t.name == name), None)


def kill(client, name, wait_secs=5, timeout_s=120):
    from streamparse.thrift import KillOptions

    client.killTopologyWithOpts(name, KillOptions(wait_secs=wait_secs))
    deadline = time.monotonic() + timeout_s
    while running(client, name) is not None:
        if time.monotonic() > deadline:
            raise SystemExit(f"storm-deploy: {name} still listed {timeout_s} s after the kill")
        time.sleep(1)


def submit(flux_file: str):
    cmd = [
        "java",
        f"-Dstorm.jar={JAR}",
        "-cp",
        f"{JAR}:/opt/storm/lib-worker/*:{STORM_CONF}",
        "org.apache.storm.flux.Flux",
        "--remote",
        flux_file,
    ]
    print("storm-deploy: " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def spout_progress(bootstrap: str) -> tuple[int, int]:
    """(messages of the events topic not yet committed by the spout, sum of its committed offsets)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=names.SPEED_CONSUMER_GROUP, enable_auto_commit=False)
    try:
        topic = names.TOPIC_EVENTS
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = consumer.end_offsets(parts)
        committed = {tp: consumer.committed(tp) or 0 for tp in parts}
        return sum(ends[tp] - committed[tp] for tp in parts), sum(committed.values())
    finally:
        consumer.close()


def wait_until_processing(timeout_s: int = 300):
    """Until the topology demonstrably processes events: nothing left to read, or its spout committed further
    than when the wait began (a topology can be ACTIVE in Nimbus while its worker is still being launched)."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", DEFAULTS["KAFKA_BOOTSTRAP"])
    start, last_note = time.monotonic(), time.monotonic()
    lag, first = spout_progress(bootstrap)
    while lag:
        time.sleep(1)
        lag, committed = spout_progress(bootstrap)
        if committed > first:
            print(f"storm-deploy: the topology is processing ({lag} message(s) still to read)", flush=True)
            return
        if time.monotonic() - last_note > 15:
            print(f"storm-deploy: waiting for the worker to start processing ({lag} message(s) waiting)", flush=True)
            last_note = time.monotonic()
        if time.monotonic() - start > timeout_s:
            raise SystemExit(
                f"storm-deploy: the topology committed nothing in {timeout_s} s ({lag} message(s) "
                "waiting): see `lab storm status` and the supervisor's worker logs"
            )
    print("storm-deploy: the topology is processing (nothing waiting)", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="replace the topology even if its fingerprint matches")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    if "STORM_WORKER_HEAP" in env:
        env["STORM_WORKER_HEAP_MB"] = heap_mb(env["STORM_WORKER_HEAP"])
    code_sha = open(f"{HOME}/code.sha256").read().split()[0]
    env["DEPLOY_SHA256"] = "pending"
    body = render(open(FLUX_TEMPLATE).read(), env)
    fingerprint = hashlib.sha256((code_sha + body).encode()).hexdigest()
    env["DEPLOY_SHA256"] = fingerprint
    body = render(open(FLUX_TEMPLATE).read(), env)
    name = re.search(r'^name:\s*"([^"]+)"', body, re.M).group(1)

    wait_for_cluster()
    client = nimbus()
    current = running(client, name)
    if current is not None:
        conf = json.loads(client.getTopologyConf(current.id))
        if conf.get("lab.deploy_sha256") == fingerprint and not args.force:
            print(
                f"storm-deploy: {name} is running ({current.status}, up {current.uptime_secs} s) with this "
                f"code and settings ({fingerprint[:12]}): nothing to do",
                flush=True,
            )
            wait_until_processing()
            return 0
        why = (
            "--force"
            if args.force
            else f"code or settings changed ({str(conf.get('lab.deploy_sha256'))[:12]} -> {fingerprint[:12]})"
        )
        print(f"storm-deploy: replacing {name}: {why}", flush=True)
        kill(client, name)
    flux_file = "/tmp/activity-speed.yaml"
    with open(flux_file, "w") as f:
        f.write(body)
    try:
        submit(flux_file)
    except subprocess.CalledProcessError as exc:
        print(exc.stdout[-4000:], file=sys.stderr)
        raise SystemExit(f"storm-deploy: Flux submit failed (exit {exc.returncode})") from None
    deadline = time.monotonic() + 120
    while (t := running(client, name)) is None or t.status != "ACTIVE":
        if time.monotonic() > deadline:
            raise SystemExit(f"storm-deploy: {name} not ACTIVE 120 s after submit")
        time.sleep(1)
    print(f"storm-deploy: {name} submitted ({fingerprint[:12]}), {t.status}", flush=True)
    wait_until_processing()
    return 0


if __name__ == "__main__":
    sys.exit(main())
