"""A bound on how deeply a YAML text nests, found before libyaml composes it.

libyaml's composer (in PyYAML's C extension) recurses on the C stack once per nesting level: a
200 KB file of ``[[[[...`` kills the process with a segmentation fault before Python can raise.
Manifests nest a dozen levels, so a cheap, rigorous upper bound clears almost every file:

- a flow collection opens with ``[`` or ``{``, so flow depth is at most the number of them;
- a block collection starts at a column no left of its block ancestors', and at most two of
  them (a mapping and the sequence that is its value) share a column; the column of one that
  starts on a line is within the line's prefix of spaces, tabs and ``-``/``?``/``:`` indicators.

Only when that bound is high are the parser's events (iterative, no recursion) walked to
measure the real depth.
"""

from __future__ import annotations

import re

import yaml

MAX_DEPTH = 1000
"""Deeper documents are refused unparsed; composing them could overflow the C stack."""

_PREFIX_LIMIT = MAX_DEPTH // 4
_LONG_PREFIX = re.compile(rf"^[ \t?:-]{{{_PREFIX_LIMIT},}}", re.MULTILINE)
_OPENING = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSING = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def may_be_deep(text: str) -> bool:
    """False when ``text`` certainly nests less than ``MAX_DEPTH`` levels (cheap, C-speed)."""
    flow = text.count("[") + text.count("{")
    return flow + 2 * _PREFIX_LIMIT >= MAX_DEPTH or _LONG_PREFIX.search(text) is not None


def too_deep(text: str) -> tuple[int, int, int] | None:
    """(document index, 1-based line, column) where it goes deeper than ``MAX_DEPTH``, or None.

    A syntax error ends the walk: parsing stops at the same place, no deeper than seen here.
    """
    if not may_be_deep(text):
        return None
    depth, document = 0, -1
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, _OPENING):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return (document, mark.line + 1, mark.column + 1) if mark else (document, 1, 1)
            elif isinstance(event, _CLOSING):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent):
                document += 1
    except yaml.MarkedYAMLError as error:
        return _limit_reached(error, text, depth, document)
    except yaml.YAMLError:
        return None
    return None


def _limit_reached(
    error: yaml.MarkedYAMLError, text: str, depth: int, document: int
) -> tuple[int, int, int] | None:
    """Where libyaml stopped at its own nesting limit (0.2.5+: 1000 levels), or None.

    Its scanner reads ahead of the events, so the depth seen so far can be far below the limit;
    the unclosed brackets before the error mark bound the flow depth there from above.
    """
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return None
    offset = _offset(text, mark.line, mark.column)
    head = text[:offset]
    flow = head.count("[") + head.count("{") - head.count("]") - head.count("}")
    if max(depth, depth + flow) < MAX_DEPTH - 1:
        return None
    return (max(document, 0), mark.line + 1, mark.column + 1)


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text)
    return start + column
