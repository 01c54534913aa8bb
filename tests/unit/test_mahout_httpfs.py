"""The Mahout step's HttpFS client (mahout/httpfs.py) against a loopback server that answers as HttpFS does: what it
asks for (operation, user, the body as the file) and how it reads the answers (a missing folder, an error)."""

import http.server
import json
import threading
import urllib.parse

import pytest

import httpfs


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
            return self.answer(200, b'{"boolean": true}')
        return self.answer(400)

    do_GET = do_PUT = do_DELETE = handle_one


@pytest.fixture
def server(monkeypatch):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeHttpFs)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    monkeypatch.setattr(httpfs, "BASE", f"http://127.0.0.1:{srv.server_port}/webhdfs/v1")
    FakeHttpFs.seen.clear()
    yield FakeHttpFs
    srv.shutdown()


def test_list_read_write_delete_as_root(server):
    assert sorted(httpfs.list_names("/data/x")) == ["_SUCCESS", "part-00000", "part-00001"]
    assert httpfs.list_names("/data/none") is None
    assert httpfs.read("/data/x/part-00001") == b"b\t2\n"
    httpfs.write("/data/y/new file.txt", b"1\t2\n")
    httpfs.delete("/data/y")
    create = [s for s in server.seen if s[2]["op"] == "CREATE"][0]
    assert create[:2] == ("PUT", "/data/y/new file.txt") and create[3] == "application/octet-stream"
    assert create[2] == {"op": "CREATE", "user.name": "root", "overwrite": "true", "data": "true"}
    assert create[4] == b"1\t2\n" and server.files["/data/y/new file.txt"] == b"1\t2\n"
    delete = server.seen[-1]
    assert delete[:3] == ("DELETE", "/data/y", {"op": "DELETE", "user.name": "root", "recursive": "true"})


def test_an_error_names_the_operation_the_path_and_what_httpfs_said(server):
    with pytest.raises(httpfs.HdfsError, match=r"OPEN /data/x/missing: HTTP 500: boom"):
        httpfs.read("/data/x/missing")


def test_read_rows_takes_the_part_files_in_order(server, monkeypatch):
    import daily_step

    assert daily_step.read_rows("/data/x") == [["a", "1"], ["b", "2"]]
    with pytest.raises(SystemExit, match="no input from the daily ETL"):
        daily_step.read_rows("/data/none")
