"""Helm releases declared in Terraform: `helm_release` resources and the
eks-blueprints-addons module's `helm_releases` map (whose ignored keys are kept: the
module reads only the keys listed in rules/data/eks-blueprints-addons.yaml)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from msgspec.structs import replace

from meshlint import knowledge
from meshlint.discover import display_path
from meshlint.locate import key_location
from meshlint.model.collect import Collector
from meshlint.model.extract_charts import local_chart_dirs, parse_local_chart
from meshlint.model.shapes import Shapes, Where
from meshlint.model.tf_walk import attr_location, block_location, instances
from meshlint.model.types import HelmRelease, LocalChart
from meshlint.parse.hclfront import HclBlock
from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.terraform import EncodedDocument, ModuleContext, Project
from meshlint.values import Unknown


def values_documents(raw: object, project: Project | None = None, reader: str = "helm values",
                     shapes: Shapes | None = None, where: Where | None = None) -> list:
    """helm_release `values`: a list of YAML strings -> documents (or Unknown entries). A
    file (`file()`) or rendered template (`templatefile()`, `template_file`) is read with
    positions in its own file; one that does not parse is its MESH001 (TreeFiles.yaml).
    A value that is no list (`values = 5`) is recorded in `shapes` at `where`, when given."""
    if raw is None:
        return []
    if isinstance(raw, Unknown):
        return [raw]
    if not isinstance(raw, list) and shapes is not None and where is not None:
        shapes.items(raw, where)  # recorded; a lone document is still read as one
    docs: list = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, EncodedDocument):
            docs.append(item.data)
        elif isinstance(item, str) and project is not None and \
                (read := project.files.yaml.documents(item, reader)) is not None:
            if isinstance(read, Unknown):
                docs.append(read)
            else:
                docs.extend(d for d in read if isinstance(d, dict))  # with the file's own lines
        elif isinstance(item, str):
            parsed_file = parse_yaml_bytes(item.encode("utf-8"), "")  # inline: no file of its own
            if parsed_file.error:
                docs.append(Unknown("values document that is not YAML"))
            else:
                docs.extend(d.value for d in parsed_file.documents if isinstance(d.value, dict))
        elif isinstance(item, dict):
            docs.append(item)
        else:
            docs.append(Unknown("values entry not known before apply"))
    return docs


def set_entries(body: Mapping, shapes: Shapes, where: Where) -> list:
    """`set` as blocks (helm provider 2.x) or a list attribute (3.x): (name, value) pairs."""
    entries: list = []
    for key in ("set", "set_sensitive"):
        raw = body.get(key)
        if isinstance(raw, Unknown):
            entries.append((Unknown("set not known"), raw))
            continue
        for item in shapes.seq(body, key, where, of_mappings=True):
            if isinstance(item, Mapping):
                entries.append((item.get("name"), item.get("value")))
    return entries


def helm_release_resource(out: Collector, ctx: ModuleContext, rtype: str, address: str,
                          blk: HclBlock) -> None:
    for inst, bind in instances(ctx, blk, address):
        body = ctx.eval_body(blk.body, bind)
        where = Where("", inst, block_location(blk), "Terraform")
        version_attr = blk.body.attrs.get("version")
        repository_attr = blk.body.attrs.get("repository")
        rel = HelmRelease(
            name=body.get("name", Unknown("no name")), chart=body.get("chart", Unknown("no chart")),
            repository=body.get("repository"), version=body.get("version"),
            version_key="version" if "version" in body else None,
            version_location=attr_location(version_attr) if version_attr else None,
            namespace=body.get("namespace", "default"),
            values=values_documents(body.get("values"), ctx.project, f"{inst} values in {blk.file.path}",
                                    out.shapes, _at(body, "values", where)),
            sets=set_entries(body, out.shapes, where), location=block_location(blk), object=inst,
            origin="helm_release",
            repository_location=attr_location(repository_attr) if repository_attr else None)
        if rel.is_local_chart and isinstance(rel.chart, str):
            repository = rel.repository if isinstance(rel.repository, str) else None
            rel = replace(rel, local_chart=read_local_chart(ctx, rel.chart, repository))
        out.releases.append(rel)


def _at(node: Mapping, key: str, where: Where) -> Where:
    """`where` moved to `node[key]`, pointing at the key itself."""
    return Where(where.at(key).field, where.object, key_location(node, key, where.fallback), where.rejected_by)


def read_local_chart(ctx: ModuleContext, chart: str, repository: str | None) -> LocalChart | None:
    """The Chart.yaml of a helm_release's local chart, read through the evaluator's file
    fence (inside the checked tree only), whether or not the folder is in any scope (a
    vendored release tree is set aside, yet what a root installs from it is read). A path is
    tried against the calling module's folder, then against the root's (where Terraform runs)."""
    module_dir = ctx.module.directory
    root = ctx
    while root.parent is not None:
        root = root.parent
    for directory in local_chart_dirs(chart, repository, [module_dir, root.module.directory]):
        path = os.path.join(directory, "Chart.yaml")
        data = ctx.project.files.read(path, module_dir)
        if data is not None:
            return parse_local_chart(directory, data, display_path(path, os.getcwd()))
    return None


def addons_module(out: Collector, ctx: ModuleContext, call: HclBlock, address: str, source: str) -> None:
    attr = call.body.attrs.get("helm_releases")
    if attr is None:
        return
    releases = ctx.eval_attr(attr)
    if not isinstance(releases, Mapping):
        return
    read_keys = set(knowledge.data("eks-blueprints-addons").get("helm_releases_keys_read") or [])
    call_loc = attr_location(attr)
    for key, entry in releases.items():
        if not isinstance(entry, Mapping):
            continue
        entry_loc = key_location(releases, key, call_loc)
        ignored = {k: key_location(entry, k, entry_loc) for k in entry if k not in read_keys}
        # the module's input is of type `any`: a wrong shape is not certainly rejected (a note)
        where = Where(f'helm_releases["{key}"]', f"{address}.helm_releases[\"{key}\"]", entry_loc, None)
        version_loc = key_location(entry, "chart_version", entry_loc) if "chart_version" in entry else None
        out.releases.append(HelmRelease(
            name=entry.get("name", key), chart=entry.get("chart", Unknown("no chart")),
            repository=entry.get("repository"), version=entry.get("chart_version"),
            version_key="chart_version" if "chart_version" in entry else None,
            version_location=version_loc, namespace=entry.get("namespace", "default"),
            values=values_documents(entry.get("values"), ctx.project, f'{address}.helm_releases["{key}"] values',
                                    out.shapes, _at(entry, "values", where)),
            sets=set_entries(entry, out.shapes, where),
            location=entry_loc, object=f'{address}.helm_releases["{key}"]',
            origin="eks-blueprints-addons", ignored_keys=ignored,
            ignored_values={k: entry[k] for k in ignored},
            repository_location=key_location(entry, "repository", entry_loc) if "repository" in entry else None))
