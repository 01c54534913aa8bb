"""MariaDB `activity` as a user on the host reaches it: user `lab`, the .env password, the .env port."""

import pymysql

from activity_clients import endpoints
from activity_clients.checkout import read_env


def mariadb():
    return pymysql.connect(
        host=endpoints.host(),
        port=endpoints.port("mariadb"),
        user="lab",
        password=read_env()["MARIADB_PASSWORD"],
        database="activity",
        connect_timeout=10,
        autocommit=True,
    )


def profiles():
    """activity.user_profiles as {user_id: (full_name, email, signup_date, plan, country, age_band, opt_in,
    updated_at)}, dates and times as datetime objects (updated_at to the microsecond)."""
    with mariadb() as db, db.cursor() as cur:
        cur.execute(
            "SELECT user_id, full_name, email, signup_date, plan, country, age_band, marketing_opt_in = 1, "
            "updated_at FROM user_profiles"
        )
        return {r[0]: tuple(r[1:7]) + (bool(r[7]), r[8]) for r in cur.fetchall()}
