"""Sqoop 1.4.7 from the edge node, between MariaDB (database `activity`) and HDFS, its jobs on YARN: a table of N rows
imports to N rows in HDFS with equal values; an HDFS file of M rows exports to M rows of a MariaDB table."""

import uuid

from lab_edge import edge, hdfs_cat, hdfs_put
from lab_mariadb import mariadb

CONNECT = [
    "--connect",
    "jdbc:mariadb://mariadb:3306/activity",
    "--driver",
    "org.mariadb.jdbc.Driver",
    "--username",
    "lab",
    "--password-file",
    "file:///etc/lab/sqoop/mariadb.password",
]
COUNTRIES = ["FR", "DE", "US", "BR", "IN", "JP", "NG"]


def test_import_of_a_mariadb_table_gives_the_same_rows_in_hdfs():
    run = uuid.uuid4().hex[:8]
    table, target = f"e2e_profiles_{run}", f"/tmp/e2e-sqoop-import-{run}"
    rows = [(i, f"user {i}", COUNTRIES[i % len(COUNTRIES)], round(i / 8, 3)) for i in range(1, 138)]
    with mariadb() as db, db.cursor() as cur:
        cur.execute(f"CREATE TABLE {table} (id INT PRIMARY KEY, name VARCHAR(40), country CHAR(2), score DOUBLE)")
        cur.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s)", rows)
    edge(
        "sqoop",
        "import",
        *CONNECT,
        "--table",
        table,
        "--target-dir",
        target,
        "--split-by",
        "id",
        "-m",
        "2",
        "--fields-terminated-by",
        r"\t",
    )
    imported = [line.split("\t") for line in hdfs_cat(f"{target}/part-m-*").splitlines()]
    assert len(imported) == len(rows)
    assert sorted((int(i), n, c, float(s)) for i, n, c, s in imported) == rows
    with mariadb() as db, db.cursor() as cur:
        cur.execute(f"DROP TABLE {table}")


def test_export_of_an_hdfs_file_gives_the_same_rows_in_mariadb():
    run = uuid.uuid4().hex[:8]
    table, source = f"e2e_kpis_{run}", f"/tmp/e2e-sqoop-export-{run}"
    rows = [
        (f"2026-11-{d:02d}", app, d * 100 + k, round(d * 0.01 + k, 2))
        for d in range(1, 21)
        for k, app in enumerate(["shop", "news", "learn"])
    ]
    hdfs_put(f"{source}/part-0", "".join("\t".join(map(str, r)) + "\n" for r in rows))
    with mariadb() as db, db.cursor() as cur:
        cur.execute(f"CREATE TABLE {table} (day DATE, app_id VARCHAR(16), views INT, error_rate DOUBLE)")
    edge(
        "sqoop",
        "export",
        *CONNECT,
        "--table",
        table,
        "--export-dir",
        source,
        "-m",
        "1",
        "--input-fields-terminated-by",
        r"\t",
    )
    with mariadb() as db, db.cursor() as cur:
        cur.execute(f"SELECT DATE_FORMAT(day, '%Y-%m-%d'), app_id, views, error_rate FROM {table} ORDER BY day, views")
        assert list(cur.fetchall()) == sorted(rows, key=lambda r: (r[0], r[2]))
        cur.execute(f"DROP TABLE {table}")
