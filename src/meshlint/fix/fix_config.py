"""Fixes of configuration findings: MESH203 (Kiali component status), the retired chart
repository (its replacement URL)."""

from __future__ import annotations
