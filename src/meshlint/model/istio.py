"""Typed Istio records: Gateways with their servers and hosts, VirtualServices with their
gateway references, Istio's host matching, and Kiali installs with the gateways they expect.

Built by `meshlint.model.extract_istio` and `meshlint.model.derive_kiali` from raw objects;
checks read these fields and never the objects' bodies.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping

from msgspec import Struct

from meshlint.values import Location, Unknown, text

ISTIO_NET = "networking.istio.io/"
GATEWAY_API_GROUP = "gateway.networking.k8s.io/"


def selector_matches(selector: Mapping, labels: Mapping | Unknown) -> bool:
    """Whether pods with `labels` are selected (labels not known: not matched)."""
    if isinstance(labels, Unknown):
        return False
    return all(text(labels.get(k)) == text(v) for k, v in selector.items())


def hosts_overlap(a: str, b: str) -> bool:
    """Istio's host matching: equal names, or a wildcard whose suffix covers the other."""
    if a == b:
        return True
    aw, bw = a.startswith("*"), b.startswith("*")
    if aw and bw:
        return a[1:].endswith(b[1:]) or b[1:].endswith(a[1:])
    if aw:
        return b.endswith(a[1:])
    if bw:
        return a.endswith(b[1:])
    return False


class HostIndex:
    """Hosts indexed for `hosts_overlap` against many names at once: exact names in a set,
    wildcard suffixes in a set, and both reversed in sorted lists so "which names end with
    this suffix" is a binary search. A query costs O(len(host) log n), not O(n), so matching
    tens of thousands of hosts against tens of thousands stays linear (issue 15 #8)."""

    def __init__(self, hosts: Iterable[str]) -> None:
        self._exact: set[str] = set()
        self._suffixes: set[str] = set()  # "*.example.com" -> ".example.com"; "*" -> ""
        for host in hosts:
            if host.startswith("*"):
                self._suffixes.add(host[1:])
            else:
                self._exact.add(host)
        self._exact_reversed = sorted(h[::-1] for h in self._exact)
        self._suffixes_reversed = sorted(s[::-1] for s in self._suffixes)

    def overlaps(self, host: str) -> bool:
        """Whether `host` overlaps any indexed host (the same answer as `hosts_overlap`)."""
        if host.startswith("*"):
            suffix = host[1:]
            return (_has_prefix(self._exact_reversed, suffix[::-1])
                    or _has_prefix(self._suffixes_reversed, suffix[::-1])
                    or _any_suffix_in(suffix, self._suffixes))
        return host in self._exact or _any_suffix_in(host, self._suffixes)

    def overlaps_any(self, hosts: Iterable[str]) -> bool:
        return any(self.overlaps(h) for h in hosts)


def _has_prefix(sorted_strings: list[str], prefix: str) -> bool:
    i = bisect_left(sorted_strings, prefix)
    return i < len(sorted_strings) and sorted_strings[i].startswith(prefix)


def _any_suffix_in(name: str, suffixes: set[str]) -> bool:
    return bool(suffixes) and any(name[i:] in suffixes for i in range(len(name) + 1))


class Host(Struct, frozen=True):
    """One entry of a Gateway server's `hosts`: `[namespace/]dnsName`."""

    written: str | None  # as written (None: not a string)
    namespace: str | None  # the part before "/" ("." = the Gateway's own, "*" = any); None: absent
    dns_name: str
    location: Location

    def offered_to(self, vs_namespace: str, gateway_namespace: str) -> bool:
        """Whether VirtualServices of `vs_namespace` may bind this host."""
        if self.namespace is None:
            return True
        ns = gateway_namespace if self.namespace == "." else self.namespace
        return ns in ("*", vs_namespace)

    @property
    def accepts_every_host(self) -> bool:
        """`*`, `*/*` or `ns/*`: any Host header matches."""
        return self.dns_name == "*"


# Gateway server protocols whose requests carry a Host header (Istio's Server.port.protocol)
HTTP_PROTOCOLS = frozenset(("HTTP", "HTTPS", "HTTP2", "GRPC", "GRPC-WEB"))


