"""The Mahout step's own logic (mahout/recommend.py, mahout/segment.py): Mahout's output read, lists topped up,
initial clusters chosen, segments named. Mahout itself runs in the end-to-end test of the daily DAG."""

import pytest

import recommend
import segment

USERS = {
    1: {"app_id": "shop", "user_id": "a"},
    2: {"app_id": "shop", "user_id": "b"},
    3: {"app_id": "news", "user_id": "c"},
}
ITEMS = {
    1: {"app_id": "shop", "page": "/product/1", "users": 2},
    2: {"app_id": "shop", "page": "/product/2", "users": 1},
    3: {"app_id": "shop", "page": "/product/3", "users": 1},
    4: {"app_id": "news", "page": "/article/1", "users": 1},
}


def test_recommender_output_is_read_best_first_and_a_foreign_line_is_an_error():
    assert recommend.parse_recommendations(["1\t[3:4.5,2:1.0]", "2\t[]"]) == {1: [(3, 4.5), (2, 1.0)], 2: []}
    with pytest.raises(ValueError, match="RecommenderJob"):
        recommend.parse_recommendations(["WARN something"])


def test_lists_skip_chosen_and_foreign_items_and_are_topped_up_by_popularity():
    chosen = {1: {1}, 2: {1, 2}}
    mahout = {1: [(2, 3.5), (4, 9.0), (1, 2.0)]}  # 4: another site's item, 1: already chosen
    rows = recommend.recommend(USERS, ITEMS, chosen, mahout, per_user=3)
    assert rows == [
        ("shop", "a", 1, "/product/2", 3.5, "mahout"),
        ("shop", "a", 2, "/product/3", None, "popular"),
        ("shop", "b", 1, "/product/3", None, "popular"),
        ("news", "c", 1, "/article/1", None, "popular"),
    ]  # a user who chose nothing: popular items


def test_features_are_scaled_by_the_days_largest_and_a_feature_nobody_has_stays_zero():
    users = {
        1: dict(events=10, page_views=4, sessions=2, purchases=0, items=2),
        2: dict(events=5, page_views=8, sessions=1, purchases=0, items=1),
    }
    assert segment.normalized(users) == {1: (1.0, 0.5, 1.0, 0.0, 1.0), 2: (0.5, 1.0, 0.5, 0.0, 0.5)}


def test_initial_clusters_are_the_most_active_point_then_the_farthest_and_only_distinct_ones():
    points = {1: (0.0, 0.0), 2: (1.0, 1.0), 3: (0.1, 0.0), 4: (0.0, 0.9), 5: (1.0, 1.0)}
    assert segment.initial_seeds(points, 3) == [2, 1, 4]
    assert segment.initial_seeds({1: (0.5,), 2: (0.5,)}, 3) == [1]
    assert segment.initial_seeds({}, 3) == []


def test_segments_are_named_by_their_centres_activity_lightest_first():
    points = {1: (0.9, 1.0), 2: (0.1, 0.0), 3: (0.5, 0.5), 4: (0.0, 0.1)}
    named = segment.name_segments(points, {1: 7, 2: 3, 3: 5, 4: 3})
    assert named == {1: (2, "heavy"), 2: (0, "light"), 3: (1, "regular"), 4: (0, "light")}
    assert segment.name_segments(points, {1: 0, 2: 1, 3: 1, 4: 1}) == {
        1: (1, "heavy"),
        2: (0, "light"),
        3: (0, "light"),
        4: (0, "light"),
    }


def test_precision_at_5_counts_held_out_items_among_each_users_first_five():
    import evaluate

    rows = [
        ("shop", "a", 1, "/product/2", 3.0, "mahout"),
        ("shop", "a", 2, "/product/3", None, "popular"),
        ("shop", "b", 1, "/product/3", None, "popular"),
    ]
    held = {1: {2, 1}, 2: {2}}  # a: /product/2 of its 2 held-out items recommended; b: none
    assert evaluate.precision_at_k(rows, USERS, held, ITEMS, k=5) == pytest.approx((1 / 5 + 0) / 2)
    assert evaluate.precision_at_k(rows, USERS, {}, ITEMS) is None
