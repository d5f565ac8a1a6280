"""Application and AppProject manifests: accepted unchanged, bad ones named by file:line:field."""

from __future__ import annotations

import textwrap

import pytest

from gitsync.errors import InvalidInputError
from gitsync.model.application import parse_duration
from gitsync.model.catalog import build_catalog
from gitsync.model.yamldoc import parse_documents

APP = textwrap.dedent("""\
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: shop-prod
      namespace: argocd
    spec:
      project: shop
      source:
        repoURL: https://git.example.com/shop.git
        targetRevision: v1.4.0
        path: apps/shop/overlays/prod
        kustomize:
          images: [shop/api:1.4.0]
          namePrefix: prod-
          commonLabels: {team: shop}
      destination:
        name: prod-cluster
        namespace: shop
      syncPolicy:
        syncOptions: [CreateNamespace=true, PrunePropagationPolicy=background]
        retry:
          limit: 5
          backoff: {duration: 10s, factor: 3, maxDuration: 5m}
        managedNamespaceMetadata:
          labels: {env: prod}
      ignoreDifferences:
      - group: apps
        kind: Deployment
        name: api
        jsonPointers: [/spec/replicas]
        jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "x")']
        managedFieldsManagers: [kube-controller-manager]
      revisionHistoryLimit: 3
    """)

PROJECT = textwrap.dedent("""\
    apiVersion: argoproj.io/v1alpha1
    kind: AppProject
    metadata:
      name: shop
    spec:
      sourceRepos: ['https://git.example.com/*']
      destinations:
      - name: prod-cluster
        namespace: shop
      clusterResourceWhitelist:
      - group: ''
        kind: Namespace
      namespaceResourceBlacklist:
      - group: ''
        kind: ResourceQuota
    """)


def catalog(text: str) -> object:
    return build_catalog([("apps/shop.yaml", d) for d in parse_documents(text)])


def test_full_application_is_read() -> None:
    cat = build_catalog([("apps/shop.yaml", d) for d in parse_documents(APP + "---\n" + PROJECT)])
    app = cat.app("shop-prod")
    assert app.project == "shop" and app.namespace == "argocd"
    assert app.source.target_revision == "v1.4.0"
    assert app.source.kustomize is not None
    assert app.source.kustomize.images == ("shop/api:1.4.0",)
    assert app.source.kustomize.common_labels == {"team": "shop"}
    assert app.destination.name == "prod-cluster"
    assert app.sync_policy.sync_options == {"CreateNamespace": "true",
                                            "PrunePropagationPolicy": "background"}
    retry = app.sync_policy.retry
    assert retry is not None and retry.limit == 5
    assert (retry.backoff.duration, retry.backoff.factor, retry.backoff.max_duration) == (
        10.0, 3.0, 300.0)
    assert [retry.delay(n) for n in range(5)] == [10.0, 30.0, 90.0, 270.0, 300.0]
    assert app.sync_policy.describe() == "Manual"
    rule = app.ignore_differences[0]
    assert (rule.group, rule.kind, rule.name, rule.json_pointers) == (
        "apps", "Deployment", "api", ("/spec/replicas",))
    assert app.revision_history_limit == 3
    proj = cat.project(app)
    proj.check_app(app)
    assert proj.resource_violation("", "Namespace", namespaced=False) is None
    assert "clusterResourceWhitelist" in str(proj.resource_violation("rbac.authorization.k8s.io",
                                                                     "ClusterRole", False))
    assert "namespaceResourceBlacklist" in str(proj.resource_violation("", "ResourceQuota",
                                                                       True))
    assert proj.resource_violation("apps", "Deployment", True) is None


def test_defaults() -> None:
    text = textwrap.dedent("""\
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: a}
        spec:
          source: {repoURL: /srv/repo}
          destination: {server: https://kubernetes.default.svc}
          syncPolicy: {automated: {prune: true}}
        """)
    app = build_catalog([("a.yaml", d) for d in parse_documents(text)]).app("a")
    assert (app.project, app.source.path, app.source.target_revision) == ("default", ".", "HEAD")
    assert app.revision_history_limit == 10
    assert app.sync_policy.is_automated
    assert app.sync_policy.describe() == "Automated (Prune)"


def _mutate(old: str, new: str) -> str:
    assert old in APP, old
    return APP.replace(old, new)


