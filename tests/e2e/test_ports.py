"""Every published port binds to LAB_BIND (127.0.0.1 unless .env says otherwise), and each service publishes the
host ports .env gives it (the contract's by default) and nothing else."""

from activity_clients import endpoints
from activitylab.compose import containers

PUBLISHED = {service: {endpoints.port(service)} for service in endpoints.PORTS if service != "hiveserver2-ui"}
PUBLISHED["hiveserver2"] |= {endpoints.port("hiveserver2-ui")}
WORKERS = {"datanode", "nodemanager", "hbase-regionserver", "supervisor"}


def test_every_published_port_binds_to_lab_bind_only(lab_env):
    published = [(c.service, p) for c in containers() for p in c.ports if p.get("PublishedPort")]
    assert published, "no published ports found"
    for service, p in published:
        assert p["URL"] == lab_env["LAB_BIND"], (service, p)


def test_contract_ports_are_published_and_workers_publish_none():
    by_service = {}
    for c in containers():
        by_service.setdefault(c.service, set()).update(p["PublishedPort"] for p in c.ports if p.get("PublishedPort"))
    for service, ports in PUBLISHED.items():
        assert by_service.get(service) == ports, (service, by_service.get(service))
    for service in WORKERS:
        assert by_service.get(service, set()) == set(), service
