"""The language server's incremental session gives, edit after edit, exactly what a whole
`engine.run` gives with the same unsaved buffers (lsp/project.check_project runs it): the
same findings with the same fields, fixes, notes, suppressions and scopes. It re-parses only
what changed and re-checks only the scopes a change can reach."""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import sys
from pathlib import Path

import pytest

from meshlint.lsp.project import ProjectResult, check_project
from meshlint.lsp.session import ProjectSession

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "shop-platform"
AS_OF = _dt.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("MESHLINT_CACHE_DIR", str(tmp_path_factory.mktemp("parse-cache")))


def snapshot(result: ProjectResult) -> dict:
    report = result.report
    assert report is not None
    findings = [(f.rule, f.severity, f.message, f.location, f.object, f.scope, f.detail, f.name,
                 f.relpath, f.abspath, f.fingerprint) for f in report.findings]
    fixes = sorted((path, f.rule, f.location.line, f.message, repr(fix))
                   for path, items in result.by_file.items() for f, fix in items)
    scopes = [(s.name, s.roots, sorted(e.abspath for e in s.files)) for s in result.scopes]
    return {"findings": findings, "fixes": fixes, "notes": report.notes, "suppressed": report.suppressed,
            "scopes": scopes, "files": report.files_checked, "rules": report.rules_run}


def same_as_engine(session: ProjectSession, overlay: dict[str, bytes]) -> ProjectResult:
    """The session's answer, after checking that it is the engine's."""
    mine = session.refresh(overlay, as_of=AS_OF)
    whole = check_project(session.root, overlay, as_of=AS_OF)
    assert snapshot(mine) == snapshot(whole)
    return mine


def rules_in(result: ProjectResult, path: Path) -> list[str]:
    return sorted(f.rule for f, _ in result.by_file.get(str(path), []))


def test_example_edit_by_edit(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLE, root)
    session = ProjectSession(str(root))
    first = same_as_engine(session, {})
    assert first.report is not None and first.report.findings
    ns = root / "k8s" / "namespaces.yaml"
    main = root / "infra" / "main.tf"
    # an unsaved edit of a manifest: injection turned off for every namespace
    edited = ns.read_bytes().replace(b"istio-injection: enabled", b"istio-injection: disabled")
    assert edited != ns.read_bytes()
    same_as_engine(session, {str(ns): edited})
    assert session.stats.files_parsed == 1
    # a broken buffer: MESH001, and the other files keep their findings
    broken = same_as_engine(session, {str(ns): edited, str(main): main.read_bytes() + b"\nresource \"x\" {\n"})
    assert "MESH001" in rules_in(broken, main)
    # fixed again: the buffer holds the disk's text
    fixed = same_as_engine(session, {str(main): main.read_bytes()})
    assert "MESH001" not in rules_in(fixed, main)
    # a new file on disk, then that file deleted
    extra = root / "k8s" / "extra.yaml"
    extra.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n")
    assert str(extra) in [e.abspath for e in same_as_engine(session, {}).entries]
    extra.unlink()
    (root / "k8s" / "orders.yaml").unlink()
    same_as_engine(session, {})


