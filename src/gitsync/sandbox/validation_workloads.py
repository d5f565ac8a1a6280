"""Validation of workloads (apps/v1, batch/v1) as ``pkg/apis/{apps,batch}/validation`` does it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gitsync.sandbox import fielderr as fe
from gitsync.sandbox import formats as fm
from gitsync.sandbox.errors import Cause
from gitsync.sandbox.validation_meta import (
    Obj,
    d,
    lst,
    s,
    selector_empty,
    selector_matches,
    selector_valid,
    validate_annotations,
    validate_label_selector,
    validate_labels,
)
from gitsync.sandbox.validation_pods import validate_pod_template

Check = Callable[[Obj, Obj | None], list[Cause]]

_MISMATCH = "`selector` does not match template `labels`"
STS_FORBIDDEN = ("updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                 "'template', 'updateStrategy', 'revisionHistoryLimit', "
                 "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")
_STS_UPDATABLE = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                  "persistentVolumeClaimRetentionPolicy", "minReadySeconds")


def normalized(v: Any) -> Any:
    """A value with empty members dropped: Go's semantic equality treats nil and empty alike."""
    if isinstance(v, dict):
        out = {k: normalized(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x not in (None, "", [], {})}
    if isinstance(v, list):
        return [normalized(x) for x in v]
    return v


def _selector_repr(sel: Any) -> fe.GoRepr:
    return fe.GoRepr(fe.go_label_selector(d(sel)))


def _int_or_percent(value: Any) -> tuple[int, bool]:
    if isinstance(value, str):
        if fm.is_valid_percent(value):
            return 0, False
        return int(value[:-1]), True
    return (value if isinstance(value, int) else 0), False


def _positive_int_or_percent(value: Any, path: str) -> list[Cause]:
    if value is None:
        return []
    if isinstance(value, str):
        return fe.each(fm.is_valid_percent(value), path, fe.GoRepr(value))
    return fe.nonnegative(value, path)


def _not_over_100(value: Any, path: str) -> list[Cause]:
    v, is_percent = _int_or_percent(value)
    if is_percent and v > 100:
        return [fe.invalid(path, fe.GoRepr(str(value)), "must not be greater than 100%")]
    return []


def _template_for_selector(spec: Obj, path: str, kind_word: str,
                           restart: tuple[str, ...] = ("Always",)) -> list[Cause]:
    """``ValidatePodTemplateSpecForReplicaSet``: labels must match, pods restart Always."""
    out: list[Cause] = []
    sel = spec.get("selector")
    template = d(spec.get("template"))
    labels = d(template.get("metadata")).get("labels")
    tpath = fe.child(path, "template")
    if sel is None or (not selector_empty(sel) and not selector_matches(sel, labels)):
        out.append(fe.invalid(fe.child(tpath, "metadata", "labels"), d(labels), _MISMATCH))
    out += validate_pod_template(template, tpath)
    tspec = d(template.get("spec"))
    policy = tspec.get("restartPolicy", "")
    if policy not in restart:
        out.append(fe.not_supported(fe.child(tpath, "spec", "restartPolicy"), policy, restart))
    if tspec.get("activeDeadlineSeconds") is not None and restart == ("Always",):
        out.append(fe.forbidden(fe.child(tpath, "spec", "activeDeadlineSeconds"),
                                f"activeDeadlineSeconds in {kind_word} is not Supported"))
    return out


def _selector_required(spec: Obj, path: str, word: str) -> list[Cause]:
    sel = spec.get("selector")
    p = fe.child(path, "selector")
    if sel is None:
        return [fe.required(p)]
    out = validate_label_selector(sel, p)
    if selector_empty(sel):
        out.append(fe.invalid(p, _selector_repr(sel), f"empty selector is invalid for {word}"))
    return out


def _selector_immutable(obj: Obj, old: Obj | None) -> list[Cause]:
    if old is None:
        return []
    new_sel, old_sel = d(obj.get("spec")).get("selector"), d(old.get("spec")).get("selector")
    if new_sel != old_sel and normalized(new_sel) != normalized(old_sel):
        return [fe.immutable("spec.selector", _selector_repr(new_sel))]
    return []


# -- apps/v1 ------------------------------------------------------------------------------------

def deployment(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = d(obj.get("spec"))
    out = fe.nonnegative(spec.get("replicas", 0), "spec.replicas")
    out += _selector_required(spec, "spec", "deployment")
    if not selector_valid(spec.get("selector")):
        out.append(fe.invalid("spec.selector", _selector_repr(spec.get("selector")),
                              "invalid label selector"))
    else:
        out += _template_for_selector(spec, "spec", "ReplicaSet")
    out += _deployment_strategy(d(spec.get("strategy")), "spec.strategy")
    out += fe.nonnegative(spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    out += fe.nonnegative(spec.get("revisionHistoryLimit", 0), "spec.revisionHistoryLimit")
    pds = spec.get("progressDeadlineSeconds")
    if isinstance(pds, int):
        out += fe.nonnegative(pds, "spec.progressDeadlineSeconds")
        if pds <= spec.get("minReadySeconds", 0):
            out.append(fe.invalid("spec.progressDeadlineSeconds", pds,
                                  "must be greater than minReadySeconds"))
    return out + _selector_immutable(obj, old)


def _deployment_strategy(strategy: Obj, path: str) -> list[Cause]:
    t = strategy.get("type", "")
    ru = strategy.get("rollingUpdate")
    if t == "Recreate":
        if ru is not None:
            return [fe.forbidden(fe.child(path, "rollingUpdate"),
                                 "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if t == "RollingUpdate":
        if ru is None:
            return [fe.required(fe.child(path, "rollingUpdate"),
                                "this should be defaulted and never be nil")]
        ru = d(ru)
        rp = fe.child(path, "rollingUpdate")
        mu, ms = ru.get("maxUnavailable", 0), ru.get("maxSurge", 0)
        out = _positive_int_or_percent(mu, fe.child(rp, "maxUnavailable"))
        out += _positive_int_or_percent(ms, fe.child(rp, "maxSurge"))
        if _int_or_percent(mu)[0] == 0 and _int_or_percent(ms)[0] == 0:
            out.append(fe.invalid(fe.child(rp, "maxUnavailable"), fe.GoRepr(str(mu)),
                                  "may not be 0 when `maxSurge` is 0"))
        return out + _not_over_100(mu, fe.child(rp, "maxUnavailable"))
    ptr = "(*apps.RollingUpdateDeployment)(nil)" if ru is None else \
        "(*apps.RollingUpdateDeployment)(0xc000000000)"
    value = fe.GoRepr(f"apps.DeploymentStrategy{{Type:{fe.go_quote(t)}, RollingUpdate:{ptr}}}")
    return [fe.not_supported(path, value, ("Recreate", "RollingUpdate"))]


def replica_set(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = d(obj.get("spec"))
    out = fe.nonnegative(spec.get("replicas", 0), "spec.replicas")
    out += fe.nonnegative(spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    out += _selector_required(spec, "spec", "deployment")
    if not selector_valid(spec.get("selector")):
        out.append(fe.invalid("spec.selector", _selector_repr(spec.get("selector")),
                              "invalid label selector"))
    else:
        out += _template_for_selector(spec, "spec", "ReplicaSet")
    return out + _selector_immutable(obj, old)


def daemon_set(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = d(obj.get("spec"))
    sel = spec.get("selector")
    out = validate_label_selector(sel, "spec.selector") if sel is not None else []
    template = d(spec.get("template"))
    labels = d(template.get("metadata")).get("labels")
    if selector_valid(sel) and (sel is None or not selector_matches(sel, labels)):
        out.append(fe.invalid("spec.template.metadata.labels", d(labels), _MISMATCH))
    if sel is not None and selector_empty(sel):
        out.append(fe.invalid("spec.selector", _selector_repr(sel),
                              "empty selector is invalid for daemonset"))
    out += validate_pod_template(template, "spec.template")
    tspec = d(template.get("spec"))
    policy = tspec.get("restartPolicy", "")
    if policy != "Always":
        out.append(fe.not_supported("spec.template.spec.restartPolicy", policy, ["Always"]))
    if tspec.get("activeDeadlineSeconds") is not None:
        out.append(fe.forbidden("spec.template.spec.activeDeadlineSeconds",
                                "activeDeadlineSeconds in DaemonSet is not Supported"))
    out += fe.nonnegative(spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    out += _daemon_set_strategy(d(spec.get("updateStrategy")), "spec.updateStrategy")
    out += fe.nonnegative(spec.get("revisionHistoryLimit", 0), "spec.revisionHistoryLimit")
    return out + _selector_immutable(obj, old)


def _daemon_set_strategy(strategy: Obj, path: str) -> list[Cause]:
    t = strategy.get("type", "")
    if t == "OnDelete":
        return []
    if t == "RollingUpdate":
        if strategy.get("rollingUpdate") is None:
            return [fe.required(fe.child(path, "rollingUpdate"))]
        ru = d(strategy["rollingUpdate"])
        rp = fe.child(path, "rollingUpdate")
        mu, ms = ru.get("maxUnavailable", 0), ru.get("maxSurge", 0)
        out = _positive_int_or_percent(mu, fe.child(rp, "maxUnavailable"))
        out += _positive_int_or_percent(ms, fe.child(rp, "maxSurge"))
        out += _not_over_100(mu, fe.child(rp, "maxUnavailable"))
        out += _not_over_100(ms, fe.child(rp, "maxSurge"))
        has_mu, has_ms = _int_or_percent(mu)[0] != 0, _int_or_percent(ms)[0] != 0
        if has_mu and has_ms:
            out.append(fe.invalid(fe.child(rp, "maxSurge"), fe.GoRepr(str(ms)),
                                  "may not be set when maxUnavailable is non-zero"))
        elif not has_mu and not has_ms:
            out.append(fe.required(fe.child(rp, "maxUnavailable"),
                                   "cannot be 0 when maxSurge is 0"))
        return out
    ptr = "(*apps.RollingUpdateDaemonSet)(nil)" if strategy.get("rollingUpdate") is None else \
        "(*apps.RollingUpdateDaemonSet)(0xc000000000)"
    value = fe.GoRepr(f"apps.DaemonSetUpdateStrategy{{Type:{fe.go_quote(t)}, RollingUpdate:{ptr}}}")
    return [fe.not_supported(path, value, ("RollingUpdate", "OnDelete"))]


def stateful_set(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = d(obj.get("spec"))
    out: list[Cause] = []
    pmp = spec.get("podManagementPolicy", "")
    if not pmp:
        out.append(fe.required("spec.podManagementPolicy"))
    elif pmp not in ("OrderedReady", "Parallel"):
        out.append(fe.invalid("spec.podManagementPolicy", pmp,
                              "must be 'OrderedReady' or 'Parallel'"))
    out += _stateful_set_strategy(d(spec.get("updateStrategy")), "spec.updateStrategy")
    policy = spec.get("persistentVolumeClaimRetentionPolicy")
    if policy is not None:
        for name in ("whenDeleted", "whenScaled"):
            value = d(policy).get(name, "")
            if value not in ("Retain", "Delete"):
                out.append(fe.not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{name}",
                                            value, ("Retain", "Delete")))
    out += fe.nonnegative(spec.get("replicas", 0), "spec.replicas")
    out += fe.nonnegative(spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    if spec.get("ordinals") is not None:
        out += fe.nonnegative(d(spec["ordinals"]).get("start", 0), "spec.ordinals.start")
    out += _selector_required(spec, "spec", "statefulset")
    sel = spec.get("selector")
    template = d(spec.get("template"))
    if not selector_valid(sel):
        out.append(fe.invalid("spec.selector", _selector_repr(sel), ""))
    else:
        labels = d(template.get("metadata")).get("labels")
        if sel is None or (not selector_empty(sel) and not selector_matches(sel, labels)):
            out.append(fe.invalid("spec.template.metadata.labels", d(labels), _MISMATCH))
        meta = d(template.get("metadata"))
        out += validate_labels(meta.get("labels"), "spec.template.labels")
        out += validate_annotations(meta.get("annotations"), "spec.template.annotations")
    tspec = d(template.get("spec"))
    if tspec.get("restartPolicy", "") != "Always":
        out.append(fe.not_supported("spec.template.spec.restartPolicy",
                                    tspec.get("restartPolicy", ""), ["Always"]))
    if tspec.get("activeDeadlineSeconds") is not None:
        out.append(fe.forbidden("spec.template.spec.activeDeadlineSeconds",
                                "activeDeadlineSeconds in StatefulSet is not Supported"))
    if old is not None:
        new_rest = {k: v for k, v in spec.items() if k not in _STS_UPDATABLE}
        old_rest = {k: v for k, v in d(old.get("spec")).items() if k not in _STS_UPDATABLE}
        if normalized(new_rest) != normalized(old_rest):
            out.append(fe.forbidden("spec", STS_FORBIDDEN))
    return out


def _stateful_set_strategy(strategy: Obj, path: str) -> list[Cause]:
    t = strategy.get("type", "")
    ru = strategy.get("rollingUpdate")
    if not t:
        return [fe.required(path)]
    if t == "OnDelete":
        if ru is not None:
            value = fe.GoRepr(_sts_rolling_repr(d(ru)))
            return [fe.invalid(fe.child(path, "rollingUpdate"), value,
                               "only allowed for updateStrategy 'RollingUpdate'")]
        return []
    if t == "RollingUpdate":
        if ru is None:
            return []
        ru = d(ru)
        rp = fe.child(path, "rollingUpdate")
        out = fe.nonnegative(ru.get("partition", 0), fe.child(rp, "partition"))
        mu = ru.get("maxUnavailable")
        if mu is not None:
            out += _positive_int_or_percent(mu, fe.child(rp, "maxUnavailable"))
            if _int_or_percent(mu)[0] == 0:
                out.append(fe.invalid(fe.child(rp, "maxUnavailable"), fe.GoRepr(str(mu)),
                                      "cannot be 0"))
            out += _not_over_100(mu, fe.child(rp, "maxUnavailable"))
        return out
    ptr = "(*apps.RollingUpdateStatefulSetStrategy)(nil)" if ru is None else \
        "(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)"
    value = fe.GoRepr(f"apps.StatefulSetUpdateStrategy{{Type:{fe.go_quote(t)}, "
                      f"RollingUpdate:{ptr}}}")
    return [fe.invalid(path, value, "must be 'RollingUpdate' or 'OnDelete'")]


def _sts_rolling_repr(ru: Obj) -> str:
    mu = "(*intstr.IntOrString)(nil)" if ru.get("maxUnavailable") is None else \
        "(*intstr.IntOrString)(0xc000000000)"
    return (f"apps.RollingUpdateStatefulSetStrategy{{Partition:{ru.get('partition', 0)}, "
            f"MaxUnavailable:{mu}}}")


# -- batch/v1 -----------------------------------------------------------------------------------

def _job_spec(spec: Obj, path: str) -> list[Cause]:
    """``validateJobSpec``: what Jobs and CronJob job templates share."""
    out: list[Cause] = []
    for name in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                 "ttlSecondsAfterFinished"):
        if spec.get(name) is not None:
            out += fe.nonnegative(spec[name], fe.child(path, name))
    mode = spec.get("completionMode")
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        out.append(fe.not_supported(fe.child(path, "completionMode"), mode,
                                    ("NonIndexed", "Indexed")))
    if mode == "Indexed" and spec.get("completions") is None:
        out.append(fe.required(fe.child(path, "completions"),
                               "when completion mode is Indexed"))
    prp = spec.get("podReplacementPolicy")
    if prp is not None and prp not in ("TerminatingOrFailed", "Failed"):
        out.append(fe.not_supported(fe.child(path, "podReplacementPolicy"), prp,
                                    ("Failed", "TerminatingOrFailed")))
    template = d(spec.get("template"))
    out += validate_pod_template(template, fe.child(path, "template"))
    policy = d(template.get("spec")).get("restartPolicy", "")
    if policy not in ("OnFailure", "Never"):
        out.append(fe.not_supported(fe.child(path, "template", "spec", "restartPolicy"), policy,
                                    ("OnFailure", "Never")))
    elif policy == "OnFailure" and spec.get("podFailurePolicy") is not None:
        out.append(fe.invalid(fe.child(path, "template", "spec", "restartPolicy"), policy,
                              'only "Never" is supported when podFailurePolicy is specified'))
    return out


def job(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = d(obj.get("spec"))
    meta = d(obj.get("metadata"))
    out: list[Cause] = []
    sel = spec.get("selector")
    if not spec.get("manualSelector") and sel is not None and not s(meta.get("uid")):
        out.append(fe.required("metadata.uid"))
    out += _job_spec(spec, "spec")
    if sel is None:
        out.append(fe.required("spec.selector"))
    else:
        out += validate_label_selector(sel, "spec.selector")
    labels = d(d(spec.get("template")).get("metadata")).get("labels")
    if selector_valid(sel) and (sel is None or not selector_matches(sel, labels)):
        out.append(fe.invalid("spec.template.metadata.labels", d(labels), _MISMATCH))
    if old is not None:
        ospec = d(old.get("spec"))
        if spec.get("completions") != ospec.get("completions") and not (
                spec.get("completionMode") == "Indexed" and
                spec.get("completions") == spec.get("parallelism")):
            out.append(fe.immutable("spec.completions", spec.get("completions")))
        out += _selector_immutable(obj, old)
        if normalized(spec.get("template")) != normalized(ospec.get("template")):
            out.append(fe.immutable("spec.template", fe.GoRepr("core.PodTemplateSpec{...}")))
        for name in ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy",
                     "successPolicy", "podReplacementPolicy"):
            if normalized(spec.get(name)) != normalized(ospec.get(name)):
                value = spec.get(name)
                out.append(fe.immutable(f"spec.{name}", value if not isinstance(value, dict)
                                        else fe.GoRepr(f"batch.{name}{{...}}")))
    return out


_CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
                ("day of week", 0, 6))
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_DAYS = {dname: i for i, dname in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


def cron_error(schedule: str) -> str | None:
    """What robfig/cron's standard parser says about a schedule (None when it parses)."""
    spec = schedule.strip()
    if spec.startswith(("TZ=", "CRON_TZ=")):
        _, _, spec = spec.partition(" ")
        spec = spec.strip()
    if spec.startswith("@"):
        if spec in _DESCRIPTORS or spec.startswith("@every "):
            return None
        return f"unrecognized descriptor: {spec}"
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: {schedule}"
    for (_, lo, hi), text in zip(_CRON_FIELDS, fields, strict=True):
        names = _MONTHS if hi == 12 else _DAYS if hi == 6 else {}
        for expr in text.split(","):
            err = _cron_range(expr, lo, hi, names)
            if err:
                return err
    return None


def _cron_range(expr: str, lo: int, hi: int, names: dict[str, int]) -> str | None:
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    if len(low_and_high) > 2:
        return f"too many hyphens: {expr}"
    if len(range_and_step) > 2:
        return f"too many slashes: {expr}"

    def num(text: str) -> int | str:
        if text.lower() in names:
            return names[text.lower()]
        if not text.isdigit():
            return f"failed to parse int from {text}: strconv.Atoi: parsing {fe.go_quote(text)}: " \
                   "invalid syntax"
        return int(text)

    if low_and_high[0] in ("*", "?"):
        start, end = lo, hi
    else:
        first = num(low_and_high[0])
        if isinstance(first, str):
            return first
        start = end = first
        if len(low_and_high) == 2:
            second = num(low_and_high[1])
            if isinstance(second, str):
                return second
            end = second
    if len(range_and_step) == 2:
        step = num(range_and_step[1])
        if isinstance(step, str):
            return step
        if step <= 0:
            return f"step of range should be a positive number: {expr}"
        if len(low_and_high) == 1 and low_and_high[0] not in ("*", "?"):
            end = hi
    if start < lo:
        return f"beginning of range ({start}) below minimum ({lo}): {expr}"
    if end > hi:
        return f"end of range ({end}) above maximum ({hi}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    return None


def cron_job(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = d(obj.get("spec"))
    out: list[Cause] = []
    name = s(d(obj.get("metadata")).get("name"))
    if old is None and len(name) > 52:
        out.append(fe.invalid("metadata.name", name, "must be no more than 52 characters"))
    schedule = s(spec.get("schedule"))
    if not schedule:
        out.append(fe.required("spec.schedule"))
    else:
        err = cron_error(schedule)
        if err:
            out.append(fe.invalid("spec.schedule", schedule, err))
        elif "TZ" in schedule and old is None:
            out.append(fe.invalid("spec.schedule", schedule,
                                  "cannot use TZ or CRON_TZ in schedule, use timeZone field "
                                  "instead"))
    if spec.get("startingDeadlineSeconds") is not None:
        out += fe.nonnegative(spec["startingDeadlineSeconds"], "spec.startingDeadlineSeconds")
    policy = spec.get("concurrencyPolicy", "")
    if not policy:
        out.append(fe.required("spec.concurrencyPolicy"))
    elif policy not in ("Allow", "Forbid", "Replace"):
        out.append(fe.not_supported("spec.concurrencyPolicy", policy,
                                    ("Allow", "Forbid", "Replace")))
    for name in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        if spec.get(name) is not None:
            out += fe.nonnegative(spec[name], f"spec.{name}")
    jt = d(spec.get("jobTemplate"))
    jmeta = d(jt.get("metadata"))
    out += validate_labels(jmeta.get("labels"), "spec.jobTemplate.labels")
    out += validate_annotations(jmeta.get("annotations"), "spec.jobTemplate.annotations")
    jspec = d(jt.get("spec"))
    out += _job_spec(jspec, "spec.jobTemplate.spec")
    if jspec.get("selector") is not None:
        out.append(fe.invalid("spec.jobTemplate.spec.selector", _selector_repr(jspec["selector"]),
                              "`selector` will be auto-generated"))
    if jspec.get("manualSelector"):
        out.append(fe.not_supported("spec.jobTemplate.spec.manualSelector", True,
                                    ("nil", "false")))
    return out


CHECKS: dict[tuple[str, str], Check] = {
    ("apps", "Deployment"): deployment,
    ("apps", "ReplicaSet"): replica_set,
    ("apps", "DaemonSet"): daemon_set,
    ("apps", "StatefulSet"): stateful_set,
    ("batch", "Job"): job,
    ("batch", "CronJob"): cron_job,
}

__all__ = ["CHECKS", "STS_FORBIDDEN", "cron_error", "lst", "normalized"]
