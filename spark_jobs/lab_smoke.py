"""The smoke check of Spark on YARN (DAG lab_smoke, `lab smoke`): a small distributed job and the Hive catalog.
Prints `spark smoke: <rows> rows, <databases>` and fails unless the sum is right and database `activity` is listed."""

from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("lab smoke").enableHiveSupport().getOrCreate()
total = spark.range(1, 10001, numPartitions=4).selectExpr("sum(id) AS s").first()["s"]
databases = [row[0] for row in spark.sql("SHOW DATABASES").collect()]
print(f"spark smoke: sum {total}, databases {','.join(databases)}")
assert total == 10000 * 10001 // 2, total
assert "activity" in databases, databases
spark.stop()
