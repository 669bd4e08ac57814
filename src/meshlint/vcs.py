"""Git helpers for `--new-since REF` and `meshlint diff`: a ref's tree, checked out read-only
into a temporary directory (`git archive`, so the work tree is never touched)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tarfile
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


@contextlib.contextmanager
def checkout(root: str, ref: str):
    """Yield a temporary directory holding the tree of `ref`."""
    if not is_ref(root, ref):
        raise GitError(f"{ref!r} is not a commit in {root}")
    tmp = tempfile.mkdtemp(prefix="meshlint-ref-")
    try:
        archive = os.path.join(tmp, "tree.tar")
        with open(archive, "wb") as fh:
            proc = subprocess.run(["git", "-C", root, "archive", "--format=tar", ref], stdout=fh,
                                  stderr=subprocess.PIPE, timeout=300)
        if proc.returncode != 0:
            raise GitError(f"git archive {ref} failed: {proc.stderr.decode(errors='replace').strip()}")
        tree = os.path.join(tmp, "tree")
        os.mkdir(tree)
        with tarfile.open(archive) as tar:
            tar.extractall(tree, filter="data")
        os.unlink(archive)
        yield tree
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
