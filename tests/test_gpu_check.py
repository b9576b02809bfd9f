"""The GPU check runs chapters as plain scripts; here it runs one chapter on the CPU end to end."""

import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_gpu_check_runs_a_chapter_as_a_script_on_the_cpu(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "tests.tools.gpu_check", "--device", "cpu", "07"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "OUT": str(tmp_path)},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "07_classification" in out.stdout and "all passed" in out.stdout and "device: cpu" in out.stdout
    assert '"status": "ok"' in (tmp_path / "gpu_check.json").read_text()


def test_gpu_check_fails_when_a_chapter_fails(tmp_path, monkeypatch):
    from tests.tools import gpu_check

    broken = tmp_path / "notebooks"
    broken.mkdir()
    (broken / "98_fine.py").write_text("print('fine')\n")
    (broken / "99_broken.py").write_text("assert 1 + 1 == 3, 'a claim that does not hold'\n")
    monkeypatch.setattr(gpu_check, "ROOT", tmp_path)
    monkeypatch.setattr(gpu_check, "_device_line", lambda env, device: device)
    assert gpu_check.main(["--device", "cpu"]) == 1


def test_gpu_wheels_carry_the_project_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = dict(r.split("==") for r in project["dependencies"])
    wheels = dict(
        line.split("==")
        for line in (ROOT / "tests/tools/gpu_wheels.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    for name in ("mnist1d", "ipywidgets"):
        assert wheels[name] == pins[name], name
