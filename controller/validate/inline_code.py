"""No ``${{ }}`` reference in inline code (BOS404): a value reaches a process as an env var or
as one whole argv element, never spliced into ``sh -c`` or ``python -c`` source (DESIGN §2).

A step's argv (``command`` + ``args``) runs inline code when it starts, after an optional
``env`` with its options and ``NAME=value`` assignments, with
- a shell (``sh``, ``bash``, ``zsh``, ``dash``, ``ash``, ``ksh``, ``mksh``, ``busybox sh``; any
  path) given a flag cluster that holds ``c`` (``-c``, ``-lc``, ``-ec``): the code is the first
  operand after the options; the operands after it (``$0``, ``$1``...) are data and may hold
  references;
- ``python``/``python3``/``python3.11`` with ``-c``, ``perl`` with ``-e``/``-E``, ``ruby`` with
  ``-e``, ``node`` with ``-e``/``-p``/``--eval``/``--print``, ``Rscript`` with ``-e``: the code is
  the flag's argument (attached or the next element).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator, Sequence

from bosun import diagnostics
from bosun.spec import catalog
from bosun.spec.v1alpha1 import refs
from bosun.validate import base, walk

_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh", "mksh"})
_SHELL_OPTIONS_WITH_ARGUMENT = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
_PYTHON = re.compile(r"^python[0-9.]*$")


class _Language(typing.NamedTuple):
    code_flags: frozenset[str]
    """Flags whose argument is code."""
    options_with_argument: frozenset[str]
    """Other flags that take the next element, which is therefore not code."""
    stop: frozenset[str]
    """Flags after which the rest of argv belongs to the program (``python -m``)."""
    read_env: str
    """How the program reads variable ``{name}`` from its environment, for the hint."""


_LANGUAGES: dict[str, _Language] = {
    "python": _Language(
        frozenset({"-c"}), frozenset({"-W", "-X"}), frozenset({"-m"}), 'os.environ["{name}"]'
    ),
    "perl": _Language(frozenset({"-e", "-E"}), frozenset(), frozenset(), "$ENV{{{name}}}"),
    "ruby": _Language(frozenset({"-e"}), frozenset({"-r", "-I"}), frozenset(), 'ENV["{name}"]'),
    "node": _Language(
        frozenset({"-e", "-p", "--eval", "--print"}),
        frozenset({"-r", "--require"}),
        frozenset(),
        "process.env.{name}",
    ),
    "Rscript": _Language(frozenset({"-e"}), frozenset(), frozenset(), 'Sys.getenv("{name}")'),
}
_ALIASES = {"nodejs": "node"}
_SHELL_READS_ENV = '"${name}"'

Argv = Sequence[walk.Located]


class Code(typing.NamedTuple):
    """One argv element that holds inline code, and how that language reads a variable."""

    loc: diagnostics.Loc
    text: str
    read_env: str


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    for entry in manifests:
        for argv in walk.argvs(entry.manifest):
            for code in inline_code(argv):
                yield from _spliced(entry, code)


def inline_code(argv: Argv) -> list[Code]:
    """The elements of ``argv`` that a shell or an interpreter runs as source code."""
    position = _after_env(argv)
    if position >= len(argv):
        return []
    program = _program(argv[position][1])
    if program == "busybox" and position + 1 < len(argv):
        position += 1
        program = _program(argv[position][1])
    if program in _SHELLS:
        return _shell_code(argv, position + 1)
    language = _LANGUAGES.get("python" if _PYTHON.match(program) else program)
    if language is None:
        return []
    return _interpreter_code(argv, position + 1, language)


def _program(text: str) -> str:
    name = text.rsplit("/", 1)[-1]
    return _ALIASES.get(name, name)


_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _after_env(argv: Argv) -> int:
    """The position of the program that ``env [OPTIONS] [NAME=value...]`` runs, or 0."""
    if not argv or _program(argv[0][1]) != "env":
        return 0
    position = 1
    while position < len(argv):
        text = argv[position][1]
        if text in ("-u", "--unset", "-C", "--chdir"):
            position += 2
        elif text.startswith("-") or _ASSIGNMENT.match(text):
            position += 1
        else:
            break
    return position


def _shell_code(argv: Argv, position: int) -> list[Code]:
    inline = False
    while position < len(argv):
        text = argv[position][1]
        if text == "--":
            position += 1
            break
        if text in _SHELL_OPTIONS_WITH_ARGUMENT or _cluster_ends_with_o(text):
            position += 2
            continue
        if not text.startswith(("-", "+")) or text in ("-", "+"):
            break
        if not text.startswith("--") and "c" in text[1:]:
            inline = True
        position += 1
    if not inline or position >= len(argv):
        return []
    loc, text = argv[position]
    return [Code(loc, text, _SHELL_READS_ENV)]


def _cluster_ends_with_o(text: str) -> bool:
    """``-eo pipefail``: a short-option cluster whose last flag takes the next element."""
    return len(text) > 2 and text[0] in "-+" and text[1] != "-" and text[-1] in "oO"


def _interpreter_code(argv: Argv, position: int, language: _Language) -> list[Code]:
    found: list[Code] = []
    while position < len(argv):
        loc, text = argv[position]
        if not text.startswith("-") or text in ("-", "--") or text in language.stop:
            break
        flag, attached = _split_flag(text, language)
        if flag in language.code_flags:
            if attached:
                found.append(Code(loc, text, language.read_env))
            elif position + 1 < len(argv):
                found.append(Code(*argv[position + 1], language.read_env))
                position += 1
            if flag == "-c":  # python: the rest of argv is sys.argv
                break
        elif flag in language.options_with_argument and not attached:
            position += 1
        position += 1
    return found


def _split_flag(text: str, language: _Language) -> tuple[str, str]:
    """(flag, attached argument): ``--eval=x`` → (``--eval``, ``x``), ``-Bc`` → (``-c``, ``""``),
    ``-cprint(1)`` → (``-c``, ``print(1)``)."""
    if text.startswith("--"):
        flag, _, attached = text.partition("=")
        return flag, attached
    for index in range(1, len(text)):
        flag = "-" + text[index]
        if flag in language.code_flags or flag in language.options_with_argument:
            return flag, text[index + 1 :]
    return text, ""


def _spliced(entry: catalog.Entry, code: Code) -> Iterator[diagnostics.Diagnostic]:
    try:
        found = refs.references(code.text)
    except refs.ReferenceSyntaxError:
        return  # the schema reported it
    if not found:
        return
    named = ", ".join(dict.fromkeys(str(ref) for ref in found))
    variable = found[0].name.upper()
    reference = str(found[0])
    yield base.at(
        entry,
        "BOS404",
        f"{named} spliced into inline code: the value would run as code (shell or script "
        "injection)",
        code.loc,
        hint=f"pass each value through the environment, "
        f'env: [{{name: {variable}, value: "{reference}"}}], '
        f"and read {code.read_env.format(name=variable)} in the code",
    )
