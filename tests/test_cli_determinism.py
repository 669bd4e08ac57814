"""Output is byte-identical across -j1, -jN, a warm cache and --no-cache, in every format."""

from __future__ import annotations

import pytest

from conftest import REPO, meshlint_cli

EXAMPLE = REPO / "examples" / "shop-platform"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_output_does_not_depend_on_jobs_or_cache(fmt, tmp_path):
    env = {"MESHLINT_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        meshlint_cli("check", "--format", fmt, "--no-cache", "-j1", cwd=EXAMPLE / "k8s", env=env),
        meshlint_cli("check", "--format", fmt, "-j4", cwd=EXAMPLE / "k8s", env=env),  # fills the cache
        meshlint_cli("check", "--format", fmt, "-j4", cwd=EXAMPLE / "k8s", env=env),  # warm
        meshlint_cli("check", "--format", fmt, "-j1", cwd=EXAMPLE / "k8s", env=env),  # warm, one job
    ]
    outputs = {(r.returncode, r.stdout, r.stderr) for r in runs}
    assert len(outputs) == 1, [r.stdout[:300] for r in runs]
    assert runs[0].stdout
