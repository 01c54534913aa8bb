"""Every published port binds to 127.0.0.1 and the contract's ports are the ones published."""
from activitylab.compose import containers

CONTRACT = {"kafka": {9092}, "namenode": {9870}, "httpfs": {14000}, "resourcemanager": {8088},
            "historyserver": {19888}, "hbase-master": {16010}, "hbase-thrift": {9090}, "nimbus": {6627},
            "mariadb": {3306}, "hiveserver2": {10000, 10002}, "flume": {41414}, "shop": {5001}, "news": {5002}, "learn": {5003},
            "dashboard": {8501}, "spark-history": {18080}, "airflow-api-server": {8080}}
WORKERS = {"datanode", "nodemanager", "hbase-regionserver", "supervisor"}


def test_every_published_port_binds_to_loopback_only():
    published = [(c.service, p) for c in containers() for p in c.ports if p.get("PublishedPort")]
    assert published, "no published ports found"
    for service, p in published:
        assert p["URL"] == "127.0.0.1", (service, p)


def test_contract_ports_are_published_and_workers_publish_none():
    by_service = {}
    for c in containers():
        by_service.setdefault(c.service, set()).update(p["PublishedPort"] for p in c.ports if p.get("PublishedPort"))
    for service, ports in CONTRACT.items():
        assert by_service.get(service) == ports, (service, by_service.get(service))
    for service in WORKERS:
        assert by_service.get(service, set()) == set(), service
