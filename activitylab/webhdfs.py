"""HDFS from the host through HttpFS (the WebHDFS API, proxied on HTTPFS_PORT, 14000: no DataNode redirect)."""

from __future__ import annotations

import posixpath

import requests

from activity_clients import endpoints

HTTPFS = endpoints.url("httpfs", "/webhdfs/v1")
USER = {"user.name": "root"}


class WebHdfsError(RuntimeError):
    pass


def _call(method: str, path: str, op: str, *, ok=(200,), timeout=60, **kwargs) -> requests.Response:
    params = {"op": op, **USER, **kwargs.pop("params", {})}
    r = requests.request(method, f"{HTTPFS}{path}", params=params, timeout=timeout, **kwargs)
    if r.status_code not in ok:
        raise WebHdfsError(f"{op} {path}: HTTP {r.status_code}: {r.text[:300]}")
    return r


def put(path: str, data: bytes, overwrite: bool = True) -> None:
    _call(
        "PUT",
        path,
        "CREATE",
        ok=(201,),
        data=data,
        headers={"Content-Type": "application/octet-stream"},
        params={"data": "true", "overwrite": str(overwrite).lower()},
    )


def read(path: str) -> bytes:
    return _call("GET", path, "OPEN").content


def read_if_exists(path: str) -> bytes | None:
    """The file's content, or None when there is no such file."""
    r = _call("GET", path, "OPEN", ok=(200, 404))
    return None if r.status_code == 404 else r.content


def status(path: str) -> dict:
    return _call("GET", path, "GETFILESTATUS", timeout=10).json()["FileStatus"]


def delete(path: str, recursive: bool = False) -> bool:
    return _call("DELETE", path, "DELETE", params={"recursive": str(recursive).lower()}).json()["boolean"]


def list_dir(path: str) -> list[dict]:
    """The entries of a folder (each a WebHDFS FileStatus with `pathSuffix`); [] when it does not exist."""
    r = _call("GET", path, "LISTSTATUS", ok=(200, 404), timeout=10)
    return [] if r.status_code == 404 else r.json()["FileStatuses"]["FileStatus"]


def read_folder(path: str) -> dict[str, bytes] | None:
    """Every file directly in `path` (hidden in-progress ones too), read in one pass: {name: bytes}.

    Returns None when a listed file vanished before it was read (a writer renamed it on closing it):
    the caller reads again, so a line is never missed nor counted twice because of a rename."""
    files = {}
    for entry in list_dir(path):
        if entry["type"] != "FILE":
            continue
        content = read_if_exists(posixpath.join(path, entry["pathSuffix"]))
        if content is None:
            return None
        files[entry["pathSuffix"]] = content
    return files
