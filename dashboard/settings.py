"""The dashboard's settings, read from environment variables in one place (compose.yaml sets them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from activity_contract import names

DEFAULT_SITE_URLS = ",".join(f"{app}=http://localhost:{port}" for app, port in names.SITE_PORTS.items())


def parse_site_urls(text: str) -> dict[str, str]:
    """`shop=http://shop:5001,news=...` -> {"shop": "http://shop:5001", ...}, in the contract's site order."""
    urls = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        app, sep, url = item.partition("=")
        if not sep or not url.strip():
            raise ValueError(f"SITE_URLS: {item!r} is not app=url")
        if app.strip() not in names.APPS:
            raise ValueError(f"SITE_URLS: unknown site {app.strip()!r}; sites: {', '.join(names.APPS)}")
        urls[app.strip()] = url.strip().rstrip("/")
    return {app: urls[app] for app in names.APPS if app in urls}


def parse_links(text: str) -> dict[str, str]:
    """`Prometheus=http://localhost:9191,HDFS=http://...` -> {"Prometheus": "http://localhost:9191", ...}."""
    links = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, url = item.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise ValueError(f"UI_LINKS: {item!r} is not name=url")
        links[name.strip()] = url.strip()
    return links


@dataclass(frozen=True)
class Settings:
    hbase_host: str = "localhost"
    hbase_port: int = 9090
    nimbus_host: str = "localhost"
    nimbus_port: int = 6627
    apps: tuple[str, ...] = names.APPS  # the sites whose live views are shown
    site_urls: dict[str, str] = field(default_factory=lambda: parse_site_urls(DEFAULT_SITE_URLS))
    admin_token: str = field(default="", repr=False)  # server side only: never rendered
    refresh_s: float = 3.0  # the live views
    topology_refresh_s: float = 10.0  # Nimbus: two Thrift calls per refresh
    hive_host: str = "localhost"  # HiveServer2: the history page
    hive_port: int = 10000
    history_cache_s: float = 120.0  # a day's tables are read from Hive at most this often
    prometheus_url: str = "http://localhost:9191"  # the cluster page's reads (server side)
    ui_links: dict[str, str] = field(default_factory=dict)  # the components' UIs as the user's browser reaches them

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        def number(key, kind, default):
            try:
                value = kind(env.get(key) or default)
            except ValueError:
                raise ValueError(f"{key}={env[key]!r} is not a {kind.__name__}") from None
            if value <= 0:
                raise ValueError(f"{key} must be positive")
            return value

        return cls(
            hbase_host=env.get("HBASE_THRIFT_HOST") or "localhost",
            hbase_port=number("HBASE_THRIFT_PORT", int, 9090),
            nimbus_host=env.get("NIMBUS_HOST") or "localhost",
            nimbus_port=number("NIMBUS_PORT", int, 6627),
            apps=tuple(a.strip() for a in env.get("DASHBOARD_APPS", "").split(",") if a.strip()) or names.APPS,
            site_urls=parse_site_urls(env.get("SITE_URLS") or DEFAULT_SITE_URLS),
            admin_token=env.get("LAB_ADMIN_TOKEN", ""),
            refresh_s=number("DASHBOARD_REFRESH_S", float, 3.0),
            topology_refresh_s=number("DASHBOARD_TOPOLOGY_REFRESH_S", float, 10.0),
            hive_host=env.get("HIVESERVER2_HOST") or "localhost",
            hive_port=number("HIVESERVER2_PORT", int, 10000),
            history_cache_s=number("DASHBOARD_HISTORY_CACHE_S", float, 120.0),
            prometheus_url=env.get("PROMETHEUS_URL") or "http://localhost:9191",
            ui_links=parse_links(env.get("UI_LINKS", "")),
        )
