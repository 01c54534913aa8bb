"""HDFS from the host: the lab's WebHDFS client (activity_clients/webhdfs.py) on HttpFS as published to the host
(HTTPFS_PORT, 14000), as module functions."""

from __future__ import annotations

from activity_clients import endpoints
from activity_clients.webhdfs import WebHdfs, WebHdfsError

__all__ = ["HDFS", "WebHdfsError", "delete", "list_dir", "put", "read", "read_folder", "read_if_exists", "status"]

HDFS = WebHdfs(endpoints.url("httpfs", "/webhdfs/v1"), timeout_s=60)
put, read, read_if_exists = HDFS.write, HDFS.read, HDFS.read_if_exists
delete, list_dir, read_folder = HDFS.delete, HDFS.list_dir, HDFS.read_folder


def status(path: str) -> dict:
    """The FileStatus of what is at `path`; WebHdfsError when there is nothing."""
    found = HDFS.status(path)
    if found is None:
        raise WebHdfsError(f"GETFILESTATUS {path}: no such file or folder")
    return found