@pytest.fixture(scope="module")
def corpus_tree(tmp_path_factory) -> Path:
    """The benchmark corpus, cut down to six Terraform roots, three manifest folders and the charts."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    out = tmp_path_factory.mktemp("bench") / "tree"
    generate(out)
    for folder, keep in (("k8s", 3), ("infra", 6)):
        for d in (out / folder).iterdir():
            if int(d.name.rsplit("-", 1)[1]) >= keep:
                shutil.rmtree(d)
    return out


def scope_of(result: ProjectResult, path: Path) -> list[str]:
    return [s.name for s in result.scopes if str(path) in {e.abspath for e in s.files}]


def test_corpus_tree_edit_by_edit(corpus_tree: Path, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(corpus_tree, root)
    session = ProjectSession(str(root))
    first = same_as_engine(session, {})
    scopes = len(first.scopes)
    assert scopes >= 8
    values = root / "infra" / "stack-1" / "values" / "istiod.yaml"
    main = root / "infra" / "stack-2" / "main.tf"
    manifest = next((root / "k8s" / "team-1").iterdir())
    # a values file: one file parsed, one scope checked again
    values_buffer = {str(values): values.read_bytes() + b"\nglobal:\n  proxy:\n    privileged: true\n"}
    same_as_engine(session, values_buffer)
    assert (session.stats.files_parsed, session.stats.scopes_rebuilt) == (1, 1)
    # a Terraform edit that changes findings (the Istio version), and one that breaks the file
    text = main.read_bytes()
    assert b'istio    = "' in text
    same_as_engine(session, {**values_buffer, str(main): text.replace(b'istio    = "', b'istio    = "0.')})
    assert (session.stats.files_parsed, session.stats.scopes_rebuilt) == (1, 1)
    broken = same_as_engine(session, {str(main): text[: len(text) // 2]})
    assert "MESH001" in rules_in(broken, main)
    assert "MESH001" not in rules_in(same_as_engine(session, {}), main)  # fixed (the buffer closed)
    # a kustomization in a root's folder names a manifest folder: its files move to that scope
    kustomization = root / "infra" / "stack-0" / "kustomization.yaml"
    kustomization.write_text("resources: []\n")
    before = same_as_engine(session, {})
    assert scope_of(before, manifest) == [s for s in scope_of(before, manifest) if s.endswith("k8s")]
    moved = same_as_engine(session, {str(kustomization): b"resources:\n  - ../../k8s/team-1\n"})
    assert [s for s in scope_of(moved, manifest) if s.endswith("stack-0")]
    assert session.stats.scopes_rebuilt == 2  # the scope they left and the one they joined
    # a manifest broken and fixed in its buffer, then a new and a deleted file on disk
    assert "MESH001" in rules_in(same_as_engine(session, {str(manifest): b"apiVersion: v1\nkind: [\n"}), manifest)
    same_as_engine(session, {str(manifest): manifest.read_bytes()})
    new = root / "k8s" / "team-0" / "extra.yaml"
    new.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n")
    kustomization.unlink()
    same_as_engine(session, {})
    new.unlink()
    shutil.rmtree(root / "infra" / "stack-3")
    assert len(same_as_engine(session, {}).scopes) == scopes - 1


def test_an_edit_on_disk_is_seen(corpus_tree: Path, tmp_path: Path) -> None:
    """A file written behind the editor's back (a save, a checkout) is re-read, even when its
    size and timestamp look unchanged."""
    root = tmp_path / "tree"
    shutil.copytree(corpus_tree, root)
    session = ProjectSession(str(root))
    same_as_engine(session, {})
    main = root / "infra" / "stack-4" / "main.tf"
    text = main.read_bytes()
    st = os.stat(main)
    main.write_bytes(text.replace(b'istio    = "1', b'istio    = "0'))
    os.utime(main, ns=(st.st_atime_ns, st.st_mtime_ns))
    same_as_engine(session, {})
    assert session.stats.files_parsed == 1


def test_scopes_over_one_budget_are_checked_as_the_engine_does(corpus_tree: Path, tmp_path: Path,
                                                              monkeypatch) -> None:
    """Each scope is evaluated with a budget of its own; when together they would spend more
    than the engine's one budget for the run, the session checks them as the engine does."""
    from meshlint.terraform import budget

    root = tmp_path / "tree"
    shutil.copytree(corpus_tree, root)
    session = ProjectSession(str(root))
    same_as_engine(session, {})
    assert not session.stats.shared_budget
    steps = 2 * max(r.outcome.spent[0] for r in session._scopes.values())
    monkeypatch.setattr(budget, "MAX_STEPS", steps)  # what the session and the engine both read
    result = same_as_engine(session, {})
    assert session.stats.shared_budget
    assert result.report is not None and any("budget" in n for n in result.report.notes)


def test_a_failed_refresh_leaves_nothing_stale(tmp_path: Path, monkeypatch) -> None:
    """A refresh that fails part-way (after the files were parsed, before the scopes were
    checked) makes the next one start over, so the edit it parsed is not lost."""
    import meshlint.lsp.session as session_module

    root = tmp_path / "shop"
    shutil.copytree(EXAMPLE, root)
    session = ProjectSession(str(root))
    same_as_engine(session, {})
    ns = root / "k8s" / "namespaces.yaml"
    edited = {str(ns): ns.read_bytes().replace(b"istio-injection: enabled", b"istio-injection: disabled")}

    def fail(*_args, **_kwargs):
        raise RuntimeError("cut short")
    with monkeypatch.context() as patch:
        patch.setattr(session_module, "check_scope", fail)
        with pytest.raises(RuntimeError):
            session.refresh(edited, as_of=AS_OF)
    assert snapshot(same_as_engine(session, edited)) != snapshot(check_project(str(root), {}, as_of=AS_OF))


