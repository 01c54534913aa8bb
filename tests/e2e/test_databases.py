"""PostgreSQL and MariaDB accept the .env credentials and refuse the usual defaults."""

import pymysql
import pytest
from conftest import exec_in

from activity_clients import endpoints

DEFAULT_PASSWORDS = ["", "root", "password", "postgres", "mysql", "mariadb", "admin", "secret", "changeme"]


def mariadb_login(user, password):
    return pymysql.connect(
        host=endpoints.host(), port=endpoints.port("mariadb"), user=user, password=password, connect_timeout=10
    )


def test_mariadb_accepts_the_lab_user_from_env(lab_env):
    conn = mariadb_login("lab", lab_env["MARIADB_PASSWORD"])
    with conn.cursor() as cur:
        cur.execute("SELECT DATABASE(), CURRENT_USER()")
        cur.execute("SHOW DATABASES")
        assert ("activity",) in cur.fetchall()
    conn.close()


@pytest.mark.parametrize("user", ["root", "lab"])
def test_mariadb_refuses_default_passwords(user):
    for password in DEFAULT_PASSWORDS:
        with pytest.raises(pymysql.err.OperationalError) as err:
            mariadb_login(user, password)
        assert err.value.args[0] == 1045, (user, password, err.value)  # access denied


def psql(user, password, db="postgres"):
    return exec_in(
        "postgres",
        "psql",
        "-h",
        "postgres",
        "-U",
        user,
        "-d",
        db,
        "-tAc",
        "SELECT current_user",
        env={"PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"},
        check=False,
    )


@pytest.mark.parametrize(
    "user,key,db",
    [
        ("postgres", "POSTGRES_PASSWORD", "postgres"),
        ("hive", "HIVE_DB_PASSWORD", "metastore"),
        ("airflow", "AIRFLOW_DB_PASSWORD", "airflow"),
    ],
)
def test_postgres_accepts_env_credentials_and_refuses_defaults(lab_env, user, key, db):
    ok = psql(user, lab_env[key], db)
    assert ok.returncode == 0 and ok.stdout.strip() == user, ok.stderr
    for password in DEFAULT_PASSWORDS[1:]:
        bad = psql(user, password, db)
        assert bad.returncode != 0 and "password authentication failed" in bad.stderr, (password, bad.stderr)
