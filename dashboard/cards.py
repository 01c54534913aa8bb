"""The per-site cards (active users, last-minute health) as HTML for st.html.

Each card carries the count's `c:updated_at` (`data-updated-at`) next to the numbers it shows
(`data-field="active_5m"`, ...): the end-to-end test reads a card and the HBase row of the same moment.
"""

from __future__ import annotations

from html import escape

STALE_S = 60  # counts older than this: the topology stopped counting

CSS = """<style>
.lab-cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px;font-family:inherit}
.lab-card{border:1px solid #d1d5db;border-left:6px solid var(--site);border-radius:8px;padding:10px 14px}
.lab-card.alerting{border-color:#dc2626;background:#fef2f2}
.lab-site{font-weight:600;font-size:1.05rem;color:var(--site)}
.lab-big{font-size:2.2rem;font-weight:700;line-height:1.1}
.lab-muted{color:#6b7280;font-size:.85rem}
.lab-tag{background:#fde68a;border-radius:4px;padding:0 4px;font-size:.75rem;margin-left:4px}
</style>"""


def _fmt(value, spec: str, suffix: str = "") -> str:
    return "–" if value is None else f"{value:{spec}}{suffix}"


def site_card(app: str, site: dict | None, color: str, age_s: float | None, alerting: bool) -> str:
    """One site's card; `site` is live_data.site_summary's dict, None before the topology counted it."""
    classes = "lab-card alerting" if alerting else "lab-card"
    head = f'<div class="lab-site">{escape(app)}{" ⚠" if alerting else ""}</div>'
    if site is None:
        return (
            f'<div class="{classes}" data-testid="site-card-{escape(app)}" data-app="{escape(app)}" '
            f'data-updated-at="" style="--site:{color}">{head}'
            '<div class="lab-big">–</div><div class="lab-muted">no data yet: the topology has not counted '
            "this site (is it running?)</div></div>"
        )
    stale = age_s is not None and age_s > STALE_S
    when = escape(site["updated_at"][11:19]) + " UTC"
    ago = f" ({age_s:.0f} s ago)" if age_s is not None else ""
    rate = site["error_rate_1m"]
    health = (
        f"{_fmt(site['requests_1m'], 'd')} req/min · {_fmt(None if rate is None else rate * 100, '.1f', ' %')} "
        f"errors · p95 {_fmt(site['p95_latency_ms_1m'], '.0f', ' ms')}"
    )
    return (
        f'<div class="{classes}" data-testid="site-card-{escape(app)}" data-app="{escape(app)}" '
        f'data-updated-at="{escape(site["updated_at"])}" style="--site:{color}">{head}'
        f'<div><span class="lab-big" data-field="active_5m">{site["active_5m"]}</span> '
        f'<span class="lab-muted">active users, last 5 min</span></div>'
        f'<div><b data-field="active_30m">{site["active_30m"]}</b> '
        '<span class="lab-muted">in the last 30 min</span></div>'
        f'<div class="lab-muted">{health}</div>'
        f'<div class="lab-muted">counted at {when}{ago}{"<span class=lab-tag>stale</span>" if stale else ""}</div>'
        "</div>"
    )


def site_cards(cards: list[str]) -> str:
    return f'<div class="lab-cards">{"".join(cards)}</div>{CSS}'
