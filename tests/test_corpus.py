"""meshlint over ../shared/corpus: real repositories, every finding defended.

The expected findings are listed one by one; a new finding on the corpus must be looked
at (and defended, or fixed) before it is added here.
"""

import json

import pytest

from conftest import CORPUS, meshlint_cli

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")

# (rule, path relative to the corpus, line): why each is right
EXPECTED = {
    # istioctl's own fixture for IST0123 (both injection labels); istioctl reports both too
    ("MESH402", "istio-analyzers/injection.yaml", 57),
    ("MESH402", "istio-analyzers/injection.yaml", 156),
}


def _run(*args):
    proc = meshlint_cli("check", ".", "--format", "json", *args, cwd=CORPUS)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_corpus_findings_are_exactly_the_defended_ones():
    doc = _run()
    got = {(f["rule"], f["path"], f["line"]) for f in doc["findings"]}
    assert not [f for f in doc["findings"] if f["rule"] == "MESH001"]
    assert got == EXPECTED
