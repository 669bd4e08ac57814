"""Knowledge: the rule catalog and the data tables in `rules/`, loaded once and validated.

`rules/` is data shipped inside the wheel (as `meshlint/rules`); in a source checkout
it is the top-level `rules/` folder. Adding a fact is a data change: each table loads into
the frozen records of `knowledge.tables`, whose fields are its schema.

`meshlint data update` may store refreshed copies of some tables in the user cache; a
table in force is whichever of the shipped and the cached copy is newer (`as_of`), and a
cached copy that does not validate is ignored (see `knowledge.store`).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from meshlint.knowledge.catalog import RuleDoc, catalog, codes, rule_doc
from meshlint.knowledge.files import load_yaml, rules_dir
from meshlint.knowledge.schema import KnowledgeError, build
from meshlint.values import YMap, text

if TYPE_CHECKING:
    from meshlint.knowledge.store import InForce, in_force, stale_notes, stale_tables
    from meshlint.knowledge.tables import (
        TABLES,
        ArtifactHosts,
        AwsArch,
        EksBlueprintsAddons,
        EksModules,
        EksVersions,
        GatewayApi,
        ImageArch,
        IstioPatches,
        IstioProtocols,
        IstioReleases,
        KialiCompat,
        KialiGatewayDetection,
        NatGatewayPrices,
        Table,
        VpcModule,
    )

# The tables' schemas are ~40 record classes: imported on first use,
# so that a run answered from the run cache (which only needs `rules_dir`) never builds them.
# (No name here may be a submodule's: importing `knowledge.store` binds `knowledge.store`.)
_LAZY = {"InForce": "store", "in_force": "store", "stale_notes": "store", "stale_tables": "store"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name) or ("tables" if name == "TABLES" or name[:1].isupper() else None)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        return getattr(importlib.import_module(f"meshlint.knowledge.{module}"), name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


__all__ = [
    "KnowledgeError", "RuleDoc", "catalog", "codes", "rule_doc", "rules_dir", "data", "data_names", "table",
    "InForce", "in_force", "stale_notes", "stale_tables", "preload", "reload",
    "artifact_hosts", "aws_arch", "eks_blueprints_addons", "eks_modules", "eks_versions", "gateway_api", "image_arch",
    "istio_patches", "istio_protocols", "istio_releases", "kiali_compat", "kiali_gateway_detection",
    "nat_gateway_prices", "vpc_module",
]



def table(name: str) -> Table:
    """The data table in force for rules/data/<name>.yaml, validated against its record class."""
    from meshlint.knowledge.store import in_force  # lazy: see _LAZY
    from meshlint.knowledge.tables import TABLES

    if name not in TABLES:
        raise KnowledgeError(f"data table {name} has no schema in knowledge.tables")
    return in_force(name).table


def preload() -> None:
    """Every table in force loaded now (before forking workers that would each load them)."""
    from meshlint.knowledge.store import in_force  # lazy: see _LAZY
    from meshlint.knowledge.tables import TABLES

    for name in sorted(TABLES):
        in_force(name)


def reload() -> None:
    """Forget the loaded tables (after `meshlint data update`, and in tests)."""
    from meshlint.knowledge.store import in_force  # lazy: see _LAZY

    in_force.cache_clear()
    data.cache_clear()


def _typed(name: str, cls_name: str) -> Any:
    from meshlint.knowledge import tables  # lazy: see _LAZY

    loaded = table(name)
    assert isinstance(loaded, getattr(tables, cls_name))
    return loaded


def artifact_hosts() -> ArtifactHosts:
    return _typed("artifact-hosts", "ArtifactHosts")


def eks_versions() -> EksVersions:
    return _typed("eks-versions", "EksVersions")


def gateway_api() -> GatewayApi:
    return _typed("gateway-api", "GatewayApi")


def istio_patches() -> IstioPatches:
    return _typed("istio-patches", "IstioPatches")


def aws_arch() -> AwsArch:
    return _typed("aws-arch", "AwsArch")


def eks_blueprints_addons() -> EksBlueprintsAddons:
    return _typed("eks-blueprints-addons", "EksBlueprintsAddons")


def eks_modules() -> EksModules:
    return _typed("eks-modules", "EksModules")


def image_arch() -> ImageArch:
    return _typed("image-arch", "ImageArch")


def istio_protocols() -> IstioProtocols:
    return _typed("istio-protocols", "IstioProtocols")


def istio_releases() -> IstioReleases:
    return _typed("istio-releases", "IstioReleases")


def kiali_compat() -> KialiCompat:
    return _typed("kiali-compat", "KialiCompat")


def kiali_gateway_detection() -> KialiGatewayDetection:
    return _typed("kiali-gateway-detection", "KialiGatewayDetection")


def nat_gateway_prices() -> NatGatewayPrices:
    return _typed("nat-gateway-prices", "NatGatewayPrices")


def vpc_module() -> VpcModule:
    return _typed("vpc-module", "VpcModule")


@lru_cache(maxsize=None)
def data(name: str) -> YMap:
    """A data table from rules/data/<name>.yaml as the parsed YAML mapping.

    Legacy view, to be removed when callers use the typed tables (`istio_releases()`,
    `kiali_compat()`, ...): model, build, arch, inventory and checks/versions still read it.
    The table is validated against its schema on first use, whichever view asks first."""
    from meshlint.knowledge.store import in_force  # lazy: see _LAZY
    from meshlint.knowledge.tables import TABLES

    if name in TABLES:
        return in_force(name).document
    path = rules_dir() / "data" / f"{name}.yaml"
    if not path.is_file():
        raise KnowledgeError(f"data table {name} is missing")
    doc = load_yaml(path)
    if not isinstance(doc, YMap) or not text(doc.get("as_of")) or not doc.get("sources"):
        raise KnowledgeError(f"{path}: a data table needs as_of and sources")
    return doc


def data_names() -> list[str]:
    return sorted(p.stem for p in (rules_dir() / "data").glob("*.yaml"))
