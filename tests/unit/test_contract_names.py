"""The contract owns the shared names: no Python outside activity_contract spells a site, a topic, a consumer group,
an HBase table, a JDBC URL or a site's port as a literal; and its copies outside Python agree with it."""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

from activity_contract import names

ROOT = Path(__file__).resolve().parents[2]
# The Python programs of compose/bin (no .py suffix); health runs with `python3 -IS` in every image, so
# it imports nothing of the lab's: it uses only component ports inside a container, which the check below allows.
SCRIPTS = ["compose/bin/flume-janitor", "compose/bin/health", "compose/bin/render-config"]

NAMES = {
    **{app: "a site" for app in names.APPS},
    names.TOPIC_EVENTS: "a topic",
    names.TOPIC_DLQ: "a topic",
    names.TOPIC_ALERTS: "a topic",
    names.SPEED_CONSUMER_GROUP: "a consumer group",
    names.TOPOLOGY_NAME: "the topology",
    **{table: "an HBase table" for table in names.HBASE_TABLES},
}
URLS = (names.HIVE_JDBC_URL, names.MARIADB_JDBC_URL)
PORTS = set(names.SITE_PORTS.values())


def code_files() -> list[Path]:
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    paths = [p for p in tracked.stdout.split() if not p.startswith(("activity_contract/", "tests/"))]
    return [ROOT / p for p in paths + SCRIPTS]


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings or bare string statements (comments, not code)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def copies(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    skip = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in skip:
            continue
        value = node.value
        where = f"{path.relative_to(root)}:{node.lineno}"
        if isinstance(value, str) and value in NAMES:
            found.append(f"{where}: {value!r} ({NAMES[value]})")
        elif isinstance(value, str) and any(url in value for url in URLS):
            found.append(f"{where}: {value!r} (a JDBC URL)")
        elif isinstance(value, int) and not isinstance(value, bool) and value in PORTS:
            found.append(f"{where}: {value} (a site's port)")
    return sorted(found, key=lambda f: int(f.split(":")[1]))


def test_no_code_outside_the_contract_spells_a_shared_name():
    found = [copy for path in code_files() for copy in copies(path)]
    assert not found, "use activity_contract.names instead of these literals:\n" + "\n".join(found)


def test_the_check_finds_a_copied_name(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""A docstring may say shop."""\n'
        f"TOPIC = {names.TOPIC_EVENTS!r}\n"
        f"URL = 'x' + {names.MARIADB_JDBC_URL!r}\n"
        f"PORT = {names.SITE_PORTS[names.NEWS]}\n"
        "SITES = ('learn',)\n"
    )
    found = copies(sample, root=tmp_path)
    assert [f.split(": ", 1)[1] for f in found] == [
        f"{names.TOPIC_EVENTS!r} (a topic)",
        f"{names.MARIADB_JDBC_URL!r} (a JDBC URL)",
        f"{names.SITE_PORTS[names.NEWS]} (a site's port)",
        "'learn' (a site)",
    ]


def test_env_example_publishes_the_contracts_host_ports():
    example = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if line[:1].isalpha()
    )
    assert {key: int(example[key]) for key, _ in names.HOST_PORTS.values()} == dict(names.HOST_PORTS.values())


def test_hbase_init_creates_the_contracts_namespace_tables_and_families():
    java = (ROOT / "storm_topology/HBaseInit.java").read_text()
    namespace = re.search(r'NAMESPACE = "(\w+)"', java).group(1)
    tables = re.findall(r'"(\w+)"', re.search(r"TABLES = \{(.*?)\}", java, flags=re.S).group(1))
    families = dict(re.findall(r"byte\[\] (\w+) = Bytes.toBytes\(\"(\w)\"\)", java))
    assert [f"{namespace}:{t}" for t in tables] == list(names.HBASE_TABLES)
    assert namespace == names.HBASE_NAMESPACE
    assert families == {"FAMILY": names.FAMILY, "DEDUPE": names.DEDUPE_FAMILY, "LAST_SEEN": names.LAST_SEEN_FAMILY}


def test_kafka_init_creates_the_contracts_topics():
    entrypoint = (ROOT / "compose/bin/entrypoint").read_text()
    branch = entrypoint.split("\nkafka-init)", 1)[1].split(";;", 1)[0]
    assert "from activity_contract.names import TOPIC_PARTITIONS" in branch and "${KAFKA_TOPICS:-$topics}" in branch
    assert set(names.TOPIC_PARTITIONS) == {names.TOPIC_EVENTS, names.TOPIC_DLQ, names.TOPIC_ALERTS}


def test_the_jdbc_urls_outside_python_are_the_contracts():
    """Shell scripts, configuration and docs spell the JDBC URLs (they cannot import the contract): the same ones."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = {}
    for path in tracked:
        if path.endswith(".py") or not (ROOT / path).is_file():
            continue
        try:
            text = (ROOT / path).read_text()
        except UnicodeDecodeError:
            continue
        for url in re.findall(r"jdbc:(?:mariadb|hive2)://[\w.-]+:\d+(?:/\w+)?", text):
            found.setdefault(url, set()).add(path)
    mariadb = {url for url in found if url.startswith("jdbc:mariadb:")}
    hive = {url.rsplit("/", 1)[0] for url in found if url.startswith("jdbc:hive2://hiveserver2")}
    assert mariadb == {names.MARIADB_JDBC_URL}, {url: sorted(found[url]) for url in mariadb}
    assert hive == {names.HIVE_JDBC_URL.rsplit("/", 1)[0]}, hive
    assert len(found[names.MARIADB_JDBC_URL]) >= 3  # the Sqoop scripts and their docs


def test_the_site_lists_outside_python_are_the_contracts():
    """Configuration and scripts list the sites (they cannot import the contract): the contract's, in its order."""
    apps = list(names.APPS)
    schema = json.loads((ROOT / "activity_contract/schema/event-v1.json").read_text())
    assert schema["properties"]["app_id"]["enum"] == apps
    compose = (ROOT / "compose.yaml").read_text()
    urls = re.search(r"^\s+SITE_URLS: (\S+)$", compose, re.M).group(1)
    assert urls == ",".join(f"{app}=http://{app}:{port}" for app, port in names.SITE_PORTS.items())
    agent = (ROOT / "flume/conf/agent.conf").read_text()
    assert re.findall(r"^a1\.sources\.\w+\.filegroups = (.+)$", agent, re.M) == [" ".join(apps)] * 3
    entrypoint = (ROOT / "compose/bin/entrypoint").read_text()
    assert re.findall(r"/site/logs/(\w+)", entrypoint.split("\nflume)", 1)[1].split(";;", 1)[0]) == apps
