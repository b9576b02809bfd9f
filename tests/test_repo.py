"""Repository-level checks: pins agree, public API is sound, doctests run, notebooks carry the checklist."""

import doctest
import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest
import tomllib

import mlnote_utils

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def _pins_from_pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(r.split("==") for r in reqs)


def _pins_from_environment() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s*-\s*([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def test_every_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert "==" in req, f"{req}: pin it with =="
    assert _pins_from_pyproject()["torch"] == "2.13.0"


def test_environment_yml_matches_pyproject():
    assert _pins_from_environment() == _pins_from_pyproject()


def test_top_level_is_the_core_and_concepts_are_reached_by_name():
    names = mlnote_utils.__all__
    assert len(names) == len(set(names)), "a public name is exported by two modules"
    for name in names:
        assert hasattr(mlnote_utils, name), name
    core = set()
    for module_name in mlnote_utils.CORE_MODULES:
        module = importlib.import_module(f"mlnote_utils.{module_name}")
        assert set(module.__all__) <= set(names), f"core module {module_name}: not re-exported"
        core |= set(module.__all__)
    assert set(names) == core, "the top level re-exports only the core modules"
    for module_name in mlnote_utils.CONCEPT_MODULES:
        module = getattr(mlnote_utils, module_name)  # `mu.hessian` works after `import mlnote_utils as mu`
        assert module.__all__ and not set(module.__all__) & set(names), (
            f"{module_name}: concept names at the top"
        )
        for name in module.__all__:
            assert hasattr(module, name), f"{module_name}.{name}"
    assert len(names) < 60, "the top level should stay a small core"


def test_every_module_is_listed_and_chapter_code_sits_in_its_folders():
    listed = set(mlnote_utils.CORE_MODULES) | set(mlnote_utils.CONCEPT_MODULES) | {"checkpoint"}
    found = {
        i.name
        for i in pkgutil.iter_modules(mlnote_utils.__path__)
        if not i.ispkg and not i.name.startswith("_")
    }
    assert found == listed, f"modules not classified as core/concept: {found ^ listed}"
    chapter_named = [m for m in found if re.search(r"ch\d\d|chapter", m)]
    assert not chapter_named, "chapter drivers belong in experiments/, checkers in exercises/"
    for package in ("experiments", "exercises"):
        files = sorted(p.stem for p in (ROOT / "mlnote_utils" / package).glob("ch*.py"))
        assert files and all(re.fullmatch(r"ch\d\d", f) for f in files), package


def _modules():
    for info in pkgutil.walk_packages(mlnote_utils.__path__, "mlnote_utils."):
        yield importlib.import_module(info.name)


@pytest.mark.parametrize("module", list(_modules()), ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_shipped_data_checksums_match_readme():
    from mlnote_utils.data import _SHIPPED, sha256_file

    readme = (ROOT / "data" / "README.md").read_text()
    for name, digest in _SHIPPED.items():
        assert sha256_file(ROOT / "data" / name) == digest
        assert name in readme and digest in readme


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks/NN_*.py found"


@pytest.mark.parametrize("py", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_paired_executed_and_has_kernelspec(py):
    ipynb = py.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} missing: run make execute NB={py.name[:2]}"
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "mlnote"
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    unrun = [i for i, c in enumerate(code) if c["execution_count"] is None]
    assert not unrun, f"{ipynb.name}: code cells {unrun} have no stored output (run make execute)"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{ipynb.name}: not executed top to bottom in one run"
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{ipynb.name}: stored outputs contain an error"


@pytest.mark.parametrize("py", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_checklist(py):
    text = py.read_text(encoding="utf-8")
    for what, pattern in {
        "learning goals (学习目标)": r"学习目标",
        "summary (小结)": r"##\s*小结",
        "exercises (练习)": r"##\s*练习",
        "a widget": r"mu\.interactive_figure|ipywidgets|interact\(",
        "an assert on a measured claim": r"^\s*assert ",
        "a checked deterministic cell": r'^# %%.*tags=\[.*"nbval-check-output"',
        "a derivation checked in code": r"assert_close",
        "a hidden reference solution": r'jupyter=\{"source_hidden": true\}',
        "the device printed": r"describe_device",
    }.items():
        assert re.search(pattern, text, re.M), f"{py.name}: no {what}"
    assert "!pip" not in text and "plt.savefig" not in text


def test_notebooks_change_the_thread_count_only_through_cpu_threads():
    for py in NOTEBOOKS:
        text = py.read_text(encoding="utf-8")
        assert "set_num_threads" not in text, f"{py.name}: use `with mu.cpu_threads(n):` instead"


def test_no_helper_reseeds_the_global_generator():
    import ast

    reseeding = {"torch.manual_seed", "torch.cuda.manual_seed_all", "np.random.seed", "random.seed"}
    allowed = {"seed_everything", "seeded"}  # the notebook's own explicit call, and a forked, restored stream
    for path in (ROOT / "mlnote_utils").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name not in allowed]:
            for call in [n for n in ast.walk(func) if isinstance(n, ast.Call)]:
                name = ast.unparse(call.func)
                assert name not in reseeding, f"{path.name}:{call.lineno} {func.name} calls {name}"


def test_the_wheel_holds_every_subpackage(tmp_path):
    import shutil
    import subprocess
    import sys
    import zipfile

    src = tmp_path / "src"  # build from a copy: setuptools writes build/ next to pyproject.toml
    shutil.copytree(ROOT / "mlnote_utils", src / "mlnote_utils", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*pip, "-w", str(tmp_path), str(src)], check=True)
    (wheel,) = tmp_path.glob("mlnote-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    for path in sorted((ROOT / "mlnote_utils").rglob("*.py")):
        assert path.relative_to(ROOT).as_posix() in inside, f"{path.name} is missing from the wheel"
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = "import mlnote_utils as mu; from mlnote_utils.experiments import ch08; from mlnote_utils.exercises import ch05; print(mu.__file__)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                         capture_output=True, text=True, check=True)  # fmt: skip
    assert out.stdout.startswith(str(site)), "the probe imported the repository, not the wheel"


def test_readme_lists_every_chapter():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for py in NOTEBOOKS:
        assert f"notebooks/{py.stem}.ipynb" in readme, f"README chapter table lacks {py.stem}"


# A widget's Python repr, e.g. "interactive(children=(FloatLogSlider(...", "VBox(children=(...".
WIDGET_REPR = re.compile(
    r"^\s*(interactive|VBox|HBox|Box|GridBox|Output|Tab|Accordion|Stack|\w*Slider|Dropdown|Checkbox"
    r"|ToggleButtons?|Button|Play|Label|HTML|Text|RadioButtons|Select\w*)\(children=|"
    r"^\s*(\w*Slider|Dropdown|Checkbox|ToggleButtons?|RadioButtons|Play)\(value="
)


def _stored_texts(nb: dict):
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        for out in cell.get("outputs", []):
            text = (
                out.get("text") if out["output_type"] == "stream" else out.get("data", {}).get("text/plain")
            )
            if text is not None:
                yield i, "".join(text) if isinstance(text, list) else text


@pytest.mark.parametrize("py", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stored_output_is_a_widget_repr(py):
    """Opened before running, a widget cell must show a hint to run it, never the widget's Python repr."""
    nb = json.loads(py.with_suffix(".ipynb").read_text(encoding="utf-8"))
    reprs = [(i, text[:60]) for i, text in _stored_texts(nb) if WIDGET_REPR.match(text)]
    assert not reprs, (
        f"{py.stem}: code cells show a widget repr {reprs}; re-run `make execute NB={py.name[:2]}`"
    )


def test_execute_replaces_widget_views_by_a_placeholder():
    import nbformat

    from tests.tools.execute import WIDGET_MIME, WIDGET_PLACEHOLDER, replace_widget_views

    nb = nbformat.v4.new_notebook()
    widget = {
        WIDGET_MIME: {"model_id": "abc", "version_major": 2},
        "text/plain": "interactive(children=(IntSlider(",
    }
    nb.cells = [
        nbformat.v4.new_code_cell("w", outputs=[nbformat.v4.new_output("execute_result", data=widget)]),
        nbformat.v4.new_code_cell(
            "1", outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "1"})]
        ),
    ]
    assert replace_widget_views(nb) == 1
    assert nb.cells[0].outputs[0]["data"] == {"text/plain": WIDGET_PLACEHOLDER}
    assert nb.cells[1].outputs[0]["data"] == {"text/plain": "1"}
    texts = [t for _, t in _stored_texts(json.loads(nbformat.writes(nb)))]
    assert texts == [WIDGET_PLACEHOLDER, "1"] and not any(WIDGET_REPR.match(t) for t in texts)
    assert WIDGET_REPR.match("interactive(children=(FloatLogSlider(value=0.5,")
    assert WIDGET_REPR.match("VBox(children=(Output(),))")


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_BLOCK = re.compile(r"^\s*([-*+] |\d+\. |\||#|\$\$|>|```|<)")


def soft_breaks_in_chinese(markdown: str) -> list[str]:
    """Lines that end in Chinese text and continue on the next line: the break renders as a stray space."""
    lines = markdown.split("\n")
    return [
        f"{a[-20:]!r} / {b[:20]!r}"
        for a, b in zip(lines, lines[1:], strict=False)
        if a.strip() and b.strip() and not _BLOCK.match(a) and not _BLOCK.match(b) and _CJK.match(a[-1])
    ]


def test_soft_break_finder():
    assert soft_breaks_in_chinese("第一句话，\n接着写。") == ["'第一句话，' / '接着写。'"]
    assert soft_breaks_in_chinese("一段。\n\n另一段。\n- 列表项\n- 另一项\n| 表 | 格 |\n| 表 | 格 |") == []
    assert soft_breaks_in_chinese("ends in ASCII\n下一行") == []


@pytest.mark.parametrize("py", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_line_break_inside_chinese_prose(py):
    import jupytext

    nb = jupytext.read(py)
    found = [
        f"cell {i}: {s}"
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown"
        for s in soft_breaks_in_chinese(c.source)
    ]
    assert not found, f"{py.name}: write each Chinese paragraph on one line:\n" + "\n".join(found[:10])


@pytest.mark.parametrize("py", NOTEBOOKS, ids=lambda p: p.stem)
def test_reference_solutions_assert_that_their_checker_accepts_them(py):
    import jupytext

    nb = jupytext.read(py)
    hidden = [
        c for c in nb.cells if c.cell_type == "code" and c.metadata.get("jupyter", {}).get("source_hidden")
    ]
    assert hidden, f"{py.name}: no hidden reference solution"
    for cell in hidden:
        assert re.search(r"^assert ex\.check_\w+\(", cell.source, re.M), (
            f"{py.name}: a reference solution should `assert ex.check_…(...)` so a wrong reference fails the run:\n"
            + cell.source[:300]
        )
