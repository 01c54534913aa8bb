"""The daily tables' columns live in the contract (names.DAILY_TABLES); their copies outside Python agree with it:
Hive's DDL (hive/ddl/), and for the tables Sqoop exports (names.EXPORTED_KPI_TABLES) the columns the export names
(sqoop/export_kpis.sh) and MariaDB's tables (sqoop/kpi_export.sql), dt first, as the ETL writes them."""

import re
from pathlib import Path

from activity_contract import names

ROOT = Path(__file__).parents[2]


def table_columns(sql: str, create: str) -> dict[str, list[str]]:
    """{table: its columns in order} of every `create ... (` statement in the SQL text."""
    out = {}
    for m in re.finditer(create + r"(?:activity\.)?(\w+) \((.*?)\n\)", sql, flags=re.S):
        out[m.group(1)] = [c for c in re.findall(r"^  `?(\w+)`?\s", m.group(2), flags=re.M) if c != "PRIMARY"]
    return out


def hive_tables() -> dict[str, list[str]]:
    ddl = "\n".join(p.read_text() for p in sorted((ROOT / "hive/ddl").glob("*.sql")))
    return table_columns(ddl, "CREATE EXTERNAL TABLE IF NOT EXISTS ")


def test_hive_creates_every_daily_table_with_the_contracts_columns():
    hive = hive_tables()
    assert {t: hive.get(t) for t in names.DAILY_TABLES} == {t: list(c) for t, c in names.DAILY_TABLES.items()}


def test_the_exported_tables_and_columns_agree_everywhere():
    exported = list(names.EXPORTED_KPI_TABLES)
    script = (ROOT / "sqoop/export_kpis.sh").read_text()
    named = dict(re.findall(r"^  \[(\w+)\]=([\w,]+)$", script, flags=re.M))
    mariadb = table_columns((ROOT / "sqoop/kpi_export.sql").read_text(), "CREATE TABLE IF NOT EXISTS ")
    assert exported == ["page_stats_daily", "sessions_daily", "shop_funnel_daily"]
    assert set(named) == set(mariadb) == set(exported)
    for table in exported:
        assert named[table].split(",") == mariadb[table] == ["dt", *names.DAILY_TABLES[table]], table
