"""The lab's WebHDFS client (activity_clients/webhdfs.py: the host's and the Mahout step's) against a loopback server
that answers as HttpFS does: what it asks for (operation, user, the body as the file) and how it reads the answers
(a missing file or folder, an error)."""

import http.server
import json
import threading
import urllib.parse

import pytest

from activity_clients.webhdfs import WebHdfs, WebHdfsError


class FakeHttpFs(http.server.BaseHTTPRequestHandler):
    files = {"/data/x/part-00000": b"a\t1\n", "/data/x/part-00001": b"b\t2\n", "/data/x/_SUCCESS": b""}
    seen = []

    def log_message(self, *_):
        pass

    def answer(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_one(self):
        url = urllib.parse.urlparse(self.path)
        path = urllib.parse.unquote(url.path).removeprefix("/webhdfs/v1")
        query = dict(urllib.parse.parse_qsl(url.query))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.command, path, query, self.headers.get("Content-Type"), body))
        op = query["op"]
        if op == "LISTSTATUS":
            names = [p.rsplit("/", 1)[1] for p in self.files if p.rsplit("/", 1)[0] == path]
            if not names:
                return self.answer(404, b'{"RemoteException": {"message": "File does not exist"}}')
            return self.answer(
                200,
                json.dumps(
                    {"FileStatuses": {"FileStatus": [{"pathSuffix": n, "type": "FILE"} for n in reversed(names)]}}
                ).encode(),
            )
        if op == "OPEN":
            return self.answer(200, self.files[path]) if path in self.files else self.answer(500, b"boom")
        if op == "CREATE":
            self.files[path] = body
            return self.answer(201)
        if op == "DELETE":
            return self.answer(200, json.dumps({"boolean": self.files.pop(path, None) is not None}).encode())
        if op == "GETFILESTATUS":
            if path not in self.files:
                return self.answer(404, b'{"RemoteException": {"message": "File does not exist"}}')
            return self.answer(
                200, json.dumps({"FileStatus": {"type": "FILE", "length": len(self.files[path])}}).encode()
            )
        return self.answer(400)

    do_GET = do_PUT = do_DELETE = handle_one


@pytest.fixture
def server(monkeypatch):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeHttpFs)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    FakeHttpFs.seen.clear()
    FakeHttpFs.client = WebHdfs(f"http://127.0.0.1:{srv.server_port}/webhdfs/v1")
    yield FakeHttpFs
    srv.shutdown()


def test_list_read_write_delete_as_root(server):
    hdfs = server.client
    assert sorted(hdfs.list_names("/data/x")) == ["_SUCCESS", "part-00000", "part-00001"]
    assert hdfs.list_names("/data/none") is None and hdfs.list_dir("/data/none") == []
    assert hdfs.read("/data/x/part-00001") == b"b\t2\n"
    assert hdfs.read_if_exists("/data/x/part-00001") == b"b\t2\n"
    assert hdfs.status("/data/x/part-00000") == {"type": "FILE", "length": 4} and hdfs.status("/data/none") is None
    assert hdfs.read_folder("/data/x") == {"part-00000": b"a\t1\n", "part-00001": b"b\t2\n", "_SUCCESS": b""}
    hdfs.write("/data/y/new file.txt", b"1\t2\n")
    assert server.files["/data/y/new file.txt"] == b"1\t2\n"
    assert hdfs.delete("/data/y/new file.txt", recursive=True) is True
    create = [s for s in server.seen if s[2]["op"] == "CREATE"][0]
    assert create[:2] == ("PUT", "/data/y/new file.txt") and create[3] == "application/octet-stream"
    assert create[2] == {"op": "CREATE", "user.name": "root", "overwrite": "true", "data": "true"}
    assert create[4] == b"1\t2\n"
    delete = server.seen[-1]
    assert delete[:3] == ("DELETE", "/data/y/new file.txt", {"op": "DELETE", "user.name": "root", "recursive": "true"})
    assert hdfs.delete("/data/y/new file.txt") is False  # nothing there: no error


def test_an_error_names_the_operation_the_path_and_what_httpfs_said(server):
    with pytest.raises(WebHdfsError, match=r"OPEN /data/x/missing: HTTP 500: boom"):
        server.client.read("/data/x/missing")


