"""Clients the components share: HBase (HappyBase over Thrift 1, reconnecting) and a Kafka producer."""

from __future__ import annotations

import json
import logging

import happybase
from kafka import KafkaProducer

log = logging.getLogger(__name__)


class HBase:
    """One Thrift connection, reopened after a failure (the caller fails its tuples, Storm replays them)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self._conn = None

    def table(self, name: str) -> happybase.Table:
        if self._conn is None:
            self._conn = happybase.Connection(self.host, self.port, timeout=20000, autoconnect=True)
        return self._conn.table(name)

    def reset(self) -> None:
        try:
            if self._conn is not None:
                self._conn.close()
        except Exception:  # closing a broken transport may fail too; a new one is opened next time
            pass
        self._conn = None


def producer(bootstrap: str) -> KafkaProducer:
    """acks=all and idempotent: a record the bolt acks is in Kafka, once."""
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=0,
        retries=5,
        max_in_flight_requests_per_connection=5,
    )


def send_json(p: KafkaProducer, topic: str, value: dict | bytes, key: str | None = None, timeout: float = 30) -> None:
    data = value if isinstance(value, bytes) else json.dumps(value, ensure_ascii=False).encode("utf-8")
    p.send(topic, value=data, key=key.encode() if key else None).get(timeout=timeout)
