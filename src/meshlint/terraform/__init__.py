"""The Terraform evaluator: HCL expressions -> values, or an explicit Unknown.

Rules never look at expressions; they see values (as tflint's runner hands them out).
What is evaluated: literals, templates, heredocs, `local.*`, `var.*` (inputs from a
parent module call, then terraform.tfvars / *.auto.tfvars in a root, then defaults),
`module.<local>.<output>`, configured arguments of resources (`kubernetes_namespace_v1.x.
metadata[0].name`), `path.module`, operators, conditionals, `for` expressions, and the
functions in `functions/`. Anything else is `Unknown` - never a guess.

A list can have a known length and unknown items: `slice(data.x.names, 0, 3)` is a list
of three Unknowns, so `length()` of it (and of a `for` over it) is still known.

The parts, leaves first: `convert` (Terraform's conversions, EvalError), `budget` (limits),
`modules` (what a directory declares), `files` (what file() may read), `functions/` (by
family), `templates`/`operators`/`forexpr`/`references` (node handlers), `evaluate` (the
walker), `context` (one module instance), `project` (all modules, instance expansion).
"""

from meshlint.values import UNKNOWN, Unknown, contains_unknown

from .budget import MAX_COLLECTION, MAX_EVAL_DEPTH
from .context import ModuleContext, instance_key
from .convert import EvalError
from .files import MAX_FILE_READ, FileText
from .functions import EncodedDocument
from .modules import TfModule, literal_string, local_module_source
from .project import Project, expand_instances

__all__ = [
    "EncodedDocument", "EvalError", "FileText", "MAX_COLLECTION", "MAX_EVAL_DEPTH",
    "MAX_FILE_READ", "ModuleContext", "Project", "TfModule", "UNKNOWN", "Unknown",
    "contains_unknown", "expand_instances", "instance_key", "literal_string", "local_module_source",
]
