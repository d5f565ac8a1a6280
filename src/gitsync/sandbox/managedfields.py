"""Field sets as server-side apply tracks them (structured-merge-diff), and their FieldsV1 form.

A set is a trie keyed by serialized path elements -- ``f:name``, ``k:{"name":"nginx"}``,
``v:"foo"``, ``i:0`` -- laid out exactly like ``managedFields[].fieldsV1``: a child mapped to
``{}`` is a member leaf, a child holding ``"."`` is a member that also has children, any other
child is only a prefix. Using the wire layout in memory makes decoding and encoding a single
walk, and keeps element identity a plain string compare. Tries are never mutated once built,
so sets share subtrees freely.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from gitsync.sandbox.schema import Node

__all__ = [
    "FieldSet", "InvalidObject", "Path", "changed_fields", "compare", "config_fields",
    "element", "field_info", "fields_of", "from_fieldsv1", "path_str", "struct_children",
    "to_fieldsv1",
]

Trie = dict[str, "Trie"]
Path = tuple[str, ...]
Info = tuple[int, Any, tuple[str, ...], dict[str, Any], frozenset[str]]

# What a schema node is to structured-merge-diff; cached on the node (see schema_info).
LEAF, STRUCT, MAP, ANY, LMAP, LSET = range(6)
MAPLIKE = (STRUCT, MAP, ANY)
LISTS = (LMAP, LSET)
ABSENT: Any = object()
_ANY_INFO: Info = (ANY, None, (), {}, frozenset())
_LEAF_INFO: Info = (LEAF, None, (), {}, frozenset())
_CACHE_ATTR = "_gitsync_smd_info"
# kube-openapi publishes ``default: TCP`` for port protocols; our schema copy has no defaults.
_KEY_DEFAULTS = {"protocol": "TCP"}
# Go's encoding/json (and jsoniter's std-compatible config the server uses) escape these.
_GO_ESC = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                         "\u2028": "\\u2028", "\u2029": "\\u2029"})


class InvalidObject(ValueError):
    """An apply configuration SMD refuses: duplicate or keyless items, undeclared fields."""


def schema_info(node: Node | None) -> Info:
    """(category, element schema, sorted list-map keys, key defaults, optional keys) of a node."""
    if node is None:
        return _ANY_INFO
    got: Info | None = node.__dict__.get(_CACHE_ATTR)
    if got is None:
        got = _classify(node)
        node.__dict__[_CACHE_ATTR] = got  # memoized like Node's own cached properties
    return got


def _classify(node: Node) -> Info:
    kind = node.kind
    if kind == "scalar" or (kind in ("object", "map") and node.map_type == "atomic"):
        return _LEAF_INFO
    if kind in ("object", "map"):
        return (STRUCT, None, (), {}, frozenset()) if kind == "object" else (
            MAP, node.items, (), {}, frozenset())
    if kind != "array":
        return _ANY_INFO
    raw = node.raw
    # kube-openapi's conversion: an explicit list-type, else patch strategy "merge" makes the
    # list associative (keyed by the merge key, or a set without one), else atomic.
    list_type = raw.get("x-kubernetes-list-type")
    if list_type is None:
        merge = "merge" in str(raw.get("x-kubernetes-patch-strategy") or "").split(",")
        list_type = ("map" if raw.get("x-kubernetes-patch-merge-key") else "set") if merge \
            else "atomic"
    if list_type == "atomic":
        return _LEAF_INFO
    item = node.items
    if list_type == "set":
        return (LSET, item, (), {}, frozenset())
    keys = tuple(sorted(node.list_map_keys))
    defaults: dict[str, Any] = {}
    for key in keys:
        sub = item.field(key)
        if sub is not None and sub.has_default:
            defaults[key] = sub.default
        elif key in _KEY_DEFAULTS:
            defaults[key] = _KEY_DEFAULTS[key]
    optional = frozenset(k for k in keys if k not in item.required and k not in defaults)
    return (LMAP, item, keys, defaults, optional)


def child_schema(node: Node | None, info: Info, pe: str) -> tuple[Node | None, bool]:
    """Schema of child ``pe`` and whether it is a named struct field (not a map key)."""
    cat = info[0]
    if cat == STRUCT:
        assert node is not None
        sub = node.fields.get(pe[2:])
        return (sub, True) if sub is not None else (None, False)
    if cat == MAP or cat in LISTS:
        return info[1], False
    return None, False


_CHILD_ATTR = "_gitsync_smd_children"
Child = tuple[Node | None, Info]
_NO_CHILD: Child = (None, _ANY_INFO)


def field_info(node: Node | None, info: Info, key: str) -> Child:
    """``child_schema(node, info, "f:" + key)[0]`` and its schema_info."""
    kids = struct_children(node, info)
    if kids is not None:
        return kids.get(key, _NO_CHILD)
    return element(info)


def struct_children(node: Node | None, info: Info) -> dict[str, Child] | None:
    """A struct's fields with their schema_info (worked out once per node); None otherwise."""
    if info[0] != STRUCT:
        return None
    assert node is not None
    got: dict[str, Child] | None = node.__dict__.get(_CHILD_ATTR)
    if got is None:
        got = node.__dict__[_CHILD_ATTR] = {k: (sub, schema_info(sub))
                                             for k, sub in node.fields.items()}
    return got


