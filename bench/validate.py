"""Benchmark of ``bosun validate``: a whole process on N generated manifests against a process that
only parses the same files with ``yaml.CSafeLoader``, measured in the same run; and the cold start
of ``bosun validate`` on the demo repository against ``python -c "import yaml, pydantic"``.

    python bench/validate.py [--n 5000] [--runs 3] [--keep]

Goals (issue 2): validate / parse-only <= 1.3; cold start / import floor <= 2.5. Every figure is
the best of ``--runs`` runs, the two sides of a ratio interleaved so that they share the machine's
noise. A breakdown from an in-process, single-process run shows where the time goes.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import _corpus

REPO = pathlib.Path(__file__).resolve().parent.parent
RATIO_GOAL = 1.3
COLD_GOAL = 2.5

PARSE_ONLY = """
import os, sys, yaml
documents = 0
for directory, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(files):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(directory, name), "rb") as handle:
                for _ in yaml.load_all(handle.read(), Loader=yaml.CSafeLoader):
                    documents += 1
print(documents)
"""

BREAKDOWN = """
import gc, json, sys, time
gc.disable()  # as the validate command does
started = time.perf_counter()
from bosun.commands import validate as _command
from bosun import diagnostics
from bosun.load import positions, sources
from bosun.validate import checks, engine
imported = time.perf_counter()
named, _ = sources.discover_named([sys.argv[1]])
contents, _ = sources.read_named(named, max_file_size=sources.DEFAULT_MAX_FILE_SIZE)
read = time.perf_counter()
loaded = sources.load_bytes(contents, jobs=1)
parsed = time.perf_counter()
options = engine.Options(environment=sys.argv[2] or None)
run_checks, engine.run_checks = engine.run_checks, lambda manifests, options: []
manifests, found = engine.check_documents(loaded.documents, options)  # the schema only
engine.run_checks = run_checks
checked = time.perf_counter()
each = {}
for check in checks.ALL:  # in one process, in order (the first builds the shared index)
    before = time.perf_counter()
    found.extend(check(manifests, options))
    each[check.__module__.rsplit(".", 1)[-1]] = time.perf_counter() - before
