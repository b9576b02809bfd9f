"""make slides / make book: offline pages with no script, style or font fetched from the web."""

import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest

from tests.tools import site, slidemeta

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
needs_vendor = pytest.mark.skipif(
    shutil.which("npm") is None and not (site.CACHE / "files").exists(),
    reason="the vendored reveal.js/MathJax are not cached in build/vendor and npm is missing to fetch them",
)


def test_external_reference_finder_catches_scripts_styles_and_fonts(tmp_path):
    (tmp_path / "a.html").write_text(
        '<script src="https://cdn.example/x.js"></script><a href="https://example.org">a link is fine</a>'
    )
    (tmp_path / "b.css").write_text("@import url(https://fonts.googleapis.com/css?family=Lato);")
    (tmp_path / "c.html").write_text("<style>@font-face{src:url('//cdn.example/f.woff')}</style>")
    (tmp_path / "d.html").write_text(
        '<link rel="stylesheet" href="vendor/reveal.css"><img src="data:image/png;base64,AA">'
    )
    found = site.external_references(tmp_path)
    assert [f.split(":")[0] for f in found] == ["a.html", "b.css", "c.html"]


def test_slide_layout_respects_the_source_and_skips_solutions():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_markdown_cell("## 如何使用本笔记本\n..."),
        nbformat.v4.new_markdown_cell("a derivation step"),
        nbformat.v4.new_markdown_cell("### a sub-topic"),
        nbformat.v4.new_code_cell("x = 1\n" * 20),
        nbformat.v4.new_code_cell("answer = 2", metadata={"jupyter": {"source_hidden": True}}),
        nbformat.v4.new_markdown_cell("kept as set", metadata={"slideshow": {"slide_type": "notes"}}),
    ]
    kinds = [c.metadata["slideshow"]["slide_type"] for c in site.slide_layout(nb).cells]
    assert kinds == ["slide", "skip", "fragment", "subslide", "-", "skip", "notes"]
    assert "remove_input" in nb.cells[4].metadata["tags"]


def test_every_prose_cell_has_a_slide_type_in_its_source():
    bad = [
        line for py in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")) for line in slidemeta.missing(py)
    ]
    assert not bad, "run `python -m tests.tools.slidemeta notebooks/NN_x.py` and `make sync`:\n" + "\n".join(
        bad
    )


def test_annotate_adds_defaults_and_keeps_the_authors_choice(tmp_path):
    py = tmp_path / "99_x.py"
    py.write_text(
        '# %% [markdown]\n# # Title\n\n# %%\nx = 1\n\n# %% [markdown] slideshow={"slide_type": "notes"}\n'
        '# kept\n\n# %% [markdown]\n# a step\n\n# %% jupyter={"source_hidden": true}\nx_ref = 1\n',
        encoding="utf-8",
    )
    assert [line[:30] for line in slidemeta.missing(py)] == [
        "99_x.py cell 1: no slide_type ",
        "99_x.py cell 4: no slide_type ",
        "99_x.py cell 5: no slide_type ",
    ]
    assert slidemeta.annotate(py) == 3
    assert slidemeta.missing(py) == [] and slidemeta.annotate(py) == 0
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in jupytext.read(py).cells]
    assert kinds == ["slide", None, "notes", "fragment", "skip"]


def test_missing_local_files_names_each_page_and_path(tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "here.css").write_text("")
    (tmp_path / "deck.html").write_text(
        '<link href="vendor/here.css"><link href="vendor/theme/simple.css" id="theme">'
        '<script src="https://cdn.example/x.js"></script><img src="data:image/png;base64,AA">'
    )
    assert site.missing_local_files(tmp_path) == ["deck.html: vendor/theme/simple.css"]


@needs_vendor
def test_slides_and_book_build_offline_without_external_references(tmp_path):
    two = NOTEBOOKS[:2]
    slides = site.build_slides(two, tmp_path / "slides")
    book = site.build_book(two, tmp_path / "book")
    assert [p.name for p in slides] == [f"{p.stem}.slides.html" for p in two]
    assert {"index.html", "glossary.html", f"{two[0].stem}.html"} <= {p.name for p in book}
    for folder in (tmp_path / "slides", tmp_path / "book"):
        assert site.external_references(folder) == []
        assert site.missing_local_files(folder) == []  # e.g. a reveal.js theme that was not vendored
    deck = slides[0].read_text(encoding="utf-8")
    assert "vendor/reveal.js/dist/reveal.js" in deck and "vendor/mathjax/tex-chtml-full.js" in deck
    assert (tmp_path / "slides" / "vendor" / "mathjax" / "tex-chtml-full.js").is_file()
    page = (tmp_path / "book" / f"{two[0].stem}.html").read_text(encoding="utf-8")
    assert "data:image/png;base64" in page  # figures come from the stored outputs
    assert "interactive(children=" not in page and "运行本单元以显示交互控件" not in page
    index = (tmp_path / "book" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{p.stem}.html"' in index for p in two)
