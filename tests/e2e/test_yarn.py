"""MapReduce on YARN: wordcount over a file written from the host, output checked word by word,
the application SUCCEEDED in the ResourceManager and the job listed by the JobHistory server."""

import collections
import time
import uuid

import requests
from conftest import exec_in

from activity_clients import endpoints
from activitylab import webhdfs

EXAMPLES = "/opt/hadoop/lib/hadoop-mapreduce-examples-3.4.2.jar"
TEXT = "\n".join(["the quick brown fox jumps over the lazy dog"] * 50 + ["hadoop yarn mapreduce the end"] * 7) + "\n"


def test_wordcount_on_yarn_counts_every_word_and_shows_in_history():
    base = f"/tmp/e2e-wordcount-{uuid.uuid4().hex[:8]}"
    webhdfs.put(f"{base}/in/text.txt", TEXT.encode())
    started_ms = int(time.time() * 1000) - 5000  # container and host clocks are the same kernel's
    run = exec_in("resourcemanager", "hadoop", "jar", EXAMPLES, "wordcount", f"{base}/in", f"{base}/out", timeout=600)

    parts = sorted(f["pathSuffix"] for f in webhdfs.list_dir(f"{base}/out") if f["pathSuffix"].startswith("part-"))
    counted = {}
    for part in parts:
        for line in webhdfs.read(f"{base}/out/{part}").decode().splitlines():
            word, n = line.split("\t")
            counted[word] = int(n)
    assert counted == dict(collections.Counter(TEXT.split())), run.stderr[-2000:]

    apps = requests.get(
        endpoints.url("resourcemanager", "/ws/v1/cluster/apps"),
        params={"applicationTypes": "MAPREDUCE", "startedTimeBegin": started_ms},
        timeout=10,
    ).json()
    mine = [a for a in apps["apps"]["app"] if a["name"] == "word count"]
    assert len(mine) == 1 and mine[0]["finalStatus"] == "SUCCEEDED", mine
    job_id = mine[0]["id"].replace("application_", "job_")
    # Asking for one job makes the JobHistory server look for it at once (a listing waits for its scan).
    job = requests.get(endpoints.url("historyserver", f"/ws/v1/history/mapreduce/jobs/{job_id}"), timeout=30).json()[
        "job"
    ]
    assert (job["name"], job["state"]) == ("word count", "SUCCEEDED")
    assert job["mapsCompleted"] >= 1 and job["reducesCompleted"] >= 1
