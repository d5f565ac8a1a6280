"""Kubeconfig loading and the mapping of an Application's destination to a context.

Files come from ``--kubeconfig``, else every file of ``$KUBECONFIG``, else ``~/.kube/config``,
merged as kubectl merges them (the first file to define a name wins, and the first
``current-context`` set wins). Inside a pod without a kubeconfig, the service account is used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from gitsync.errors import InvalidInputError
from gitsync.kube.client import Cluster
from gitsync.kube.policy import ClusterOptions
from gitsync.model.application import IN_CLUSTER, Destination

#: where a pod's service account credentials are mounted
SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
#: Argo CD's name for the cluster it runs in
IN_CLUSTER_NAME = "in-cluster"


@dataclass(frozen=True)
class KubeContext:
    """One kubeconfig context: the cluster (and its server URL), user and default namespace."""

    name: str
    cluster: str
    server: str
    user: str = ""
    namespace: str = ""


@dataclass(frozen=True)
class Kubeconfig:
    """The merged kubeconfig files: contexts in file order, and the current one."""

    paths: tuple[Path, ...] = ()
    contexts: dict[str, KubeContext] = field(default_factory=dict)
    current: str = ""

    def describe(self) -> str:
        """``name (server), ...`` for error messages."""
        return ", ".join(f"{c.name} ({c.server or 'no server'})" for c in self.contexts.values())


def kubeconfig_paths(explicit: Path | str | None = None,
                     environ: Mapping[str, str] | None = None) -> list[Path]:
    """The files to read, as kubectl picks them; only files that exist."""
    env = os.environ if environ is None else environ
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise InvalidInputError(f"kubeconfig {path} does not exist",
                                    hint="point --kubeconfig at an existing file")
        return [path]
    if env.get("KUBECONFIG"):
        candidates = [Path(p).expanduser() for p in env["KUBECONFIG"].split(os.pathsep) if p]
    else:
        candidates = [Path.home() / ".kube" / "config"]
    return list(dict.fromkeys(p for p in candidates if p.is_file()))


def load_kubeconfig(paths: list[Path]) -> Kubeconfig:
    """Read and merge kubeconfig files; a malformed file is an error naming it."""
    clusters: dict[str, str] = {}
    contexts: dict[str, dict[str, Any]] = {}
    current = ""
    for path in paths:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise InvalidInputError(f"cannot read kubeconfig {path}: {exc}") from None
        if not isinstance(doc, dict):
            raise InvalidInputError(f"kubeconfig {path} is not a mapping")
        for entry in _named(doc, "clusters", path):
            clusters.setdefault(entry["name"], str((entry.get("cluster") or {}).get("server", "")))
        for entry in _named(doc, "contexts", path):
            contexts.setdefault(entry["name"], entry.get("context") or {})
        current = current or str(doc.get("current-context") or "")
    out = {name: KubeContext(name, str(c.get("cluster", "")),
                             clusters.get(str(c.get("cluster", "")), ""),
                             str(c.get("user", "")), str(c.get("namespace", "")))
           for name, c in contexts.items()}
    return Kubeconfig(tuple(paths), out, current)


def _named(doc: dict[str, Any], section: str, path: Path) -> list[dict[str, Any]]:
    entries = doc.get(section) or []
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("name"), str) for e in entries):
        raise InvalidInputError(f"kubeconfig {path}: {section} must be a list of named entries")
    return entries


def in_pod(environ: Mapping[str, str] | None = None) -> bool:
    """Running in a pod with a service account, as client-go's InClusterConfig checks."""
    env = os.environ if environ is None else environ
    return bool(env.get("KUBERNETES_SERVICE_HOST")) and (SERVICE_ACCOUNT_DIR / "token").is_file()


