"""Dataset digests: the same bytes give the same digest wherever and whenever they were written;
any change of content or of a file's relative path changes it."""

from __future__ import annotations

import os
import pathlib

import pytest
from bosun.tracking import digest


def tree(root: pathlib.Path, files: dict[str, bytes]) -> pathlib.Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


FILES = {"train.csv": b"a,b\n1,2\n", "test.csv": b"a,b\n3,4\n", "meta/info.json": b"{}"}


def test_same_content_elsewhere_and_later_has_the_same_digest(tmp_path: pathlib.Path) -> None:
    first = tree(tmp_path / "one", FILES)
    second = tree(tmp_path / "elsewhere" / "two", dict(reversed(FILES.items())))
    os.utime(second / "train.csv", (1, 1))
    found = digest.of_path(first)
    assert found == digest.of_path(second)
    assert (found.files, found.bytes) == (3, sum(len(v) for v in FILES.values()))
    assert len(found.digest) == digest.DIGEST_CHARS


@pytest.mark.parametrize(
    "change",
    [
        {"train.csv": b"a,b\n1,3\n"},  # content
        {"extra.csv": b""},  # an empty file more
    ],
)
def test_any_change_of_content_changes_the_digest(
    tmp_path: pathlib.Path, change: dict[str, bytes]
) -> None:
    before = digest.of_path(tree(tmp_path / "a", FILES))
    assert digest.of_path(tree(tmp_path / "b", {**FILES, **change})) != before


def test_a_renamed_file_changes_the_digest(tmp_path: pathlib.Path) -> None:
    renamed = {("valid.csv" if k == "test.csv" else k): v for k, v in FILES.items()}
    assert digest.of_path(tree(tmp_path / "a", FILES)) != digest.of_path(
        tree(tmp_path / "b", renamed)
    )


def test_links_are_followed_and_cycles_visited_once(tmp_path: pathlib.Path) -> None:
    real = tree(tmp_path / "real", FILES)
    linked = tmp_path / "linked"
    linked.symlink_to(real, target_is_directory=True)  # an artifact the runtime linked
    before = digest.of_path(real)
    assert digest.of_path(linked) == before
    (real / "meta" / "loop").symlink_to(real, target_is_directory=True)
    assert digest.of_path(real) == before  # a directory already walked is not walked again


def test_a_single_file_and_a_missing_path(tmp_path: pathlib.Path) -> None:
    file = tmp_path / "rows.csv"
    file.write_bytes(b"x")
    assert digest.of_path(file).files == 1
    with pytest.raises(FileNotFoundError):
        digest.of_path(tmp_path / "missing")