sample = [d for d in loaded.documents if d.data.get("kind") == "Pipeline"][:200]
probe = [
    diagnostics.Diagnostic("BOS204", "probe", d.file, ("spec", "steps", 1, "name"), d.index)
    for d in sample
]
before = time.perf_counter()
positions.locate(probe, loaded.texts)
locate = time.perf_counter() - before
print(json.dumps({
    "import": imported - started,
    "discover+read": read - imported,
    "parse": parsed - read,
    "schema": checked - parsed,
    "checks": sum(each.values()),
    "each": each,
    "locate": locate,
    "located": len(probe),
    "documents": len(loaded.documents),
    "diagnostics": len(found) + len(loaded.diagnostics),
}))
"""


def bosun_command() -> list[str]:
    script = pathlib.Path(sys.executable).with_name("bosun")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from bosun.cli import main; main()"]


def timed(argv: list[str], *, cwd: pathlib.Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done


def best_of(runs: int, commands: dict[str, list[str]], *, cwd: pathlib.Path) -> dict[str, float]:
    """Best wall time of each command; the commands are interleaved within every round."""
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(runs):
        for label, argv in commands.items():
            elapsed, done = timed(argv, cwd=cwd)
            if done.returncode != 0:
                sys.exit(f"{label} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr}")
            best[label] = min(best[label], elapsed)
    return best


def check_corpus(root: pathlib.Path, corpus: _corpus.Corpus, bosun: list[str]) -> None:
    """The corpus is a valid repository, and both processes see all of its documents."""
    for env in ([], ["--env", "production"]):
        done = subprocess.run(
            [*bosun, "validate", ".", "--format", "json", *env],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"generated corpus is not valid {env}:\n{done.stdout[:3000]}{done.stderr}")
        counted = json.loads(done.stdout)["documents"]
        if counted != corpus.documents:
            sys.exit(f"bosun validate saw {counted} documents, the corpus has {corpus.documents}")
    done = subprocess.run(
        [sys.executable, "-c", PARSE_ONLY, "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    if int(done.stdout) != corpus.documents:
        sys.exit(f"the parse-only floor saw {done.stdout.strip()} documents")


def verdict(ratio: float, goal: float) -> str:
    return "ok" if ratio <= goal else "MISSED"


def throughput(root: pathlib.Path, corpus: _corpus.Corpus, runs: int) -> None:
    bosun = bosun_command()
    check_corpus(root, corpus, bosun)
    best = best_of(
        runs,
        {
            "validate": [*bosun, "validate", "."],
            "validate --env production": [*bosun, "validate", ".", "--env", "production"],
            "parse only (CSafeLoader)": [sys.executable, "-c", PARSE_ONLY, "."],
        },
        cwd=root,
    )
    floor = best["parse only (CSafeLoader)"]
    print(f"{'parse only (CSafeLoader)':<28} {floor:7.3f} s   (the floor)")
    for label in ("validate", "validate --env production"):
        ratio = best[label] / floor
        print(
            f"bosun {label:<22} {best[label]:7.3f} s   ratio {ratio:.2f} "
            f"(goal <= {RATIO_GOAL}) {verdict(ratio, RATIO_GOAL)}"
        )


def cold_start(runs: int) -> None:
    best = best_of(
        max(runs * 3, 10),
        {
            "validate": [*bosun_command(), "validate", "."],
            "import": [sys.executable, "-c", "import yaml, pydantic"],
        },
        cwd=REPO,
    )
    ratio = best["validate"] / best["import"]
    print(f"{'import yaml, pydantic':<28} {best['import']:7.3f} s   (the floor)")
    print(
        f"{'bosun validate (demo repo)':<28} {best['validate']:7.3f} s   ratio {ratio:.2f} "
        f"(goal <= {COLD_GOAL}) {verdict(ratio, COLD_GOAL)}"
    )


def instructions(argv: list[str], *, cwd: pathlib.Path) -> int | None:
    """Instructions executed by ``argv`` under callgrind: unlike wall time on a shared VM, the
    count repeats exactly, so a few milliseconds of start-up are visible."""
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out", *argv],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if done.returncode == 0 and found else None


def cold_start_instructions() -> None:
    if shutil.which("valgrind") is None:
        print("cold start in instructions: skipped (valgrind is not installed)")
        return
    ours = instructions([*bosun_command(), "validate", "."], cwd=REPO)
    floor = instructions([sys.executable, "-c", "import yaml, pydantic"], cwd=REPO)
    if ours is None or floor is None:
        print("cold start in instructions: callgrind did not report a count")
        return
    ratio = ours / floor
    print(f"{'import yaml, pydantic':<28} {floor / 1e6:7.0f} M instructions (the floor)")
    print(
        f"{'bosun validate (demo repo)':<28} {ours / 1e6:7.0f} M instructions ratio {ratio:.2f} "
        f"(goal <= {COLD_GOAL}) {verdict(ratio, COLD_GOAL)}"
    )


def breakdown(root: pathlib.Path) -> None:
    """Where the time goes, in one process: what to work on next."""
    for env in ("", "production"):
        done = subprocess.run(
            [sys.executable, "-c", BREAKDOWN, ".", env],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
        phases = json.loads(done.stdout)
        title = f"--env {env}" if env else "no --env"
        print(f"breakdown in one process (the CLI forks for parse and checks here), {title}:")
        for phase in ("import", "discover+read", "parse", "schema", "checks"):
            print(f"  {phase:<14} {phases[phase]:7.3f} s")
        slowest = sorted(phases["each"].items(), key=lambda item: -item[1])[:4]
        print("    slowest checks: " + ", ".join(f"{n} {t:.3f}" for n, t in slowest))
        print(f"  {'locate':<14} {phases['locate']:7.3f} s   ({phases['located']} diagnostics)")


def compile_bytecode() -> None:
    """Compile bosun's modules, as ``pip install`` does: where PYTHONDONTWRITEBYTECODE is set
    (this repository's CI machines), every run would otherwise compile them from source, while
    yaml and pydantic, installed by pip, start from bytecode."""
    import bosun

    package = pathlib.Path(bosun.__file__).parent
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)], check=True, capture_output=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="manifests to generate")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the best counts")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    args = parser.parse_args()
    compile_bytecode()
    root = pathlib.Path(tempfile.mkdtemp(prefix="bosun-bench-validate-"))
    try:
        corpus = _corpus.generate(root, args.n)
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(corpus.kinds.items()))
        print(
            f"bench/validate.py: {corpus.documents} documents in {corpus.files} files "
            f"({corpus.bytes / 1e6:.1f} MB; {kinds}); best of {args.runs} runs"
        )
        throughput(root, corpus, args.runs)
        cold_start(args.runs)
        cold_start_instructions()
        breakdown(root)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
