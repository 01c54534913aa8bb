"""How well the day's recommendations predict what users chose next (DAG activity_daily_batch, task
mahout_evaluation):

    python3 /opt/lab/mahout/evaluate.py --date 2026-12-01

The daily ETL holds out each user's latest choices (spark_jobs/mahout_inputs.py: users with at least 5 items, the
latest 20 %). The recommendations are made again, the way recommend.py makes them, from the rest (Mahout's
RecommenderJob on train/, topped up by the items most users chose in it); a most-popular baseline recommends only the
latter. precision@5 = the share of a user's 5 recommendations they then chose (held out), averaged over the users with
held-out items. Both into Hive `recommendation_quality`, the day's partition replaced whole.
"""

from __future__ import annotations

import sys

from activity_contract import names
from activity_contract.days import day_argument
from daily_step import active_users, base, replace_partition
from recommend import read_chosen, read_items, recommend, run_recommender

K = names.RECOMMENDATIONS_PER_USER


def precision_at_k(
    rows: list[tuple], users: dict[int, dict], held: dict[int, set[int]], items: dict[int, dict], k: int = K
) -> float | None:
    """Mean over the users with held-out items of |their first k recommendations ∩ held out| / k."""
    page_no = {(i["app_id"], i["page"]): no for no, i in items.items()}
    lists: dict[tuple[str, str], list[int]] = {}
    for app, user, _rank, page, *_ in rows:
        lists.setdefault((app, user), []).append(page_no[(app, page)])
    scores = [len(set(lists.get((users[no]["app_id"], users[no]["user_id"]), [])[:k]) & held[no]) / k for no in held]
    return sum(scores) / len(scores) if scores else None


def main(argv: list[str]) -> int:
    day = day_argument(argv, __doc__.splitlines()[0])
    users, items = active_users(day), read_items(day)
    train, held = read_chosen(f"{base(day)}/train"), read_chosen(f"{base(day)}/held_out")
    # Popularity as the training part knows it: the users who chose each item there (an item only held out is
    # unknown to both recommenders).
    in_train = {
        no: {**item, "users": n} for no, item in items.items() if (n := sum(no in chosen for chosen in train.values()))
    }
    print(
        f"evaluation {day}: {len(held)} users with {sum(map(len, held.values()))} held-out items, "
        f"{sum(map(len, train.values()))} ratings to learn from",
        flush=True,
    )
    rows = []
    if held:
        mahout = run_recommender(day, f"{base(day)}/train", "evaluation")
        made = recommend(users, in_train, train, mahout, K)
        popular = recommend(users, in_train, train, {}, K)
        scores = (precision_at_k(made, users, held, items), precision_at_k(popular, users, held, items))
        print(
            f"evaluation {day}: precision@{K} {scores[0]:.4f} (recommendations), {scores[1]:.4f} (most popular)",
            flush=True,
        )
        rows = [(len(held), sum(map(len, held.values())), round(scores[0], 9), round(scores[1], 9))]
    replace_partition("recommendation_quality", day, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
