"""The CLI's contract (issue 13): a green run means no problems. Unknown codes are usage
errors, a sub-path is checked with its project, identities do not depend on how meshlint
was run, and usage errors come before the work, in one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, meshlint_cli, write_tree

EXAMPLE = REPO / "examples" / "shop-platform"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def _repo_with_example(tmp_path: Path) -> Path:
    """A git repository holding the example under examples/shop-platform (no marker of its own)."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root / "examples" / "shop-platform",
                    ignore=shutil.ignore_patterns(".meshlint.yaml"))
    _git(root, "init", "-q")
    return root


# --- 1. unknown codes ------------------------------------------------------------------------


@pytest.mark.parametrize("args, wanted", [
    (("--select", "FOO"), "'FOO' is not a rule code"),
    (("--select", "MESH9"), "'MESH9' is not a rule code"),
    (("--select", "MESH4013"), "did you mean MESH401"),
    (("--ignore", "MESH999"), "'MESH999' is not a rule code"),
])
def test_unknown_codes_in_flags_exit_2_in_one_line(args, wanted):
    proc = meshlint_cli("check", str(EXAMPLE), *args)
    assert proc.returncode == 2, proc.stdout
    assert proc.stdout == ""
    assert wanted in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


@pytest.mark.parametrize("config, wanted", [
    ("select: [MESH9]\n", "'MESH9' is not a rule code"),
    ("ignore: [MESH4013]\n", "did you mean MESH401"),
    ("severity: {MESH999: info}\n", "'MESH999' is not a rule code"),
    ("per-path-ignores: {'k8s/*': [MESH77]}\n", "'MESH77' is not a rule code"),
])
def test_unknown_codes_in_configuration_exit_2(tmp_path, config, wanted):
    write_tree(tmp_path, {".meshlint.yaml": config,
                          "k8s/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"})
    proc = meshlint_cli("check", str(tmp_path))
    assert proc.returncode == 2, proc.stdout
    assert wanted in proc.stderr and ".meshlint.yaml:1" in proc.stderr


def test_all_selects_every_rule_and_longer_prefixes_win():
    every = json.loads(meshlint_cli("check", str(EXAMPLE), "--format", "json").stdout)
    selected = json.loads(meshlint_cli("check", str(EXAMPLE), "--format", "json", "--select", "ALL").stdout)
    assert selected["findings"] == every["findings"]
    ignored = json.loads(meshlint_cli("check", str(EXAMPLE), "--format", "json", "--ignore", "ALL",
                                      "--select", "MESH4").stdout)
    assert {f["rule"] for f in ignored["findings"]} == {"MESH401", "MESH402"}
    assert meshlint_cli("check", str(EXAMPLE), "--ignore", "ALL").returncode == 0


# --- 2. a sub-path is checked with its project -----------------------------------------------


def test_subdirectory_is_checked_in_the_context_of_the_project():
    proc = meshlint_cli("check", "--format", "json", cwd=EXAMPLE / "k8s")
    doc = json.loads(proc.stdout)
    assert {(f["rule"], f["path"]) for f in doc["findings"]} >= {("MESH102", "kiali.yaml")}
    assert all(not f["path"].startswith("..") for f in doc["findings"])
    text = meshlint_cli("check", cwd=EXAMPLE / "k8s").stdout
    assert "findings in . only" in text.splitlines()[-1]


def test_two_sub_paths_report_what_the_whole_project_reports():
    whole = json.loads(meshlint_cli("check", ".", "--format", "json", cwd=EXAMPLE).stdout)
    parts = json.loads(meshlint_cli("check", "infra", "k8s", "--format", "json", cwd=EXAMPLE).stdout)
    assert [f["fingerprint"] for f in parts["findings"]] == [f["fingerprint"] for f in whole["findings"]]
    # the example's 7 problems, plus EKS 1.29 past extended support (MESH502) and three charts
    # from Istio's retired GCS host (MESH107), which the facts of 2026-11-27 add
    assert len(whole["findings"]) == 11


# --- 3. identity independent of how meshlint was run ------------------------------------------


def test_baseline_from_one_path_matches_a_run_from_another(tmp_path):
    root = _repo_with_example(tmp_path)
    base = tmp_path / "baseline.json"
    wrote = meshlint_cli("check", "examples/shop-platform", "--write-baseline", str(base), cwd=root)
    assert wrote.returncode == 0, wrote.stderr
    again = meshlint_cli("check", "examples", "--baseline", str(base), cwd=root)
    assert again.returncode == 0, again.stdout
    assert "0 known findings hidden" not in again.stderr
    assert "0 baseline entries are fixed" in again.stderr
    sub = meshlint_cli("check", ".", "--baseline", str(base), cwd=root / "examples" / "shop-platform" / "k8s")
    assert sub.returncode == 0 and "0 baseline entries are fixed" not in sub.stderr  # only k8s reported


