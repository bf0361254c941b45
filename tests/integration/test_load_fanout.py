"""The process fan-out with real forks, in a fresh single-threaded interpreter (pytest-xdist
workers have threads, so ``fanout.can_fork`` refuses to fork inside them)."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from bosun.load import fanout, sources

    parent = os.getpid()
    assert fanout.can_fork()

    def where(item):
        time.sleep(0.05)  # long enough for the children to take some items
        return os.getpid(), item * 2

    results = fanout.map_items(where, list(range(12)), jobs=3)
    assert [value for _, value in results] == [2 * i for i in range(12)], results
    assert len({pid for pid, _ in results}) > 1, "no child took an item"

    def fails_in_children(item):
        if os.getpid() != parent:
            raise RuntimeError("a child fails")
        time.sleep(0.01)
        return item + 1

    assert fanout.map_items(fails_in_children, list(range(8)), jobs=3) == list(range(1, 9))

    def exits_in_children(item):
        if os.getpid() != parent:
            os._exit(3)
        return item

    assert fanout.map_items(exits_in_children, [1, 2, 3], jobs=2) == [1, 2, 3]
    assert fanout.map_items(where, [5], jobs=4) == [(parent, 10)]

    root = sys.argv[1]
    one = sources.load_paths([root], jobs=1)
    for jobs in (2, 3):
        many = sources.load_paths([root], jobs=jobs)
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
