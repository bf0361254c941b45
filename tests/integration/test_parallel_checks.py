"""Checks shared out among forked processes report exactly what one process reports, in the same
order, on every case of tests/cases (run in a fresh single-threaded interpreter, where
``fanout`` really forks)."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap

CASES = pathlib.Path(__file__).resolve().parents[1] / "cases"

SCRIPT = textwrap.dedent(
    """
    import os, pathlib, sys
    from bosun.load import fanout, sources
    from bosun.validate import engine

    assert fanout.can_fork()
    compared = 0
    for case in sorted(pathlib.Path(sys.argv[1]).glob("*/*")):
        if not case.is_dir():
            continue
        loaded = sources.load_paths([str(case)], jobs=1)
        for environment in (None, "production"):
            options = engine.Options(environment=environment)
            engine.PARALLEL_CHECKS_FROM = 10**9
            _, alone = engine.check_documents(loaded.documents, options)
            engine.PARALLEL_CHECKS_FROM = 1
            _, shared = engine.check_documents(loaded.documents, options)
            assert shared == alone, (case, alone, shared)
            compared += 1
    try:
        os.waitpid(-1, os.WNOHANG)
        raise AssertionError("a child was left unreaped")
    except ChildProcessError:
        pass
    print(compared)
    """
)


def test_parallel_checks_match_one_process() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(CASES)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout) >= 2 * 40
