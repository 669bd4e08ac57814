"""Template placeholders left in object fields: unknown values, not literal strings.

GitOps tools fill them in before apply (Argo CD plugin variables `${ARGOCD_ENV_NAME}`,
Flux post-build substitution `${CLUSTER_DOMAIN}`), and so do Terraform (`${…}`, `%{…}`)
and Go templates (`{{…}}`). A name, namespace, selector or gateway reference holding one
cannot be compared with anything, so the checks that compare it stay silent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|%\{[^}]*\}|\{\{.*?\}\}")


def has_placeholder(value: object) -> bool:
    return isinstance(value, str) and ("{" in value) and _PLACEHOLDER.search(value) is not None


def mapping_has_placeholder(mapping: Mapping) -> bool:
    return any(has_placeholder(k) or has_placeholder(v) for k, v in mapping.items())
