"""activity_daily_batch: the batch layer for one day, the run's logical date (`{{ ds }}`, UTC).

Scheduled daily for the day just ended; `lab batch run --date D` (or a trigger with logical_date D) runs any past
day, `lab batch backfill --from A --to B` (Airflow's own backfill) a range of them. Each task replaces that day's partitions, so running a day again leaves the same rows.

    sqoop_import ─┬─ spark_etl ─┬─ mahout_recommendations, mahout_segments, mahout_evaluation ─┬─ data_quality
                  │             └─ sqoop_export ──────────────────────────────────────────────┤
                  ├─ pig_access_logs ──────────────────────────────────────────────────────────┤
                  └─ hive_aggregates ──────────────────────────────────────────────────────────┘

    sqoop_import  MariaDB's user profiles changed since the last import into Hive `user_profiles`
                  (sqoop/import_profiles.sh: incremental on updated_at, merged by user_id, on MapReduce's local
                  runner: a few thousand rows); skipped, with every
                  task after it, for a day with no archive, no access lines and no daily partition: nothing to
                  build or replace (the first nightly run of a new lab, a backfill of a day without events), and
                  the next day with data imports every change since the last import
    spark_etl     the archive's day (Hive `events`) into the daily tables (spark_jobs/daily_etl.py, on YARN)
    pig_access_logs  the day's access lines in /logs normalized by Pig into Hive `access_logs`, lines that do
                  not parse into `rejected_access_lines` (pig/access_logs.sh, on YARN)
    hive_aggregates  the day's events joined to the users' profiles (Hive view `events_enriched`) into
                  `profile_activity_daily` (per site, plan and country of signup; the views
                  `activity_by_plan_daily` and `activity_by_signup_country_daily` sum it), by Hive itself (one
                  MapReduce job on YARN; hive/aggregates/profile_activity.sql)
    mahout_recommendations  up to 5 catalog items per user active that day, none the user chose that day: Mahout's
                  item-based RecommenderJob on the day's views, carts and purchases, topped up by the site's most
                  popular items (mahout/recommend.py, on YARN) into Hive `recommendations`
    mahout_segments  every active user in one of 3 behaviour segments by Mahout's k-means (mahout/segment.py, on
                  YARN) into Hive `user_segments`
    mahout_evaluation  precision@5 of the recommendations made without each user's latest choices, and of a
                  most-popular baseline, into Hive `recommendation_quality` (mahout/evaluate.py); the three Mahout
                  tasks run side by side (small inputs on MapReduce's local runner: compose/bin/mahout)
    sqoop_export  the day's KPIs (page_stats_daily, sessions_daily, shop_funnel_daily) into MariaDB, the day's rows
                  replaced (sqoop/export_kpis.sh, the three side by side on MapReduce's local runner)
    data_quality  counts reconciled across layers; a mismatch fails the run, naming it (spark_jobs/daily_quality.py);
                  first it stores the speed layer's drift from the batch (page views per page, events per minute,
                  active users; batch minus speed, with the reason for a gap) in Hive `speed_batch_drift`
"""

from datetime import UTC, datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG
from airflow.timetables.interval import CronDataIntervalTimetable

from activity_contract.names import DAG_DAILY_BATCH, HDFS_LOGS, HDFS_RAW_EVENTS, HDFS_WAREHOUSE

with DAG(
    dag_id=DAG_DAILY_BATCH,
    description="The day's archive into Hive's daily tables, reconciled",
    # Data intervals: the run for day D starts once D has ended, and its logical date is D (so `ds` is the day).
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    # Early: a run's tasks exist only for logical dates from the start date on, and older days can be run too.
    start_date=datetime(2000, 1, 1, tzinfo=UTC),
    catchup=False,  # on first start only the day just ended runs; older days: `lab batch run --date D`
    is_paused_upon_creation=False,  # the batch layer runs by itself, as the lab's users expect
    max_active_runs=1,  # one day at a time: two would overcommit the NodeManager
    default_args={"retries": 0, "execution_timeout": timedelta(minutes=45)},
    tags=["lab", "batch"],
) as dag:
    # One glob for the day's archive folder, access logs and every daily table's partition. None found: exit 99,
    # Airflow's "skipped", before any job starts (a new lab's first nightly run then takes seconds, not minutes of
    # YARN while the lab starts); any other failure of the listing (HDFS down) fails the task with HDFS's message.
    day_paths = f"{{{HDFS_RAW_EVENTS},{HDFS_LOGS}/*/access,{HDFS_WAREHOUSE}/*}}/dt={{{{ ds }}}}"
    sqoop_import = BashOperator(
        task_id="sqoop_import",
        bash_command=(
            f"if ! listing=$(hdfs dfs -ls -d '{day_paths}' 2>&1); then "
            "case $listing in "
            "*'No such file or directory'*) echo 'no archive and no daily partition for {{ ds }}: nothing to build';"
            " exit 99 ;; "
            '*) echo "$listing" >&2; exit 1 ;; esac; fi; '
            # The trailing space: a command ending in ".sh" would be read as a Jinja template file to render.
            "/opt/lab/sqoop/import_profiles.sh "
        ),
    )
    spark_etl = BashOperator(
        task_id="spark_etl",
        bash_command="spark-submit /opt/lab/spark_jobs/daily_etl.py --date {{ ds }}",
    )
    pig_access_logs = BashOperator(
        task_id="pig_access_logs",
        bash_command="/opt/lab/pig/access_logs.sh {{ ds }}",
    )
    hive_aggregates = BashOperator(
        task_id="hive_aggregates",
        bash_command="beeline --silent=true --hivevar day={{ ds }} -f /opt/lab/hive/aggregates/profile_activity.sql",
    )
    # The Mahout step: three jobs side by side, each a script of mahout/ for the day.
    mahout = [
        BashOperator(task_id=f"mahout_{name}", bash_command=f"python3 /opt/lab/mahout/{script}.py --date {{{{ ds }}}}")
        for name, script in (("recommendations", "recommend"), ("segments", "segment"), ("evaluation", "evaluate"))
    ]
    sqoop_export = BashOperator(
        task_id="sqoop_export",
        bash_command="/opt/lab/sqoop/export_kpis.sh {{ ds }}",
    )
    data_quality = BashOperator(
        task_id="data_quality",
        bash_command="spark-submit /opt/lab/spark_jobs/daily_quality.py --date {{ ds }}",
    )
    # What each task reads decides the order, nothing else: the access logs (Pig) and the events joined to the
    # profiles (Hive) do not wait for the ETL, Mahout and the export wait for it alone, and data quality for all.
    # On two cores the jobs' start-up waits overlap (YARN holds the ETL's two containers and Pig's and Hive's
    # one-container jobs at once): a small day takes about 3.5 minutes instead of 4.5 (docs/benchmarks.md).
    sqoop_import >> [spark_etl, pig_access_logs, hive_aggregates]
    spark_etl >> [*mahout, sqoop_export]
    [*mahout, sqoop_export, pig_access_logs, hive_aggregates] >> data_quality
