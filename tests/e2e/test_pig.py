"""Pig 0.18.0 in mapreduce mode on the lab's YARN, from the edge node: a wordcount over an HDFS file equals the
counts computed in Python."""

import random
import uuid
from collections import Counter

from lab_edge import edge, hdfs_cat, hdfs_put, ship

VOCABULARY = ["kafka", "storm", "hbase", "hdfs", "yarn", "spark", "pig", "hive", "sqoop", "mahout", "flume", "airflow"]


def test_pig_wordcount_equals_python_counts():
    rnd = random.Random(7)
    lines = [" ".join(rnd.choice(VOCABULARY) for _ in range(rnd.randint(1, 12))) for _ in range(400)]
    run = uuid.uuid4().hex[:8]
    source, output = f"/tmp/e2e-pig-{run}/words.txt", f"/tmp/e2e-pig-{run}/counts"
    hdfs_put(source, "\n".join(lines) + "\n")
    script = ship("wordcount.pig")
    edge("pig", "-param", f"input={source}", "-param", f"output={output}", script)
    counted = {}
    for line in hdfs_cat(f"{output}/part-*").splitlines():
        word, n = line.split("\t")
        counted[word] = int(n)
    assert counted == dict(Counter(w for line in lines for w in line.split()))
