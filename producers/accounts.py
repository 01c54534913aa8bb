"""The account page's data: a user's row of MariaDB `activity.user_profiles` (the operational database the batch
layer imports with Sqoop, incremental on `updated_at`).

The sites connect as MariaDB user `site`, which may read the profiles and change only `plan`, `marketing_opt_in`
and `updated_at` (compose/bin/start-mariadb). A save that changes nothing leaves `updated_at` alone, so the next
incremental import takes exactly the profiles users changed."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from activity_contract.names import PLANS

FIELDS = ("user_id", "full_name", "email", "signup_date", "plan", "country", "marketing_opt_in", "updated_at")


class ProfilesUnavailable(RuntimeError):
    """MariaDB could not be asked (not configured, unreachable, refused)."""


@dataclass(frozen=True)
class Profile:
    user_id: str
    full_name: str
    email: str
    signup_date: date
    plan: str
    country: str
    marketing_opt_in: bool
    updated_at: datetime


def parse_change(form) -> tuple[dict | None, str | None]:
    """The account form's fields as a change ({plan, marketing_opt_in}), or None and what is wrong. An unchecked
    checkbox is absent from a form post, so a missing `marketing_opt_in` means no."""
    plan = (form.get("plan") or "").strip()
    if plan not in PLANS:
        return None, f"plan must be one of {', '.join(PLANS)}, not {plan[:40]!r}"
    opt_in = (form.get("marketing_opt_in") or "").strip().lower()
    if opt_in not in ("", "on", "true", "1", "false", "0"):
        return None, f"marketing_opt_in must be on or absent, not {opt_in[:40]!r}"
    return {"plan": plan, "marketing_opt_in": opt_in in ("on", "true", "1")}, None


class ProfileStore:
    """One short connection per call: the account page is rare, and a MariaDB restart costs one failed page."""

    def __init__(
        self, host: str, port: int, user: str, password: str, database: str = "activity", timeout_s: float = 3.0
    ):
        self.host, self.port, self.user, self.password, self.database = host, port, user, password, database
        self.timeout_s = timeout_s

    @property
    def configured(self) -> bool:
        """False for a site run without the lab's MariaDB (unit tests, `lab backfill`'s in-process sites)."""
        return bool(self.host and self.password)

    @contextmanager
    def _cursor(self, doing: str):
        """A cursor on a fresh connection, closed after; any MariaDB failure (connecting included) becomes
        ProfilesUnavailable naming what was being done."""
        import pymysql

        try:
            conn = pymysql.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password,
                database=self.database,
                connect_timeout=self.timeout_s,
                read_timeout=self.timeout_s,
                write_timeout=self.timeout_s,
                autocommit=True,
            )
        except pymysql.MySQLError as e:
            raise ProfilesUnavailable(f"MariaDB at {self.host}:{self.port}: {e}") from e
        try:
            with conn.cursor() as cur:
                yield cur
        except pymysql.MySQLError as e:
            raise ProfilesUnavailable(f"{doing}: {e}") from e
        finally:
            conn.close()

    def get(self, user_id: str) -> Profile | None:
        with self._cursor(f"reading {user_id}'s profile") as cur:
            cur.execute(f"SELECT {', '.join(FIELDS)} FROM user_profiles WHERE user_id = %s", (user_id,))
            row = cur.fetchone()
        return None if row is None else Profile(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7])

    def update(self, user_id: str, plan: str, marketing_opt_in: bool) -> bool | None:
        """True: changed (updated_at now); False: saved as it was; None: no such profile."""
        with self._cursor(f"updating {user_id}'s profile") as cur:
            if cur.execute(
                "UPDATE user_profiles SET plan = %s, marketing_opt_in = %s, updated_at = NOW(6) "
                "WHERE user_id = %s AND (plan <> %s OR marketing_opt_in <> %s)",
                (plan, marketing_opt_in, user_id, plan, marketing_opt_in),
            ):
                return True
            cur.execute("SELECT 1 FROM user_profiles WHERE user_id = %s", (user_id,))
            return False if cur.fetchone() else None
