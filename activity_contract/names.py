"""The contract's names: sites and ports, topics, HBase tables, columns and row keys, HDFS paths, Hive.

Pure constants and key functions, no I/O: the sites, the Storm bolts, the dashboard, the CLI and the tests
all build a row key or name a column through here, so a rename happens in one place.
"""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime

# ---- sites, and the port each answers on (in the lab's network and, by default, on the host)
APPS = ("shop", "news", "learn")
SHOP, NEWS, LEARN = APPS
SITE_PORTS = {SHOP: 5001, NEWS: 5002, LEARN: 5003}
# The simulated users' speed factor the sites' admin API accepts (and the dashboard's slider offers)
SIM_SPEED_MIN, SIM_SPEED_MAX = 0.1, 20.0

# ---- what the host reaches: service -> (.env key, default port), as compose.yaml publishes them on LAB_BIND
# (.env.example holds the same defaults: tests/unit/test_contract_names.py)
HOST_PORTS = {
    "kafka": ("KAFKA_PORT", 9092),
    "namenode": ("NAMENODE_PORT", 9870),
    "httpfs": ("HTTPFS_PORT", 14000),
    "resourcemanager": ("RESOURCEMANAGER_PORT", 8088),
    "historyserver": ("HISTORYSERVER_PORT", 19888),
    "hiveserver2": ("HIVESERVER2_PORT", 10000),
    "hiveserver2-ui": ("HIVESERVER2_UI_PORT", 10002),
    "spark-history": ("SPARK_HISTORY_PORT", 18080),
    "spark-streaming": ("SPARK_STREAMING_UI_PORT", 4040),
    "airflow-api-server": ("AIRFLOW_PORT", 8080),
    "hbase-master": ("HBASE_MASTER_PORT", 16010),
    "hbase-thrift": ("HBASE_THRIFT_PORT", 9090),
    "nimbus": ("NIMBUS_PORT", 6627),
    "mariadb": ("MARIADB_PORT", 3306),
    "flume": ("FLUME_PORT", 41414),
    **{app: (f"{app.upper()}_PORT", port) for app, port in SITE_PORTS.items()},
    "dashboard": ("DASHBOARD_PORT", 8501),
    "prometheus": ("PROMETHEUS_PORT", 9191),
}

# ---- Kafka topics
TOPIC_EVENTS = "user-activity"
TOPIC_DLQ = "user-activity-dlq"  # {"error": reason, "raw": original message}
TOPIC_ALERTS = "activity-alerts"
# what kafka-init creates: topic -> partitions (events keyed by user_id over 3; the DLQ and the alerts in order)
TOPIC_PARTITIONS = {TOPIC_EVENTS: 3, TOPIC_DLQ: 1, TOPIC_ALERTS: 1}

# ---- HBase, namespace `activity` (the speed layer's live views)
HBASE_NAMESPACE = "activity"
T_PAGE_COUNTS = "activity:page_counts"
T_MINUTE_STATS = "activity:minute_stats"
T_ACTIVE_USERS = "activity:active_users"
T_USER_RECENT_PAGES = "activity:user_recent_pages"
T_SESSIONS = "activity:sessions"
T_ALERTS = "activity:alerts"
HBASE_TABLES = (T_PAGE_COUNTS, T_MINUTE_STATS, T_ACTIVE_USERS, T_USER_RECENT_PAGES, T_SESSIONS, T_ALERTS)

# Column families. `c` holds the contract's columns. `d` holds one marker per applied event id (TTL'd):
# the row's state and its markers are written in one atomic row mutation, so a replayed event is seen
# and skipped. `u` (active_users) holds each user's last event time in ms (TTL'd past 30 minutes).
FAMILY = "c"
DEDUPE_FAMILY = "d"
LAST_SEEN_FAMILY = "u"

