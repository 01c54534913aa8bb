"""Every repository file a Markdown document names exists.

What counts as a reference: the target of a Markdown link (`[text](path)`, `[id]: path`) that is not a URL or an
anchor, and an inline code span that looks like a repository path (it has a `/` or ends in a suffix of the
repository's files). Fenced code blocks are commands, not references, and are left out. A reference resolves
against the document's folder and against the repository root, and must stay inside the repository (a file
beside the checkout, `../shared/...`, is not one a clone has); a bare file name (`test_clf.py`, `core-site.xml`)
may also name a file anywhere in the tree, as the READMEs do for their component's files. A path the repository
ignores (`tests/artifacts/`, written by the tests) names something generated: it counts as existing.

Not references, by their shape rather than by a list: absolute paths (inside a container, on HDFS, of a URL:
`/opt/hive`, `/lab/archive`, `/cluster`), URLs and URIs (`jdbc:hive2://...`), home paths (`~/...`), elisions
(`.../site-packages`), globs and placeholders (`dt=*`, `<table>`, `{app}`, `$HOME`, `compose/conf/GROUP/`,
`slot-N/`), modules and packages (`activitylab.cli`, `org.apache.pig`) and, for a path without a file suffix,
one whose first folder is not in the repository (`lib-worker/`, `webapps/hdfs`, an image name like
`activity-lab/edge`, an HDFS folder like `lab/archive`).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__"}
# The suffixes of the repository's own files that documents name.
SUFFIXES = (
    ".py",
    ".md",
    ".yaml",
    ".yml",
    ".sql",
    ".sh",
    ".java",
    ".pig",
    ".hql",
    ".json",
    ".toml",
    ".txt",
    ".in",
    ".conf",
    ".xml",
)

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[`~]*[ \t]*$", re.S | re.M)
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
# Characters no repository path of this project has: spaces, globs, placeholders, shell, URIs, table syntax.
NOT_A_PATH = re.compile(r"[\s*?<>{}\[\]()$=:|\\'\",;`^@!%&]")
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
PLACEHOLDER = re.compile(r"^[A-Z]+$")  # GROUP, N in slot-N, ROLE: a name to fill in
PACKAGE = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*){2,}")  # org.apache.pig: a Java or Python package


def repo_files() -> list[str]:
    """The repository's files (tracked, or new and not ignored), relative to the root."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        return sorted({name for name in out.decode().split("\0") if name and (ROOT / name).exists()})
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: walk the tree
        found = []
        for folder, dirs, files in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            found += [str((Path(folder) / f).relative_to(ROOT)) for f in files]
        return sorted(found)


def ignored(paths: list[str]) -> set[str]:
    """The paths git ignores (generated: test artifacts, build output); empty outside a git checkout."""
    if not paths:
        return set()
    try:
        out = subprocess.run(
            ["git", "check-ignore", "--no-index", "--stdin", "-z"],
            cwd=ROOT,
            input="\0".join(paths).encode(),
            capture_output=True,
        ).stdout
    except OSError:
        return set()
    return {name for name in out.decode().split("\0") if name}


def link_targets(text: str) -> list[str]:
    targets = LINK.findall(text) + LINK_DEFINITION.findall(text)
    found = []
    for target in targets:
        if target.startswith("#") or URL_SCHEME.match(target) or target.startswith("//"):
            continue  # an anchor, a URL, mailto:
        path = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if path:
            found.append(path)
    return found


def is_placeholder_path(path: str) -> bool:
    """A segment with an upper-case part (`compose/conf/GROUP/`, `slot-N/`), unless it is a known file's name."""
    segments = [s for s in path.split("/") if s not in ("", ".", "..")]
    for i, segment in enumerate(segments):
        if i == len(segments) - 1 and segment.endswith(SUFFIXES):
            continue  # README.md, CONTRACT.md: real names in capitals
        if any(PLACEHOLDER.match(part) for part in re.split(r"[-_.]", segment)):
            return True
    return False


