"""The Sqoop export's three places agree: the tables the ETL writes for it (names.EXPORTED_KPI_TABLES), the
columns the export names (sqoop/export_kpis.sh), and MariaDB's tables (compose/conf/mariadb/kpi_export.sql), with
the columns in the order the ETL writes them (dt, then the Hive table's, hive/ddl/20-daily-tables.sql)."""

import re
from pathlib import Path

from activity_contract import names

ROOT = Path(__file__).parents[2]


def table_columns(sql: str, create: str) -> dict[str, list[str]]:
    """{table: its columns in order} of every `create ... (` statement in the SQL text."""
    out = {}
    for m in re.finditer(create + r"(?:activity\.)?(\w+) \((.*?)\n\)", sql, flags=re.S):
        out[m.group(1)] = [c for c in re.findall(r"^  (\w+)\s", m.group(2), flags=re.M) if c != "PRIMARY"]
    return out


def test_the_exported_tables_and_columns_agree_everywhere():
    exported = list(names.EXPORTED_KPI_TABLES)
    script = (ROOT / "sqoop/export_kpis.sh").read_text()
    named = dict(re.findall(r"^  \[(\w+)\]=([\w,]+)$", script, flags=re.M))
    hive = table_columns((ROOT / "hive/ddl/20-daily-tables.sql").read_text(), "CREATE EXTERNAL TABLE IF NOT EXISTS ")
    mariadb = table_columns((ROOT / "compose/conf/mariadb/kpi_export.sql").read_text(), "CREATE TABLE IF NOT EXISTS ")
    assert exported == ["page_stats_daily", "sessions_daily", "shop_funnel_daily"]
    assert set(named) == set(mariadb) == set(exported)
    for table in exported:
        assert named[table].split(",") == mariadb[table] == ["dt"] + hive[table], table
