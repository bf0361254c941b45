"""Files → documents: discovery, size and encoding checks, parsing, and the ignore file.

``load_bytes`` is pure (file contents in, documents out) so that the controller can load a git
commit's blobs the same way ``load_paths`` loads the working tree.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
import pathlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bosun import diagnostics
from bosun.load import fanout, yaml_parse
from bosun.load import files as _files

DEFAULT_MAX_FILE_SIZE = 1024 * 1024
IGNORE_FILE = ".bosunignore"
YAML_SUFFIXES = (".yaml", ".yml")
_ALWAYS_SKIPPED = frozenset({"node_modules", "__pycache__"})
RENDER_INDEX = ".bosun-render.json"
"""Marks a ``bosun render --out`` directory: rendered objects, not manifests, so never walked."""


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


MIN_SHARE_BYTES = 256 * 1024
"""Parsing is spread over processes only when each gets at least this much YAML: below it a fork
costs more than it saves, and small repositories keep their cold start."""
CHUNKS_PER_JOB = 8
"""Files are parsed in this many runs per process, taken as processes become free, so that one
that finishes early (or gets more of a busy machine's CPU) takes more."""


def load_bytes(
    contents: Mapping[str, bytes],
    *,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    jobs: int | None = 1,
) -> Loaded:
    """Documents of every file, ordered by file name then position.

    ``jobs`` processes parse (``None``: one per CPU, as far as the volume of YAML pays for it);
    the result does not depend on it.
    """
    files = sorted(contents)
    processes = _jobs(jobs, contents)
    if processes == 1:
        return _load_share({file: contents[file] for file in files}, max_file_size)
    chunks = _chunks(files, contents, processes * CHUNKS_PER_JOB)
    parts = fanout.map_items(
        functools.partial(_load_share, max_file_size=max_file_size), chunks, jobs=processes
    )
    merged = Loaded([], [], {}, len(contents))
    for part in parts:
        merged.documents.extend(part.documents)
        merged.diagnostics.extend(part.diagnostics)
        merged.texts.update(part.texts)
    return merged


def _load_share(contents: Mapping[str, bytes], max_file_size: int) -> Loaded:
    loaded = Loaded([], [], {}, len(contents))
    for file, raw in contents.items():
        _add_file(loaded, file, raw, max_file_size)
    return loaded


def _jobs(jobs: int | None, contents: Mapping[str, bytes]) -> int:
    if jobs is not None:
        return max(1, jobs)
    volume = sum(len(raw) for raw in contents.values())
    return max(1, min(fanout.available_cpus(), volume // MIN_SHARE_BYTES))


def _chunks(files: list[str], contents: Mapping[str, bytes], count: int) -> list[dict[str, bytes]]:
    """``files`` (sorted) cut into at most ``count`` runs of about equal bytes, in order."""
    target = sum(len(contents[file]) for file in files) / max(1, count)
    chunks: list[dict[str, bytes]] = [{}]
    filled = 0
    for file in files:
        if filled >= target and len(chunks) < count:
            chunks.append({})
            filled = 0
        chunks[-1][file] = contents[file]
        filled += len(contents[file])
    return chunks


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
    """Relative to the working directory when under it, in POSIX form. A symbolic link is named
    as itself, not as the file it leads to."""
    try:
        real = path.parent.resolve() / path.name if path.is_symlink() else path.resolve()
        return real.relative_to(pathlib.Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Sequence[str]) -> tuple[list[pathlib.Path], list[diagnostics.Diagnostic]]:
    """YAML files under ``paths``: hidden entries and ``.bosunignore`` matches are skipped."""
    named, problems = discover_named(paths)
    return list(named.values()), problems


def discover_named(
    paths: Sequence[str],
) -> tuple[dict[str, pathlib.Path], list[diagnostics.Diagnostic]]:
    """``discover``, keyed and sorted by display path; a file reached twice is listed once."""
    found = discover_rooted(paths)
    return found.files, found.problems


class Discovered:
    """What ``discover_rooted`` found (a plain class: a dataclass costs the cold start more)."""

    __slots__ = ("files", "problems", "roots")

    def __init__(self) -> None:
        self.files: dict[str, pathlib.Path] = {}
        """Display path → path, sorted by display path."""
        self.roots: dict[str, pathlib.Path] = {}
        """Display path → the tree a symbolic link found there must stay in (``boundary``)."""
        self.problems: list[diagnostics.Diagnostic] = []


def discover_rooted(paths: Sequence[str]) -> Discovered:
    """``discover_named``, with the tree each file was found in.

    A walked file is named by its root's display path and its path under the root, so that
    discovery costs no system call per file beyond the walk itself. Anything named that exists
    and is not a directory is listed, to be read or refused as what it is (a pipe, a link).
    """
    found = Discovered()
    for given in paths:
        root = pathlib.Path(given)
        if root.is_dir():
            shown = display_path(root)
            prefix = "" if shown == "." else shown.rstrip("/") + "/"
            under, patterns = find_ignore_patterns(root)
            inside = _files.boundary(root)
            for relative, path in _walk(root, patterns, under=under):
                if found.files.setdefault(prefix + relative, path) is path:
                    found.roots[prefix + relative] = inside
        elif os.path.lexists(root):
            shown = display_path(root)
            if found.files.setdefault(shown, root) is root:
                found.roots[shown] = _files.boundary(root)
        else:
            found.problems.append(
                diagnostics.Diagnostic(
                    "BOS109", "no such file or directory", given, line=1, column=1
                )
            )
    found.files = {name: found.files[name] for name in sorted(found.files)}
    return found


def find_ignore_patterns(root: pathlib.Path) -> tuple[str, list[str]]:
    """The patterns of the nearest ``.bosunignore`` in ``root`` or a parent directory (up to the
    repository's top, the one holding ``.git``), and ``root``'s path below that file's
    directory: ``bosun validate teams`` honours the repository's ignore file, as git would."""
    here = root.resolve()
    for directory in (here, *here.parents):
        if (directory / IGNORE_FILE).is_file():
            under = here.relative_to(directory).as_posix()
            return ("" if under == "." else under + "/"), read_ignore_patterns(directory)
        if (directory / ".git").exists():
            break
    return "", []


def read_ignore_patterns(root: pathlib.Path) -> list[str]:
    """The patterns of ``root``'s ignore file; none when it is missing, unreadable, not a
    regular file or over the default size limit (it is never opened if it is a pipe)."""
    ignore = root / IGNORE_FILE
    try:
        raw = _files.read(ignore, limit=DEFAULT_MAX_FILE_SIZE, inside=pathlib.Path("/"))
    except (OSError, _files.Refused, _files.TooLarge):
        return []
    lines = raw.decode("utf-8", errors="replace").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def is_ignored(relative: str, patterns: Iterable[str], *, under: str = "") -> bool:
    """gitignore-like: ``dir/`` ignores a directory, ``a/b`` is anchored at the ignore file,
    ``*.yaml`` matches at any depth. ``relative`` is below the validated root, which is itself
    ``under`` the ignore file's directory; only the part below the root can be ignored, so that
    a directory named on the command line is validated even where the ignore file skips it."""
    parts = relative.split("/")
    base = [part for part in under.split("/") if part]
    for pattern in patterns:
        body = pattern.strip("/")
        if "/" in body:
            full = base + parts
            prefixes = ["/".join(full[: i + 1]) for i in range(len(base), len(full))]
            if any(fnmatch.fnmatchcase(p, body) for p in prefixes):
                return True
        elif any(fnmatch.fnmatchcase(part, body) for part in parts):
            return True
    return False


def _walk(
    root: pathlib.Path, patterns: list[str], *, under: str = ""
) -> Iterable[tuple[str, pathlib.Path]]:
    """(POSIX path relative to ``root``, path) of each wanted file, in sorted order; ``under``
    is ``root``'s own path relative to the ignore file the patterns came from."""
    top = os.fspath(root)
    for directory, dirnames, filenames in os.walk(top):
        if RENDER_INDEX in filenames:
            dirnames[:] = []
            continue
        relative_dir = directory[len(top) :].lstrip(os.sep).replace(os.sep, "/")
        prefix = relative_dir + "/" if relative_dir else ""
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and d not in _ALWAYS_SKIPPED
            and not is_ignored(prefix + d, patterns, under=under)
        )
        for name in sorted(filenames):
            wanted = name.endswith(YAML_SUFFIXES) and not name.startswith(".")
            if wanted and not is_ignored(prefix + name, patterns, under=under):
                yield prefix + name, pathlib.Path(directory, name)


def read_files(
    files: Sequence[pathlib.Path], *, max_file_size: int
) -> tuple[dict[str, bytes], list[diagnostics.Diagnostic]]:
    """Contents by display path; files over the limit are not read at all."""
    return read_named({display_path(f): f for f in files}, max_file_size=max_file_size)


def read_named(
    named: Mapping[str, pathlib.Path],
    *,
    max_file_size: int,
    roots: Mapping[str, pathlib.Path] | None = None,
) -> tuple[dict[str, bytes], list[diagnostics.Diagnostic]]:
    """Contents by display path. A file over the limit is not read; what is not a regular file,
    or is a symbolic link leading outside its root (``roots``, by default the repository or
    directory holding the file), is not even opened (``_files.read``)."""
    contents: dict[str, bytes] = {}
    problems: list[diagnostics.Diagnostic] = []
    for shown, path in named.items():
        inside = roots[shown] if roots is not None and shown in roots else None
        try:
            contents[shown] = _files.read(
                path, limit=max_file_size, inside=inside or _files.boundary(path)
            )
        except _files.TooLarge as error:
            problems.append(_too_large(shown, error.size, max_file_size))
        except _files.Refused as error:
            problems.append(
                diagnostics.Diagnostic(
                    "BOS109", error.message, shown, line=1, column=1, hint=error.hint
                )
            )
        except OSError as error:
            problems.append(
                diagnostics.Diagnostic(
                    "BOS109", f"cannot read: {error.strerror}", shown, line=1, column=1
                )
            )
    return contents, problems


def load_paths(
    paths: Sequence[str],
    *,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    jobs: int | None = None,
) -> Loaded:
    """Every manifest under ``paths``; ``jobs`` as in ``load_bytes``, but decided by default."""
    found = discover_rooted(paths)
    contents, unreadable = read_named(found.files, max_file_size=max_file_size, roots=found.roots)
    loaded = load_bytes(contents, max_file_size=max_file_size, jobs=jobs)
    loaded.diagnostics[:0] = found.problems + unreadable
    loaded.files = len(found.files)
    return loaded


def select_manifest_paths(paths: Iterable[str], ignore_text: str | None = None) -> list[str]:
    """The files of a tree listing (POSIX paths, as in a git commit) that ``bosun validate``
    would load from a checkout of it: same suffixes, hidden and skipped directories, ignore
    file. The controller reads a commit's manifests this way, without a working tree."""
    lines = (ignore_text or "").splitlines()
    patterns = [
        line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
    ]
    rendered = {p.rpartition("/")[0] for p in paths if p.rpartition("/")[2] == RENDER_INDEX}
    found: list[str] = []
    for path in sorted(paths):
        parts = path.split("/")
        name = parts[-1]
        if not name.endswith(YAML_SUFFIXES) or name.startswith("."):
            continue
        directories = parts[:-1]
        if any(d.startswith(".") or d in _ALWAYS_SKIPPED for d in directories):
            continue
        if any("/".join(directories[: i + 1]) in rendered for i in range(len(directories))):
            continue
        if not is_ignored(path, patterns):
            found.append(path)
    return found
