"""HBase from the host through Thrift 1 (HappyBase on HBASE_THRIFT_PORT, 9090)."""

import threading
import uuid

import pytest

from activity_clients import hbase as lab_hbase

CONTRACT_TABLES = {"page_counts", "minute_stats", "active_users", "user_recent_pages", "sessions", "alerts"}


@pytest.fixture
def conn():
    c = lab_hbase.connect()
    yield c
    c.close()


@pytest.fixture
def fresh_table(conn):
    name = f"e2e_{uuid.uuid4().hex[:10]}"
    conn.create_table(name, {"c": dict(max_versions=1)})
    yield name
    conn.delete_table(name, disable=True)


def test_contract_tables_exist_in_namespace_activity(conn):
    tables = {t.decode() for t in conn.tables()}
    assert {f"activity:{t}" for t in CONTRACT_TABLES} <= tables


def test_hundred_rows_put_and_read_back(conn, fresh_table):
    table = conn.table(fresh_table)
    rows = {f"row-{i:03d}".encode(): f"value-{i}".encode() for i in range(100)}
    with table.batch() as batch:
        for key, value in rows.items():
            batch.put(key, {b"c:v": value})
    assert {key: data[b"c:v"] for key, data in table.scan()} == rows
    assert table.row(b"row-042")[b"c:v"] == b"value-42"


def test_counter_increments_from_two_threads_are_exact(fresh_table):
    def bump():
        c = lab_hbase.connect()
        t = c.table(fresh_table)
        for _ in range(500):
            t.counter_inc(b"page", b"c:views")
        c.close()

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    c = lab_hbase.connect()
    assert c.table(fresh_table).counter_get(b"page", b"c:views") == 1000
    c.close()
