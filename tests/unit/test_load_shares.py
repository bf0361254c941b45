"""Loading in shares (the unit of the process fan-out) gives the same ``Loaded`` as one pass, and
discovery names files the way the CLI reports them."""

from __future__ import annotations

import os
import pathlib

import pytest
from bosun.load import sources


def _contents() -> dict[str, bytes]:
    files = {
        f"teams/t{i}/p{j}.yaml": (
            f"apiVersion: bosun.dev/v1alpha1\nkind: Team\nmetadata: {{name: t{i}-{j}}}\n"
            f"spec: {{owners: ['@acme/t{i}']}}\n---\nkind: Quota\nn: {j}\n"
        ).encode()
        for i in range(3)
        for j in range(7)
    }
    files["teams/t1/broken.yaml"] = b"a: [1, 2\n"
    files["teams/t1/latin1.yaml"] = b"name: caf\xe9\n"
    files["teams/t2/list.yaml"] = b"- 1\n- 2\n"
    files["teams/t2/dup.yaml"] = b"a: 1\na: 2\n"
    return files


@pytest.mark.parametrize("jobs", [2, 3])
def test_shares_load_like_one_pass(jobs: int) -> None:
    contents = _contents()
    whole = sources.load_bytes(contents, jobs=1)
    split = sources.load_bytes(contents, jobs=jobs)
    assert split.documents == whole.documents
    assert split.diagnostics == whole.diagnostics
    assert split.texts == whole.texts
    assert split.files == whole.files == len(contents)
    assert [d.code for d in whole.diagnostics] == ["BOS103", "BOS102", "BOS105", "BOS106"]


def test_chunks_keep_order_and_balance_bytes() -> None:
    contents = {f"f{i:02}.yaml": b"x" * (100 if i % 2 else 300) for i in range(20)}
    for count in (2, 3, 7, 40):
        chunks = sources._chunks(sorted(contents), contents, count)
        assert [name for chunk in chunks for name in chunk] == sorted(contents)
        assert len(chunks) <= count and all(chunks)
        sizes = [sum(map(len, chunk.values())) for chunk in chunks[:-1]]
        assert max(sizes) - min(sizes) <= 300


def test_jobs_by_default_only_for_enough_yaml() -> None:
    small = {"a.yaml": b"a: 1\n" * 100}
    assert sources._jobs(None, small) == 1
    big = {f"{i}.yaml": b"a: 1\n" * 20_000 for i in range(8)}
    assert 1 <= sources._jobs(None, big) <= (os.cpu_count() or 1)
    assert sources._jobs(4, small) == 4


def test_discovery_names_files_relative_to_the_working_directory(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for relative in ("teams/a/x.yaml", "teams/a/y.yml", "teams/.hidden/z.yaml", "t/README.md"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("a: 1\n")
    (tmp_path / ".bosunignore").write_text("t/\n")
    monkeypatch.chdir(tmp_path)
    whole, _ = sources.discover_named(["."])
    assert list(whole) == ["teams/a/x.yaml", "teams/a/y.yml"]
    again, _ = sources.discover_named(["teams/a/", ".", "teams/a/x.yaml"])
    assert list(again) == ["teams/a/x.yaml", "teams/a/y.yml"]
    outside, _ = sources.discover_named([str(tmp_path / "teams")])
    assert list(outside) == ["teams/a/x.yaml", "teams/a/y.yml"]
    monkeypatch.chdir(tmp_path / "teams")
    above, _ = sources.discover_named([str(tmp_path)])
    assert list(above) == [
        f"{tmp_path.as_posix()}/teams/a/x.yaml",
        f"{tmp_path.as_posix()}/teams/a/y.yml",
    ]


def test_a_file_over_the_limit_is_refused_unread(tmp_path: pathlib.Path) -> None:
    (tmp_path / "big.yaml").write_bytes(b"a: 1\n" * 1000)
    (tmp_path / "ok.yaml").write_bytes(b"a: 1\n")
    loaded = sources.load_paths([str(tmp_path)], max_file_size=4096)
    assert [d.code for d in loaded.diagnostics] == ["BOS101"]
    assert "5,000 bytes" in loaded.diagnostics[0].message
    assert len(loaded.documents) == 1
    assert loaded.files == 2
