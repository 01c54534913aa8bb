"""Storm cluster facts from Nimbus' Thrift API (port 6627): the lab's stand-in for the Storm UI,
which was never published and so cannot be built here."""
import warnings


def nimbus_client(host="localhost", port=6627, timeout_ms=7000):
    with warnings.catch_warnings():  # streamparse's imports (paramiko, pkg_resources) are noisy
        warnings.simplefilter("ignore")
        from streamparse.util import get_nimbus_client
    return get_nimbus_client(host=host, port=port, timeout=timeout_ms)


def cluster_summary(host="localhost", port=6627):
    """Supervisors (host, slots used/total) and topologies (name, status, workers, uptime)."""
    info = nimbus_client(host, port).getClusterInfo()
    return {
        "supervisors": [{"host": s.host, "id": s.supervisor_id, "slots": s.num_workers,
                         "used": s.num_used_workers, "uptime_s": s.uptime_secs}
                        for s in info.supervisors],
        "topologies": [{"name": t.name, "status": t.status, "workers": t.num_workers,
                        "executors": t.num_executors, "uptime_s": t.uptime_secs}
                       for t in info.topologies],
        "nimbus_uptime_s": max((n.uptime_secs for n in (info.nimbuses or [])), default=0),
    }
