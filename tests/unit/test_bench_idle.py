"""`lab bench idle` reads each container's CPU and memory from its cgroup files: v2's one folder or v1's folder per
hierarchy, found from the process' /proc/PID/cgroup."""

from activitylab.bench_idle import Cgroup, comparison_lines, host_cgroup_dirs


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v2_cpu_and_memory(tmp_path):
    write(tmp_path / "cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n")
    write(tmp_path / "memory.stat", "anon 104857600\nfile 52428800\nfile_mapped 10485760\ninactive_file 20971520\n")
    write(tmp_path / "memory.current", "209715200\n")
    group = Cgroup("lab-x-1", {"": str(tmp_path)})
    assert group.cpu_seconds() == 2.5
    assert group.memory_mib() == (110.0, 180.0)  # RSS: anon + mapped; docker stats: current - inactive file


def test_cgroup_v1_reads_each_controllers_folder(tmp_path):
    write(tmp_path / "cpuacct" / "cpuacct.usage", "1500000000\n")
    write(
        tmp_path / "memory" / "memory.stat",
        "total_rss 104857600\ntotal_mapped_file 10485760\ntotal_inactive_file 5242880\n",
    )
    write(tmp_path / "memory" / "memory.usage_in_bytes", "157286400\n")
    group = Cgroup("lab-x-1", {"cpuacct": str(tmp_path / "cpuacct"), "memory": str(tmp_path / "memory")})
    assert group.cpu_seconds() == 1.5
    assert group.memory_mib() == (110.0, 145.0)


def test_the_folders_of_a_process_on_this_host(tmp_path):
    proc = tmp_path / "proc.cgroup"
    write(proc, "4:memory:/docker/abc\n2:cpuacct:/docker/abc\n1:cpu:/docker/abc\n0::/\n")
    for controller in ("memory", "cpuacct"):
        (tmp_path / "fs" / controller / "docker" / "abc").mkdir(parents=True)
    dirs = host_cgroup_dirs(proc, root=str(tmp_path / "fs"))
    assert dirs == {"memory": f"{tmp_path}/fs/memory/docker/abc", "cpuacct": f"{tmp_path}/fs/cpuacct/docker/abc"}
    write(proc, "0::/system.slice/docker-abc.scope\n")
    write(tmp_path / "fs" / "system.slice" / "docker-abc.scope" / "cpu.stat", "usage_usec 1\n")
    assert host_cgroup_dirs(proc, root=str(tmp_path / "fs")) == {"": f"{tmp_path}/fs/system.slice/docker-abc.scope"}
    assert host_cgroup_dirs(tmp_path / "no-such-process") is None


def run(date, browsing, paused, containers):
    return {
        "date": date,
        "host_busy": {"browsing": browsing, "paused": paused},
        "containers": {
            n: dict(zip(("browsing", "paused", "rss_mib", "docker_stats_mib"), v, strict=True))
            for n, v in containers.items()
        },
    }


def test_the_before_after_table_lists_every_container_busiest_first_with_sums():
    before = run(
        "d1",
        1.7,
        1.0,
        {"supervisor-1": (0.432, 0.079, 496, 514), "kafka-1": (0.065, 0.039, 420, 429), "gone-1": (0.01, 0.01, 10, 10)},
    )
    after = run("d2", 0.66, 0.42, {"supervisor-1": (0.091, 0.05, 399, 420), "kafka-1": (0.034, 0.022, 300, 314)})
    lines = comparison_lines(before, after)
    assert lines[2] == "| supervisor-1 | 0.432 -> 0.091 | 0.079 -> 0.050 | 496 -> 399 | 514 -> 420 |"
    assert lines[3] == "| kafka-1 | 0.065 -> 0.034 | 0.039 -> 0.022 | 420 -> 300 | 429 -> 314 |"
    assert lines[4] == "| gone-1 | 0.010 -> - | 0.010 -> - | 10 -> - | 10 -> - |"
    assert (
        lines[5] == "| **all containers** | **0.507 -> 0.125** | **0.128 -> 0.072** | **926 -> 699** | **953 -> 734** |"
    )
    assert lines[6] == "| **host busy** (/proc/stat) | **1.70 -> 0.66** | **1.00 -> 0.42** | | |"
