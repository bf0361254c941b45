"""Pin a ServingTarget's version in one environment by editing its manifest's text: the value is
located with ruamel.yaml's round-trip parser and replaced in place, so every other byte (comments,
flow or block style, quoting of other values) stays as the author wrote it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

_PLAIN_END = re.compile(r"\s+#|\s*$|\s*[,}\]]")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def documents(text: str) -> Iterator[Any]:
    """The round-trip documents of a manifest file (comments and positions kept)."""
    yield from _yaml().load_all(text)


def serving_targets(text: str, model: str) -> list[int]:
    """Indexes of the file's ServingTarget documents that serve ``model``."""
    found = []
    for index, doc in enumerate(documents(text)):
        if not isinstance(doc, CommentedMap) or doc.get("kind") != "ServingTarget":
            continue
        spec = doc.get("spec")
        if isinstance(spec, CommentedMap) and spec.get("model") == model:
            found.append(index)
    return found


def pin(text: str, *, document: int, environment: str, version: str) -> str:
    """``text`` with the ServingTarget in ``document`` pinned to ``version`` in ``environment``:
    ``overrides.<environment>.version`` when the target has an override there, else ``version``."""
    doc = list(documents(text))[document]
    spec = doc["spec"]
    overrides = spec.get("overrides")
    holder = spec
    if isinstance(overrides, CommentedMap) and isinstance(overrides.get(environment), dict):
        holder = overrides[environment]
    if "version" in holder:
        return _replace_value(text, holder, version)
    holder["version"] = version
    out = io.StringIO()
    yaml = _yaml()
    docs = list(documents(text))
    docs[document] = doc
    yaml.dump_all(docs, out)
    return out.getvalue()


def _replace_value(text: str, holder: CommentedMap, version: str) -> str:
    line, col = holder.lc.value("version")
    lines = text.splitlines(keepends=True)
    current = lines[line]
    quote = current[col] if current[col] in "'\"" else ""
    if quote:
        end = current.index(quote, col + 1) + 1
    else:
        match = _PLAIN_END.search(current, col)
        end = match.start() if match else len(current.rstrip("\n"))
    written = f"{quote}{version}{quote}" if quote else _plain(version)
    lines[line] = current[:col] + written + current[end:]
    return "".join(lines)


def _plain(version: str) -> str:
    """A version written without quotes reads back as a number, which bosun accepts."""
    return version if version.isdigit() else f'"{version}"'
