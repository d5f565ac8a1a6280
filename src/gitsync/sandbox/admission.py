"""Admission of a write: decode against the schema, default, validate — in the server's order."""

from __future__ import annotations

import ipaddress
import itertools
from typing import TYPE_CHECKING, Any

from gitsync.sandbox.defaults import apply_defaults
from gitsync.sandbox.errors import invalid
from gitsync.sandbox.validation import check_schema, duplicate_fields, validate

if TYPE_CHECKING:
    from gitsync.sandbox.cluster import Cluster
    from gitsync.sandbox.registry import ResourceType

#: the Service cluster IP range of a default cluster; .1 is the ``kubernetes`` Service
SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORTS = (30000, 32767)


class Allocator:
    """Hands out Service cluster IPs and node ports, skipping values already in use."""

    def __init__(self) -> None:
        self._ips = (str(SERVICE_CIDR[i]) for i in itertools.count(10))
        self._ports = itertools.cycle(range(NODE_PORTS[0], NODE_PORTS[1] + 1))
        self.used_ips: set[str] = set()
        self.used_ports: set[int] = set()

    def ip(self, family: str) -> str:
        if family == "IPv6":
            family = "IPv4"  # single-stack cluster: IPv4 only, as a default kind cluster
        for ip in self._ips:
            if ip not in self.used_ips:
                self.used_ips.add(ip)
                return ip
        raise RuntimeError("service IP range exhausted")  # pragma: no cover - 1M addresses

    def node_port(self) -> int:
        for _ in range(NODE_PORTS[1] - NODE_PORTS[0] + 1):
            port = next(self._ports)
            if port not in self.used_ports:
                self.used_ports.add(port)
                return port
        raise RuntimeError("node port range exhausted")


def admit(cluster: Cluster, rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None,
          field_validation: str, subresource: str = "", raw_body: bytes | None = None
          ) -> list[str]:
    """Check and default ``obj`` in place; return warnings; raise ApiError when refused."""
    schema = cluster.schema(rt)
    gvk = rt.gvk
    warnings: list[str] = []
    causes = []
    if schema is not None:
        dups = duplicate_fields(raw_body) if raw_body and field_validation != "Ignore" else ()
        report = check_schema(obj, schema, mode=field_validation, custom=rt.custom,
                              duplicates=dups)
        err = report.error(gvk)
        if err is not None:
            raise err
        warnings = report.warnings
        causes.extend(report.causes)
    if subresource != "status":
        apply_defaults(gvk, obj, schema, old=old, allocate_ip=cluster.allocator.ip,
                       allocate_node_port=cluster.allocator.node_port, custom=rt.custom)
        causes.extend(validate(gvk, obj, old, namespaced=rt.namespaced))
    if causes:
        name = (obj.get("metadata") or {}).get("name") or ""
        raise invalid(rt.kind, rt.group, name, causes)
    return warnings
