"""``ignoreDifferences``: rules compiled once per run, then matched and applied per resource.

Semantics of Argo CD's ignore normaliser: ``group`` and ``kind`` are globs (an empty group is
the core group only), ``name``/``namespace`` match exactly when set; JSON pointers and jq
path expressions are deleted from both sides, and a path that is not there is no error.
Unlike Argo CD, which logs and skips a failing jq expression, gitsync stops with an error
naming the rule: a rule that silently does nothing makes ``app diff`` lie in CI.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gitsync.diff.jqrun import DEFAULT_TIMEOUT, WORKER, JqError, JqPrograms
from gitsync.diff.pointer import parse_pointer, remove_pointer
from gitsync.errors import InvalidInputError
from gitsync.model.application import IgnoreDifference
from gitsync.model.resource import ResourceKey

__all__ = ["IgnoreRuleError", "IgnoreRules", "ResourceIgnores", "glob_pattern"]


class IgnoreRuleError(InvalidInputError):
    """An ``ignoreDifferences`` rule that is invalid, fails, or runs out of time."""


def glob_pattern(glob: str) -> re.Pattern[str]:
    """A regex for a glob as Argo CD matches them: ``*``, ``?``, ``[a-z]``, ``[!x]``, ``{a,b}``."""
    out, i, depth = [], 0, 0
    while i < len(glob):
        c = glob[i]
        if c == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 1
        elif c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[" and (end := glob.find("]", i + 2)) != -1:
            body = glob[i + 1:end]
            negate = body[:1] == "!"
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end
        elif c == "{":
            out.append("(?:")
            depth += 1
        elif c == "}" and depth:
            out.append(")")
            depth -= 1
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise ValueError(f'unclosed "{{" in "{glob}"')
    return re.compile("".join(out), re.DOTALL)


@dataclass(frozen=True)
class _Rule:
    index: int
    rule: IgnoreDifference
    group: re.Pattern[str]
    kind: re.Pattern[str]
    pointers: tuple[tuple[str, ...], ...]
    programs: tuple[int, ...]

    def matches(self, key: ResourceKey) -> bool:
        r = self.rule
        return (self.group.fullmatch(key.group) is not None
                and self.kind.fullmatch(key.kind) is not None
                and (not r.name or r.name == key.name)
                and (not r.namespace or r.namespace == key.namespace))


def _where(index: int, rule: IgnoreDifference) -> str:
    target = f"{rule.group}/{rule.kind}" if rule.group else rule.kind
    return f"ignoreDifferences[{index}] ({target})"


class IgnoreRules:
    """Every ignore rule of a run, compiled: globs, pointers and jq programs."""

    def __init__(self, rules: tuple[_Rule, ...], jq: JqPrograms | None,
                 expressions: tuple[tuple[int, int, str], ...]) -> None:
        self._rules = rules
        self._jq = jq
        # per jq program: (rule index, expression index, expression) for error messages
        self._expressions = expressions
        self._cache: dict[ResourceKey, ResourceIgnores] = {}

    @classmethod
    def compile(cls, rules: Iterable[IgnoreDifference], *,
                jq_timeout: float | None = DEFAULT_TIMEOUT) -> IgnoreRules:
        """Compile rules once; IgnoreRuleError names the first invalid one.

        ``jq_timeout`` is the limit for one jq expression on one object (None: no limit, and
        jq runs in-process instead of in a worker process).
        """
        compiled: list[_Rule] = []
        programs: list[str] = []
        expressions: list[tuple[int, int, str]] = []
        for index, rule in enumerate(rules):
            where = _where(index, rule)
            try:
                group, kind = glob_pattern(rule.group), glob_pattern(rule.kind)
            except ValueError as err:
                raise IgnoreRuleError(f"{where}: {err}") from None
            pointers = []
            for j, text in enumerate(rule.json_pointers):
                try:
                    pointers.append(parse_pointer(text))
                except ValueError as err:
                    raise IgnoreRuleError(f'{where}: jsonPointers[{j}] "{text}" is not a JSON '
                                          f"pointer: {err}",
                                          hint='write it as /spec/replicas ("~1" for "/" and '
                                               '"~0" for "~" inside a key)') from None
            ids = []
            for j, text in enumerate(rule.jq_path_expressions):
                _check_jq(where, j, text)
                ids.append(len(programs))
                programs.append(f"del({text})")
                expressions.append((index, j, text))
            compiled.append(_Rule(index, rule, group, kind, tuple(pointers), tuple(ids)))
        jq = JqPrograms(programs, timeout=jq_timeout) if programs else None
        return cls(tuple(compiled), jq, tuple(expressions))

    def for_resource(self, key: ResourceKey) -> ResourceIgnores:
        """The rules that apply to one resource (cached per key)."""
        got = self._cache.get(key)
        if got is None:
            matched = tuple(r for r in self._rules if r.matches(key))
            got = self._cache[key] = ResourceIgnores(key, matched, self)
        return got

    def run_jq(self, doc: Any, programs: tuple[int, ...], key: ResourceKey) -> Any:
        """Run jq programs on ``doc``; IgnoreRuleError names the rule of a failing one."""
        assert self._jq is not None
        try:
            return self._jq.run(doc, programs)
        except JqError as err:
            if err.program == WORKER:
                raise IgnoreRuleError(f"cannot run jqPathExpressions: {err.message}",
                                      hint="check that the jq package is installed") from None
            index, j, text = self._expressions[err.program]
            rule = self._rules[index].rule
            hint = ("make the expression cheaper, or narrow the rule with name/namespace"
                    if err.timed_out else "check the expression against the object's YAML")
            raise IgnoreRuleError(f'{_where(index, rule)}: jqPathExpressions[{j}] "{text}" '
                                  f"failed on {key}: {err.message}", hint=hint) from None

    def close(self) -> None:
        """Stop the jq worker process, if one was started."""
        if self._jq is not None:
            self._jq.close()

    def __enter__(self) -> IgnoreRules:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_jq(where: str, j: int, text: str) -> None:
    # compile the bare expression first so that line/column in the message are the user's
    try:
        JqPrograms([text, f"del({text})"], timeout=None)
    except JqError as err:
        first = err.message.splitlines()[0].removeprefix("jq: error: ").rstrip(":")
        raise IgnoreRuleError(f'{where}: jqPathExpressions[{j}] "{text}" is not a valid jq '
                              f"path expression: {first}",
                              hint='for example .spec.template.spec.containers[] | '
                                   'select(.name == "web") | .image') from None


@dataclass(frozen=True)
class ResourceIgnores:
    """The ignore rules matching one resource."""

    key: ResourceKey
    rules: tuple[_Rule, ...]
    owner: IgnoreRules

    def __bool__(self) -> bool:
        return bool(self.rules)

    @property
    def managers(self) -> tuple[str, ...]:
        """``managedFieldsManagers`` of the matching rules: their fields are not compared."""
        return tuple(dict.fromkeys(m for r in self.rules for m in r.rule.managed_fields_managers))

    def apply(self, obj: dict[str, Any], *, in_place: bool = False) -> dict[str, Any]:
        """``obj`` without the ignored JSON pointers and jq paths (a copy unless ``in_place``).

        With ``in_place`` the result may still be a new object (jq builds one): use it.
        """
        out = obj
        for rule in self.rules:
            if rule.pointers:
                out = copy.deepcopy(out) if out is obj and not in_place else out
                for tokens in rule.pointers:
                    remove_pointer(out, tokens)
            if rule.programs:
                out = self.owner.run_jq(out, rule.programs, self.key)
        return copy.deepcopy(out) if out is obj and not in_place else out
