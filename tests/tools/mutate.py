"""Mutation testing of ONE mlnote_utils module with mutmut 3 (``make mutate MODULE=hessian``).

Not part of ``make test`` (minutes per module). It

1. lays out a scratch project in ``build/mutate/<module>/``: a copy of the ``mlnote_utils`` package, ``data/``
   (without ``data/cache``), ``tests/conftest.py`` and the module's test files, and a ``pyproject.toml`` whose
   ``[tool.mutmut]`` table mutates only that module and runs only those tests;
2. runs ``mutmut run --max-children 1`` there (one worker: the machine is shared), with torch and BLAS on
   one thread and a timeout of 15 × (the tests' clean time + 10 s) per mutant;
3. prints the summary (mutants, killed, timeout, equivalent, survived, no tests) and each survivor's diff.

A mutant counts as *equivalent* when docs/mutation.md lists its name in a line
``- `mlnote_utils.<module>.x_<function>__mutmut_<n>`: <one-line reason>``. Everything else that survives is
a missing test. Exit status 1 when unrecorded survivors remain (so a helper can use it as a gate).

Usage::

    python -m tests.tools.mutate hessian                 # tests/test_hessian.py
    python -m tests.tools.mutate train --tests tests/test_train.py tests/test_checkpoint.py
    python -m tests.tools.mutate hessian --keep          # reuse the previous run's results (only new mutants)
    python -m tests.tools.mutate hessian --survivors     # after adding tests: re-run only the survivors
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "mutation.md"

# Test files per module when the default tests/test_<module>.py is not the whole story.
EXTRA_TESTS: dict[str, list[str]] = {
    "train": ["tests/test_train.py", "tests/test_checkpoint.py"],
    "checkpoint": ["tests/test_checkpoint.py", "tests/test_train.py"],
    "evaluation": ["tests/test_evaluation.py", "tests/test_train.py"],
}

# mutmut 3 exit codes (mutmut.stats.status_by_exit_code), folded into the summary's columns.
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout", 37: "killed",
          None: "not checked", -11: "segfault", -9: "segfault"}  # fmt: skip

MUTMUT_TABLE = """
[tool.mutmut]
# written by tests/tools/mutate.py for one module; source_paths / pytest_add_cli_args_test_selection are
# mutmut 3.8's names for the older paths_to_mutate / tests_dir
source_paths = {source}
also_copy = ["mlnote_utils/", "data/"]
pytest_add_cli_args_test_selection = {tests}
pytest_add_cli_args = ["-q"]
timeout_multiplier = 15.0
timeout_constant = 10.0
process_isolation = "forkserver"
use_git_change_detection = false
"""


def test_files_for(module: str, tests: list[str] | None) -> list[str]:
    files = tests or EXTRA_TESTS.get(module) or [f"tests/test_{module}.py"]
    missing = [f for f in files if not (ROOT / f).is_file()]
    if missing:
        raise SystemExit(f"mutate: test file(s) not found: {', '.join(missing)}")
    return files


def prepare(module: str, tests: list[str], keep: bool) -> Path:
    """Scratch project in build/mutate/<module>; mutmut's own mutants/ folder survives only with keep."""
    work = ROOT / "build" / "mutate" / module
    if work.exists() and not keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for sub in ("mlnote_utils", "data", "tests"):
        shutil.rmtree(work / sub, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "cache", "*.pyc")
    shutil.copytree(ROOT / "mlnote_utils", work / "mlnote_utils", ignore=ignore)
    shutil.copytree(ROOT / "data", work / "data", ignore=ignore)
    (work / "tests").mkdir()
    for name in ("__init__.py", "conftest.py"):
        shutil.copy2(ROOT / "tests" / name, work / "tests" / name)
    for f in tests:
        shutil.copy2(ROOT / f, work / f)
    # pytest's addopts would be added again on every pytest.main() in mutmut's fork server (a usage error)
    pyproject = re.sub(r"(?m)^addopts = .*\n", "", (ROOT / "pyproject.toml").read_text())
    pyproject += MUTMUT_TABLE.format(
        source=json.dumps([f"mlnote_utils/{module}.py"]), tests=json.dumps(tests)
    )
    (work / "pyproject.toml").write_text(pyproject)
    return work


def run_mutmut(work: Path, max_children: int, names: list[str] | None = None) -> int:
    env = dict(os.environ)
    env.update(
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MPLBACKEND="Agg",
        TQDM_DISABLE="1",
        MLNOTE_DEVICE=env.get("MLNOTE_DEVICE", "cpu"),
        MLNOTE_CACHE_DIR=str(work / "cache"),
    )
    cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *(names or [])]
    return subprocess.call(cmd, cwd=work, env=env)


