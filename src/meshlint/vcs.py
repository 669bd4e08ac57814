"""Git helpers for `--new-since REF` and `meshlint diff`: a ref's tree, written into a
temporary directory from git's objects (the work tree is never touched)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile


class GitError(Exception):
    pass


def repo_root(path: str) -> str:
    probe = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    try:
        out = subprocess.run(["git", "-C", probe, "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git is not available: {exc}") from None
    if out.returncode != 0:
        raise GitError(f"{path} is not inside a git repository")
    return out.stdout.strip()


def is_ref(root: str, ref: str) -> bool:
    out = subprocess.run(["git", "-C", root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                         capture_output=True, text=True, timeout=30)
    return out.returncode == 0


SHALLOW_HINT = ("the history is not in this clone (a shallow clone: with actions/checkout set "
                "`fetch-depth: 0`, elsewhere run `git fetch --unshallow`)")


def _git_ok(root: str, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def before_history(root: str, ref: str) -> bool:
    """Does `ref` name the empty tree before the first commit? True for any ref in a
    repository without commits, and for `X~N`/`X^` past the root commit of a full clone;
    a shallow clone that lacks `ref` raises GitError saying how to fetch the history."""
    if is_ref(root, ref):
        return False
    if _git_ok(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}") is None:
        return True  # no commits yet: everything is new
    shallow = _git_ok(root, "rev-parse", "--is-shallow-repository") == "true"
    base = ref.split("~")[0].split("^")[0]
    if base != ref and is_ref(root, base):
        if shallow:
            raise GitError(f"{ref!r} is not a commit here: {SHALLOW_HINT}")
        return True  # past the first commit
    if shallow:
        raise GitError(f"{ref!r} is not a commit here: {SHALLOW_HINT}")
    raise GitError(f"{ref!r} is not a commit in {root}")


@contextlib.contextmanager
def checkout(root: str, ref: str):
    """Yield a temporary directory holding the tree of `ref` (empty before the first commit)."""
    empty = before_history(root, ref)
    tmp = tempfile.mkdtemp(prefix="meshlint-ref-")
    try:
        tree = os.path.join(tmp, "tree")
        os.mkdir(tree)
        if not empty:
            export_tree(root, ref, tree)
        yield tree
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def export_tree(root: str, ref: str, dest: str) -> None:
    """Write every file of `ref` under `dest`, as stored in git.

    Not `git archive`: it honours the ref's own `.gitattributes` (`export-ignore` would let a
    pull request hide files from the gate, `export-subst` rewrite them), and not a checkout:
    attributes could name filter drivers. Blobs are read with `git cat-file --batch`;
    symbolic links are kept only when they stay inside the tree; submodules are skipped."""
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", f"{ref}^{{tree}}")
    files: list[tuple[str, str, bytes]] = []  # (mode, object id, path)
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _tab, path = record.partition(b"\t")
        mode, kind, oid = meta.decode("ascii").split(" ")
        if kind == "blob" and _safe_relpath(path):
            files.append((mode, oid, path))
    links: list[tuple[str, bytes]] = []
    proc = subprocess.Popen(["git", "-C", root, "cat-file", "--batch"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for mode, oid, path in files:
            proc.stdin.write(oid.encode("ascii") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise GitError(f"git cat-file: unexpected answer for {oid}")
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)  # the newline after each object
            target = os.path.join(dest, os.fsdecode(path))
            if mode == "120000":
                links.append((target, data))
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                         0o755 if mode == "100755" else 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
    finally:
        proc.stdin.close()
        proc.stdout.close()
        proc.wait(timeout=60)
    top = os.path.realpath(dest)
    for target, link in links:  # after the files: no write ever goes through a link
        resolved = os.path.realpath(os.path.join(os.path.dirname(target), os.fsdecode(link)))
        if resolved == top or resolved.startswith(top + os.sep):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.fsdecode(link), target)


def _safe_relpath(path: bytes) -> bool:
    parts = path.split(b"/")
    return not path.startswith(b"/") and all(p not in (b"", b".", b"..", b".git") for p in parts)


def _git(root: str, *args: str) -> bytes:
    try:
        proc = subprocess.run(["git", "-C", root, *args], capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {args[0]} failed: {exc}") from None
    if proc.returncode != 0:
        raise GitError(f"git {args[0]} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout
