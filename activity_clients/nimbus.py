"""Storm cluster facts from Nimbus' Thrift API: the lab's stand-in for the Storm UI, which was never published
and so cannot be built here. Without a host and port, Nimbus as published to the host (.env); the dashboard,
which runs without the rest of this package, always passes them."""

import warnings


def nimbus_client(host=None, port=None, timeout_ms=7000):
    if host is None:
        from activity_clients.endpoints import host_port

        host, port = host_port("nimbus")
    with warnings.catch_warnings():  # streamparse's imports (paramiko, pkg_resources) are noisy
        warnings.simplefilter("ignore")
        from streamparse.util import get_nimbus_client
    return get_nimbus_client(host=host, port=port, timeout=timeout_ms)


def cluster_summary(host=None, port=None):
    """Supervisors (host, slots used/total) and topologies (name, status, workers, uptime)."""
    info = nimbus_client(host, port).getClusterInfo()
    return {
        "supervisors": [
            {
                "host": s.host,
                "id": s.supervisor_id,
                "slots": s.num_workers,
                "used": s.num_used_workers,
                "uptime_s": s.uptime_secs,
            }
            for s in info.supervisors
        ],
        "topologies": [
            {
                "name": t.name,
                "status": t.status,
                "workers": t.num_workers,
                "executors": t.num_executors,
                "uptime_s": t.uptime_secs,
            }
            for t in info.topologies
        ],
        "nimbus_uptime_s": max((n.uptime_secs for n in (info.nimbuses or [])), default=0),
    }


def _stream_sum(stats_map, window=":all-time"):
    """Sum a Storm stats map {window: {stream: n}} over the user streams (system streams start with `__`)."""
    return sum(n for stream, n in (stats_map or {}).get(window, {}).items() if _user_stream(stream))


def _user_stream(stream) -> bool:
    """A stream id (spouts' maps) or a GlobalStreamId (bolts': source component and stream) of the topology's own,
    not Storm's system streams (ticks, metrics, acks), whose names start with `__`."""
    ids = (stream.componentId, stream.streamId) if hasattr(stream, "streamId") else (stream,)
    return not any(str(i).startswith("__") for i in ids)


def topology_summary(host=None, port=None, name=None):
    """The named topology's health, as the Storm UI's topology page showed it, or None when it is not running.

    Keys: name, id, status, uptime_s, workers, executors, worker_uptime_s (the youngest executor: it resets
    when a worker restarts), emitted, transferred, acked, failed (all-time, user streams), complete_latency_ms
    (the spouts' average over the last 10 minutes; 0 until a tuple tree completed).
    """
    found = _topology(host, port, name)
    if found is None:
        return None
    t, info = found
    emitted = transferred = acked = failed = 0
    latencies = []
    user_executors = [e for e in info.executors or [] if not e.component_id.startswith("__")]
    for e, spout, _bolt in _counted(user_executors):
        emitted += _stream_sum(e.stats.emitted)
        transferred += _stream_sum(e.stats.transferred)
        if spout is not None:
            acked += _stream_sum(spout.acked)
            failed += _stream_sum(spout.failed)
            for stream, ms in (spout.complete_ms_avg or {}).get("600", {}).items():
                if not str(stream).startswith("__") and ms:
                    latencies.append(ms)
    return {
        "name": t.name,
        "id": t.id,
        "status": t.status,
        "uptime_s": t.uptime_secs,
        "workers": t.num_workers,
        "executors": t.num_executors,
        "worker_uptime_s": min((e.uptime_secs for e in user_executors), default=0),
        "emitted": emitted,
        "transferred": transferred,
        "acked": acked,
        "failed": failed,
        "complete_latency_ms": round(sum(latencies) / len(latencies), 1) if latencies else 0.0,
    }


def _counted(executors):
    """(executor, its spout stats or None, its bolt stats or None) of each executor that has reported stats."""
    for e in executors:
        if e.stats is not None and e.stats.specific is not None:
            yield e, e.stats.specific.spout, e.stats.specific.bolt


def _topology(host, port, name):
    """(the topology's summary, its TopologyInfo), or None when no topology of that name runs."""
    from activity_contract.names import TOPOLOGY_NAME

    client = nimbus_client(host, port)
    found = [t for t in client.getClusterInfo().topologies if t.name == (name or TOPOLOGY_NAME)]
    return (found[0], client.getTopologyInfo(found[0].id)) if found else None


def worker_slots(host=None, port=None, name=None):
    """[(supervisor host, slot port)] of the named topology's workers, as Nimbus placed them; [] when it is not
    running (the host is the address each supervisor registers: storm.local.hostname)."""
    found = _topology(host, port, name)
    if found is None:
        return []
    return sorted({(e.host, e.port) for e in found[1].executors or []})
