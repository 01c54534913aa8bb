"""Writes .env from .env.example: random secrets on first run, new keys appended later.

Existing values are never changed (data volumes were initialised with them). `<generated>` becomes
a random URL-safe secret, `<generated-kafka-id>` a Kafka cluster id (a base64url UUID),
`<generated-fernet-key>` a Fernet key (Airflow encrypts connection passwords with it).
"""

import base64
import os
import re
import secrets
import sys
import uuid

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def generated(value):
    if value == "<generated>":
        return secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
    if value == "<generated-fernet-key>":  # Airflow's Fernet key: 32 random bytes, URL-safe base64
        return base64.urlsafe_b64encode(os.urandom(32)).decode()
    if value == "<generated-kafka-id>":
        return kafka_cluster_id()
    return value


def kafka_cluster_id():
    """A KRaft cluster id: a UUID in URL-safe base64, never starting with '-' (kafka-storage would take it for an
    option; Kafka's own Uuid.randomUuid() draws again for the same reason)."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def parse(path):
    out = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if m := LINE.match(line.strip()):
                    out[m.group(1)] = m.group(2)
    return out


def main():
    example, target = os.path.join(ROOT, ".env.example"), os.path.join(ROOT, ".env")
    current = parse(target)
    added = [(k, generated(v)) for k, v in parse(example).items() if k not in current]
    if not added:
        print("[env] .env is up to date")
        return 0
    fresh = not os.path.exists(target)
    with open(target, "a", encoding="utf-8") as f:
        os.chmod(target, 0o600)
        if fresh:
            f.write("# Generated from .env.example; secrets are random and private to this machine.\n")
        for k, v in added:
            f.write(f"{k}={v}\n")
    print(f"[env] {'wrote' if fresh else 'added to'} .env: {', '.join(k for k, _ in added)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