class Server(Struct, frozen=True):
    """One `servers[]` entry of an Istio Gateway."""

    port: int | None  # port.number
    port_location: Location  # where port.number is written (else the server or the Gateway)
    protocol: str | None
    bind: str  # "" when absent
    hosts: tuple[Host, ...]
    tls_mode: str | None

    @property
    def routes_by_host_header(self) -> bool:
        """HTTP traffic that the gateway terminates, so `hosts` decides which Host headers
        (and which VirtualServices) it answers for; TCP and TLS passthrough servers match
        on port or SNI only."""
        protocol = (self.protocol or "").upper()
        if protocol not in HTTP_PROTOCOLS:
            return False
        return (self.tls_mode or "").upper() not in ("PASSTHROUGH", "AUTO_PASSTHROUGH")


class Gateway(Struct, frozen=True):
    """An Istio `Gateway` (networking.istio.io) or a Gateway API `Gateway`."""

    name: str
    namespace: str  # "default" when unset
    api_version: str
    selector: Mapping[str, str | None] | None  # Istio: spec.selector (None: absent or empty)
    selector_location: Location  # the selector's first key
    servers: tuple[Server, ...]  # Istio only
    listener_hostnames: tuple[str, ...] | None  # Gateway API only; None: some listener takes any
    location: Location
    ref: str  # Gateway/<ns>/<name>

    @property
    def is_gateway_api(self) -> bool:
        return self.api_version.startswith(GATEWAY_API_GROUP)

    @property
    def selector_text(self) -> str:
        return ",".join(f"{k}={v}" for k, v in sorted((self.selector or {}).items()))

    @property
    def is_egress(self) -> bool:
        """Selects egress gateway pods (`istio: egressgateway`, `app: istio-egressgateway`)."""
        return any(isinstance(v, str) and "egress" in v for v in (self.selector or {}).values())

    @property
    def is_ingress(self) -> bool:
        """An Istio Gateway that selects gateway pods other than egress ones."""
        return not self.is_gateway_api and self.selector is not None and not self.is_egress

    def hosts_offered_to(self, vs_namespace: str) -> list[str] | None:
        """Hosts the Gateway offers to VirtualServices of a namespace; None = all hosts."""
        if self.is_gateway_api:
            return None if self.listener_hostnames is None else list(self.listener_hostnames)
        return [h.dns_name for s in self.servers for h in s.hosts
                if h.offered_to(vs_namespace, self.namespace)]


class GatewayRef(Struct, frozen=True):
    """A gateway name in a VirtualService: `spec.gateways[]` or a route's `match[].gateways`."""

    written: str
    location: Location
    top_level: bool  # spec.gateways (not a route match)
    namespace: str  # resolved: `ns/name`, else the VirtualService's namespace
    name: str

    @property
    def key(self) -> tuple[str, str]:
        return self.namespace, self.name


class VirtualService(Struct, frozen=True):
    name: str
    namespace: str  # "default" when unset
    hosts: tuple[str, ...]
    gateway_refs: tuple[GatewayRef, ...]
    location: Location
    ref: str


class KialiExpectation(Struct, frozen=True):
    """A gateway Kiali looks for: pods labelled `label_key=label_value` in `namespace`."""

    description: str  # app=istio-ingressgateway, istio=ingressgateway, ...
    namespace: str | None
    label_key: str
    label_value: str | None
    core: bool  # Kiali reports the mesh unhealthy when a core component is missing

    def met_by(self, namespace: object, labels: Mapping) -> bool:
            return namespace == self.namespace and text(labels.get(self.label_key)) == self.label_value


class KialiInstall(Struct, frozen=True):
    """A Kiali the scope runs, its server configuration and how it detects gateways."""

    name: str
    object: str
    location: Location
    version: str | None  # effective version
    config: Mapping | None  # its configuration ({} = defaults; None = not readable)
    detection: str | None  # static | app-label | label | any-namespace; None: not known
    expectations: tuple[KialiExpectation, ...]  # what it looks for (empty unless detection is one that looks)
