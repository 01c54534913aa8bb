"""lab_smoke: one task per engine the batch layer runs on, each doing real work and checking its result.
Trigger it from the UI or `lab airflow trigger lab_smoke`; every task must end `success`.

hdfs writes the run's input file; hive, spark, pig, sqoop and mahout then each run on the lab (YARN for the jobs),
two at a time so their YARN containers fit the NodeManager."""

from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

from activity_contract import names

RUN_DIR = "/tmp/lab_smoke/{{ ts_nodash }}"

with DAG(
    dag_id=names.DAG_SMOKE,
    description="One real task per engine: HDFS, Hive, Spark, Pig, Sqoop, Mahout",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_tasks=2,
    tags=["lab", "smoke"],
) as dag:
    hdfs = BashOperator(
        task_id="hdfs",
        bash_command=(
            f"hdfs dfs -mkdir -p {RUN_DIR} && "
            f"printf 'shop a\\nnews b\\nshop c\\nlearn d\\nshop e\\n' | hdfs dfs -put -f - {RUN_DIR}/words.txt && "
            f'test "$(hdfs dfs -cat {RUN_DIR}/words.txt | wc -l)" = 5'
        ),
    )
    hive = BashOperator(
        task_id="hive",
        bash_command="beeline --silent=true --outputformat=csv2 -e 'SHOW DATABASES' | tee /dev/stderr | grep -qx activity",
    )
    spark = BashOperator(
        task_id="spark",
        bash_command="spark-submit /opt/lab/spark_jobs/lab_smoke.py",
    )
    pig = BashOperator(
        task_id="pig",
        bash_command=(
            f"pig -param input={RUN_DIR}/words.txt -param output={RUN_DIR}/pig /opt/lab/pig/lab_smoke.pig && "
            f"hdfs dfs -cat '{RUN_DIR}/pig/part-*' | tee /dev/stderr | grep -qx 'shop\t3'"
        ),
    )
    sqoop = BashOperator(
        task_id="sqoop",
        bash_command=(
            f"sqoop import --connect {names.MARIADB_JDBC_URL} --driver org.mariadb.jdbc.Driver "
            "--username lab --password-file file:///etc/lab/sqoop/mariadb.password -m 1 "
            "--query 'SELECT DATABASE() AS db, 6 * 7 AS answer FROM DUAL WHERE $CONDITIONS' "
            f"--target-dir {RUN_DIR}/sqoop && "
            f"hdfs dfs -cat '{RUN_DIR}/sqoop/part-m-*' | tee /dev/stderr | grep -qx 'activity,42'"
        ),
    )
    mahout = BashOperator(
        task_id="mahout",
        bash_command=(
            f"printf 'a,0,0\\nb,0,1\\nc,1,0\\nd,9,9\\ne,9,8\\nf,8,9\\n' | hdfs dfs -put -f - {RUN_DIR}/points.csv && "
            f"mahout vectors to-seq {RUN_DIR}/points.csv {RUN_DIR}/vectors/part-0 && "
            # On YARN, however small the input (MAHOUT_LOCAL_BELOW=0): the smoke checks the engine on the cluster.
            # One iteration, then the clustering: two YARN jobs (the daily DAG's k-means runs to convergence).
            f"MAHOUT_LOCAL_BELOW=0 mahout kmeans --input {RUN_DIR}/vectors --clusters {RUN_DIR}/seeds -k 2 --output {RUN_DIR}/kmeans "
            "--maxIter 1 --clustering --overwrite "
            "--distanceMeasure org.apache.mahout.common.distance.EuclideanDistanceMeasure && "
            f"test \"$(mahout vectors points {RUN_DIR}/kmeans/clusteredPoints | grep -c '^[a-f]\t')\" = 6"
        ),
    )
    hdfs >> [hive, spark, pig, sqoop, mahout]
