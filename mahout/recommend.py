"""The day's recommendations (DAG activity_daily_batch, task mahout_recommendations):

    python3 /opt/lab/mahout/recommend.py --date 2026-12-01

Mahout's item-based RecommenderJob (log-likelihood similarity) on the day's ratings (spark_jobs/mahout_inputs.py),
on YARN; its top items per user, then the site's most popular items the user has not chosen that day fill each list
up to names.RECOMMENDATIONS_PER_USER, so every user active that day gets recommendations (one who chose no catalog
item, or only items nobody else chose, gets the popular ones). Into Hive `recommendations`, the day's partition
replaced whole.
"""

from __future__ import annotations

import re
import sys

from activity_contract import names
from activity_contract.days import day_argument
from daily_step import active_users, base, read_rows, remove, replace_partition, run

MAHOUT_LINE = re.compile(r"^(\d+)\t\[(.*)\]$")


def parse_recommendations(lines: list[str]) -> dict[int, list[tuple[int, float]]]:
    """RecommenderJob's output lines `user<TAB>[item:score,item:score,...]`, best first."""
    out = {}
    for line in lines:
        match = MAHOUT_LINE.match(line)
        if not match:
            raise ValueError(f"not a line of RecommenderJob's output: {line!r}")
        pairs = [p.split(":") for p in match.group(2).split(",") if p]
        out[int(match.group(1))] = [(int(item), float(score)) for item, score in pairs]
    return out


def by_popularity(items: dict[int, dict]) -> dict[str, list[int]]:
    """Per site its items, the most chosen first (users who chose the item that day), then by page."""
    ranked: dict[str, list[int]] = {}
    for no, item in sorted(items.items(), key=lambda kv: (-kv[1]["users"], kv[1]["page"])):
        ranked.setdefault(item["app_id"], []).append(no)
    return ranked


def recommend(
    users: dict[int, dict],
    items: dict[int, dict],
    chosen: dict[int, set[int]],
    mahout: dict[int, list[tuple[int, float]]],
    per_user: int,
) -> list[tuple]:
    """Rows (app_id, user_id, rank, page, score, source) for every user: Mahout's items of the user's site that
    the user has not chosen, then popular ones, up to per_user."""
    popular = by_popularity(items)
    rows = []
    for no, user in sorted(users.items()):
        seen = chosen.get(no, set())
        picks = [
            (item, round(score, 6), "mahout")
            for item, score in mahout.get(no, [])
            if item in items and items[item]["app_id"] == user["app_id"] and item not in seen
        ]
        taken = seen | {item for item, _, _ in picks}
        picks += [(item, None, "popular") for item in popular.get(user["app_id"], []) if item not in taken]
        for rank, (item, score, source) in enumerate(picks[:per_user], 1):
            rows.append((user["app_id"], user["user_id"], rank, items[item]["page"], score, source))
    return rows


def read_items(day: str) -> dict[int, dict]:
    return {
        int(no): {"app_id": app, "page": page, "users": int(n)} for no, app, page, n in read_rows(f"{base(day)}/items")
    }


def read_chosen(folder: str) -> dict[int, set[int]]:
    """user_no -> the item numbers of a ratings folder (user,item[,preference] lines)."""
    chosen: dict[int, set[int]] = {}
    for user, item, *_ in read_rows(folder, sep=","):
        chosen.setdefault(int(user), set()).add(int(item))
    return chosen


def run_recommender(day: str, ratings: str, name: str) -> dict[int, list[tuple[int, float]]]:
    """Mahout's RecommenderJob on a ratings folder of the day; its output (and work) in HDFS_MAHOUT/dt=D/<name>."""
    out, tmp = f"{base(day)}/{name}", f"{base(day)}/{name}-tmp"
    remove(out, tmp)
    run(
        "mahout",
        "recommenditembased",
        "--input",
        ratings,
        "--output",
        out,
        "--tempDir",
        tmp,
        "--numRecommendations",
        str(names.RECOMMENDATIONS_PER_USER),
        "--similarityClassname",
        "SIMILARITY_LOGLIKELIHOOD",
    )
    return parse_recommendations(["\t".join(r) for r in read_rows(out)])


def main(argv: list[str]) -> int:
    day = day_argument(argv, __doc__.splitlines()[0])
    users, items = active_users(day), read_items(day)
    chosen = read_chosen(f"{base(day)}/ratings")
    print(
        f"recommendations {day}: {len(users)} active users, {len(items)} items, "
        f"{sum(map(len, chosen.values()))} ratings",
        flush=True,
    )
    mahout = run_recommender(day, f"{base(day)}/ratings", "recommendations") if chosen else {}
    rows = recommend(users, items, chosen, mahout, names.RECOMMENDATIONS_PER_USER)
    from_mahout = sum(r[5] == "mahout" for r in rows)
    print(
        f"recommendations {day}: {len(rows)} for {len({r[:2] for r in rows})} users, {from_mahout} by Mahout, "
        f"{len(rows) - from_mahout} popular",
        flush=True,
    )
    replace_partition("recommendations", day, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
