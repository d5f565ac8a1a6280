"""Helm sources: ``helm template`` with the app's value files, values and parameters.

The command line is built as Argo CD builds it (``--include-crds`` unless ``skipCrds``, value
files relative to the chart, then inline values, then ``--set``), and each rendered object is
traced back to its template through Helm's ``# Source:`` comments.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

import yaml

from gitsync.errors import InvalidInputError
from gitsync.model.application import HelmSource
from gitsync.model.yamldoc import Document
from gitsync.source.manifests import Manifest, parse_stream
from gitsync.source.paths import resolve_inside
from gitsync.source.proc import run
from gitsync.source.renderers.workcopy import writable_copy

_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$")
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def helm_binary() -> str:
    """The path of ``helm``; a clear error when it is not installed."""
    helm = shutil.which("helm")
    if helm is None:
        raise InvalidInputError("rendering a Helm chart needs the helm binary, which is not on "
                                "PATH", hint="install Helm 3 (https://helm.sh/docs/intro/"
                                             "install/), or commit rendered manifests instead")
    return helm


def render(src: Path, repo: Path, options: HelmSource | None, *, release: str,
           namespace: str) -> list[Manifest]:
    """The objects ``helm template`` renders from the chart in ``src``."""
    helm = helm_binary()
    opts = options or HelmSource()
    rel = src.relative_to(repo).as_posix()
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gitsync-helm-")))
        chart, root = src, repo
        if needs_dependency_build(src):
            # `helm dependency build` writes charts/ into the chart: only a copy may change
            root = stack.enter_context(writable_copy(repo))
            chart = root / rel
            run([helm, "dependency", "build", str(chart)], cwd=chart,
                what=f"helm dependency build {rel}")
        inline = inline_values(opts)
        values_file = scratch / "values.yaml"
        if inline:
            values_file.write_text(inline)
        args = template_args(opts, chart=chart, repo=root, release=release,
                             namespace=namespace, values_file=values_file if inline else None)
        out = run([helm, *args], cwd=chart, what=f"helm template {rel}")
    return split_output(out, rel)


def needs_dependency_build(chart: Path) -> bool:
    """True when Chart.yaml declares dependencies that ``charts/`` does not hold yet."""
    try:
        meta = yaml.safe_load((chart / "Chart.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return False  # helm template reports a broken Chart.yaml better than we can
    deps = meta.get("dependencies") if isinstance(meta, dict) else None
    return bool(deps) and not (chart / "charts").is_dir()


def inline_values(opts: HelmSource) -> str:
    """``valuesObject`` (which wins, as in Argo CD) or ``values``, as YAML text."""
    if opts.values_object:
        return json.dumps(opts.values_object)
    return opts.values


def template_args(opts: HelmSource, *, chart: Path, repo: Path, release: str, namespace: str,
                  values_file: Path | None) -> list[str]:
    """The arguments of ``helm template`` for ``chart`` inside ``repo``."""
    args = ["template", str(chart), "--name-template", opts.release_name or release]
    if namespace:
        args += ["--namespace", namespace]
    if not opts.skip_crds:
        args.append("--include-crds")
    for value_file in opts.value_files:
        path = _value_file(value_file, chart, repo, opts.ignore_missing_value_files)
        if path is not None:
            args += ["--values", path]
    if values_file is not None:
        args += ["--values", str(values_file)]
    for p in opts.parameters:
        # helm splits --set on commas; a literal comma in a value must reach it escaped
        value = _UNESCAPED_COMMA.sub(r"\\,", p.value)
        args += ["--set-string" if p.force_string else "--set", f"{p.name}={value}"]
    return args


def _value_file(name: str, chart: Path, repo: Path, ignore_missing: bool) -> str | None:
    if re.match(r"^https?://", name):
        return name
    path = resolve_inside(repo, chart, name, "helm value file")
    if not path.is_file():
        if ignore_missing:
            return None
        raise InvalidInputError(f"helm value file '{name}' not found",
                                hint="fix spec.source.helm.valueFiles, or set "
                                     "ignoreMissingValueFiles: true")
    return str(path)


def split_output(text: str, rel: str) -> list[Manifest]:
    """Rendered objects, each attributed to its template file (``<path>/templates/x.yaml``)."""
    sources: list[tuple[int, str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        found = _SOURCE.match(line)
        if found:
            # Helm names the chart by its Chart.yaml name; the repository path is clearer
            _, _, inner = found.group(1).partition("/")
            sources.append((n, f"{rel}/{inner}" if rel != "." else inner))
    out: list[Manifest] = []
    counts: dict[str, int] = {}
    for m in parse_stream(text, f"helm template {rel}"):
        file = next((s for n, s in reversed(sources) if n < m.doc.line), m.file)
        index = counts.get(file, 0)
        counts[file] = index + 1
        out.append(_renamed(m, file, index))
    return out


def _renamed(m: Manifest, file: str, index: int) -> Manifest:
    # line numbers of the rendered stream mean nothing in the template file: none is kept
    return Manifest(m.value, file, Document(m.doc.value, index, 0), m.at)
