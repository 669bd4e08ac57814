"""The project: every Terraform module of a run, the files HCL may read, and the expansion
of `count`/`for_each` into instances for the model builders."""

from __future__ import annotations

from collections.abc import Mapping

from meshlint.findings import Finding
from meshlint.parse.hclfront import HclBlock
from meshlint.parse.yamlfront import YamlFile

from .budget import Budget
from .context import ModuleContext
from .convert import Scope
from .files import TreeFiles
from .modules import TfModule


class Project:
    """All Terraform modules that were discovered, and the checked tree's root for file()."""

    def __init__(self, modules: dict[str, TfModule], tree_roots: list[str],
                 yaml_files: dict[str, YamlFile] | None = None, overlay: Mapping[str, bytes] | None = None):
        """`overlay`: abspath -> an editor's unsaved text, which file() reads instead of the disk."""
        self.modules = modules
        self.files = TreeFiles(tree_roots, yaml_files, overlay)
        self.budget = Budget()  # one per run: a Project is made once per run

    @property
    def notes(self) -> list[str]:
        """Where the evaluator stopped at a limit, for the run's report."""
        return self.budget.notes

    @property
    def files_read(self) -> dict[str, str | None]:
        """The files HCL read (file(), templatefile()): real path -> sha256 of the bytes read
        (None when none were), for the run cache."""
        return dict(self.files.read_paths)

    @property
    def read_errors(self) -> list[Finding]:
        """MESH001 for YAML that Terraform reads into the model and that does not parse."""
        return list(self.files.yaml.errors.values())

    @property
    def read_through(self) -> dict[str, str | None]:
        """Display path -> the note for a template read through its renderer (None: none)."""
        return dict(self.files.yaml.read_through)

    @property
    def tree_roots(self) -> list[str]:
        return self.files.tree_roots

    @property
    def yaml_files(self) -> dict[str, YamlFile]:
        """Real path -> the YAML file the parse layer read (what file() readers reuse)."""
        return self.files.layer_yaml

    def root_context(self, directory: str) -> ModuleContext:
        return ModuleContext(self.modules[directory], self)


def expand_instances(ctx: ModuleContext, blk: HclBlock) -> list[Scope] | None:
    """Bindings for each instance of a block with count/for_each; [{}] for one instance,
    None when the number of instances is unknown."""
    return ctx.instance_bindings(blk)

