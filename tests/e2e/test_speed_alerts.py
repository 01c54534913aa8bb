"""The alerting bolt: a burst of 5xx raises an alert (HBase row and `activity-alerts` message) naming the metric,
value and threshold. (Two minutes of the sites' normal traffic raise none: test_cluster_watch.py, while the users
browse for that module.)"""

import json
import time
import uuid

import requests

from activity_clients import endpoints
from activity_contract import names
from lab_sites import consumer_at_end, drain, wait_until_quiet
from lab_speed import hbase, site_row_after, speed_settled


def test_a_burst_of_5xx_raises_an_error_rate_alert(lab_env, paused_simulation):
    wait_until_quiet("shop")
    speed_settled()
    # The window still holds the simulated users' page views of the last 60 s (c:requests_1m, as the alerting
    # bolt counted them once everything was processed; it only shrinks from here). Answering at least as many
    # requests with 5xx puts the window's error rate at 50 % or more, whatever the simulation's pace was.
    conn = hbase()
    health = site_row_after(conn, "shop", names.C_HEALTH_AT, time.time() * 1000)  # computed after everything
    in_window = int(health.get(names.C_REQUESTS_1M, b"0"))
    conn.close()
    burst = in_window + 40
    consumer = consumer_at_end(names.TOPIC_ALERTS)
    user = f"e2e-alert-{uuid.uuid4().hex[:8]}"
    headers = {"X-Lab-User": user, "X-Lab-Session": f"{user}-s", "X-Lab-Fault": "error"}
    statuses = [
        requests.get(endpoints.url("shop", f"/product/{i % 9 + 1}"), headers=headers, timeout=30).status_code
        for i in range(burst)
    ]
    assert statuses == [500] * burst

    def error_rate_alerts(msgs):
        return [
            a
            for a in (json.loads(m.value) for m in msgs)
            if a.get("app_id") == "shop" and a.get("type") == "error_rate"
        ]

    alerts = error_rate_alerts(drain(consumer, lambda msgs: error_rate_alerts(msgs), timeout=30))
    consumer.close()
    assert len(alerts) == 1, alerts
    alert = alerts[0]
    threshold = float(lab_env["ALERT_ERROR_RATE"])
    assert alert["metric"] == "error_rate" and alert["threshold"] == threshold
    assert threshold <= alert["value"] <= 1.0  # raised once the rate crossed it, maybe mid-burst
    assert f"{alert['value']:.0%}" in alert["message"] and f"{threshold:.0%}" in alert["message"]

    conn = hbase()
    row = conn.table(names.T_ALERTS).row(names.alert_row("shop", alert["time_ms"]))
    conn.close()
    assert row[names.C_ALERT_TYPE] == b"error_rate" and row[names.C_ALERT_METRIC] == b"error_rate"
    assert float(row[names.C_ALERT_VALUE]) == alert["value"]
    assert float(row[names.C_ALERT_THRESHOLD]) == threshold
    assert row[names.C_ALERT_MESSAGE].decode() == alert["message"]
