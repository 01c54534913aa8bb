"""HDFS through the WebHDFS REST API as HttpFS serves it (standard library only): listing, reading, writing and deleting
small files without a JVM per `hdfs dfs` call. The host reaches HttpFS on HTTPFS_PORT (activitylab/webhdfs.py binds
it), the Mahout step inside the lab's network (mahout/daily_step.py). HttpFS proxies the DataNodes: no redirect.
Files keep the owner `hdfs dfs` gives them in the lab's containers: user `root` (simple authentication)."""

from __future__ import annotations

import json
import posixpath
import urllib.error
import urllib.parse
import urllib.request


class WebHdfsError(RuntimeError):
    pass


class WebHdfs:
    def __init__(self, base: str, user: str = "root", timeout_s: float = 120):
        """`base`: the API's root URL, e.g. http://httpfs:14000/webhdfs/v1."""
        self.base, self.user, self.timeout_s = base.rstrip("/"), user, timeout_s

    def _call(self, method: str, path: str, op: str, body: bytes | None = None, missing_ok: bool = False, **params):
        """The answer's body; None when `missing_ok` and there is nothing at `path` (HTTP 404)."""
        query = urllib.parse.urlencode({"op": op, "user.name": self.user, **params})
        request = urllib.request.Request(f"{self.base}{urllib.parse.quote(path)}?{query}", data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/octet-stream")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and missing_ok:
                return None
            raise WebHdfsError(f"{op} {path}: HTTP {exc.code}: {exc.read()[:300].decode(errors='replace')}") from None

    def status(self, path: str) -> dict | None:
        """The FileStatus of what is at `path` (type, length, ...), or None when there is nothing."""
        body = self._call("GET", path, "GETFILESTATUS", missing_ok=True)
        return None if body is None else json.loads(body)["FileStatus"]

    def list_dir(self, path: str) -> list[dict]:
        """The entries of a folder (each a FileStatus with `pathSuffix`); [] when it does not exist."""
        body = self._call("GET", path, "LISTSTATUS", missing_ok=True)
        return [] if body is None else json.loads(body)["FileStatuses"]["FileStatus"]

    def list_names(self, path: str) -> list[str] | None:
        """The names in a folder, or None when there is no such folder."""
        body = self._call("GET", path, "LISTSTATUS", missing_ok=True)
        return None if body is None else [s["pathSuffix"] for s in json.loads(body)["FileStatuses"]["FileStatus"]]

    def read(self, path: str) -> bytes:
        return self._call("GET", path, "OPEN")

    def read_if_exists(self, path: str) -> bytes | None:
        """The file's content, or None when there is no such file."""
        return self._call("GET", path, "OPEN", missing_ok=True)

    def write(self, path: str, data: bytes, overwrite: bool = True) -> None:
        """A new file (its folders made as needed), replacing one of the same name unless `overwrite` is False."""
        self._call("PUT", path, "CREATE", body=data, overwrite=str(overwrite).lower(), data="true")  # body = the file

    def delete(self, path: str, recursive: bool = False) -> bool:
        """True when something was deleted; nothing there is no error (`hdfs dfs -rm -f`)."""
        return json.loads(self._call("DELETE", path, "DELETE", recursive=str(recursive).lower()))["boolean"]

    def read_folder(self, path: str) -> dict[str, bytes] | None:
        """Every file directly in `path` (hidden in-progress ones too), read in one pass: {name: bytes}.

        Returns None when a listed file vanished before it was read (a writer renamed it on closing it):
        the caller reads again, so a line is never missed nor counted twice because of a rename."""
        files = {}
        for entry in self.list_dir(path):
            if entry["type"] != "FILE":
                continue
            content = self.read_if_exists(posixpath.join(path, entry["pathSuffix"]))
            if content is None:
                return None
            files[entry["pathSuffix"]] = content
        return files
