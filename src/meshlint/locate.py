"""Where a value is written: the one helper every layer uses to turn a YAML/HCL position
into a Location (analyzers never count lines themselves)."""

from __future__ import annotations

from meshlint.values import Location


def key_location(mapping, key, fallback: Location) -> Location:
    """The position of `key` in a YMap (YAML or an evaluated HCL object), else `fallback`."""
    keypos = getattr(mapping, "keypos", None)
    path = getattr(mapping, "path", "")
    if keypos and key in keypos and path:
        line, col = keypos[key]
        return Location(path, line, col, line, col + len(str(key)))
    return fallback


def item_location(seq, index: int, fallback: Location) -> Location:
    """The position of item `index` of a YSeq, else `fallback`."""
    itempos = getattr(seq, "itempos", None)
    path = getattr(seq, "path", "")
    if itempos and index < len(itempos) and path:
        line, col = itempos[index]
        return Location(path, line, col, line, col + len(str(seq[index])))
    return fallback