def resolve_context(kc: Kubeconfig, destination: Destination | None,
                    context: str | None = None) -> str:
    """The context serving ``destination``; "" means the pod's in-cluster config."""
    if context and context not in kc.contexts:
        raise InvalidInputError(f'context "{context}" is not in the kubeconfig '
                                f"(contexts: {kc.describe() or 'none'})",
                                hint="pick one of the listed contexts")
    home = context or kc.current
    dest = destination or Destination(server=IN_CLUSTER)
    if dest.name:
        if dest.name in kc.contexts:
            return dest.name
        by_cluster = [c.name for c in kc.contexts.values() if c.cluster == dest.name]
        if by_cluster:
            return home if home in by_cluster else by_cluster[0]
    if dest.name == IN_CLUSTER_NAME or (not dest.name and _same_server(dest.server, IN_CLUSTER)):
        if home in kc.contexts:
            return home
        if not kc.contexts and in_pod():
            return ""
    elif dest.server:
        by_server = [c.name for c in kc.contexts.values() if _same_server(c.server, dest.server)]
        if by_server:
            return home if home in by_server else by_server[0]
    raise InvalidInputError(
        f'no kubeconfig context serves destination "{dest}" '
        f"(contexts: {kc.describe() or 'none'})",
        hint="name a context or cluster in spec.destination.name, or a cluster's server URL "
             "in spec.destination.server; --kubeconfig and KUBECONFIG choose the files")


def _same_server(a: str, b: str) -> bool:
    def norm(url: str) -> tuple[str, str, int | None, str]:
        u = urlsplit(url.strip().rstrip("/"))
        # https://host and https://host:443 are one server
        port = None if u.port == {"https": 443, "http": 80}.get(u.scheme) else u.port
        return u.scheme.lower(), (u.hostname or "").lower(), port, u.path
    try:
        return bool(a) and norm(a) == norm(b)
    except ValueError:
        return False


def connect(destination: Destination | None = None, *, kubeconfig: Path | str | None = None,
            context: str | None = None, options: ClusterOptions | None = None) -> Cluster:
    """A Cluster for ``destination`` (None: the current or ``--context`` context)."""
    paths = kubeconfig_paths(kubeconfig)
    if not paths and not in_pod():
        looked = os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")
        raise InvalidInputError(f"no kubeconfig found (looked at {looked})",
                                hint="pass --kubeconfig, set KUBECONFIG, or create "
                                     "~/.kube/config (kubectl config set-cluster ...)")
    kc = load_kubeconfig(paths)
    name = resolve_context(kc, destination, context)
    opts = options or ClusterOptions()
    from kubernetes.client import ApiClient, Configuration  # lazy: a heavy import
    from kubernetes.config import ConfigException, load_kube_config
    from kubernetes.config.incluster_config import InClusterConfigLoader

    cfg = Configuration()
    # one pooled connection per worker, plus room for a watch or two
    cfg.connection_pool_maxsize = opts.workers + 4
    try:
        if name:
            load_kube_config(config_file=os.pathsep.join(map(str, kc.paths)), context=name,
                             client_configuration=cfg, persist_config=False)  # type: ignore[no-untyped-call]
            namespace = kc.contexts[name].namespace
        else:
            loader = InClusterConfigLoader(  # type: ignore[no-untyped-call]
                token_filename=str(SERVICE_ACCOUNT_DIR / "token"),
                cert_filename=str(SERVICE_ACCOUNT_DIR / "ca.crt"))
            loader.load_and_set(cfg)  # type: ignore[no-untyped-call]
            ns_file = SERVICE_ACCOUNT_DIR / "namespace"
            namespace = ns_file.read_text().strip() if ns_file.is_file() else ""
    except (ConfigException, OSError, ValueError, TypeError, KeyError) as exc:
        where = f'context "{name}"' if name else "the in-cluster service account"
        raise InvalidInputError(f"cannot load {where}: {exc}",
                                hint="check the kubeconfig's cluster and user entries") from None
    api = ApiClient(cfg)
    from gitsync import __version__
    api.user_agent = f"gitsync/{__version__}"
    return Cluster(api, context=name or IN_CLUSTER_NAME, namespace=namespace, options=opts)