def test_github_annotations_are_repository_relative_from_a_subdirectory(tmp_path):
    root = _repo_with_example(tmp_path)
    proc = meshlint_cli("check", "--format", "github", cwd=root / "examples" / "shop-platform" / "k8s")
    files = {line.split("file=")[1].split(",")[0] for line in proc.stdout.splitlines() if "file=" in line}
    assert files == {"examples/shop-platform/k8s/kiali.yaml", "examples/shop-platform/k8s/namespaces.yaml"}


def test_upgrading_to_another_end_of_life_minor_keeps_the_fingerprint(tmp_path):
    def mesh105(version: str) -> list[str]:
        tree = tmp_path / version
        shutil.copytree(EXAMPLE, tree)
        main = tree / "infra" / "main.tf"
        main.write_text(main.read_text().replace('"1.20.2"', f'"{version}"'))
        doc = json.loads(meshlint_cli("check", str(tree), "--format", "json", "--select", "MESH105").stdout)
        return [f["fingerprint"] for f in doc["findings"]]

    before, after = mesh105("1.20.2"), mesh105("1.21.6")
    assert len(before) == 1 and before == after


# --- 6. usage errors before the work -------------------------------------------------------------


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_unwritable_output_is_a_usage_error(tmp_path, option):
    proc = meshlint_cli("check", str(EXAMPLE), option, str(tmp_path / "missing" / "out.txt"))
    assert proc.returncode == 2
    assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1
    assert option in proc.stderr and "internal error" not in proc.stderr


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
@pytest.mark.parametrize("where", ["file/out.txt", "/proc/meshlint-out"])
def test_output_that_cannot_be_opened_is_a_usage_error(tmp_path, option, where):
    """What os.access cannot tell: a parent that is a file, a path under /proc."""
    (tmp_path / "file").write_text("")
    target = where if where.startswith("/") else str(tmp_path / where)
    proc = meshlint_cli("check", str(EXAMPLE), option, target)
    assert proc.returncode == 2 and proc.stdout == ""
    assert option in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_a_write_that_fails_after_the_run_is_one_line(option):
    """A full disk shows only when writing: one line naming the file, exit 2, no traceback."""
    proc = meshlint_cli("check", str(EXAMPLE), option, "/dev/full")
    assert proc.returncode == 2
    assert "/dev/full" in proc.stderr and "internal error" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_meshlint_as_of_names_the_variable():
    proc = meshlint_cli("check", str(EXAMPLE), env={"MESHLINT_AS_OF": "yesterday"})
    assert proc.returncode == 2
    assert "MESHLINT_AS_OF" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_timeout_without_online_is_a_usage_error():
    proc = meshlint_cli("check", str(EXAMPLE), "--timeout", "5")
    assert proc.returncode == 2 and "--online" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_empty_directory_says_so_on_stderr(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = meshlint_cli("check", str(tmp_path / "empty"))
    assert proc.returncode == 0
    assert "no files meshlint reads" in proc.stderr


# --- 4. diff and --new-since in real CI ------------------------------------------------------


NS_BAD = ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n"
          "    istio-injection: enabled\n    istio.io/rev: canary\n")


def _committed(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write_tree(root, {"k8s/ns.yaml": NS_BAD})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "one")
    return root


def test_diff_prints_project_paths_not_temporary_checkouts(tmp_path):
    root = _committed(tmp_path)
    (root / "k8s" / "ns.yaml").write_text(NS_BAD + "---\n" + NS_BAD.replace("name: a", "name: b"))
    _git(root, "commit", "-qam", "two")
    doc = json.loads(meshlint_cli("diff", "HEAD~1", "HEAD", "--format", "json", cwd=root / "k8s").stdout)
    assert [f["path"] for f in doc["introduced"]] == ["k8s/ns.yaml"]
    text = meshlint_cli("diff", "HEAD~1", "HEAD", cwd=root).stdout
    assert "meshlint-ref-" not in text and "  k8s/ns.yaml:15:" in text


