"""Robustness: nothing a repository holds may crash, hang or leak through meshlint.
Property-based tests run a bounded number of examples (CI keeps them quick)."""

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, check, meshlint_cli, only, write_tree
from meshlint.parse.hclfront import parse_hcl_bytes
from meshlint.parse.yamlfront import MAX_DOCUMENTS, parse_yaml_bytes
from meshlint.terraform import ModuleContext, Project, TfModule

PROPS = settings(max_examples=int(os.environ.get("MESHLINT_HYPOTHESIS_EXAMPLES", "150")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])
REAL_YAML = sorted(CORPUS.rglob("*.yaml"))[:60] if CORPUS.is_dir() else []
REAL_TF = sorted(CORPUS.rglob("*.tf"))[:60] if CORPUS.is_dir() else []


def _mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randint(0, 3)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data[pos:pos] = rng.choice([b"{", b"[", b"\t", b"&a ", b"*a", b"\x00", b"${", b"\"", b"\n  - ", b"%{"])
        elif op == 2:
            del data[pos:pos + rng.randint(1, 40)]
        else:
            data = data[:pos]
    return bytes(data)


@PROPS
@given(st.binary(max_size=2000))
def test_yaml_front_end_never_raises_on_bytes(data):
    result = parse_yaml_bytes(data, "x.yaml")
    assert result.error is None or result.error[0] >= 1


@PROPS
@given(st.binary(max_size=2000))
def test_hcl_front_end_never_raises_on_bytes(data):
    result = parse_hcl_bytes(data, "x.tf")
    assert result.error is None or result.error[0] >= 1


@pytest.mark.skipif(not REAL_YAML, reason="../shared/corpus not present")
@PROPS
@given(st.integers(min_value=0), st.integers(min_value=0))
def test_mutated_real_yaml_never_raises(which, seed):
    path = REAL_YAML[which % len(REAL_YAML)]
    parse_yaml_bytes(_mutate(path.read_bytes(), random.Random(seed)), str(path))


@pytest.mark.skipif(not REAL_TF, reason="../shared/corpus not present")
@PROPS
@given(st.integers(min_value=0), st.integers(min_value=0))
def test_mutated_real_terraform_never_raises_and_evaluates(which, seed):
    path = REAL_TF[which % len(REAL_TF)]
    parsed = parse_hcl_bytes(_mutate(path.read_bytes(), random.Random(seed)), str(path))
    if parsed.error is None:
        module = TfModule(str(path.parent))
        module.add_file(parsed)
        ctx = ModuleContext(module, Project({str(path.parent): module}, [str(path.parent)]))
        for name in module.locals:
            ctx.local(name)
        for blk in parsed.body.blocks:
            ctx.eval_body(blk.body)


EXPRESSIONS = st.recursive(
    st.sampled_from(["1", "-2.5", "true", "null", '"s"', '"a${local.x}b"', "local.x", "var.v", "[]", "{}",
                     "data.d.x.names", "path.module", "each.key", "count.index"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", "&&", "||"]), inner)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.tuples(st.sampled_from(["length", "slice", "concat", "merge", "lookup", "element", "keys",
                                   "jsonencode", "yamlencode", "yamldecode", "tolist", "flatten", "join",
                                   "split", "format", "cidrsubnet", "try", "coalesce", "file", "range",
                                   "zipmap", "max", "one", "distinct", "unknown_fn"]),
                  st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(inner).map(lambda t: f"[for i, v in {t[0]} : v]"),
        st.tuples(inner).map(lambda t: f"{{for k, v in {t[0]} : k => v}}"),
        st.tuples(inner, st.integers(-2, 5)).map(lambda t: f"{t[0]}[{t[1]}]"),
    ),
    max_leaves=12,
)


@PROPS
@given(EXPRESSIONS)
def test_evaluator_never_raises(expr):
    src = f'variable "v" {{}}\nlocals {{\n  x = "1"\n  y = {expr}\n}}\n'.encode()
    parsed = parse_hcl_bytes(src, "main.tf")
    if parsed.error is not None:
        return
    module = TfModule("/tmp/nowhere")
    module.add_file(parsed)
    ModuleContext(module, Project({"/tmp/nowhere": module}, ["/tmp/nowhere"])).local("y")


# --- limits --------------------------------------------------------------------------------


def test_document_count_cap():
    y = parse_yaml_bytes(b"a: 1\n---\n" * (MAX_DOCUMENTS + 5), "many.yaml")
    assert y.error is not None and "documents" in y.error[2]


def test_parse_time_budget(tmp_path):
    from meshlint.discover import discover
    from meshlint.parse.batch import parse_files
    big = "apiVersion: v1\nkind: List\nitems:\n" + "".join(
        f"  - {{apiVersion: v1, kind: Pod, metadata: {{name: p{i}}}, spec: {{containers: [{{name: a, image: x}}]}}}}\n"
        for i in range(20000))
    write_tree(tmp_path, {"big.yaml": big, "ok.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"})
    disc = discover([str(tmp_path)])
    parsed = parse_files(disc.files, 50_000_000, jobs=1, cache_root=None, budget=0.05)
    errors = [p.error for p in parsed.values() if p.error]
    assert len(errors) == 1 and "took longer than" in errors[0].message
    assert any(p.yaml and p.yaml.documents for p in parsed.values())


def test_unreadable_file_is_reported_not_fatal(tmp_path, monkeypatch):
    import builtins
    write_tree(tmp_path, {"a.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
                          "b.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n"})
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if str(file).endswith("b.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    result = check(tmp_path)
    f = only(result, "MESH001")
    assert "Permission denied" in f.message and f.location.path.endswith("b.yaml")


# --- hostile content -----------------------------------------------------------------------


def test_file_and_templatefile_never_read_outside_the_tree(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=hunter2")
    tf = f'''
locals {{
  a = file("/proc/self/environ")
  b = file("{secret}")
  c = templatefile("../secret.txt", {{}})
  d = file("${{path.module}}/../secret.txt")
}}
resource "kubernetes_namespace_v1" "x" {{
  metadata {{
    name   = "x${{local.a}}${{local.b}}${{local.c}}${{local.d}}"
    labels = {{ "istio.io/rev" = local.b }}
  }}
}}
'''
    write_tree(tmp_path / "repo", {"main.tf": tf})
    proc = meshlint_cli("check", str(tmp_path / "repo"), "--format", "json")
    assert "hunter2" not in proc.stdout and "PATH=" not in proc.stdout


def test_messages_quote_only_short_excerpts(tmp_path):
    long_name = "a" * 5000
    write_tree(tmp_path, {"ns.yaml": f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {long_name}\n"
                                     "  labels:\n    istio-injection: enabled\n    istio.io/rev: canary\n"})
    f = only(check(tmp_path), "MESH402")
    assert len(f.message) < 1000 and "a" * 161 not in f.message


def test_the_whole_corpus_under_hostile_mutation_never_crashes_the_engine(tmp_path):
    if not REAL_YAML:
        pytest.skip("../shared/corpus not present")
    rng = random.Random(1234)
    files = {}
    for i, path in enumerate(REAL_YAML[:25] + REAL_TF[:25]):
        files[f"f{i}{path.suffix}"] = _mutate(path.read_bytes(), rng)
    write_tree(tmp_path, files)
    proc = meshlint_cli("check", str(tmp_path), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