# page_counts
C_VIEWS = b"c:views"
# (and day_views_column(day): the page's views of one UTC day, what the batch layer's drift compares with)
# minute_stats
C_EVENTS = b"c:events"
C_PAGE_VIEWS = b"c:page_views"
C_ERRORS = b"c:errors"
# active_users
C_ACTIVE_5M = b"c:active_5m"
C_ACTIVE_30M = b"c:active_30m"
C_UPDATED_AT = b"c:updated_at"  # RFC 3339 UTC time of the count
# (active counts are 8-byte longs, like the counters; the site's last-minute health, written by the alerting
#  bolt, is ASCII decimal text)
C_REQUESTS_1M = b"c:requests_1m"
C_ERROR_RATE_1M = b"c:error_rate_1m"  # share of http_status >= 500 over the last 60 s
C_P95_LATENCY_1M = b"c:p95_latency_ms_1m"
C_HEALTH_AT = b"c:health_at"
# user_recent_pages
C_RECENT_PAGES = b"c:pages"  # JSON list, newest first: [{"page", "time", "app_id", "event_id"}]
C_USER_SESSION = b"c:session"  # JSON {"key": sessions row key, "last_ms": int, "ended": "" | "logout" | "idle"}
# (and day_active_column(day, app_id): empty, once the user had an event of that UTC day on that site)
# sessions
C_SESSION_USER = b"c:user_id"
C_SESSION_APP = b"c:app_id"
C_SESSION_START = b"c:start"  # RFC 3339 event times
C_SESSION_LAST_SEEN = b"c:last_seen"
C_SESSION_PAGES = b"c:page_count"  # 8-byte counter value
C_SESSION_EVENTS = b"c:event_count"
C_SESSION_ENTRY = b"c:entry_page"  # the session's earliest page view (c:entry_time its time)
C_SESSION_CURRENT = b"c:current_page"  # the latest page view (c:current_time); the exit page once ended
C_SESSION_ENDED = b"c:ended"  # "" while live, else "logout" or "idle"
# alerts (text values: the number as ASCII decimal)
C_ALERT_TYPE = b"c:type"  # error_rate | p95_latency | error_spike
C_ALERT_METRIC = b"c:metric"
C_ALERT_VALUE = b"c:value"
C_ALERT_THRESHOLD = b"c:threshold"
C_ALERT_MESSAGE = b"c:message"
C_ALERT_TIME = b"c:time"
C_ALERT_APP = b"c:app_id"

RECENT_PAGES_KEPT = 20  # the contract asks for at least 10
ACTIVE_WINDOWS_S = {"active_5m": 300, "active_30m": 1800}
SESSION_GAP_S = 30 * 60

# ---- HDFS
HDFS_LOGS = "/logs"  # /logs/{app_id}/{access,error,perf}/dt=YYYY-MM-DD/
HDFS_RAW_EVENTS = "/data/raw/events"  # dt=YYYY-MM-DD/ Parquet (the event's UTC date)
HDFS_REJECTED_EVENTS = "/data/raw/rejected"  # dt=YYYY-MM-DD/ Parquet: invalid messages and why (date received)
HDFS_MINUTE_METRICS = "/data/metrics/minute"
HDFS_WAREHOUSE = "/data/warehouse"  # {table}/ : the batch layer's Hive tables (daily ones under dt=YYYY-MM-DD/)
HDFS_EXPORT = "/data/export"  # {table}/dt=YYYY-MM-DD/ : a day's KPIs as text, for Sqoop's export to MariaDB
HDFS_CHECKPOINTS = "/checkpoints"  # {query}/ : the streaming archive's offsets, commits and state (Spark's layout)
# The archive's query whose checkpoint holds the event offsets it has archived (its progress through Kafka: it
# commits no consumer group; its lag is reported under ARCHIVE_CONSUMER, monitoring/pipeline_exporter.py)
ARCHIVE_CHECKPOINT = f"{HDFS_CHECKPOINTS}/archive"
ARCHIVE_CONSUMER = "stream-archive"
HDFS_MAHOUT = "/data/mahout"  # dt=YYYY-MM-DD/{ratings,users,items,features}/ : a day's input to Mahout (and its work)

# ---- Hive
HIVE_DATABASE = "activity"
HIVE_JDBC_URL = f"jdbc:hive2://hiveserver2:10000/{HIVE_DATABASE}"  # HiveServer2 inside the lab's network

# ---- MariaDB: user profiles (Sqoop's import) and the exported KPIs, database `activity`
MARIADB_JDBC_URL = "jdbc:mariadb://mariadb:3306/activity"  # inside the lab's network
# The KPIs both layers compute, in the order the drift table (speed_batch_drift.kpi) and the dashboard list them.
DRIFT_KPIS = ("page_views", "events", "active_users")
# The daily tables Sqoop also exports to MariaDB's `activity` database (sqoop/export_kpis.sh names their columns).
EXPORTED_KPI_TABLES = ("page_stats_daily", "sessions_daily", "shop_funnel_daily")

# ---- Recommendations and segments (the batch layer's Mahout step)
# The pages users are recommended: the sites' catalog items (a product, an article, a course or one of its lessons).
RECOMMENDABLE_PAGE = r"^/(product|article|course)/[^?#]+$"
# A user's preference for an item: the strongest of what they did with it that day.
PREFERENCE = {"viewed": 1, "added_to_cart": 3, "bought": 5}
RECOMMENDATIONS_PER_USER = 5
# The features of a user's day k-means clusters on (the daily ETL writes them, Mahout reads them, History shows them)
SEGMENT_FEATURES = ("events", "page_views", "sessions", "purchases", "items")
USER_SEGMENTS = ("light", "regular", "heavy")  # k-means with k = 3; named by their centre's activity, lightest first

