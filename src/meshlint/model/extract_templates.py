"""Files a Terraform root renders and applies (kubectl_manifest over templatefile(),
template_file or kubectl_path_documents, or file()): what the cluster gets is the rendered
text, so the objects read from the same file as it stands (placeholders and all) are not
declarations of their own."""

from __future__ import annotations

from msgspec import Struct

from meshlint.model.collect import Collector


class Mark(Struct, frozen=True):
    """How much a collector held before a root's Terraform was read."""

    objects: int
    workloads: int
    releases: int

    @staticmethod
    def of(out: Collector) -> Mark:
        return Mark(len(out.objects), len(out.workloads), len(out.releases))


def applied_files(out: Collector, since: Mark) -> set[str]:
    """Display paths of the files whose objects the root's Terraform declared (objects
    located outside .tf files came from a file or rendered template it reads)."""
    return {o.location.path for o in out.objects[since.objects:]
            if o.origin == "terraform" and not o.location.path.endswith(".tf")}


def forget_as_written(out: Collector, since: Mark) -> None:
    """Drop what was read from those files as they stand, before the root's Terraform."""
    paths = applied_files(out, since)
    if not paths:
        return
    out.objects[:] = [o for i, o in enumerate(out.objects)
                      if i >= since.objects or o.location.path not in paths]
    out.workloads[:] = [w for i, w in enumerate(out.workloads)
                        if i >= since.workloads or w.object.location.path not in paths]
    out.releases[:] = [r for i, r in enumerate(out.releases)
                       if i >= since.releases or r.location.path not in paths]
    for name in list(out.namespaces):
        kept = [n for n in out.namespaces[name] if n.origin != "manifest" or n.location.path not in paths]
        if kept:
            out.namespaces[name] = kept
        else:
            del out.namespaces[name]
