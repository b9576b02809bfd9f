"""Binder / JupyterHub (repo2docker) readiness, checked offline: environment.yml, postBuild and kernel name."""

import json
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_postbuild_registers_the_kernel_every_notebook_asks_for():
    post = ROOT / "postBuild"
    assert post.is_file() and os.access(post, os.X_OK), "postBuild must exist and be executable"
    text = post.read_text(encoding="utf-8")
    m = re.search(r"ipykernel install --sys-prefix --name (\S+) --display-name \"([^\"]+)\"", text)
    assert m, "postBuild should register the course kernel with ipykernel"
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        spec = json.loads(nb.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
        assert (spec["name"], spec["display_name"]) == (m.group(1), m.group(2)), nb.name
    assert "--name mlnote" in (ROOT / "Makefile").read_text(encoding="utf-8")  # the same name as make setup


def test_environment_yml_is_what_repo2docker_reads():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s*- python=3\.\d+\s*$", text, re.M), "pin the Python version"
    assert "conda-forge" in text
    pins = re.findall(r"^\s*- ([A-Za-z0-9_.-]+)==", text, re.M)
    assert {"jupyterlab", "ipykernel", "ipywidgets", "torch"} <= set(pins)
    assert "http" not in text, "nothing fetched from a URL"
