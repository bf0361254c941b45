"""The process fan-out with real forks, in a fresh single-threaded interpreter (pytest-xdist
workers have threads, so ``fanout.can_fork`` refuses to fork inside them)."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import os, sys
    from bosun.load import fanout, sources

    parent = os.getpid()
    assert fanout.can_fork()

    def where(share):
        return os.getpid(), share * 2

    results = fanout.map_shares(where, [1, 2, 3])
    assert [value for _, value in results] == [2, 4, 6], results
    assert results[0][0] == parent and len({pid for pid, _ in results}) == 3, results

    def fails_in_children(share):
        if os.getpid() != parent:
            raise RuntimeError("a child fails")
        return share + 1

    assert fanout.map_shares(fails_in_children, [1, 2, 3]) == [2, 3, 4]

    def exits_in_children(share):
        if os.getpid() != parent:
            os._exit(3)
        return share

    assert fanout.map_shares(exits_in_children, [1, 2]) == [1, 2]

    root = sys.argv[1]
    one = sources.load_paths([root], jobs=1)
    many = sources.load_paths([root], jobs=3)
    assert many.documents == one.documents and many.diagnostics == one.diagnostics
    assert many.texts == one.texts and many.files == one.files
    try:
        os.waitpid(-1, os.WNOHANG)
        raise AssertionError("a child was left unreaped")
    except ChildProcessError:
        pass
    print(len(one.documents), len(one.diagnostics))
    """
)


def test_forked_shares_match_one_process(tmp_path: pathlib.Path) -> None:
    for i in range(30):
        team = tmp_path / "teams" / f"t{i % 3}"
        team.mkdir(parents=True, exist_ok=True)
        (team / f"m{i}.yaml").write_text(
            f"apiVersion: bosun.dev/v1alpha1\nkind: Team\nmetadata: {{name: t{i}}}\n---\nx: {i}\n"
        )
    (tmp_path / "teams" / "t1" / "bad.yaml").write_text("a: [1\n")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["60", "1"]
