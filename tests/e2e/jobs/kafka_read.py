"""Test job: a Structured Streaming read of a whole Kafka topic (availableNow: what is there, then stop).
Prints one `ROW <json>` line per message. spark-submit kafka_read.py BOOTSTRAP TOPIC"""

import json
import sys

from pyspark.sql import SparkSession

bootstrap, topic = sys.argv[1], sys.argv[2]
spark = SparkSession.builder.appName(f"e2e kafka read {topic}").getOrCreate()
stream = (
    spark.readStream.format("kafka")
    .option("kafka.bootstrap.servers", bootstrap)
    .option("subscribe", topic)
    .option("startingOffsets", "earliest")
    .load()
    .selectExpr("CAST(key AS STRING) AS key", "CAST(value AS STRING) AS value", "partition", "offset")
)
query = stream.writeStream.format("memory").queryName("messages").trigger(availableNow=True).start()
query.awaitTermination()
for row in spark.sql("SELECT * FROM messages ORDER BY partition, offset").collect():
    print("ROW " + json.dumps(row.asDict()))
spark.stop()
