"""The MariaDB seed of user profiles: the committed SQL is what activitylab.profiles generates, and it holds every
simulated user (with the home country the simulator gives them) and the extra members, once each."""

import os
import re

from activity_clients.checkout import ROOT
from activity_contract.names import APPS
from activitylab.profiles import MEMBERS, SIM_USERS_PER_APP, seed_profiles, seed_sql
from producers.simulator.users import make_user

SEED_FILE = os.path.join(ROOT, "compose", "conf", "mariadb", "user_profiles.sql")


def test_the_committed_seed_is_what_the_generator_writes():
    with open(SEED_FILE, encoding="utf-8") as f:
        assert f.read() == seed_sql(), "run: python -m activitylab.profiles > compose/conf/mariadb/user_profiles.sql"


def test_every_simulated_user_has_one_profile_with_its_home_country():
    rows = {r["user_id"]: r for r in seed_profiles()}
    assert len(rows) == len(seed_profiles()) == 30 + MEMBERS
    for app in APPS:
        for i in range(1, SIM_USERS_PER_APP + 1):
            user = make_user(app, i)
            assert rows[user.user_id]["country"] == user.country


def test_values_are_plausible_and_every_statement_is_one_line():
    for r in seed_profiles():
        assert r["plan"] in {"free", "plus", "pro"} and re.fullmatch(r"[^@\s]+@example\.com", r["email"])
        assert r["updated_at"].date() == r["signup_date"]
    inserts = [line for line in seed_sql().splitlines() if line.startswith("INSERT")]
    assert len(inserts) == 30 + MEMBERS and all(line.endswith(");") for line in inserts)
