"""The generated day (producers/simulator/generated_day.py) the batch test and benchmark send: valid, inside its day,
seeded, and varied enough to exercise every daily table."""

from collections import Counter
from datetime import date

import batch_oracle as oracle
from activity_contract.events import validate_event
from producers.simulator.generated_day import generate_day

DAY = date(2025, 6, 30)


def test_every_event_is_valid_inside_its_day_and_in_time_order():
    events = generate_day(DAY, 800, seed=7)
    assert 800 <= len(events) < 830
    assert [e for e in events if validate_event(e)] == []
    assert {e["event_time"][:10] for e in events} == {"2025-06-30"}
    assert [e["event_time"] for e in events] == sorted(e["event_time"] for e in events)
    assert len({e["event_id"] for e in events}) == len(events)


def test_the_same_seed_gives_the_same_events_and_another_seed_others():
    assert generate_day(DAY, 200, seed=3) == generate_day(DAY, 200, seed=3)
    assert generate_day(DAY, 200, seed=3)[0]["event_id"] != generate_day(DAY, 200, seed=4)[0]["event_id"]


def test_a_day_has_sessions_errors_funnel_and_places_for_every_table():
    events = generate_day(DAY, 1200, seed=11, prefix="t")
    kinds = Counter(e["event_type"] for e in events)
    assert kinds["page_view"] > 600 and kinds["logout"] > 0
    assert {e["app_id"] for e in events} == {"shop", "news", "learn"}
    assert {e["user_id"] for e in events} <= {f"t-{a}-{i:03d}" for a in ("shop", "news", "learn") for i in range(10)}
    assert sum(e["http_status"] >= 500 for e in events) > 0
    assert len({(e["geo"]["country"], e["geo"]["city"]) for e in events}) > 3
    funnel = oracle.funnel(events)
    assert funnel["product"] > funnel["add_to_cart"] > funnel["checkout"] >= funnel["purchase"] > 0
    assert len(oracle.sessions(events)) > 100  # users come back after idle gaps and logouts


def test_ids_seed_changes_the_ids_only():
    """The batch layer's test sends the same behaviour every run (deterministic Mahout results) with new ids."""
    one, two = generate_day(DAY, 300, seed=5, ids_seed=1), generate_day(DAY, 300, seed=5, ids_seed=2)
    strip = [{k: v for k, v in e.items() if k not in ("event_id", "session_id")} for e in one]
    assert strip == [{k: v for k, v in e.items() if k not in ("event_id", "session_id")} for e in two]
    assert not {e["event_id"] for e in one} & {e["event_id"] for e in two}
    assert generate_day(DAY, 300, seed=5) == generate_day(DAY, 300, seed=5, ids_seed=5)
