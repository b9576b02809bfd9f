"""Run every chapter's code as a plain script on one device and report per-chapter wall times.

Made for the lent GPU machine (Python 3.12, CUDA PyTorch, no Jupyter, no network): each
``notebooks/NN_*.py`` (jupytext percent format, so valid Python) runs in a fresh interpreter with
``MLNOTE_DEVICE`` (default ``cuda``), the Agg backend, ``TQDM_DISABLE=1`` and an empty cache folder.
Missing pure-Python packages are installed from ``.whl/`` (see ``make gpu-wheels``) into a temporary
folder. A chapter that raises — an assert, a device mismatch — fails the check. With ``--unit`` the
device-agnostic unit tests of the training loop also run. Exit status 1 if anything failed.

Usage:  python3 -m tests.tools.gpu_check [--device cuda|cpu] [--unit] [--timeout 600] [NN ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NEEDED = ("torch", "numpy", "matplotlib", "sklearn", "tqdm", "mnist1d", "ipywidgets", "IPython")
UNIT_TESTS = (
    "tests/test_train.py",
    "tests/test_loaders.py",
    "tests/test_checkpoint.py",
    "tests/test_device.py",
)


def _missing() -> list[str]:
    return [m for m in NEEDED if importlib.util.find_spec(m) is None]


def _install_wheels(site: Path) -> None:
    wheels = sorted((ROOT / ".whl").glob("*.whl"))
    if not wheels:
        raise SystemExit(f"missing modules {_missing()} and no wheels in .whl/: run `make gpu-wheels` first")
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile",
           "--no-cache-dir", "--target", str(site), *map(str, wheels)]  # fmt: skip
    subprocess.run(cmd, check=True)


def _device_line(env: dict, device: str) -> str:
    probe = (
        "import torch, mlnote_utils as mu; d = mu.get_device(); "
        "print(f'python {__import__(\"platform\").python_version()}, torch {torch.__version__}, ' + mu.describe_device(d))"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"cannot use device {device!r}:\n{out.stderr.strip()}")
    return out.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter numbers (default: all)")
    parser.add_argument("--device", default=os.environ.get("MLNOTE_DEVICE") or "cuda")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per chapter")
    parser.add_argument("--unit", action="store_true", help="also run the training-loop unit tests")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="mlnote-gpu-check-"))
    paths = [str(ROOT)]
    if _missing():
        _install_wheels(work / "site")
        paths.insert(0, str(work / "site"))
    env = dict(os.environ, MLNOTE_DEVICE=args.device, MPLBACKEND="Agg", TQDM_DISABLE="1", PYTHONUNBUFFERED="1",
               MLNOTE_CACHE_DIR=str(work / "cache"), PYTHONWARNINGS="ignore:FigureCanvasAgg is non-interactive",
               PYTHONPATH=os.pathsep.join(paths + [os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))  # fmt: skip
    print(f"gpu-check on {platform.node()}: {_device_line(env, args.device)}", flush=True)

    sources = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    if args.chapters:
        sources = [p for p in sources if p.name[:2] in {c.zfill(2) for c in args.chapters}]
    results = []
    for src in sources:
        log = work / f"{src.stem}.log"
        start = time.perf_counter()
        try:
            with open(log, "w") as fh:
                proc = subprocess.run([sys.executable, src.name], cwd=src.parent, env=env, stdout=fh,
                                      stderr=subprocess.STDOUT, timeout=args.timeout)  # fmt: skip
            status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        except subprocess.TimeoutExpired:
            status = f"FAILED (over {args.timeout} s)"
        seconds = time.perf_counter() - start
        results.append({"chapter": src.stem, "seconds": round(seconds, 1), "status": status})
        print(f"{seconds:7.1f} s  {src.stem:40s} {status}", flush=True)
        if status != "ok":
            print("".join(log.read_text(errors="replace").splitlines(keepends=True)[-30:]), flush=True)
    if args.unit:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *UNIT_TESTS],
                              cwd=ROOT, env=env)  # fmt: skip
        status = "ok" if proc.returncode == 0 else "FAILED"
        results.append(
            {"chapter": "unit tests", "seconds": round(time.perf_counter() - start, 1), "status": status}
        )
    total = sum(r["seconds"] for r in results)
    failed = [r["chapter"] for r in results if r["status"] != "ok"]
    print(
        f"{total:7.1f} s  total on {args.device}; {'all passed' if not failed else 'FAILED: ' + ', '.join(failed)}"
    )
    if os.environ.get("OUT"):  # the device tool brings this folder back
        Path(os.environ["OUT"], "gpu_check.json").write_text(json.dumps(results, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
