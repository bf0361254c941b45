"""YAML text → Python documents on libyaml's fast path, refusing what bosun must not accept.

Refused: duplicate keys, alias expansions beyond a bound (billion laughs), recursive aliases and
pathological nesting. Positions are not kept: ``positions`` recomputes them where errors are.
"""

from __future__ import annotations

import re
import typing
from typing import Any

import yaml
from bosun import diagnostics
from bosun.load import construct, nesting

MAX_EXPANDED_NODES = 100_000
"""A document whose aliases expand to more nodes than this is refused unexpanded."""

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
    may_alias = anchored and _ALIAS.search(text) is not None
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                document = None
            elif anchored:
                document = loader.construct_document(node)
            else:
                document = construct.document(loader, node)
            index = len(documents)
            problem = _expansion_problem(document, file, index) if may_alias else None
            if problem is not None:
                found.append(problem)
                document = None
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


def _expansion_problem(document: Any, file: str, index: int) -> diagnostics.Diagnostic | None:
    """Count the nodes that aliases would expand to, without expanding them."""
    try:
        size = _expanded_size(document)
    except _RecursiveAliasError:
        return diagnostics.Diagnostic(
            "BOS108",
            "recursive alias: a node contains itself",
            file,
            document=index,
        )
    if size > MAX_EXPANDED_NODES:
        return diagnostics.Diagnostic(
            "BOS107",
            f"aliases expand this document to more than {MAX_EXPANDED_NODES:,} nodes; "
            "refused without expanding it",
            file,
            document=index,
            hint="anchors and aliases may not multiply the document (billion laughs)",
        )
    return None


class _RecursiveAliasError(Exception):
    pass


def _expanded_size(root: Any) -> int:
    """Node count as if every alias were copied; each distinct container is visited once."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if not isinstance(node, dict | list):
            continue
        key = id(node)
        if children_done:
            children = node.values() if isinstance(node, dict) else node
            sizes[key] = 1 + sum(
                sizes.get(id(child), 1) if isinstance(child, dict | list) else 1
                for child in children
            )
            in_progress.discard(key)
            if sizes[key] > MAX_EXPANDED_NODES:
                return sizes[key]
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise _RecursiveAliasError
        in_progress.add(key)
        stack.append((node, True))
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, False) for child in children if isinstance(child, dict | list))
    return sizes.get(id(root), 1)
