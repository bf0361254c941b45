"""YAML text → Python documents on libyaml's fast path, refusing what bosun must not accept.

Refused: duplicate keys, alias and merge-key (``<<``) expansions beyond a bound (billion laughs,
counted on the node graph before anything is built), recursive aliases and pathological nesting.
Positions are not kept: ``positions`` recomputes them where errors are.
"""

from __future__ import annotations

import re
import typing
from typing import Any

import yaml
from bosun import diagnostics
from bosun.load import construct, nesting

MAX_EXPANDED_NODES = 100_000
"""A document whose aliases and merge keys expand to more nodes than this is refused unexpanded."""

_ALIAS = re.compile(r"(?:^|[\s\[{,:])\*[^\s,\[\]{}]")


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


MERGE_TAG = "tag:yaml.org,2002:merge"


class Loader(construct.CachedResolver, yaml.CSafeLoader):
    """libyaml's parser with PyYAML's safe constructor, plus duplicate-key detection.

    ``parse`` builds documents without anchors through ``construct`` (the fast path), which hands
    anything unusual back to this constructor.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        written = list(node.value)  # flatten_mapping removes merge keys from node.value in place
        mapping = super().construct_mapping(node, deep=deep)
        merges = sum(1 for key_node, _ in written if key_node.tag == MERGE_TAG)
        if merges or len(mapping) != len(written):
            self._raise_on_duplicate(written)
        return mapping

    def _raise_on_duplicate(self, pairs: list[tuple[yaml.Node, yaml.Node]]) -> None:
        """Keys are compared as constructed values: ``null``/``~`` and ``yes``/``true`` collide,
        as they do in the resulting dict; two merge keys (``<<``) collide too."""
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in pairs:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.tag == MERGE_TAG:
                identity: Any = (MERGE_TAG,)
            else:
                identity = self.construct_object(key_node)
            first = seen.setdefault(identity, key_node)
            if first is not key_node:
                raise _DuplicateKey(
                    "while constructing a mapping",
                    first.start_mark,
                    f"duplicate key {key_node.value!r} "
                    f"(first defined on line {first.start_mark.line + 1})",
                    key_node.start_mark,
                )


class Parsed(typing.NamedTuple):
    """The documents of one file, in order; ``None`` marks an empty document."""

    documents: list[Any]
    diagnostics: list[diagnostics.Diagnostic]


def parse(text: str, file: str) -> Parsed:
    """Parse every document of ``text``. A syntax error ends the file; earlier documents stay."""
    documents: list[Any] = []
    found: list[diagnostics.Diagnostic] = []
    deep = nesting.too_deep(text)
    if deep is not None:
        return Parsed([], [_too_deep(file, *deep)])
    loader = Loader(text)
    anchored = "&" in text  # no anchor, no alias: nothing is shared, build the tree directly
    # only aliases and merge keys (``<<``, or any key tagged ``!!merge``) build more than written
    may_expand = "<<" in text or "!" in text or (anchored and _ALIAS.search(text) is not None)
    try:
        while loader.check_node():
            node = loader.get_node()
            index = len(documents)
            problem = _expansion_problem(node, file, index) if may_expand else None
            if node is None or problem is not None:
                document = None
            elif anchored:
                document = loader.construct_document(node)
            else:
                document = construct.document(loader, node)
            if problem is not None:
                found.append(problem)
            documents.append(document)
    except yaml.MarkedYAMLError as error:
        found.append(_syntax_diagnostic(error, file, len(documents), text))
    except yaml.reader.ReaderError as error:
        found.append(_unreadable_character(error, file, len(documents), text))
    except RecursionError:
        found.append(_too_deep(file, len(documents)))
    finally:
        loader.dispose()
    return Parsed(documents, found)


def _unreadable_character(
    error: yaml.reader.ReaderError, file: str, document: int, text: str
) -> diagnostics.Diagnostic:
    """A character YAML does not allow in a stream (control characters, U+FFFE...)."""
    position = min(max(error.position, 0), len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = error.character if isinstance(error.character, int) else ord(error.character)
    return diagnostics.Diagnostic(
        "BOS103",
        f"YAML syntax error: character U+{character:04X} is not allowed in YAML",
        file,
        document=document,
        line=line,
        column=column,
        hint=f"remove it, or write it as the escape \\u{character:04x} in a double-quoted string",
    )


def _too_deep(file: str, document: int, line: int = 1, column: int = 1) -> diagnostics.Diagnostic:
    return diagnostics.Diagnostic(
        "BOS107",
        "document nests too deeply to be a manifest",
        file,
        document=document,
        line=line,
        column=column,
        hint=f"manifests nest a few levels; refused past {nesting.MAX_DEPTH}",
    )


def _syntax_diagnostic(
    error: yaml.MarkedYAMLError, file: str, document: int, text: str
) -> diagnostics.Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = error.problem or "invalid YAML"
    if isinstance(error, _DuplicateKey):
        return diagnostics.Diagnostic(
            "BOS105",
            problem,
            file,
            document=document,
            line=line,
            column=column,
            hint="remove one of the two entries: YAML would silently keep the last one",
        )
    if "'\\t'" in problem or _is_tab_at(text, mark):
        return diagnostics.Diagnostic(
            "BOS104",
            "tab character where YAML expects indentation",
            file,
            document=document,
            line=line,
            column=column,
            hint="indent with spaces",
        )
    context = f" {error.context}" if error.context else ""
    return diagnostics.Diagnostic(
        "BOS103",
        f"YAML syntax error: {problem}{context}",
        file,
        document=document,
        line=line,
        column=column,
    )


def _is_tab_at(text: str, mark: yaml.Mark | None) -> bool:
    """libyaml does not name the character it stumbled on; look at it."""
    if mark is None:
        return False
    lines = text.split("\n", mark.line + 1)
    return mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t"


def _expansion_problem(
    root: yaml.Node | None, file: str, index: int
) -> diagnostics.Diagnostic | None:
    """Refuse a composed document whose aliases and merge keys would build too much, before any
    of it is constructed: the count is made on libyaml's node graph, where an alias is a shared
    node, so it costs one visit per distinct node whatever the expansion."""
    if root is None:
        return None
    try:
        _expanded_size(root)
    except _RecursiveAliasError as error:
        return diagnostics.Diagnostic(
            "BOS108",
            "recursive alias: a node contains itself",
            file,
            document=index,
            line=error.mark.line + 1,
            column=error.mark.column + 1,
            hint="an alias may only refer to a node that is complete where it is used",
        )
    except _TooLargeError as error:
        return diagnostics.Diagnostic(
            "BOS107",
            f"aliases expand this document to more than {MAX_EXPANDED_NODES:,} nodes; "
            "refused without expanding it",
            file,
            document=index,
            line=error.mark.line + 1,
            column=error.mark.column + 1,
            hint="anchors, aliases and merge keys (<<) may not multiply the document "
            "(billion laughs)",
        )
    return None


class _RecursiveAliasError(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


class _TooLargeError(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


def _expanded_size(root: yaml.Node) -> int:
    """Nodes of ``root`` as if every alias were copied and every merge key (``<<``) applied,
    counted with each distinct node visited once (iteratively: no recursion on deep graphs).

    PyYAML applies a merge by copying the merged mappings' (already merged) key/value pairs into
    the merging mapping's own list, once per mapping: the pairs so copied are counted too, in
    ``copied``, since nested merges copy the same pairs again at every level. Raises
    ``_TooLargeError`` (at the node that crosses ``MAX_EXPANDED_NODES``) or
    ``_RecursiveAliasError`` (at a node that contains itself).
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    copied = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            continue
        key = id(node)
        if children_done:
            size, merged = _size_of(node, sizes)
            sizes[key] = size
            in_progress.discard(key)
            copied += merged
            if size > MAX_EXPANDED_NODES or copied > MAX_EXPANDED_NODES:
                raise _TooLargeError(node.start_mark)
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise _RecursiveAliasError(node.start_mark)
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if _is_collection(child))
    return sizes.get(id(root), 1)


def _is_collection(node: yaml.Node) -> bool:
    return isinstance(node, yaml.MappingNode | yaml.SequenceNode)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value)


def _size_of(node: yaml.Node, sizes: dict[int, int]) -> tuple[int, int]:
    """(expanded size of ``node``, pairs a merge copies into it) once its children are sized."""

    def size(child: yaml.Node) -> int:
        return sizes.get(id(child), 1)

    if not isinstance(node, yaml.MappingNode):
        return 1 + sum(size(child) for child in node.value), 0
    total, merged = 1, 0
    for key_node, value_node in node.value:
        if key_node.tag != MERGE_TAG:
            total += size(key_node) + size(value_node)
            continue
        # ``<<: *m`` or ``<<: [*m, *n]``: the merged mappings' pairs (their size less their own
        # node); anything else is refused by the constructor, counted here as written
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            pairs = size(source) - 1 if isinstance(source, yaml.MappingNode) else size(source)
            total += pairs
            merged += pairs
    return total, merged
