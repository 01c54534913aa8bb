"""HiveServer2 through PyHive (Thrift, no SASL: the lab's HiveServer2 runs with authentication NONE), database
`activity` unless told otherwise. Without a host and port: HiveServer2 as published to the host (.env)."""

from __future__ import annotations

from activity_contract.names import HIVE_DATABASE


def connect(host: str | None = None, port: int | None = None, database: str = HIVE_DATABASE):
    """A PyHive connection to `database`; close it when done."""
    from pyhive import hive  # imported here: the callers' pure code needs no Thrift client

    if host is None or port is None:
        from activity_clients.endpoints import host_port

        host, port = host_port("hiveserver2")
    return hive.connect(host=host, port=port, auth="NONE", database=database)
