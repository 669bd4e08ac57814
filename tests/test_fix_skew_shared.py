"""MESH101's fix when the skewed charts share one local: every finding the one edit covers
is fixed by it (no "not fixed" note for a sibling), including `istio-base`, whose finding
names the kind alone (`set istio-base to 1.20.2`)."""

from __future__ import annotations

from pathlib import Path

from test_fix_cli import AS_OF, findings, meshlint

RELEASE = '''
resource "helm_release" "{name}" {{
  name       = "{release}"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "{chart}"
  version    = {version}
  namespace  = "istio-system"
}}
'''


def _root(tmp_path: Path, base: str, istiod: str, gateway: str) -> Path:
    text = 'locals {\n  istio_version = "1.19.3"\n}\n'
    text += RELEASE.format(name="base", release="istio-base", chart="base", version=base)
    text += RELEASE.format(name="istiod", release="istiod", chart="istiod", version=istiod)
    text += RELEASE.format(name="gateway", release="istio-ingress", chart="gateway", version=gateway)
    (tmp_path / "main.tf").write_text(text)
    return tmp_path


def test_base_and_gateway_sharing_a_local_are_both_fixed_by_its_one_edit(tmp_path: Path) -> None:
    root = _root(tmp_path, "local.istio_version", '"1.20.2"', "local.istio_version")
    assert sorted(f["rule"] for f in findings(root, "--select", "MESH101")) == ["MESH101", "MESH101"]
    code, out, err = meshlint("fix", str(root), "--diff", "--unsafe-fixes", "--select", "MESH101",
                              "--as-of", AS_OF)
    assert code == 1
    assert out.count('-  istio_version = "1.19.3"') == 1 and out.count('+  istio_version = "1.20.2"') == 1
    assert "not fixed" not in err and "would fix 2 findings in 1 file" in err
    meshlint("fix", str(root), "--unsafe-fixes", "--select", "MESH101", "--as-of", AS_OF)
    assert not [f for f in findings(root) if f["rule"] == "MESH101"]


def test_a_skewed_istio_base_alone_is_fixed(tmp_path: Path) -> None:
    root = _root(tmp_path, "local.istio_version", '"1.20.2"', '"1.20.2"')
    code, out, err = meshlint("fix", str(root), "--diff", "--unsafe-fixes", "--select", "MESH101",
                              "--as-of", AS_OF)
    assert code == 1 and '+  istio_version = "1.20.2"' in out
    assert "not fixed" not in err and "would fix 1 finding in 1 file" in err
