"""Mahout 0.13.0 MapReduce on the lab's YARN, from the edge node: on a small ratings file every user gets
recommendations, none of them an item that user already rated; k-means assigns every point to one of k clusters."""
import random
import re
import uuid

from lab_edge import edge, hdfs_cat, hdfs_put

USERS, ITEMS = 12, 10


def ratings():
    """Each user rates 4 of the 10 items (overlapping windows): every unrated item co-occurs with a rated one."""
    rnd = random.Random(11)
    return [(u, (u + d) % ITEMS + 100, rnd.randint(1, 5)) for u in range(1, USERS + 1) for d in (0, 1, 3, 5)]


def test_item_based_recommendations_cover_every_user_and_skip_rated_items():
    run = uuid.uuid4().hex[:8]
    prefs = ratings()
    source, output = f"/tmp/e2e-mahout-{run}/ratings.csv", f"/tmp/e2e-mahout-{run}/recommendations"
    hdfs_put(source, "".join(f"{u},{i},{r}\n" for u, i, r in prefs))
    edge("mahout", "recommenditembased", "--input", source, "--output", output, "--numRecommendations", "3",
         "--similarityClassname", "SIMILARITY_COOCCURRENCE", "--tempDir", f"/tmp/e2e-mahout-{run}/tmp")
    recommended = {}
    for line in hdfs_cat(f"{output}/part-r-*").splitlines():
        user, items = line.split("\t")
        recommended[int(user)] = [int(i) for i in re.findall(r"(\d+):[\d.Ee+-]+", items)]
    assert sorted(recommended) == list(range(1, USERS + 1))
    for user, items in recommended.items():
        rated = {i for u, i, _ in prefs if u == user}
        assert items and not rated & set(items), (user, items, rated)


def test_kmeans_assigns_every_point_to_one_of_k_clusters():
    run = uuid.uuid4().hex[:8]
    rnd = random.Random(5)
    centers = [(0.0, 0.0), (10.0, 10.0), (-10.0, 10.0)]
    points = {f"p{c}-{n}": (x + rnd.uniform(-1, 1), y + rnd.uniform(-1, 1)) for c, (x, y) in enumerate(centers)
              for n in range(10)}
    base = f"/tmp/e2e-kmeans-{run}"
    hdfs_put(f"{base}/points.csv", "".join(f"{name},{x},{y}\n" for name, (x, y) in points.items()))
    edge("mahout", "vectors", "to-seq", f"{base}/points.csv", f"{base}/vectors/part-0")
    edge("mahout", "kmeans", "--input", f"{base}/vectors", "--clusters", f"{base}/seeds", "-k", "3",
         "--output", f"{base}/out", "--maxIter", "10", "--convergenceDelta", "0.01", "--clustering", "--overwrite",
         "--distanceMeasure", "org.apache.mahout.common.distance.EuclideanDistanceMeasure")
    final = edge("sh", "-c", f"hdfs dfs -ls -d {base}/out/clusters-*-final").stdout.split()[-1]
    clusters = [line.split("\t") for line in edge("mahout", "vectors", "clusters", final).stdout.splitlines()
                if re.match(r"^\d+\t", line)]
    assigned = [line.split("\t") for line in edge("mahout", "vectors", "points", f"{base}/out/clusteredPoints")
                .stdout.splitlines() if line.startswith("p")]
    assert len(clusters) == 3
    assert sorted(name for name, _ in assigned) == sorted(points)
    assert {cluster for _, cluster in assigned} <= {cid for cid, _, _ in clusters}
