"""activity_daily_batch: the batch layer for one day, the run's logical date (`{{ ds }}`, UTC).

Scheduled daily for the day just ended; `lab batch run --date D` (or a trigger with logical_date D, or Airflow's
backfill) runs any past day. Each task replaces that day's partitions, so running a day again leaves the same rows.

    spark_etl     the archive's day (Hive `events`) into the daily tables (spark_jobs/daily_etl.py, on YARN)
    data_quality  counts reconciled across layers; a mismatch fails the run, naming it (spark_jobs/daily_quality.py)

The contract's other steps (Sqoop import and export, Pig logs, Mahout) join this chain as they land.
"""
from datetime import datetime, timedelta, timezone

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG
from airflow.timetables.interval import CronDataIntervalTimetable

# The jobs import the lab's contract package (paths, names) from the edge image.
SPARK_ENV = {"PYTHONPATH": "/opt/lab/src"}

with DAG(
    dag_id="activity_daily_batch",
    description="The day's archive into Hive's daily tables, reconciled",
    # Data intervals: the run for day D starts once D has ended, and its logical date is D (so `ds` is the day).
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    # Early: a run's tasks exist only for logical dates from the start date on, and older days can be run too.
    start_date=datetime(2000, 1, 1, tzinfo=timezone.utc),
    catchup=False,       # on first start only the day just ended runs; older days: `lab batch run --date D`
    is_paused_upon_creation=False,   # the batch layer runs by itself, as the lab's users expect
    max_active_runs=1,   # one day at a time: two would overcommit the NodeManager
    default_args={"retries": 0, "execution_timeout": timedelta(minutes=45)},
    tags=["lab", "batch"],
) as dag:
    spark_etl = BashOperator(
        task_id="spark_etl",
        bash_command="spark-submit /opt/lab/spark_jobs/daily_etl.py --date {{ ds }}",
        env=SPARK_ENV, append_env=True,
    )
    data_quality = BashOperator(
        task_id="data_quality",
        bash_command="spark-submit /opt/lab/spark_jobs/daily_quality.py --date {{ ds }}",
        env=SPARK_ENV, append_env=True,
    )
    spark_etl >> data_quality
