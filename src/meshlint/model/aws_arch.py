"""AWS facts about architectures: which CPU an EC2 instance type or an EKS AMI type runs
(rules/data/aws-arch.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache

from meshlint import knowledge
from meshlint.values import text


@lru_cache(maxsize=1024)
def instance_arch(instance_type: str) -> str | None:
    data = knowledge.data("aws-arch")
    family = instance_type.lower().split(".", 1)[0]
    if family in (data.get("extra_arm64_families") or []):
        return "arm64"
    if family.endswith("-flex"):
        family = family[: -len("-flex")]
    if "-" in family:
        return None
    if re.match(text(data["graviton_family_regex"]) or "", family):
        return "arm64"
    if re.match(r"^[a-z]+[0-9]+[a-z-]*$", family):
        return "amd64"
    return None


def ami_arch(ami_type: str) -> str | None:
    """The CPU of an EKS AMI type; None for types whose CPU depends on the image (CUSTOM)."""
    ami_types = knowledge.aws_arch().ami_types
    if ami_type in ami_types.unknown:
        return None
    data = knowledge.data("aws-arch")["ami_types"]
    if data["arm64_marker"] in ami_type:
        return "arm64"
    if data["amd64_marker"] in ami_type:
        return "amd64"
    return None


def karpenter_default_archs() -> frozenset[str]:
    """What a Karpenter NodePool without a kubernetes.io/arch requirement can launch."""
    return frozenset(knowledge.aws_arch().karpenter_default_archs)
