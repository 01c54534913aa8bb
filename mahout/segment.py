"""The day's user segments (DAG activity_daily_batch, task mahout_segments):

    python3 /opt/lab/mahout/segment.py --date 2026-12-01

Every user active that day is a point of their behaviour (events, page views, sessions, purchases, catalog items;
each divided by the day's largest value, so no feature outweighs the others by its unit), clustered by Mahout's
k-means (Euclidean, k = 3) on YARN. Its initial clusters are chosen, not drawn: the most active user, then each time
the user farthest from those chosen (the same day gives the same segments). Segments are numbered and named by their
centre's activity (the sum of its coordinates), lightest first: light, regular, heavy. Into Hive `user_segments`,
the day's partition replaced whole.
"""

from __future__ import annotations

import math
import re
import sys

from activity_contract import names
from activity_contract.days import day_argument
from daily_step import active_users, base, put_text, remove, replace_partition, run

NAMES = {1: ("regular",), 2: ("light", "heavy"), 3: names.USER_SEGMENTS}


def normalized(users: dict[int, dict]) -> dict[int, tuple[float, ...]]:
    """Each feature divided by its largest value that day (a feature nobody has stays 0)."""
    top = {f: max((u[f] for u in users.values()), default=0) for f in names.SEGMENT_FEATURES}
    return {no: tuple(u[f] / top[f] if top[f] else 0.0 for f in names.SEGMENT_FEATURES) for no, u in users.items()}


def initial_seeds(points: dict[int, tuple[float, ...]], k: int) -> list[int]:
    """Farthest-first: the point with the largest sum (ties: the smallest number), then each time the point whose
    nearest chosen seed is farthest; distinct positions only, so at most as many seeds as distinct points."""
    if not points:
        return []
    seeds = [min(points, key=lambda no: (-sum(points[no]), no))]
    while len(seeds) < k:
        far = max(sorted(points), key=lambda no: min(math.dist(points[no], points[s]) for s in seeds))
        if min(math.dist(points[far], points[s]) for s in seeds) == 0:
            break
        seeds.append(far)
    return seeds


def name_segments(points: dict[int, tuple[float, ...]], clusters: dict[int, int]) -> dict[int, tuple[int, str]]:
    """user -> (segment, name): Mahout's clusters ordered by their centre's activity (the mean of the members'
    coordinates, summed), lightest first."""
    members: dict[int, list[int]] = {}
    for user, cluster in clusters.items():
        members.setdefault(cluster, []).append(user)
    activity = {c: sum(sum(points[u]) for u in us) / len(us) for c, us in members.items()}
    order = sorted(members, key=lambda c: (activity[c], c))
    labels = NAMES[len(order)]
    segment = {c: (i, labels[i]) for i, c in enumerate(order)}
    return {user: segment[cluster] for user, cluster in clusters.items()}


def main(argv: list[str]) -> int:
    day = day_argument(argv, __doc__.splitlines()[0])
    users = active_users(day)
    points = normalized(users)
    seeds = initial_seeds(points, len(names.USER_SEGMENTS))
    print(f"segments {day}: {len(users)} active users, initial clusters {seeds}", flush=True)
    clusters = {}
    if seeds:
        work = f"{base(day)}/segments"
        remove(work)
        csv = "".join(f"{no}," + ",".join(repr(x) for x in p) + "\n" for no, p in sorted(points.items()))
        put_text(f"{work}/points.csv", csv)
        run(
            "mahout",
            "vectors",
            "to-seq",
            f"{work}/points.csv",
            f"{work}/vectors/part-0",
            f"{work}/seeds/part-0",
            ",".join(map(str, seeds)),
        )
        run(
            "mahout",
            "kmeans",
            "--input",
            f"{work}/vectors",
            "--clusters",
            f"{work}/seeds",
            "--output",
            f"{work}/kmeans",
            "--maxIter",
            "20",
            "--convergenceDelta",
            "0.0001",
            "--clustering",
            "--overwrite",
            "--distanceMeasure",
            "org.apache.mahout.common.distance.EuclideanDistanceMeasure",
        )
        clustered = run("mahout", "vectors", "points", f"{work}/kmeans/clusteredPoints", capture=True)
        clusters = {int(name): int(cluster) for name, cluster in re.findall(r"^(\d+)\t(\d+)$", clustered, re.M)}
        if set(clusters) != set(users):
            sys.exit(f"k-means clustered {len(clusters)} of the {len(users)} users")
    segments = name_segments(points, clusters)
    rows = [
        (u["app_id"], u["user_id"], *segments[no], *(u[f] for f in names.SEGMENT_FEATURES))
        for no, u in sorted(users.items())
    ]
    sizes = {name: sum(r[3] == name for r in rows) for name in names.USER_SEGMENTS}
    print(f"segments {day}: {sizes}", flush=True)
    replace_partition("user_segments", day, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