def test_read_rows_takes_the_part_files_in_order(server, monkeypatch):
    import daily_step

    monkeypatch.setattr(daily_step, "httpfs", server.client)
    assert daily_step.read_rows("/data/x") == [["a", "1"], ["b", "2"]]
    with pytest.raises(SystemExit, match="no input from the daily ETL"):
        daily_step.read_rows("/data/none")


class FakeNameNode(http.server.BaseHTTPRequestHandler):
    """WebHDFS as the NameNode serves it: a write is redirected (307) to a DataNode, here the same server."""

    files: dict[str, bytes] = {}
    dirs: dict[str, str] = {}
    seen: list = []

    def log_message(self, *_):
        pass

    def answer(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_one(self):
        url = urllib.parse.urlparse(self.path)
        path = urllib.parse.unquote(url.path).removeprefix("/webhdfs/v1")
        query = dict(urllib.parse.parse_qsl(url.query))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.command, path, query.get("op"), "datanode" in query))
        op = query["op"]
        if op == "CREATE" and "datanode" not in query:
            location = f"http://127.0.0.1:{self.server.server_port}{url.path}?{url.query}&datanode=1"
            return self.answer(307, headers=[("Location", location)])
        if op == "CREATE":
            self.files[path] = body
            return self.answer(201)
        if op == "MKDIRS":
            self.dirs.setdefault(path, "755")
            return self.answer(200, b'{"boolean": true}')
        if op == "SETPERMISSION":
            self.dirs[path] = query["permission"]
            return self.answer(200)
        if op == "GETFILESTATUS":
            found = path in self.files or path in self.dirs
            return self.answer(200, b'{"FileStatus": {}}') if found else self.answer(404, b"{}")
        if op == "RENAME":
            moved = self.files.pop(path, None)
            if moved is not None:
                self.files[query["destination"]] = moved
            return self.answer(200, json.dumps({"boolean": moved is not None}).encode())
        if op == "LISTSTATUS":
            entries = [
                {"pathSuffix": p.rsplit("/", 1)[1], "type": "FILE", "length": len(b)}
                for p, b in sorted(self.files.items())
                if p.rsplit("/", 1)[0] == path
            ]
            return self.answer(200, json.dumps({"FileStatuses": {"FileStatus": entries}}).encode())
        return self.answer(400)

    do_GET = do_PUT = do_DELETE = handle_one


@pytest.fixture
def namenode(monkeypatch):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeNameNode)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    monkeypatch.setenv("WEBHDFS_ADDRESS", f"127.0.0.1:{srv.server_port}")
    FakeNameNode.files, FakeNameNode.dirs, FakeNameNode.seen = {}, {}, []
    yield FakeNameNode
    srv.shutdown()


def test_the_init_command_line_makes_folders_streams_a_file_through_the_redirect_and_renames_it(
    namenode, tmp_path, capsys
):
    from activity_clients.webhdfs import main

    local = tmp_path / "jars.zip"
    local.write_bytes(b"PK" + bytes(range(256)) * 40)
    assert main(["mkdir", "-m", "1777", "/spark-logs", "/tmp"]) == 0
    assert namenode.dirs == {"/spark-logs": "1777", "/tmp": "1777"}
    assert main(["exists", "/apps/spark/jars.zip"]) == 1
    assert main(["put", str(local), "/apps/spark/jars.zip._COPYING"]) == 0
    assert [s for s in namenode.seen if s[2] == "CREATE"] == [
        ("PUT", "/apps/spark/jars.zip._COPYING", "CREATE", False),
        ("PUT", "/apps/spark/jars.zip._COPYING", "CREATE", True),  # the body went to the DataNode
    ]
    assert main(["mv", "/apps/spark/jars.zip._COPYING", "/apps/spark/jars.zip"]) == 0
    assert namenode.files == {"/apps/spark/jars.zip": local.read_bytes()}
    assert main(["exists", "/apps/spark/jars.zip"]) == 0
    capsys.readouterr()
    assert main(["ls", "/apps/spark"]) == 0
    assert capsys.readouterr().out == f"file      {local.stat().st_size:>12}  /apps/spark/jars.zip\n"
    assert main(["mv", "/nothing", "/else"]) == 1 and "could not rename /nothing" in capsys.readouterr().err
    assert main(["mkdir"]) == 2 and "webhdfs mkdir [-m MODE] PATH" in capsys.readouterr().err
