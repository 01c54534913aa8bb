"""HDFS through the WebHDFS REST API (standard library only): listing, reading, writing and deleting files without a
JVM per `hdfs dfs` call (each 1-2 s of CPU). Three users: the host (HttpFS on HTTPFS_PORT, activitylab/webhdfs.py),
the Mahout step (HttpFS inside the lab's network, mahout/daily_step.py), and the init containers, which talk to the
NameNode itself before HttpFS is up (`webhdfs` on their PATH, compose/bin/webhdfs: the command line below). HttpFS
proxies the DataNodes; the NameNode answers a write or a read with a redirect to one, which is followed by hand
with the same body. Files keep the owner `hdfs dfs` gives them in the lab's containers: user `root`.

  webhdfs safemode-wait               until the NameNode answers and is out of safe mode (say why every 10 s)
  webhdfs mkdir [-m MODE] PATH...     folders and their parents; -m sets each one's mode (e.g. 1777)
  webhdfs exists PATH                 exit 0 if there is something at PATH, 1 if not
  webhdfs put LOCAL PATH              a new file from LOCAL, streamed to the DataNode; replaces PATH
  webhdfs mv SRC DST                  rename
  webhdfs ls PATH                     one line per entry: type, size, name
"""

from __future__ import annotations

import json
import os
import posixpath
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import IO


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a NameNode's 307 to a DataNode is followed by hand, with the body


_OPENER = urllib.request.build_opener(_NoRedirect)


class WebHdfsError(RuntimeError):
    pass


class WebHdfs:
    def __init__(self, base: str, user: str = "root", timeout_s: float = 120):
        """`base`: the API's root URL, e.g. http://httpfs:14000/webhdfs/v1."""
        self.base, self.user, self.timeout_s = base.rstrip("/"), user, timeout_s

    def _call(self, method: str, path: str, op: str, body: bytes | None = None, missing_ok: bool = False, **params):
        """The answer's body; None when `missing_ok` and there is nothing at `path` (HTTP 404). A redirect (the
        NameNode's to a DataNode) is followed with the same method and body."""
        query = urllib.parse.urlencode({"op": op, "user.name": self.user, **params})
        url = f"{self.base}{urllib.parse.quote(path)}?{query}"
        for _ in range(2):
            try:
                return self._send(method, url, body)
            except urllib.error.HTTPError as exc:
                if exc.code == 307 and exc.headers.get("Location"):
                    url = exc.headers["Location"]
                    continue
                if exc.code == 404 and missing_ok:
                    return None
                detail = exc.read()[:300].decode(errors="replace")
                raise WebHdfsError(f"{op} {path}: HTTP {exc.code}: {detail}") from None
        raise WebHdfsError(f"{op} {path}: redirected more than once")

    def _send(self, method: str, url: str, body: bytes | IO[bytes] | None, size: int | None = None) -> bytes:
        headers = {} if body is None else {"Content-Type": "application/octet-stream"}
        if size is not None:
            headers["Content-Length"] = str(size)
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        with _OPENER.open(request, timeout=self.timeout_s) as response:
            return response.read()

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

    def put_file(self, local: str, path: str) -> None:
        """A new file from the local file, streamed (not read into memory) to where CREATE without a body
        redirects (a DataNode; HttpFS itself with data=true); replaces `path`."""
        query = urllib.parse.urlencode({"op": "CREATE", "user.name": self.user, "overwrite": "true"})
        try:
            self._send("PUT", f"{self.base}{urllib.parse.quote(path)}?{query}", None)
            raise WebHdfsError(f"CREATE {path}: no redirect to a DataNode to write to")
        except urllib.error.HTTPError as exc:
            if exc.code != 307 or not exc.headers.get("Location"):
                raise WebHdfsError(
                    f"CREATE {path}: HTTP {exc.code}: {exc.read()[:300].decode(errors='replace')}"
                ) from None
            location = exc.headers["Location"]
        with open(local, "rb") as f:
            try:
                self._send("PUT", location, f, size=os.path.getsize(local))
            except urllib.error.HTTPError as exc:
                raise WebHdfsError(
                    f"writing {path}: HTTP {exc.code}: {exc.read()[:300].decode(errors='replace')}"
                ) from None

    def mkdir(self, path: str, mode: str | None = None) -> None:
        """The folder and its parents; `mode` (e.g. "1777") set on the folder."""
        self._call("PUT", path, "MKDIRS")
        if mode:
            self._call("PUT", path, "SETPERMISSION", permission=mode)

    def rename(self, src: str, dst: str) -> bool:
        return json.loads(self._call("PUT", src, "RENAME", destination=dst))["boolean"]

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


def safemode_wait(namenode: str) -> None:
    """Until the NameNode at host:port answers and is out of safe mode, saying why every 10 s."""
    url = f"http://{namenode}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo"
    said = 0.0
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                beans = json.load(response)["beans"]
            why = beans[0].get("Safemode", "") if beans else "no NameNodeInfo bean yet"
        except OSError as exc:
            why = f"the NameNode does not answer ({exc})"
        if not why:
            return
        if time.monotonic() - said >= 10:
            print(f"webhdfs: waiting: {why.strip()}", flush=True)
            said = time.monotonic()
        time.sleep(1)


def main(argv: list[str]) -> int:
    """The init containers' `webhdfs` command (usage: this module's docstring), on the NameNode of WEBHDFS_ADDRESS."""
    namenode = os.environ.get("WEBHDFS_ADDRESS", "namenode:9870")  # hdfs-site.xml's dfs.namenode.http-address
    hdfs = WebHdfs(f"http://{namenode}/webhdfs/v1", timeout_s=600)
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    try:
        if command == "safemode-wait" and not args:
            safemode_wait(namenode)
        elif command == "mkdir" and args:
            mode, paths = (args[1], args[2:]) if args[:1] == ["-m"] else (None, args)
            for path in paths:
                hdfs.mkdir(path, mode)
        elif command == "exists" and len(args) == 1:
            return 0 if hdfs.status(args[0]) is not None else 1
        elif command == "put" and len(args) == 2:
            hdfs.put_file(args[0], args[1])
        elif command == "mv" and len(args) == 2:
            if not hdfs.rename(args[0], args[1]):
                raise WebHdfsError(f"could not rename {args[0]} to {args[1]}")
        elif command == "ls" and len(args) == 1:
            for entry in hdfs.list_dir(args[0]):
                print(f"{entry['type'].lower():<9} {entry['length']:>12}  {args[0].rstrip('/')}/{entry['pathSuffix']}")
        else:
            print(__doc__.split("\n\n", 1)[1].rstrip(), file=sys.stderr)
            return 2
    except WebHdfsError as exc:
        print(f"webhdfs: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
