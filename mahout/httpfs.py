"""HDFS for the Mahout step's Python through the lab's HttpFS (the WebHDFS API, standard library only): listing,
reading, writing and deleting the day's small files without starting a JVM per `hdfs dfs` call (each took 1-2 s
of CPU, a dozen per task, three tasks side by side on two cores). Mahout's own jobs still read and write HDFS
themselves. The host's counterpart is activitylab/webhdfs.py."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ.get("HTTPFS_URL", "http://httpfs:14000/webhdfs/v1")
USER = "root"  # as `hdfs dfs` in the lab's containers: the files keep the owner they had


class HdfsError(RuntimeError):
    pass


def _call(
    method: str, path: str, op: str, body: bytes | None = None, missing_ok: bool = False, **params: str
) -> bytes | None:
    query = urllib.parse.urlencode({"op": op, "user.name": USER, **params})
    request = urllib.request.Request(f"{BASE}{urllib.parse.quote(path)}?{query}", data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/octet-stream")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404 and missing_ok:
            return None
        raise HdfsError(f"{op} {path}: HTTP {exc.code}: {exc.read()[:300].decode(errors='replace')}") from exc


def list_names(folder: str) -> list[str] | None:
    """The names in a folder, or None when there is no such folder."""
    body = _call("GET", folder, "LISTSTATUS", missing_ok=True)
    return None if body is None else [s["pathSuffix"] for s in json.loads(body)["FileStatuses"]["FileStatus"]]


def read(path: str) -> bytes:
    return _call("GET", path, "OPEN")


def write(path: str, data: bytes) -> None:
    """A new file (its folders made as needed), replacing one of the same name."""
    _call("PUT", path, "CREATE", body=data, overwrite="true", data="true")  # HttpFS: the body is the file


def delete(path: str) -> None:
    """Deletes a file or a folder with all it holds; nothing there is no error (`hdfs dfs -rm -r -f`)."""
    _call("DELETE", path, "DELETE", recursive="true")
