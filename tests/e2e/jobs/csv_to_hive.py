"""Test job: an HDFS CSV file (id,page,score) into a Parquet Hive table of the Hive 4.0.1 metastore.
spark-submit csv_to_hive.py HDFS_FOLDER DATABASE.TABLE"""

import sys

from pyspark.sql import SparkSession

source, table = sys.argv[1], sys.argv[2]
spark = SparkSession.builder.appName(f"e2e csv to {table}").enableHiveSupport().getOrCreate()
rows = spark.read.schema("id INT, page STRING, score DOUBLE").csv(source)
spark.sql(f"CREATE TABLE {table} (id INT, page STRING, score DOUBLE) STORED AS PARQUET")
rows.createOrReplaceTempView("source_rows")
spark.sql(f"INSERT OVERWRITE TABLE {table} SELECT id, page, score FROM source_rows")
print(f"wrote {spark.table(table).count()} rows to {table}")
spark.stop()
