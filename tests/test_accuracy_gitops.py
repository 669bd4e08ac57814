"""Issue 11, cause 10: kustomize `helmCharts:` and Flux `HelmRelease` + `HelmRepository`
install Istio and Kiali in GitOps repositories: they are Helm releases with versions."""

from conftest import meshlint_cli, write_tree


def _versions(root):
    run = meshlint_cli("versions", str(root))
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_kustomize_helm_charts_are_releases(tmp_path):
    root = write_tree(tmp_path, {"mesh/kustomization.yaml": """
        namespace: istio-system
        helmCharts:
          - name: istiod
            repo: https://istio-release.storage.googleapis.com/charts
            version: 1.20.3
            releaseName: istiod
            valuesInline: {pilot: {autoscaleMin: 2}}
        """})
    out = _versions(root)
    assert "istiod" in out and "1.20.3" in out


def test_flux_helmrelease_with_its_repository_is_a_release(tmp_path):
    root = write_tree(tmp_path, {"clusters/prod/istio.yaml": """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmRepository
        metadata: {name: istio, namespace: flux-system}
        spec: {url: "https://istio-release.storage.googleapis.com/charts"}
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: istiod, namespace: istio-system}
        spec:
          chart:
            spec:
              chart: istiod
              version: 1.19.4
              sourceRef: {kind: HelmRepository, name: istio, namespace: flux-system}
        """})
    out = _versions(root)
    assert "istiod" in out and "1.19.4" in out
