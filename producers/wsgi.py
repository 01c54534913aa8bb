"""WSGI entry point: `gunicorn -c python:producers.gunicorn_conf producers.wsgi:app` (SITE_APP_ID picks the site).

The app (and with it the Kafka sink's sender thread) is created in the worker process, after the
fork; never use --preload with it.
"""

from __future__ import annotations

import atexit

from producers.kafka_sink import KafkaEventSink
from producers.logs import SiteLogs
from producers.settings import Settings
from producers.site import create_app
from producers.spool import Spool


def create_app_from_env(settings: Settings | None = None):
    settings = settings or Settings.from_env()
    logs = SiteLogs(settings.app_log_dir(), settings.app_id, settings.log_max_bytes)
    sink = KafkaEventSink(
        bootstrap=settings.kafka_bootstrap,
        topic=settings.kafka_topic,
        dlq_topic=settings.kafka_dlq_topic,
        spool=Spool(settings.app_spool_dir(), settings.spool_max_bytes),
        queue_size=settings.sink_queue_size,
        delivery_timeout_ms=settings.sink_delivery_timeout_ms,
        client_id=f"activitylab-{settings.app_id}",
        report=lambda level, message: logs.error(message, level=level),
    )
    atexit.register(sink.close)  # unsent events go to the spool on a normal stop
    return create_app(settings.app_id, sink, settings, logs=logs)


app = create_app_from_env()