def test_yaml_read_by_terraform_edit_by_edit(tmp_path: Path) -> None:
    """YAML that Terraform reads (file() into helm values, a rendered template) gives MESH001
    when broken and a note when read through its renderer: the session keeps both per scope,
    as one engine run does, and an edit of the read file re-checks the scope."""
    root = tmp_path / "proj"
    (root / "infra" / "config").mkdir(parents=True)
    (root / ".git").mkdir()
    main = root / "infra" / "main.tf"
    main.write_text('''resource "helm_release" "kiali" {
  name       = "kiali-server"
  repository = "https://kiali.org/helm-charts"
  chart      = "kiali-server"
  version    = "2.5.0"
  values     = [file("${path.module}/config/kiali.yaml"), templatefile("${path.module}/config/extra.tpl", { ns = "istio-system" })]
}
''')
    kiali = root / "infra" / "config" / "kiali.yaml"
    kiali.write_text("auth:\n  strategy: anonymous\n")
    (root / "infra" / "config" / "extra.tpl").write_text("deployment:\n  namespace: ${ns}\n")
    session = ProjectSession(str(root))
    same_as_engine(session, {})
    broken = same_as_engine(session, {str(kiali): b"auth:\n  strategy: [anonymous\n"})
    assert "MESH001" in rules_in(broken, kiali)
    fixed = same_as_engine(session, {str(kiali): b"auth:\n  strategy: token\n"})
    assert "MESH001" not in rules_in(fixed, kiali)


def test_the_projects_configuration_applies_and_a_change_of_it_rechecks(tmp_path: Path) -> None:
    """The editor shows what `meshlint check` shows there: the project's .meshlint.yaml
    (ignored rules, severities) applies, and editing it re-checks everything."""
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLE, root)
    session = ProjectSession(str(root))
    before = {f.rule for f in same_as_engine(session, {}).report.findings}
    assert "MESH102" in before
    (root / ".meshlint.yaml").write_text("ignore: [MESH102]\nseverity:\n  MESH105: info\n")
    after = same_as_engine(session, {}).report
    assert "MESH102" not in {f.rule for f in after.findings}
    mesh105 = [f for f in after.findings if f.rule == "MESH105"]
    assert mesh105 and all(f.severity == "info" for f in mesh105)


def test_suppressions_are_read_from_the_unsaved_buffer(tmp_path: Path) -> None:
    # the comment exists only in the buffer: it is read (MESH002 for its unknown code);
    # the comment exists only on disk, the buffer removed it: no MESH002 for it
    ns = tmp_path / "ns.yaml"
    plain = b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
    commented = b"# meshlint: ignore[MESH9999] unknown code\n" + plain
    ns.write_bytes(plain)
    session = ProjectSession(str(tmp_path))
    only_buffer = same_as_engine(session, {str(ns): commented})
    assert "MESH002" in rules_in(only_buffer, ns)
    ns.write_bytes(commented)
    only_disk = same_as_engine(session, {str(ns): plain})
    assert "MESH002" not in rules_in(only_disk, ns)


def test_the_editor_finds_a_file_s_project_as_meshlint_check_does(tmp_path: Path) -> None:
    from meshlint.lsp.project import project_root

    (tmp_path / ".git").mkdir()
    svc = tmp_path / "svc"
    (svc / "k8s").mkdir(parents=True)
    (svc / "pyproject.toml").write_text('[tool.meshlint]\nignore = ["MESH4"]\n')
    ns = svc / "k8s" / "ns.yaml"
    ns.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
    assert project_root(str(ns), [str(tmp_path)]) == str(svc)  # as `meshlint check svc/k8s`
    assert project_root(str(ns), [str(svc / "k8s")]) == str(svc / "k8s")  # never above the workspace
    assert project_root(str(tmp_path / "top.yaml"), []) == str(tmp_path)