def code_paths(text: str, doc_dir: Path) -> list[str]:
    """Inline code spans that are repository paths (see the module's docstring for what is left out)."""
    found = []
    spans = [span for paragraph in re.split(r"\n[ \t]*\n", text) for _, span in CODE.findall(paragraph)]
    for span in spans:
        token = span.strip()
        token = token.split("::", 1)[0]  # a pytest node id: tests/unit/test_x.py::test_y
        if not token or NOT_A_PATH.search(token) or "..." in token or "…" in token:
            continue
        if token.startswith(("/", "-", "~", "http")) or URL_SCHEME.match(token):
            continue
        has_suffix = token.endswith(SUFFIXES)
        if "/" not in token:
            # a bare file name with a known suffix; not `.xml` (a suffix alone) nor a package (`org.apache.pig`)
            if has_suffix and not re.fullmatch(r"\.[a-z]+", token) and not PACKAGE.fullmatch(token):
                found.append(token)
            continue
        if is_placeholder_path(token):
            continue
        if not has_suffix and not token.startswith(("./", "../")):
            first = token.split("/", 1)[0]
            if not (exists_inside(doc_dir / first) or exists_inside(ROOT / first)):
                continue  # lib/, webapps/hdfs, activity-lab/edge: not a folder of this repository
        found.append(token)
    return found


def exists_inside(path: Path) -> bool:
    """The path exists and is in the repository (not beside it: `../shared/x.md` from the root)."""
    resolved = path.resolve()
    return resolved.is_relative_to(ROOT) and resolved.exists()


def references(doc: str) -> list[str]:
    text = FENCE.sub("", (ROOT / doc).read_text(encoding="utf-8"))
    doc_dir = (ROOT / doc).parent
    return link_targets(text) + code_paths(text, doc_dir)


def missing_references() -> list[str]:
    files = repo_files()
    names = {Path(f).name for f in files}
    docs = [f for f in files if f.endswith(".md") and not set(Path(f).parts) & SKIP_DIRS]
    unresolved: list[tuple[str, str, list[str]]] = []
    for doc in docs:
        doc_dir = (ROOT / doc).parent
        for ref in references(doc):
            if exists_inside(doc_dir / ref) or exists_inside(ROOT / ref) or ("/" not in ref and ref in names):
                continue
            # the two readings relative to the root, a folder's trailing slash kept (git matches `dir/` patterns by it)
            slash = "/" if ref.endswith("/") else ""
            readings = [os.path.normpath(os.path.relpath(base / ref, ROOT)) + slash for base in (doc_dir, ROOT)]
            unresolved.append((doc, ref, readings))
    generated = ignored(sorted({r for _, _, readings in unresolved for r in readings if not r.startswith("..")}))
    return sorted({f"{doc}: {ref}" for doc, ref, readings in unresolved if not set(readings) & generated})


def test_every_file_a_document_names_exists():
    missing = missing_references()
    assert not missing, "Markdown files name files that are not in the repository:\n" + "\n".join(missing)


def test_the_matcher_finds_links_and_paths_and_leaves_out_what_is_no_file():
    text = FENCE.sub(
        "",
        "See [the design](docs/architecture.md#images), [site](https://example.org/x), [top](#top).\n"
        "Files: `activitylab/cli.py`, `tests/unit/test_clf.py::test_x`, `test_clf.py`, `compose/maven/`.\n"
        "Not files: `/opt/hive/lib`, `/lab/archive`, `/cluster`, `activitylab.cli`, `lab/archive`, `lib-worker/`,\n"
        "`jdbc:hive2://localhost:10000/activity`, `compose/conf/GROUP/`, `dt=*`, `<table>/dt=D/`, `.xml`,\n"
        "`.../site-packages/compose`, `~/.docker/cli-plugins`, `lab replay --app news FILE`, `activity-lab/edge`,\n"
        "`org.apache.pig`, `slot-N/`. Beside it: `../shared/notes/`.\n"
        "```sh\ncat `not/a/reference.py`\n```\n",
    )
    assert link_targets(text) == ["docs/architecture.md"]
    assert code_paths(text, ROOT) == [
        "activitylab/cli.py",
        "tests/unit/test_clf.py",
        "test_clf.py",
        "compose/maven/",
        "../shared/notes/",
    ]
