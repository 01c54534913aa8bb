"""HBase through its Thrift 1 server (HappyBase), the way the lab's tables are read and written outside the Storm
topology: the CLI, the dashboard, the speed-versus-batch job and the tests. Without a host and port: HBase Thrift as
published to the host (.env)."""

from __future__ import annotations


def connect(host: str | None = None, port: int | None = None, timeout_ms: int = 30_000):
    """A HappyBase connection (opened); close it when done."""
    import happybase  # imported here: the callers' pure code needs no Thrift client

    if host is None or port is None:
        from activity_clients.endpoints import host_port

        host, port = host_port("hbase-thrift")
    return happybase.Connection(host, port, timeout=timeout_ms, autoconnect=True)
