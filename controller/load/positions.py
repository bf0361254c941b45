"""Source positions, computed lazily: only files that have diagnostics are composed again.

A field path (``("spec", "steps", 2, "resources")``) is walked through the YAML node tree; where
the path leaves the tree (a missing key, a union tag), the deepest node reached is used.
"""

from __future__ import annotations

import functools

import yaml
from bosun import diagnostics

POINT_AT_KEY = frozenset({"BOS201", "BOS202", "BOS301", "BOS310", "BOS312"})
"""Codes about a field itself rather than its value: the caret goes under the key. Other codes
point at a key when the diagnostic says so (``Diagnostic.at_key``: a misspelled map key)."""


class Locator:
    """Maps (document, path) to 1-based (line, column) in one file's text."""

    def __init__(self, text: str) -> None:
        self._text = text

    @functools.cached_property
    def _roots(self) -> list[yaml.Node | None]:
        roots: list[yaml.Node | None] = []
        loader = yaml.CSafeLoader(self._text)
        try:
            while loader.check_node():
                roots.append(loader.get_node())
        except yaml.YAMLError:
            pass  # a file with a syntax error keeps the documents before it
        finally:
            loader.dispose()
        return roots

    def position(self, document: int, loc: diagnostics.Loc, *, at_key: bool) -> tuple[int, int]:
        roots = self._roots
        node = roots[document] if document < len(roots) else None
        if node is None:
            return (1, 1)
        key_node: yaml.Node | None = None
        for part in loc:
            step = _child(node, part)
            if step is not None:  # absent keys and union tags leave us on the deepest node
                key_node, node = step
        mark = key_node.start_mark if (at_key and key_node is not None) else node.start_mark
        return (mark.line + 1, mark.column + 1)


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    """(key node, value node) of ``part`` in a mapping, or (None, item) in a sequence."""
    if isinstance(node, yaml.MappingNode):
        found = None
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                found = (key_node, value_node)
        return found
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        return (None, node.value[part])
    return None


def locate(
    found: list[diagnostics.Diagnostic], texts: dict[str, str]
) -> list[diagnostics.Diagnostic]:
    """Fill line/column of diagnostics that have none, composing each affected file once."""
    locators: dict[str, Locator] = {}
    out: list[diagnostics.Diagnostic] = []
    for diagnostic in found:
        if diagnostic.line or diagnostic.file not in texts:
            out.append(diagnostic)
            continue
        locator = locators.setdefault(diagnostic.file, Locator(texts[diagnostic.file]))
        at_key = diagnostic.at_key or diagnostic.code in POINT_AT_KEY
        line, column = locator.position(diagnostic.document, diagnostic.loc, at_key=at_key)
        out.append(diagnostic.with_position(line, column))
    return out