def test_first_commit_everything_is_new(tmp_path):
    root = _committed(tmp_path)
    proc = meshlint_cli("diff", "HEAD~1", "HEAD", "--format", "json", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert [f["rule"] for f in json.loads(proc.stdout)["introduced"]] == ["MESH402"]
    proc = meshlint_cli("check", ".", "--new-since", "HEAD~1", cwd=root)
    assert proc.returncode == 1 and "before the first commit" in proc.stderr


def test_new_since_head_in_a_repository_without_commits(tmp_path):
    """The pre-commit `meshlint-diff` hook (`--new-since HEAD`) on a fresh repository."""
    root = tmp_path / "fresh"
    write_tree(root, {"k8s/ns.yaml": NS_BAD})
    _git(root, "init", "-q")
    proc = meshlint_cli("check", "--new-since", "HEAD", cwd=root)
    assert proc.returncode == 1 and "MESH402" in proc.stdout, proc.stderr


def test_shallow_clone_says_how_to_fetch_the_history(tmp_path):
    origin = _committed(tmp_path)
    (origin / "k8s" / "extra.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-qm", "two")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)], check=True,
                   capture_output=True)
    proc = meshlint_cli("check", ".", "--new-since", "HEAD~1", cwd=clone)
    assert proc.returncode == 2
    assert "fetch-depth: 0" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_no_project_checks_the_path_alone():
    proc = meshlint_cli("check", "--no-project", "--format", "json", cwd=EXAMPLE / "k8s")
    assert "MESH102" not in {f["rule"] for f in json.loads(proc.stdout)["findings"]}


# --- 1. inline suppressions: unknown codes, the bare form ---------------------------------------


NS_CONFLICT = ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n"
               "    istio-injection: enabled\n    istio.io/rev: canary\n")


def _rules_at(tmp_path: Path, text: str) -> list[tuple[str, int]]:
    write_tree(tmp_path, {"k8s/ns.yaml": text})
    doc = json.loads(meshlint_cli("check", str(tmp_path), "--format", "json").stdout)
    return sorted((f["rule"], f["line"]) for f in doc["findings"])


def test_unknown_code_in_a_suppression_comment_is_reported(tmp_path):
    text = "# meshlint: ignore[MESH4021] typo\n" + NS_CONFLICT
    assert ("MESH002", 1) in _rules_at(tmp_path, text)


def test_unknown_code_in_an_annotation_is_reported(tmp_path):
    text = NS_CONFLICT.replace("  labels:\n", "  annotations:\n    meshlint.dev/ignore: MESH999\n  labels:\n")
    rules = _rules_at(tmp_path, text)
    assert ("MESH002", 6) in rules and ("MESH402", 9) in rules


def test_bare_ignore_suppresses_everything_on_its_object_and_is_reported_when_unused(tmp_path):
    assert _rules_at(tmp_path, "# meshlint: ignore legacy namespace\n" + NS_CONFLICT) == []
    clean = NS_CONFLICT.replace("    istio.io/rev: canary\n", "")
    assert _rules_at(tmp_path, "# meshlint: ignore legacy namespace\n" + clean) == [("MESH002", 1)]


# --- 5. files the user expects read ------------------------------------------------------------


def test_gitignored_files_are_skipped_untracked_ones_are_read(tmp_path):
    root = tmp_path / "repo"
    write_tree(root, {".gitignore": "build/\nsecret.yaml\n", "k8s/ns.yaml": NS_CONFLICT,
                      "build/ns.yaml": NS_CONFLICT, "k8s/secret.yaml": NS_CONFLICT})
    _git(root, "init", "-q")
    doc = json.loads(meshlint_cli("check", ".", "--format", "json", cwd=root).stdout)
    assert [f["path"] for f in doc["findings"]] == ["k8s/ns.yaml"]  # untracked, not ignored: read
    assert doc["files_checked"] == 1


def test_versions_of_a_path_inside_a_project_lists_only_its_scopes(tmp_path):
    """`meshlint versions a` in a project of two roots: the scopes holding a's files (seen in
    the project's context, as `check` does), not every scope of the project."""
    release = '''resource "helm_release" "istiod" {
  name = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart = "istiod"
  version = "%s"
}
'''
    write_tree(tmp_path, {".git/HEAD": "", "a/main.tf": release % "1.30.1", "b/main.tf": release % "1.29.2"})
    doc = json.loads(meshlint_cli("versions", str(tmp_path / "a"), "--format", "json").stdout)
    text = json.dumps(doc)
    assert "1.30.1" in text and "1.29.2" not in text
    whole = json.dumps(json.loads(meshlint_cli("versions", str(tmp_path), "--format", "json").stdout))
    assert "1.30.1" in whole and "1.29.2" in whole
