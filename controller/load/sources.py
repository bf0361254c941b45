"""Files → documents: discovery, size and encoding checks, parsing, and the ignore file.

``load_bytes`` is pure (file contents in, documents out) so that the controller can load a git
commit's blobs the same way ``load_paths`` loads the working tree.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import pathlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bosun import diagnostics
from bosun.load import yaml_parse

DEFAULT_MAX_FILE_SIZE = 1024 * 1024
IGNORE_FILE = ".bosunignore"
YAML_SUFFIXES = (".yaml", ".yml")
_ALWAYS_SKIPPED = frozenset({"node_modules", "__pycache__"})


@dataclasses.dataclass(frozen=True, slots=True)
class Document:
    """One YAML document that is a mapping; ``index`` counts documents from 0 within the file."""

    file: str
    index: int
    data: dict[str, Any]


@dataclasses.dataclass(slots=True)
class Loaded:
    documents: list[Document]
    diagnostics: list[diagnostics.Diagnostic]
    texts: dict[str, str]
    """Decoded text of every file, for locating diagnostics."""
    files: int


def load_bytes(
    contents: Mapping[str, bytes], *, max_file_size: int = DEFAULT_MAX_FILE_SIZE
) -> Loaded:
    loaded = Loaded([], [], {}, len(contents))
    for file in sorted(contents):
        _add_file(loaded, file, contents[file], max_file_size)
    return loaded


def _add_file(loaded: Loaded, file: str, raw: bytes, max_file_size: int) -> None:
    if len(raw) > max_file_size:
        loaded.diagnostics.append(_too_large(file, len(raw), max_file_size))
        return
    text = decode(raw, file, loaded.diagnostics)
    if text is None:
        return
    loaded.texts[file] = text
    parsed = yaml_parse.parse(text, file)
    loaded.diagnostics.extend(parsed.diagnostics)
    for index, data in enumerate(parsed.documents):
        if isinstance(data, dict):
            loaded.documents.append(Document(file, index, data))
        elif data is not None and not any(d.document == index for d in parsed.diagnostics):
            loaded.diagnostics.append(
                diagnostics.Diagnostic(
                    "BOS106",
                    f"document is a {_yaml_type(data)}, not a mapping with apiVersion, kind, "
                    "metadata and spec",
                    file,
                    document=index,
                )
            )


def _yaml_type(data: Any) -> str:
    if isinstance(data, list):
        return "sequence"
    if isinstance(data, str):
        return "string"
    return type(data).__name__


def _too_large(file: str, size: int, limit: int) -> diagnostics.Diagnostic:
    return diagnostics.Diagnostic(
        "BOS101",
        f"file is {size:,} bytes, over the {limit:,}-byte limit; it was not parsed",
        file,
        line=1,
        column=1,
        hint="split it, or raise --max-file-size",
    )


def decode(raw: bytes, file: str, found: list[diagnostics.Diagnostic]) -> str | None:
    """Strict UTF-8 (a BOM is allowed); a bad byte becomes a diagnostic at its line."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        found.append(
            diagnostics.Diagnostic(
                "BOS102",
                f"byte 0x{raw[error.start]:02x} is not valid UTF-8",
                file,
                line=line,
                column=column,
                hint="save the file as UTF-8",
            )
        )
        return None


# --- the working tree ---------------------------------------------------------------------------


def display_path(path: pathlib.Path) -> str:
    """Relative to the working directory when under it, in POSIX form."""
    try:
        return path.resolve().relative_to(pathlib.Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Sequence[str]) -> tuple[list[pathlib.Path], list[diagnostics.Diagnostic]]:
    """YAML files under ``paths``: hidden entries and ``.bosunignore`` matches are skipped."""
    files: list[pathlib.Path] = []
    problems: list[diagnostics.Diagnostic] = []
    for given in paths:
        root = pathlib.Path(given)
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            files.extend(_walk(root, read_ignore_patterns(root)))
        else:
            problems.append(
                diagnostics.Diagnostic(
                    "BOS109", "no such file or directory", given, line=1, column=1
                )
            )
    unique = {display_path(f): f for f in files}
    return [unique[k] for k in sorted(unique)], problems


def read_ignore_patterns(root: pathlib.Path) -> list[str]:
    ignore = root / IGNORE_FILE
    if not ignore.is_file():
        return []
    lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def is_ignored(relative: str, patterns: Iterable[str]) -> bool:
    """gitignore-like: ``dir/`` ignores a directory, ``a/b`` is anchored, ``*.yaml`` matches
    at any depth."""
    parts = relative.split("/")
    for pattern in patterns:
        body = pattern.strip("/")
        if "/" in body:
            prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
            if any(fnmatch.fnmatchcase(p, body) for p in prefixes):
                return True
        elif any(fnmatch.fnmatchcase(part, body) for part in parts):
            return True
    return False


def _walk(root: pathlib.Path, patterns: list[str]) -> Iterable[pathlib.Path]:
    for directory, dirnames, filenames in os.walk(root):
        base = pathlib.Path(directory)
        relative_dir = base.relative_to(root).as_posix()
        prefix = "" if relative_dir == "." else relative_dir + "/"
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and d not in _ALWAYS_SKIPPED
            and not is_ignored(prefix + d, patterns)
        )
        for name in sorted(filenames):
            wanted = name.endswith(YAML_SUFFIXES) and not name.startswith(".")
            if wanted and not is_ignored(prefix + name, patterns):
                yield base / name


def read_files(
    files: Sequence[pathlib.Path], *, max_file_size: int
) -> tuple[dict[str, bytes], list[diagnostics.Diagnostic]]:
    """Contents by display path; files over the limit are not read at all."""
    contents: dict[str, bytes] = {}
    problems: list[diagnostics.Diagnostic] = []
    for path in files:
        shown = display_path(path)
        try:
            size = path.stat().st_size
            if size > max_file_size:
                problems.append(_too_large(shown, size, max_file_size))
                continue
            contents[shown] = path.read_bytes()
        except OSError as error:
            problems.append(
                diagnostics.Diagnostic(
                    "BOS109", f"cannot read: {error.strerror}", shown, line=1, column=1
                )
            )
    return contents, problems


def load_paths(paths: Sequence[str], *, max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> Loaded:
    files, problems = discover(paths)
    contents, unreadable = read_files(files, max_file_size=max_file_size)
    loaded = load_bytes(contents, max_file_size=max_file_size)
    loaded.diagnostics[:0] = problems + unreadable
    loaded.files = len(files)
    return loaded