def element(info: Info) -> Child:
    """What field_info gives every key of a map (and list element) or untyped value."""
    if info[0] == MAP or info[0] in LISTS:
        return info[1], schema_info(info[1])
    return _NO_CHILD


# ---------------------------------------------------------------- path elements

def go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it: compact, sorted keys, HTML characters escaped."""
    if type(value) is str:
        got = _JSON_STR.get(value)
        if got is None:  # key values repeat across calls: memoize the encoding
            if len(_JSON_STR) > 8192:
                _JSON_STR.clear()
            got = _JSON_STR[value] = json.dumps(value, ensure_ascii=False).translate(_GO_ESC)
        return got
    if type(value) is int:
        return str(value)
    text = json.dumps(_go_numbers(value), ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True)
    return text.translate(_GO_ESC)


_JSON_STR: dict[str, str] = {}


def _go_numbers(value: Any) -> Any:
    # Go prints an integral float64 without the ".0" Python adds.
    if type(value) is float and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _go_numbers(v) for k, v in value.items()}
    return [_go_numbers(v) for v in value] if isinstance(value, list) else value


def item_pe(item: Any, info: Info, index: int, strict: bool) -> str:
    """The path element of a list item: ``k:{...}`` for list-maps, ``v:...`` for sets."""
    if info[0] == LSET:
        return "v:" + go_json(item)
    keys = info[2]
    if type(item) is dict:
        if len(keys) == 1 and type(item.get(keys[0])) is str:  # the common {"name": ...}
            return 'k:{"' + keys[0] + '":' + go_json(item[keys[0]]) + "}"
        parts = []
        for key in keys:
            if key in item:
                value = item[key]
            elif key in info[3]:
                value = info[3][key]
            elif key in info[4]:
                continue
            elif strict:
                raise InvalidObject(f"element {index}: associative list with keys has an element "
                                    f'that omits key field "{key}" (and doesn\'t have default '
                                    "value)")
            else:
                return f"i:{index}"
            parts.append(go_json(key) + ":" + go_json(value))
        return "k:{" + ",".join(parts) + "}"
    if strict:
        raise InvalidObject(f"element {index}: associative list with keys has an element that "
                            "is not a map")
    return f"i:{index}"


_CANON: dict[str, str | None] = {}
_SORT: dict[str, tuple[Any, ...]] = {}


def _canon(pe: str) -> str | None:
    """The canonical spelling of a serialized element; None for unknown kinds (dropped)."""
    if pe[:2] == "f:":
        return pe
    if pe in _CANON:
        return _CANON[pe]
    kind, body = pe[:2], pe[2:]
    got: str | None = None
    try:
        if kind == "k:":
            fields = json.loads(body)
            if not isinstance(fields, dict):
                raise ValueError(f"key must be an object: {pe}")
            got = "k:{" + ",".join(go_json(k) + ":" + go_json(fields[k])
                                   for k in sorted(fields)) + "}"
        elif kind == "v:":
            got = "v:" + go_json(json.loads(body))
        elif kind == "i:":
            got = f"i:{int(body)}"
        elif len(pe) < 2 or pe[1] != ":":
            raise ValueError(f"missing colon: {pe}")
    except json.JSONDecodeError as err:
        raise ValueError(f"parsing key as path element: {err}") from None
    if len(_CANON) > 4096:
        _CANON.clear()
    _CANON[pe] = got
    return got


def _value_key(v: Any) -> tuple[Any, ...]:
    # value.Compare: numbers < strings < bools < lists < maps < null.
    if v is None:
        return (5,)
    if isinstance(v, bool):
        return (2, v)
    if isinstance(v, int | float):
        return (0, v)
    if isinstance(v, str):
        return (1, v)
    if isinstance(v, list):
        return (3, tuple(_value_key(x) for x in v))
    return (4, tuple((k, _value_key(v[k])) for k in sorted(v)))


def _sort_key(pe: str) -> tuple[Any, ...]:
    got = _SORT.get(pe)
    if got is None:
        kind, body = pe[:2], pe[2:]
        if kind == "f:":
            got = (0, body)
        elif kind == "k:":
            got = (1, tuple((k, _value_key(v)) for k, v in sorted(json.loads(body).items())))
        elif kind == "v:":
            got = (2, _value_key(json.loads(body)))
        else:
            got = (3, int(body))
        if len(_SORT) > 8192:
            _SORT.clear()
        _SORT[pe] = got
    return got


_QUOTE_ESC = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n",
              "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(s: str) -> str:
    """Go's ``%q`` (strconv.Quote), as conflict messages quote manager names and keys."""
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return f'"{s}"'
    out = []
    for ch in s:
        code = ord(ch)
        if ch in _QUOTE_ESC:
            out.append(_QUOTE_ESC[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(f"\\x{code:02x}" if code < 0x80 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _go_string(v: Any) -> str:
    """``value.ToString``: how conflict messages print key and set values."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e6 else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return go_quote(v)
    if isinstance(v, list):
        return "[" + ",".join(_go_string(x) for x in v) + "]"
    return "".join(f"{k}={_go_string(x)}" for k, x in v.items())


def path_str(path: Iterable[str]) -> str:
    """``.spec.template.spec.containers[name="nginx"].image``, as conflict messages print."""
    out = []
    for pe in path:
        kind, body = pe[:2], pe[2:]
        if kind == "f:":
            out.append("." + body)
        elif kind == "k:":
            fields = json.loads(body)
            out.append("[" + ",".join(f"{k}={_go_string(fields[k])}" for k in sorted(fields))
                       + "]")
        elif kind == "v:":
            out.append("[=" + _go_string(json.loads(body)) + "]")
        elif kind == "i:":
            out.append(f"[{body}]")
    return "".join(out)


# ---------------------------------------------------------------- trie algebra

def _fin(member: bool, children: Trie) -> Trie | None:
    if children:
        if member:
            node: Trie = {".": {}}
            node.update(children)
            return node
        return children
    return {} if member else None


def _is_member(node: Trie) -> bool:
    return not node or "." in node


def _union(a: Trie, b: Trie) -> Trie:
    out: Trie = {}
    for k, v in a.items():
        if k != ".":
            w = b.get(k)
            out[k] = v if w is None or w is v else _union_node(v, w)
    for k, w in b.items():
        if k != "." and k not in a:
            out[k] = w
    return out


def _union_node(a: Trie, b: Trie) -> Trie:
    """Node ``a`` united with node ``b``: ``a`` itself when ``b`` adds nothing to it, so
    untouched (and already encoded) subtrees keep their identity."""
    if a is b:
        return a
    out: Trie | None = None  # a's children, once one of them changes
    for k, w in b.items():
        if k == ".":
            continue
        v = a.get(k)
        r = w if v is None else v if v is w else _union_node(v, w)
        if r is not v:
            if out is None:
                out = {c: x for c, x in a.items() if c != "."}
            out[k] = r
    member = _is_member(a) or _is_member(b)
    if out is None:
        if member == _is_member(a):
            return a
        out = {c: x for c, x in a.items() if c != "."}
    node = _fin(member, out)
    assert node is not None
    return node


def _sub(a: Trie, b: Trie) -> Trie | None:
    """Node ``a`` less node ``b`` (None when nothing is left): ``a`` itself when ``b`` takes
    nothing away."""
    out: Trie | None = None  # a's children, once one of them changes
    for k, v in a.items():
        if k == ".":
            continue
        w = b.get(k)
        if w is None:
            continue
        r = None if w is v else _sub(v, w)
        if r is not v:
            if out is None:
                out = {c: x for c, x in a.items() if c != "."}
            if r is None:
                del out[k]
            else:
                out[k] = r
    member = _is_member(a) and not _is_member(b)
    if out is None:
        if member == _is_member(a):
            return a
        out = {c: x for c, x in a.items() if c != "."}
    return _fin(member, out)


def _difference(a: Trie, b: Trie) -> Trie:
    out: Trie = {}
    for k, v in a.items():
        if k != ".":
            w = b.get(k)
            if w is None:
                out[k] = v
            elif w is not v:
                r = _fin(_is_member(v) and not _is_member(w), _difference(v, w))
                if r is not None:
                    out[k] = r
    return out


def _intersection(a: Trie, b: Trie) -> Trie:
    out: Trie = {}
    for k, v in a.items():
        if k != ".":
            w = b.get(k)
            if w is v:
                out[k] = v
            elif w is not None:
                r = _fin(_is_member(v) and _is_member(w), _intersection(v, w))
                if r is not None:
                    out[k] = r
    return out


def _named_members(trie: Trie, node: Node | None) -> Trie:
    # EnsureNamedFieldsAreMembers: a struct field with owned children counts as owned itself.
    info = schema_info(node)
    out: Trie = {}
    for k, v in trie.items():
        if k == ".":
            continue
        if len(v) <= ("." in v):
            out[k] = v
            continue
        sub, named = child_schema(node, info, k)
        r = _fin("." in v or named, _named_members(v, sub))
        assert r is not None
        out[k] = r
    return out


def _iter(trie: Trie, prefix: Path) -> Iterator[Path]:
    keys = sorted((k for k in trie if k != "."), key=_sort_key)
    for k in keys:  # Set.Iterate: members of a node first, then its children
        if _is_member(trie[k]):
            yield (*prefix, k)
    for k in keys:
        if len(trie[k]) > ("." in trie[k]):
            yield from _iter(trie[k], (*prefix, k))


class FieldSet:
    """An immutable set of field paths; leaves and list items (``.``) are its members."""

    __slots__ = ("trie",)

    def __init__(self, trie: Trie | None = None) -> None:
        #: The FieldsV1-shaped trie; shared between sets, so never mutate it.
        self.trie: Trie = trie if trie is not None else {}

    @classmethod
    def from_paths(cls, paths: Iterable[Path]) -> FieldSet:
        """A set holding exactly these member paths."""
        out = FieldSet()
        for path in paths:
            trie: Trie = {}  # the member leaf, then each prefix wrapped around it
            for pe in reversed(path):
                trie = {pe: trie}
            out = out | FieldSet(trie)
        return out

    def union(self, other: FieldSet) -> FieldSet:
        """Paths in either set."""
        if not other.trie:
            return self
        if not self.trie:
            return other
        if "." in self.trie or "." in other.trie:  # not a set's root; as _union has it
            return FieldSet(_union(self.trie, other.trie))
        trie = _union_node(self.trie, other.trie)
        return self if trie is self.trie else FieldSet(trie)

    def difference(self, other: FieldSet) -> FieldSet:
        """Paths in this set and not in ``other`` (children of removed paths stay)."""
        if not other.trie or not self.trie:
            return self
        if "." in self.trie or "." in other.trie:  # not a set's root; as _difference has it
            return FieldSet(_difference(self.trie, other.trie))
        trie = _sub(self.trie, other.trie)
        return self if trie is self.trie else FieldSet(trie if trie is not None else {})

    def intersection(self, other: FieldSet) -> FieldSet:
        """Paths in both sets."""
        if not other.trie or not self.trie:
            return FieldSet()
        return FieldSet(_intersection(self.trie, other.trie))

    def with_named_members(self, schema: Node | None) -> FieldSet:
        """This set plus every struct field that has members below it."""
        return FieldSet(_named_members(self.trie, schema))

    __or__ = union
    __sub__ = difference
    __and__ = intersection

    def is_empty(self) -> bool:
        """True when the set has no paths."""
        return not self.trie

    def __bool__(self) -> bool:
        return bool(self.trie)

    def __iter__(self) -> Iterator[Path]:
        return _iter(self.trie, ())

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, path: object) -> bool:
        node: Trie | None = self.trie
        if not isinstance(path, tuple) or not path:
            return False
        for pe in path:
            node = node.get(pe) if node is not None else None
            if node is None:
                return False
        return node is not None and _is_member(node)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldSet) and self.trie == other.trie

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "FieldSet([" + ", ".join(path_str(p) or "<root>" for p in self) + "])"


# ---------------------------------------------------------------- FieldsV1 codec

def to_fieldsv1(fs: FieldSet, share: bool = False) -> dict[str, Any]:
    """The JSON the server stores in ``fieldsV1``: ``"."`` first, elements in SMD order.

    With ``share`` the result may share subtrees with earlier results (or be one), which is
    for callers that, like the store, never mutate it.
    """
    return _encode(fs.trie, share)


#: id -> dict of recent _encode results (the reference keeps the id from being reused). A trie
#: node that is one of them encodes to itself: sets decoded from stored managedFields borrow
#: the stored dicts, and unions share untouched subtrees, so most of a re-encode is a lookup.
_ENCODED: dict[int, dict[str, Any]] = {}
#: id -> dict of FieldsV1 dicts (and subtrees) _canonical accepted, kept alive the same way
_CANONICAL: dict[int, dict[str, Any]] = {}
_MEMO_MAX = 1 << 16


def _encode(trie: Trie, share: bool) -> dict[str, Any]:
    if share and _ENCODED.get(id(trie)) is trie:
        return trie
    out: dict[str, Any] = {}
    if "." in trie and len(trie) > 1:
        out["."] = {}
    keys = [k for k in trie if k != "."]
    if len(keys) > 1:
        keys.sort(key=_sort_key)
    for k in keys:
        out[k] = _encode(trie[k], share)
    if out:
        if len(_ENCODED) >= _MEMO_MAX:
            _ENCODED.clear()
        _ENCODED[id(out)] = out
    return out


def from_fieldsv1(fields: Any, borrow: bool = False) -> FieldSet:
    """Parse ``fieldsV1`` (dict or JSON text); raise ValueError on malformed input.

    With ``borrow`` an already canonical dict becomes the set's trie as is (no copy): the
    caller must leave it alone while the set lives.
    """
    if isinstance(fields, str | bytes):
        fields = json.loads(fields)
    if not isinstance(fields, dict):
        raise ValueError("fieldsV1 must be a JSON object")
    if borrow and "." not in fields and _canonical(fields):
        return FieldSet(fields)
    children, _ = _decode(fields)
    return FieldSet(children)


def _canonical(raw: dict[str, Any]) -> bool:
    # The server always writes canonical sets, so checking is cheaper than rebuilding; and
    # stored sets share subtrees from write to write, so each is checked once.
    if _CANONICAL.get(id(raw)) is raw:
        return True
    for k, v in raw.items():
        if type(v) is not dict:
            return False
        if k == ".":
            if v or len(raw) == 1:
                return False
        elif (k[:2] != "f:" and _canon(k) != k) or (v and not _canonical(v)):
            return False
    if raw:
        if len(_CANONICAL) >= _MEMO_MAX:
            _CANONICAL.clear()
        _CANONICAL[id(raw)] = raw
    return True


def _decode(raw: dict[str, Any]) -> tuple[Trie, bool]:
    children: Trie = {}
    member = False
    for k, v in raw.items():
        if k == ".":
            member = True
            continue
        pe = _canon(k)
        if pe is None:
            continue
        if not isinstance(v, dict):
            raise ValueError(f"expected an object for {k}")
        sub, sub_member = _decode(v)
        node = _fin(sub_member or not sub, sub)
        assert node is not None
        prev = children.get(pe)
        children[pe] = node if prev is None else _union_node(prev, node)
    return children, member


# ---------------------------------------------------------------- sets of objects

def fields_of(obj: dict[str, Any], schema: Node | None) -> FieldSet:
    """The set an apply configuration owns (``TypedValue.ToFieldSet``); lenient on duplicates."""
    return FieldSet(_fields(obj, schema, schema_info(schema), None, []))


def config_fields(obj: dict[str, Any], schema: Node | None) -> FieldSet:
    """Like fields_of, but raise InvalidObject as the server rejects a bad apply config."""
    errs: list[str] = []
    trie = _fields(obj, schema, schema_info(schema), errs, [], memo=True)
    if errs:
        raise InvalidObject(errs[0] if len(errs) == 1 else "errors:\n  " + "\n  ".join(errs))
    return FieldSet(trie)


def _fields(value: dict[str, Any], node: Node | None, info: Info, errs: list[str] | None,
            path: list[str], memo: bool = False) -> Trie:
    # errs is None for live objects (duplicates tolerated); otherwise problems are collected
    # there, with ``path`` kept current to name where they are. ``memo``: remember the sets
    # of the maps directly below (an apply config's spec is the same from apply to apply).
    out: Trie = {}
    cat = info[0]
    kids = struct_children(node, info) if node is not None else None
    if kids is None:
        elem = info[1] if cat == MAP else None
        elem_info = schema_info(elem)
    for key, v in value.items():
        pe = "f:" + key
        if kids is not None:
            sub, si = kids.get(key, _NO_CHILD)
            named = sub is not None
            if not named and errs is not None and not _preserves(node):
                errs.append(f"{path_str([*path, pe])}: field not declared in schema")
                continue
        else:
            sub, si, named = elem, elem_info, False
        children: Trie | None = None
        leaf = True
        tv = type(v)
        if errs is not None and si[0] == LEAF and v and (tv is dict or tv is list):
            path.append(pe)
            _check_atomic(v, sub, errs, path)  # SMD validates inside atomic values too
            path.pop()
        if (tv is dict and si[0] in MAPLIKE and v) or (tv is list and si[0] in LISTS):
            leaf = False
            if v:
                path.append(pe)
                if memo and tv is dict and errs is not None:
                    children = _remembered_fields(v, sub, si, errs, path)
                else:
                    children = (_fields(v, sub, si, errs, path) if tv is dict
                                else _list_fields(v, si, errs, path))
                path.pop()
        # Leaves, nulls, empty maps and map keys are members; named non-empty structs are not.
        entry = _fin(leaf or not named, children or {})
        if entry is not None:
            out[pe] = entry
    return out


#: (node, path, repr of the value) -> (its set's trie, the problems found); tries are never
#: mutated, and repr tells apart everything decoded JSON holds (1, 1.0 and True too)
_CONFIG_FIELDS: dict[tuple[Node | None, str, str], tuple[Trie, tuple[str, ...]]] = {}


def _remembered_fields(value: dict[str, Any], node: Node | None, info: Info, errs: list[str],
                       path: list[str]) -> Trie:
    key = (node, "/".join(path), repr(value))
    got = _CONFIG_FIELDS.get(key)
    if got is None:
        mine: list[str] = []
        got = (_fields(value, node, info, mine, path), tuple(mine))
        if len(_CONFIG_FIELDS) >= 256:
            _CONFIG_FIELDS.clear()
        _CONFIG_FIELDS[key] = got
    errs.extend(got[1])
    return got[0]


def _preserves(node: Node | None) -> bool:
    return node is None or node.preserve_unknown_fields


def _check_atomic(value: Any, node: Node | None, errs: list[str], path: list[str]) -> None:
    kind = node.kind if node is not None else "any"
    if type(value) is dict and kind in ("object", "map"):
        assert node is not None
        for key, v in value.items():
            sub = node.fields.get(key) if kind == "object" else node.items
            if sub is None and not _preserves(node):
                errs.append(f'{path_str([*path, "f:" + key])}: field not declared in schema')
            elif sub is not None:
                path.append("f:" + key)
                _check_atomic(v, sub, errs, path)
                path.pop()
    elif type(value) is list and kind == "array":
        assert node is not None
        info = schema_info(node)
        for i, v in enumerate(value):
            path.append(item_pe(v, info, i, False) if info[0] in LISTS else f"i:{i}")
            _check_atomic(v, node.items, errs, path)
            path.pop()


def _list_fields(items: list[Any], info: Info, errs: list[str] | None,
                 path: list[str]) -> Trie:
    out: Trie = {}
    item, ii = info[1], schema_info(info[1])
    for i, value in enumerate(items):
        try:
            pe = item_pe(value, info, i, errs is not None)
        except InvalidObject as err:
            assert errs is not None
            errs.append(f"{path_str(path)}: {err}")
            continue
        if pe in out:
            if errs is not None:
                errs.append(f"{path_str(path)}: duplicate entries for key {path_str([pe])}")
            continue  # a live object may hold duplicates; the first one counts
        children = None
        if info[0] == LMAP and type(value) is dict and value:
            path.append(pe)
            children = _fields(value, item, ii, errs, path)
            path.pop()
        out[pe] = _fin(True, children or {}) or {}
    return out


def _leafish(lv: Any, rv: Any, cat: int) -> bool:
    # compareWalker: atomic, mismatched and both-empty values compare as one leaf.
    if cat == LEAF:
        return True
    want = dict if cat in MAPLIKE else list
    empty = True
    for v in (lv, rv):
        if v is ABSENT or v is None:
            continue
        if type(v) is not want:
            return True
        if v:
            empty = False
    return empty


def compare(old: dict[str, Any] | None, new: dict[str, Any],
            schema: Node | None) -> tuple[FieldSet, FieldSet]:
    """(modified or added, removed) between two objects; ``.`` marks newly created nodes."""
    # Built-in objects are compared as the typed Go objects they become, whose value-typed
    # structs always exist: laying the skeleton under both sides does the same.
    skeleton = _skeleton(schema)
    base = skeleton if old is None else _underlay(old, skeleton)
    changed: Trie = {}
    removed: Trie = {}
    _cmp_map(base, _underlay(new, skeleton), schema, schema_info(schema), changed, removed)
    return FieldSet(changed), FieldSet(removed)


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any],
                   schema: Node | None) -> FieldSet:
    """What an Update/Patch/Create sets: changed or added fields (metadata not yet stripped)."""
    return compare(old, new, schema)[0]


def _cmp_map(lm: dict[str, Any], rm: dict[str, Any], node: Node | None, info: Info,
             ch: Trie, rmv: Trie) -> None:
    kids = struct_children(node, info)
    elem = element(info) if kids is None else _NO_CHILD
    for k, lv in lm.items():
        rv = rm.get(k, ABSENT)
        if rv is not lv and (rv is ABSENT or lv != rv):
            sub, si = kids.get(k, _NO_CHILD) if kids is not None else elem
            _cmp_value("f:" + k, lv, rv, sub, si, ch, rmv)
    for k, rv in rm.items():
        if k not in lm:
            sub, si = kids.get(k, _NO_CHILD) if kids is not None else elem
            _cmp_value("f:" + k, ABSENT, rv, sub, si, ch, rmv)


def _cmp_list(ll: list[Any], rl: list[Any], info: Info, ch: Trie, rmv: Trie) -> None:
    lidx = _index(ll, info)
    ridx = _index(rl, info)
    item, ii = info[1], schema_info(info[1])
    for pe, rv in ridx.items():
        lv = lidx.get(pe, ABSENT)
        if lv is ABSENT or lv != rv:
            _cmp_value(pe, lv, rv, item, ii, ch, rmv)
    for pe, lv in lidx.items():
        if pe not in ridx:
            _cmp_value(pe, lv, ABSENT, item, ii, ch, rmv)


def _cmp_value(pe: str, lv: Any, rv: Any, node: Node | None, info: Info, ch: Trie,
               rmv: Trie) -> None:
    if _leafish(lv, rv, info[0]):
        if lv is ABSENT:
            ch[pe] = {}
        elif rv is ABSENT:
            rmv[pe] = {}
        elif lv != rv:
            ch[pe] = {}
        return
    csub: Trie = {}
    rsub: Trie = {}
    if info[0] in MAPLIKE:
        _cmp_map(lv if type(lv) is dict else {}, rv if type(rv) is dict else {}, node, info,
                 csub, rsub)
    else:
        _cmp_list(lv if type(lv) is list else [], rv if type(rv) is list else [], info,
                  csub, rsub)
    c = _fin(lv is ABSENT, csub)
    if c is not None:
        ch[pe] = c
    r = _fin(rv is ABSENT, rsub)
    if r is not None:
        rmv[pe] = r


def _index(items: Any, info: Info) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if type(items) is list:
        for i, item in enumerate(items):
            pe = item_pe(item, info, i, strict=False)
            if pe not in out:  # the first of duplicates wins, as in SMD's compare
                out[pe] = item
    return out


def _skeleton(schema: Node | None) -> dict[str, Any]:
    # Create compares against the empty typed object the server makes, whose non-pointer
    # structs and required fields exist already; those get no "." when the create sets them.
    # Custom resources start from an empty map. Pointer-ness is not in the OpenAPI, so a few
    # well-known value-typed structs stand in for it.
    if schema is None or not schema.raw.get("x-kubernetes-group-version-kind"):
        return {}
    got: dict[str, Any] | None = schema.__dict__.get("_gitsync_skeleton")
    if got is None:
        got = _skeleton_struct(schema, 0)
        schema.__dict__["_gitsync_skeleton"] = got
    return got


def _underlay(obj: dict[str, Any], skeleton: dict[str, Any]) -> dict[str, Any]:
    # Only for comparing: shares everything, copies just the maps it fills in.
    out = None
    for k, sv in skeleton.items():
        v = obj.get(k, ABSENT)
        if v is ABSENT:
            filled = sv
        elif type(v) is dict and sv:
            filled = _underlay(v, sv)
            if filled is v:
                continue
        else:
            continue
        if out is None:
            out = dict(obj)
        out[k] = filled
    return obj if out is None else out


_VALUE_STRUCTS = frozenset({"metadata", "spec", "status", "strategy", "updateStrategy"})


def _skeleton_struct(node: Node, depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    required = set(node.required)
    for name, sub in node.fields.items():
        if name in required or name in _VALUE_STRUCTS:
            if schema_info(sub)[0] == STRUCT and depth < 8:
                out[name] = _skeleton_struct(sub, depth + 1)
            elif name in required:
                out[name] = None
    return out