# ---- The batch layer's daily tables, each partitioned by dt, and their columns in order: hive/ddl/ creates them,
# the daily ETL and the Mahout step fill them, the History page reads them, Sqoop exports EXPORTED_KPI_TABLES with
# dt first (tests/unit/test_kpi_export.py ties the DDL and the export to this).
DAILY_TABLES: dict[str, tuple[str, ...]] = {
    "page_stats_daily": (
        "app_id",
        "page",
        "views",
        "unique_users",
        "avg_latency_ms",
        "p95_latency_ms",
        "errors",
        "entries",
        "exits",
    ),
    "sessions_daily": (
        "app_id",
        "sessions",
        "bounce_rate",
        "avg_duration_s",
        "pages_per_session",
        "top_entry_page",
        "top_exit_page",
    ),
    "section_engagement_daily": ("app_id", "section", "events", "page_views", "unique_users", "avg_time_on_page_s"),
    "navigation_paths_daily": ("app_id", "from_page", "to_page", "transitions"),
    "geo_traffic_daily": ("app_id", "country", "city", "events", "page_views", "unique_users"),
    "shop_funnel_daily": ("step_order", "step", "sessions", "conversion"),
    "recommendations": ("app_id", "user_id", "rank", "page", "score", "source"),
    "recommendation_quality": ("users_evaluated", "held_out_items", "precision_at_5", "popular_precision_at_5"),
    "user_segments": (
        "app_id",
        "user_id",
        "segment",
        "segment_name",
        *SEGMENT_FEATURES,
    ),
    "speed_batch_drift": ("app_id", "kpi", "item", "batch", "speed", "drift", "reason"),
}

# ---- Airflow: the DAGs' ids (dags/)
DAG_DAILY_BATCH = "activity_daily_batch"
DAG_SMOKE = "lab_smoke"

# ---- MariaDB's user_profiles: the plans a profile can have, and how common each is (the seeded profiles, the
# simulated users' account saves)
PLANS = ("free", "plus", "pro")
PLAN_WEIGHTS = (6, 3, 1)

# ---- Storm
TOPOLOGY_NAME = "activity-speed"
SPEED_CONSUMER_GROUP = "storm-speed-layer"  # the spout's Kafka consumer group: its committed offsets are its progress

_MAX_MS = 10**13  # reverse timestamps stay 13 digits until the year 2286


def page_row(app_id: str, page: str) -> bytes:
    return f"{app_id}#{page}".encode()


def minute_key(event_time: datetime) -> str:
    """yyyyMMddHHmm of a UTC time, the minute_stats key suffix."""
    return event_time.astimezone(UTC).strftime("%Y%m%d%H%M")


def minute_row(app_id: str, event_time: datetime) -> bytes:
    return f"{app_id}#{minute_key(event_time)}".encode()


def alert_row(app_id: str, time_ms: int) -> bytes:
    """Newest first within a site: `{app_id}#{reverse timestamp}`, zero-padded so keys sort as numbers."""
    return f"{app_id}#{_MAX_MS - int(time_ms):013d}".encode()


def alert_time_ms(row: bytes) -> int:
    return _MAX_MS - int(row.decode().rsplit("#", 1)[1])


def encode_counter(value: int) -> bytes:
    """HBase's counter cell: a big-endian signed 8-byte long (what Increment and HappyBase's counter_get use)."""
    return struct.pack(">q", value)


def decode_counter(raw: bytes | None) -> int:
    return struct.unpack(">q", raw)[0] if raw else 0


def dedupe_column(event_id: str) -> bytes:
    return f"{DEDUPE_FAMILY}:{event_id}".encode()


def day_key(day: date | datetime) -> str:
    """yyyyMMdd of a day (a datetime: its UTC day), the suffix of the speed layer's per-day columns."""
    if isinstance(day, datetime):
        day = day.astimezone(UTC).date()
    return day.strftime("%Y%m%d")


def day_views_qualifier(day: date | datetime) -> str:
    """The qualifier (without the family) of page_counts' counter of one UTC day's page views of the page."""
    return f"views_{day_key(day)}"


def day_views_column(day: date | datetime) -> bytes:
    """page_counts' counter of one UTC day's page views of the page (`c:views` counts every day)."""
    return f"{FAMILY}:{day_views_qualifier(day)}".encode()


def day_active_column(day: date | datetime, app_id: str) -> bytes:
    """user_recent_pages' marker of a user active on a site that UTC day: the speed layer's daily active users."""
    return f"{FAMILY}:active_{day_key(day)}_{app_id}".encode()
