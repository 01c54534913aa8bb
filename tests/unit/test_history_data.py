"""The history page's shaping of Hive's daily rows (dashboard/history_data.py), without Hive."""

from datetime import date

import pandas as pd

from activity_contract import names
from dashboard import history_data


def test_batch_days_are_the_partitions_dates_newest_first():
    assert history_data.batch_days(
        ["dt=2025-01-02", "dt=2025-03-04", "dt=__HIVE_DEFAULT_PARTITION__", "app=shop", "dt=2025-01-02"]
    ) == [date(2025, 3, 4), date(2025, 1, 2)]
    assert history_data.batch_days([]) == []


def test_top_pages_ranks_by_views_then_site_and_page():
    pages = pd.DataFrame(
        [("news", "/b", 5, 2), ("shop", "/a", 9, 4), ("learn", "/z", 5, 5), ("news", "/a", 5, 1)],
        columns=["app_id", "page", "views", "unique_users"],
    )
    top = history_data.top_pages(pages, n=3)
    assert list(zip(top["app_id"], top["page"], strict=True)) == [("shop", "/a"), ("learn", "/z"), ("news", "/a")]


def test_sankey_links_keep_the_sites_busiest_transitions_from_pages_left_to_pages_reached():
    paths = pd.DataFrame(
        [
            ("shop", "/", "/p/1", 7),
            ("shop", "/p/1", "/cart", 3),
            ("shop", "/cart", "/", 2),
            ("shop", "/p/1", "/p/1", 1),
            ("news", "/", "/a", 50),
        ],
        columns=["app_id", "from_page", "to_page", "transitions"],
    )
    labels, links = history_data.sankey_links(paths, "shop", n=3)
    assert labels == ["/ →", "/cart →", "/p/1 →", "→ /", "→ /cart", "→ /p/1"]
    assert [(labels[s], labels[t], v) for s, t, v in links.itertuples(index=False)] == [
        ("/ →", "→ /p/1", 7),
        ("/p/1 →", "→ /cart", 3),
        ("/cart →", "→ /", 2),
    ]


def test_countries_sum_every_site_and_map_known_codes_to_iso3():
    geo = pd.DataFrame(
        [
            ("shop", "DE", "Berlin", 10, 6, 2),
            ("news", "DE", "Munich", 4, 3, 1),
            ("shop", "XX", "Nowhere", 1, 1, 1),
            ("learn", "US", "Boston", 5, 4, 3),
        ],
        columns=["app_id", "country", "city", "events", "page_views", "unique_users"],
    )
    per = history_data.countries(geo)
    assert per.to_dict("records") == [
        {"country": "DE", "iso3": "DEU", "page_views": 9, "events": 14, "unique_users": 3},
        {"country": "US", "iso3": "USA", "page_views": 4, "events": 5, "unique_users": 3},
        {"country": "XX", "iso3": "", "page_views": 1, "events": 1, "unique_users": 1},
    ]
    assert history_data.countries(geo.head(0)).empty
    assert history_data.country_sites(geo).to_dict("records") == [
        {"country": "DE", "app_id": "news", "page_views": 3},
        {"country": "DE", "app_id": "shop", "page_views": 6},
        {"country": "US", "app_id": "learn", "page_views": 4},
        {"country": "XX", "app_id": "shop", "page_views": 1},
    ]


def test_funnel_in_step_order():
    steps = pd.DataFrame(
        [(3, "checkout", 2, 0.2), (1, "product", 10, 1.0), (4, "purchase", 1, 0.1), (2, "add_to_cart", 4, 0.4)],
        columns=["step_order", "step", "sessions", "conversion"],
    )
    assert list(history_data.funnel(steps)["step"]) == ["product", "add_to_cart", "checkout", "purchase"]


def test_a_users_recommendations_best_first_and_the_items_they_chose():
    recs = pd.DataFrame(
        [
            ("shop", "a", 2, "/product/2", None, "popular"),
            ("shop", "a", 1, "/product/9", 4.2, "mahout"),
            ("shop", "b", 1, "/product/1", None, "popular"),
        ],
        columns=["app_id", "user_id", "rank", "page", "score", "source"],
    )
    mine = history_data.user_recommendations(recs, "shop", "a")
    assert list(mine["page"]) == ["/product/9", "/product/2"] and list(mine["rank"]) == [1, 2]
    events = pd.DataFrame(
        [
            ("t1", "page_view", "/"),
            ("t2", "page_view", "/product/3"),
            ("t3", "add_to_cart", "/product/3"),
            ("t4", "page_view", "/product/4"),
            ("t5", "page_view", "/product/3"),
        ],
        columns=["event_time", "event_type", "page"],
    )
    chosen = history_data.chosen_items(events)
    assert chosen.values.tolist() == [["/product/3", 2, True], ["/product/4", 1, False]]
    assert history_data.chosen_items(events.head(1)).empty


def test_segments_are_summarized_lightest_first_with_their_mean_features():
    segments = pd.DataFrame(
        [
            ("shop", "a", 2, "heavy", 40, 30, 4, 2, 9),
            ("news", "b", 0, "light", 2, 1, 1, 0, 1),
            ("shop", "c", 0, "light", 4, 3, 1, 0, 1),
        ],
        columns=["app_id", "user_id", "segment", "segment_name", *names.SEGMENT_FEATURES],
    )
    summary = history_data.segment_summary(segments)
    assert summary[["segment_name", "users", "events", "page_views"]].values.tolist() == [
        ["light", 2, 3.0, 2.0],
        ["heavy", 1, 40.0, 30.0],
    ]
    sizes = history_data.segment_sizes(segments)
    assert sizes[["segment_name", "app_id", "users"]].values.tolist() == [
        ["light", "news", 1],
        ["light", "shop", 1],
        ["heavy", "shop", 1],
    ]
    assert history_data.segment_summary(segments.head(0)).empty


def test_drift_is_summarized_per_kpi_and_site_and_its_gaps_listed_largest_first():
    drift = pd.DataFrame(
        [
            ("shop", "events", "10:00", 5, 5, 0, ""),
            ("shop", "events", "10:01", 4, 1, 3, "missed"),
            ("news", "page_views", "/a", 2, 3, -1, "extra"),
            ("shop", "page_views", "/b", 7, 7, 0, ""),
            ("shop", "active_users", "", 2, 2, 0, ""),
        ],
        columns=list(names.DAILY_TABLES["speed_batch_drift"]),
    )
    summary = history_data.drift_summary(drift)
    assert summary.values.tolist() == [
        ["page_views", "news", 2, 3, -1, 1, 1],
        ["page_views", "shop", 7, 7, 0, 1, 0],
        ["events", "shop", 9, 6, 3, 2, 1],
        ["active_users", "shop", 2, 2, 0, 1, 0],
    ]
    gaps = history_data.drift_gaps(drift)
    assert gaps[["item", "drift", "reason"]].values.tolist() == [["10:01", 3, "missed"], ["/a", -1, "extra"]]
    empty = drift.iloc[:0]
    assert history_data.drift_summary(empty).empty and history_data.drift_gaps(empty).empty
