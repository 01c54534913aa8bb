"""ParseBolt: validates each Kafka message against the v1 schema; invalid ones go to the DLQ with the reason,
valid ones are routed to the counters (by row), the user state (by user) and the alerting (by site)."""

from __future__ import annotations

from streamparse import Bolt

from activity_contract import names

from .routing import counter_updates, dlq_record, parse, site_sample
from .settings import Settings
from .storm_io import producer, send_json


class ParseBolt(Bolt):
    """Input: the spout's (raw, reason) tuples. Outputs, anchored to the input:
    `counts` (key, event_id, deltas), `users` (user_id, event), `sites` (app_id, sample)."""

    auto_ack = True
    auto_fail = True
    exit_on_exception = False

    def initialize(self, storm_conf, context):
        self.settings = Settings.from_storm_conf(storm_conf)
        self.producer = producer(self.settings.kafka_bootstrap)
        self.rejected = 0

    def process(self, tup):
        raw, reason = tup.values
        event = None
        if reason is None:
            event, reason = parse(raw)
        if event is None:
            # Acked only once the DLQ has it (send_json waits for acks=all); a Kafka error fails the tuple.
            send_json(self.producer, names.TOPIC_DLQ, dlq_record(raw, reason))
            self.rejected += 1
            self.logger.info("to %s (%d so far): %s", names.TOPIC_DLQ, self.rejected, reason[:300])
            return
        for key, deltas in counter_updates(event):
            self.emit([key, event["event_id"], deltas], stream="counts")
        self.emit([event["user_id"], event], stream="users")
        self.emit([event["app_id"], site_sample(event)], stream="sites")
