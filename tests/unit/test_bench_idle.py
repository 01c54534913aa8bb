"""`lab bench idle` reads each container's CPU and memory from its cgroup files: v2's one folder or v1's folder per
hierarchy, found from the process' /proc/PID/cgroup."""
from activitylab.bench_idle import Cgroup, host_cgroup_dirs


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v2_cpu_and_memory(tmp_path):
    write(tmp_path / "cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n")
    write(tmp_path / "memory.stat", "anon 104857600\nfile 52428800\nfile_mapped 10485760\ninactive_file 20971520\n")
    write(tmp_path / "memory.current", "209715200\n")
    group = Cgroup("lab-x-1", {"": str(tmp_path)})
    assert group.cpu_seconds() == 2.5
    assert group.memory_mib() == (110.0, 180.0)   # RSS: anon + mapped; docker stats: current - inactive file


def test_cgroup_v1_reads_each_controllers_folder(tmp_path):
    write(tmp_path / "cpuacct" / "cpuacct.usage", "1500000000\n")
    write(tmp_path / "memory" / "memory.stat", "total_rss 104857600\ntotal_mapped_file 10485760\n"
                                                "total_inactive_file 5242880\n")
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
