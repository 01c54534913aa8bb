"""A bean of the NameNode's /jmx servlet, read from the host (safe mode, live DataNodes, block counts)."""

from __future__ import annotations

import requests

from activity_clients import endpoints


def namenode_bean(name: str, env: dict[str, str] | None = None, timeout: float = 10) -> dict | None:
    """`Hadoop:service=NameNode,name={name}` (FSNamesystemState, NameNodeInfo, ...), or None if not there.
    env: another project's settings (LAB_BIND, NAMENODE_PORT), else .env's."""
    beans = requests.get(
        endpoints.url("namenode", "/jmx", env=env),
        timeout=timeout,
        params={"qry": f"Hadoop:service=NameNode,name={name}"},
    ).json()["beans"]
    return beans[0] if beans else None
