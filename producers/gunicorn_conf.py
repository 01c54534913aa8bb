"""gunicorn settings of a lab site (read through producers.settings, like everything else).

One worker process with threads, on purpose: the site's Kafka producer, its spool directory and
its counters must be single per site for the counters to equal what reached the topic.
"""

from producers.settings import Settings

_settings = Settings.from_env()

bind = f"0.0.0.0:{_settings.site_port}"
workers = 1
worker_class = "gthread"
threads = _settings.threads
timeout = 30
graceful_timeout = 8  # then the sink drains (<= 3 s) and spools what Kafka has not acknowledged (<= 5 s)
keepalive = 5
accesslog = None  # the site writes its own Combined Log Format access log under LOG_DIR
errorlog = "-"
proc_name = f"activitylab-{_settings.app_id}"


def worker_exit(server, worker):
    import sys

    wsgi = sys.modules.get("producers.wsgi")
    if wsgi is not None:
        wsgi.app.extensions["activitylab"].sink.close()