def read_results(work: Path, module: str) -> dict[str, str]:
    meta = work / "mutants" / "mlnote_utils" / f"{module}.py.meta"
    if not meta.is_file():
        raise SystemExit(f"mutate: no results at {meta} (did mutmut run?)")
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {name: STATUS.get(code, "suspicious") for name, code in codes.items()}


def recorded_equivalents(module: str) -> dict[str, str]:
    """Mutant name → reason, from docs/mutation.md lines ``- `mlnote_utils.<module>.…`: reason``."""
    if not DOCS.is_file():
        return {}
    pat = re.compile(rf"^\s*[-*]\s+`(mlnote_utils\.{re.escape(module)}\.[\w.]+__mutmut_\d+)`\s*:\s*(.+)$")
    return {
        m.group(1): m.group(2).strip() for line in DOCS.read_text().splitlines() if (m := pat.match(line))
    }


def summarise(module: str, results: dict[str, str], work: Path, show_diffs: bool) -> int:
    equivalent = recorded_equivalents(module)
    counts = Counter(results.values())
    survivors = sorted(n for n, s in results.items() if s == "survived")
    eq_survivors = [n for n in survivors if n in equivalent]
    open_survivors = [n for n in survivors if n not in equivalent]
    stale = sorted(n for n in equivalent if results.get(n) not in (None, "survived"))
    unknown = sorted(n for n in equivalent if n not in results)
    killed = counts["killed"] + counts["timeout"]
    non_eq = len(results) - len(eq_survivors)
    score = 100.0 * killed / non_eq if non_eq else 100.0
    print()
    print(f"mutate {module}: {len(results)} mutants, {counts['killed']} killed, {counts['timeout']} timeout, "
          f"{len(eq_survivors)} equivalent, {len(open_survivors)} survived, {counts['no tests']} no tests, "
          f"{counts['suspicious'] + counts['segfault'] + counts['not checked']} other")  # fmt: skip
    print(f"mutate {module}: {score:.1f} % of non-equivalent mutants killed (killed + timeout)")
    print(f"| {module}.py | {len(results)} | {killed} | {len(eq_survivors)} | {len(open_survivors)} |")
    for n in stale:
        print(f"  note: {n} is recorded as equivalent but was {results[n]}: remove it from docs/mutation.md")
    for n in unknown:
        print(f"  note: {n} is recorded as equivalent but no such mutant exists now (renumbered?)")
    others = sorted(
        n for n, s in results.items() if s in ("no tests", "suspicious", "segfault", "not checked")
    )
    for n in others:
        print(f"  {results[n]}: {n}")
    if open_survivors:
        print(
            f"\nsurvivors ({len(open_survivors)}), each needs a test or an equivalence line in docs/mutation.md:"
        )
    for n in open_survivors:
        if show_diffs:
            out = subprocess.run(
                [sys.executable, "-m", "mutmut", "show", n], cwd=work, capture_output=True, text=True
            )
            print(out.stdout.rstrip())
        else:
            print(f"  {n}")
    return 1 if open_survivors or counts["no tests"] else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("module", help="module name inside mlnote_utils, e.g. hessian")
    ap.add_argument("--tests", nargs="+", help="test files (default: tests/test_<module>.py)")
    ap.add_argument(
        "--keep", action="store_true", help="keep build/mutate/<module>/mutants from the last run"
    )
    ap.add_argument(
        "--survivors",
        action="store_true",
        help="re-run only the last run's survivors against the current tests (after adding tests)",
    )
    ap.add_argument("--max-children", type=int, default=1, help="parallel mutmut workers (default 1)")
    ap.add_argument("--no-diff", action="store_true", help="list survivors by name only")
    ap.add_argument(
        "--report-only", action="store_true", help="summarise the last run without running mutmut"
    )
    args = ap.parse_args(argv)
    if not (ROOT / "mlnote_utils" / f"{args.module}.py").is_file():
        raise SystemExit(f"mutate: module must name a file mlnote_utils/<module>.py, got {args.module!r}")
    work = ROOT / "build" / "mutate" / args.module
    if not args.report_only:
        names, rc = None, 0
        if args.survivors:  # mutmut re-runs mutants named on its command line, whatever their last result
            names = sorted(n for n, s in read_results(work, args.module).items() if s == "survived")
            if not names:
                print(f"mutate {args.module}: no survivors to re-run")
        if names != []:
            work = prepare(args.module, test_files_for(args.module, args.tests), args.keep or args.survivors)
            rc = run_mutmut(work, args.max_children, names)
        if rc != 0:
            print(f"mutate: mutmut exited with {rc}", file=sys.stderr)
            return rc
    return summarise(args.module, read_results(work, args.module), work, not args.no_diff)


if __name__ == "__main__":
    sys.exit(main())