BAD = [
    ("wrong-api-version", _mutate("argoproj.io/v1alpha1", "argoproj.io/v1"), 1, "apiVersion",
     'must be "argoproj.io/v1alpha1"'),
    ("no-name", _mutate("  name: shop-prod\n", ""), 3, "metadata.name",
     "required field is missing"),
    ("no-repo", _mutate("    repoURL: https://git.example.com/shop.git\n", ""), 8,
     "spec.source.repoURL", "required field is missing"),
    ("no-source", _mutate("  source:\n", "  sourceX:\n"), 6, "spec.source",
     "required field is missing"),
    ("multi-source", _mutate("  source:\n", "  sources: []\n  source:\n"), 8, "spec.sources",
     "multi-source Applications are not supported"),
    ("chart-source", _mutate("    path: apps/shop/overlays/prod\n", "    chart: shop\n"), 11,
     "spec.source.chart", "chart sources are not supported"),
    ("two-renderers",
     _mutate("    kustomize:\n", "    directory: {recurse: true}\n    kustomize:\n"), 8,
     "spec.source", "only one of directory, kustomize and helm may be set"),
    ("revision-not-string", _mutate("targetRevision: v1.4.0", "targetRevision: [v1]"), 10,
     "spec.source.targetRevision", "must be a string, not a list"),
    ("both-destinations", _mutate("    name: prod-cluster\n",
                                  "    name: prod-cluster\n    server: https://x\n"), 16,
     "spec.destination", "exactly one of server and name must be set"),
    ("no-destination-target", _mutate("    name: prod-cluster\n", ""), 16, "spec.destination",
     "exactly one of server and name must be set"),
    ("unknown-sync-option", _mutate("CreateNamespace=true", "CreateNamespaces=true"), 20,
     "spec.syncPolicy.syncOptions.0", 'unknown sync option "CreateNamespaces"'),
    ("sync-option-no-value", _mutate("CreateNamespace=true", "CreateNamespace"), 20,
     "spec.syncPolicy.syncOptions.0", '"CreateNamespace" is not of the form Name=value'),
    ("sync-option-bad-value", _mutate("PrunePropagationPolicy=background",
                                      "PrunePropagationPolicy=sideways"), 20,
     "spec.syncPolicy.syncOptions.1",
     "PrunePropagationPolicy=sideways is not one of foreground|background|orphan"),
    ("retry-limit-string", _mutate("limit: 5", "limit: five"), 22,
     "spec.syncPolicy.retry.limit", "must be an integer, not a string"),
    ("bad-duration", _mutate("duration: 10s", "duration: soon"), 23,
     "spec.syncPolicy.retry.backoff.duration", '"soon" is not a duration'),
    ("factor-below-one", _mutate("factor: 3", "factor: 0.5"), 23,
     "spec.syncPolicy.retry.backoff.factor", "must be at least 1"),
    ("label-not-string", _mutate("labels: {env: prod}", "labels: {env: [prod]}"), 25,
     "spec.syncPolicy.managedNamespaceMetadata.labels.env", "must be a string, not a list"),
    ("ignore-without-kind", _mutate("    kind: Deployment\n", ""), 27,
     "spec.ignoreDifferences.0.kind", "required field is missing"),
    ("bad-pointer", _mutate("[/spec/replicas]", "[spec/replicas]"), 30,
     "spec.ignoreDifferences.0.jsonPointers.0", '"spec/replicas" is not a JSON pointer'),
    ("history-negative", _mutate("revisionHistoryLimit: 3", "revisionHistoryLimit: -1"), 33,
     "spec.revisionHistoryLimit", "must be at least 0"),
    ("automated-not-mapping", _mutate("  syncPolicy:\n", "  syncPolicy:\n    automated: yes\n"),
     20, "spec.syncPolicy.automated", "must be a mapping, not a boolean"),
    ("self-heal-not-bool", _mutate("  syncPolicy:\n",
                                   "  syncPolicy:\n    automated: {selfHeal: 'yes'}\n"), 20,
     "spec.syncPolicy.automated.selfHeal", "must be true or false, not a string"),
]


@pytest.mark.parametrize(("text", "line", "field", "reason"),
                         [pytest.param(*case[1:], id=case[0]) for case in BAD])
def test_invalid_application_names_file_line_field(text: str, line: int, field: str,
                                                   reason: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        catalog(text)
    message = exc.value.message
    assert message.startswith(f"apps/shop.yaml:{line}: Application ")
    assert f": {field}: " in message
    assert reason in message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [b", "invalid YAML"),
        ("a: 1\na: 2\n", 'duplicate key "a"'),
        ("a: &x [*x]\n", "recursive"),
    ],
    ids=["syntax", "duplicate-key", "recursive-alias"],
)
def test_yaml_errors(text: str, message: str) -> None:
    from gitsync.model.yamldoc import YamlError
    with pytest.raises((YamlError, RecursionError)) as exc:
        parse_documents(text)
    if isinstance(exc.value, YamlError):
        assert message in exc.value.message or message == "recursive"


def test_yaml_bomb_is_bounded() -> None:
    from gitsync.model.yamldoc import YamlError
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i, prev in zip("bcdefghi", "abcdefgh", strict=True):
        bomb += f"{i}: &{i} [{', '.join(['*' + prev] * 10)}]\n"
    with pytest.raises(YamlError, match="refusing to expand it"):
        parse_documents(bomb)


def test_duplicate_application_and_unknown_app() -> None:
    with pytest.raises(InvalidInputError, match="defined twice"):
        build_catalog([("x.yaml", d) for d in parse_documents(APP + "---\n" + APP)])
    cat = build_catalog([("x.yaml", d) for d in parse_documents(APP)])
    with pytest.raises(InvalidInputError, match=r"application nope not found \(found: shop-prod\)"):
        cat.app("nope")
    with pytest.raises(InvalidInputError, match="project shop not found"):
        cat.project(cat.app("shop-prod"))


@pytest.mark.parametrize(
    ("repo", "dest_ns", "fragment"),
    [("https://github.com/x/y.git", "shop", "repository https://github.com/x/y.git is not "
      "permitted in project shop (sourceRepos: https://git.example.com/*)"),
     ("https://git.example.com/shop.git", "other", "destination prod-cluster/other is not "
      "permitted in project shop")],
    ids=["repo", "destination"],
)
def test_project_violations_name_the_rule(repo: str, dest_ns: str, fragment: str) -> None:
    text = APP.replace("https://git.example.com/shop.git", repo).replace(
        "    namespace: shop\n  syncPolicy", f"    namespace: {dest_ns}\n  syncPolicy")
    cat = build_catalog([("x.yaml", d) for d in parse_documents(text + "---\n" + PROJECT)])
    app = cat.app("shop-prod")
    with pytest.raises(InvalidInputError) as exc:
        cat.project(app).check_app(app)
    assert fragment in exc.value.message


@pytest.mark.parametrize(("text", "seconds"), [("5", 5.0), ("5s", 5.0), ("2m", 120.0),
                                               ("1h30m", 5400.0), ("500ms", 0.5),
                                               ("soon", None), ("", None), ("5 s", None)])
def test_durations(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds
