"""Offline slides and a static site of the course, built with nbconvert from the stored notebook outputs.

Usage:
    python -m tests.tools.site slides [--out build/slides] notebooks/01_x.ipynb ...
    python -m tests.tools.site book   [--out build/book]   notebooks/01_x.ipynb ...

Why nbconvert: it is what Jupyter itself uses to export notebooks (the same lab template a learner sees,
reveal.js for slides), it renders the stored outputs without re-running anything, and two small template
overrides (``tests/tools/site_templates/``) are enough to take every script, style and font from a
``vendor/`` folder next to the pages instead of a CDN. Jupyter Book / Sphinx would add a dozen packages for
an index page and a glossary.

The vendored packages (reveal.js, MathJax 3, require.js, jQuery) are fetched once from the npm registry with
``npm pack`` into ``build/vendor/``, checked against the sha512 integrity pinned below, and reused from there:
after the first build everything works with the network off.

Slide layout lives in the ``.py`` sources: each prose cell's header carries ``slideshow={"slide_type": …}``
(``tests/tools/slidemeta.py`` proposes the course's defaults for a new chapter and a test checks that every
prose cell has one). Code cells without a slide type go with the slide before them, and code cells longer
than a dozen lines show only their output on a slide (in the book they are shown in full).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import nbformat

from tests.tools.execute import WIDGET_MIME, WIDGET_PLACEHOLDER  # what make execute stores
from tests.tools.slidemeta import default_slide_type

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "site_templates"
CACHE = ROOT / "build" / "vendor"

#: npm package → (version, sha512 integrity of the tarball, members to keep: prefix inside "package/" → dest)
VENDOR = {
    "reveal.js": (
        "4.6.1",
        "sha512-1CW0auaXNPmwmvQ7TwpszwVxMi2Xr5cTS3J3EBC/HHgbPF32Dn7aiu/LKWDOGjMbaDwKQiGmfqcoGQ74HUHCMw==",
        {
            "dist/reveal.js": "reveal.js/dist/reveal.js",
            "dist/reveal.css": "reveal.js/dist/reveal.css",
            "dist/theme/white.css": "reveal.js/dist/theme/white.css",  # other themes import Google fonts
            "dist/theme/fonts/source-sans-pro/": "reveal.js/dist/theme/fonts/source-sans-pro/",
            "plugin/notes/": "reveal.js/plugin/notes/",
            "LICENSE": "reveal.js/LICENSE",
        },
    ),
    "mathjax": (
        "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        {
            "es5/tex-chtml-full.js": "mathjax/tex-chtml-full.js",
            "es5/output/chtml/fonts/woff-v2/": "mathjax/output/chtml/fonts/woff-v2/",
            "LICENSE": "mathjax/LICENSE",
        },
    ),
    "requirejs": (
        "2.3.7",
        "sha512-DouTG8T1WanGok6Qjg2SXuCMzszOo0eHeH9hDZ5Y4x8Je+9JB38HdTLT4/VA8OaUhBa0JPVHJ0pyBkM1z+pDsw==",
        {"require.js": "require.js"},
    ),
    "jquery": (
        "3.7.1",
        "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        {"dist/jquery.min.js": "jquery.min.js", "LICENSE.txt": "jquery.LICENSE.txt"},
    ),
}

WIDGET_NOTE = '<p class="mlnote-widget-note">（交互控件：在 JupyterLab 中运行这一单元即可拖动；下面的静态图展示同样的现象。）</p>'


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch_vendor(cache: Path = CACHE) -> Path:
    """Vendored files in ``cache/files`` (fetched once with ``npm pack``, integrity-checked)."""
    files = cache / "files"
    tarballs = cache / "tarballs"
    tarballs.mkdir(parents=True, exist_ok=True)
    for name, (version, integrity, members) in VENDOR.items():
        tgz = tarballs / f"{name}-{version}.tgz"
        if not tgz.exists() or _integrity(tgz) != integrity:
            if shutil.which("npm") is None:
                raise SystemExit(f"site: {tgz.name} is not in {tarballs} and npm is missing to fetch it")
            subprocess.run(
                ["npm", "pack", f"{name}@{version}", "--pack-destination", str(tarballs)],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        if _integrity(tgz) != integrity:
            raise SystemExit(
                f"site: {tgz.name} does not match its pinned sha512 integrity; delete it and retry"
            )
        done = files / f".{name}-{version}"
        if done.exists():
            continue
        with tarfile.open(tgz) as tar:
            for member in tar.getmembers():
                rel = member.name.removeprefix("package/")
                for src, dest in members.items():
                    if member.isfile() and (rel == src or (src.endswith("/") and rel.startswith(src))):
                        target = files / (dest + rel[len(src) :] if src.endswith("/") else dest)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(tar.extractfile(member).read())
        done.touch()
    return files


def _copy_vendor(out: Path, *, slides: bool) -> None:
    skip = (
        [".*"] if slides else [".*", "reveal.js", "jquery*"]
    )  # a static page needs only MathJax and require.js
    shutil.copytree(fetch_vendor(), out / "vendor", dirs_exist_ok=True, ignore=shutil.ignore_patterns(*skip))


def _without_widget_reprs(nb: nbformat.NotebookNode) -> None:
    """A widget cannot run in a static page: say so, instead of its stored placeholder or repr."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            data = out.get("data", {})
            if WIDGET_MIME in data or data.get("text/plain") == WIDGET_PLACEHOLDER:
                out["data"] = {"text/html": WIDGET_NOTE}


def slide_layout(nb: nbformat.NotebookNode, long_code: int = 12) -> nbformat.NotebookNode:
    """Fill in the default slide type where a cell has none (see slidemeta), and show only the output of long code."""
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if (
            cell.cell_type == "code"
            and len(cell.source.splitlines()) > long_code
            and "remove_input" not in tags
        ):
            tags.append("remove_input")
        cell.metadata.setdefault("slideshow", {"slide_type": default_slide_type(cell)})
    return nb


def _exporter(kind: str):
    from nbconvert import HTMLExporter, SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_input_tags = {"remove_input"}
    c.TagRemovePreprocessor.enabled = True
    if kind == "slides":
        c.SlidesExporter.reveal_url_prefix = "vendor/reveal.js"
        c.SlidesExporter.reveal_theme = "white"  # the one theme vendored (nbconvert's default is "simple")
        c.SlidesExporter.reveal_scroll = True  # a slide taller than the screen scrolls instead of being cut
        exporter = SlidesExporter(
            config=c,
            template_name="mlnote_reveal",
            extra_template_basedirs=[str(TEMPLATES)],
            extra_template_paths=[str(TEMPLATES)],
        )
    else:
        exporter = HTMLExporter(
            config=c,
            template_name="mlnote_lab",
            extra_template_basedirs=[str(TEMPLATES)],
            extra_template_paths=[str(TEMPLATES)],
        )
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return exporter


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            return cell.source.lstrip()[2:].splitlines()[0].strip()
    return fallback


def build_slides(notebooks: list[Path], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    _copy_vendor(out, slides=True)
    exporter, written = _exporter("slides"), []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        _without_widget_reprs(nb)
        body, _ = exporter.from_notebook_node(
            slide_layout(nb), resources={"metadata": {"name": _title(nb, path.stem)}}
        )
        target = out / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.6}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}}</style>
</head><body>
{body}
</body></html>
"""


def _markdown(text: str) -> str:
    import mistune

    return mistune.html(text)


def build_book(notebooks: list[Path], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    _copy_vendor(out, slides=False)
    exporter, written, rows = _exporter("book"), [], []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        _without_widget_reprs(nb)
        for cell in nb.cells:  # a static page has no "•••" to click: show the reference solutions
            cell.metadata.get("jupyter", {}).pop("source_hidden", None)
        title = _title(nb, path.stem)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        target = out / f"{path.stem}.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
        rows.append(
            f'<tr><td>{path.stem[:2]}</td><td><a href="{target.name}">{html.escape(title)}</a></td></tr>'
        )
    index = (
        "<h1>MLNote — 可以动手运行的机器学习课程</h1>"
        "<p>每一章都是一个 Jupyter 笔记本；这里是它们保存的输出（图、表和检查结果）的静态版本。"
        "要拖动滑块、重新训练，请在 JupyterLab 里打开课程（<code>make lab</code>）。</p>"
        f"<table><tr><th>#</th><th>章节</th></tr>{''.join(rows)}</table>"
        '<p><a href="glossary.html">术语表（Glossary）</a></p>'
    )
    (out / "index.html").write_text(PAGE.format(title="MLNote", body=index), encoding="utf-8")
    glossary = (ROOT / "notebooks" / "GLOSSARY.md").read_text(encoding="utf-8")
    nav = '<p><a href="index.html">← MLNote 目录</a></p>'
    (out / "glossary.html").write_text(
        PAGE.format(title="术语表", body=nav + _markdown(glossary)), encoding="utf-8"
    )
    return [out / "index.html", *written, out / "glossary.html"]


EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|\bimport\s+[^;]*?from\s+["'](?:https?:)?//""",
    re.I,
)


def external_references(folder: Path) -> list[str]:
    """``file: snippet`` for every script, style, font or image a page or stylesheet would load from the web."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in {".html", ".css"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in EXTERNAL.finditer(text):
            found.append(f"{path.relative_to(folder)}: {text[m.start() : m.end() + 60]!r}")
    return found


LOCAL = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*["']([^"'#?]+)""", re.I)


def missing_local_files(folder: Path, pages: list[Path] | None = None) -> list[str]:
    """``file: path`` for every script, style or image a page loads from a relative path that does not exist."""
    found = []
    for page in sorted(folder.rglob("*.html") if pages is None else pages):
        for ref in LOCAL.findall(page.read_text(encoding="utf-8", errors="replace")):
            if re.match(r"[a-z][a-z0-9+.-]*:|//", ref, re.I):  # data:, http(s): and other schemes
                continue
            if not (page.parent / ref).is_file():
                found.append(f"{page.relative_to(folder)}: {ref}")
    return found


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["slides", "book"])
    parser.add_argument("--out", type=Path)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    out = args.out or ROOT / "build" / args.kind
    written = (build_slides if args.kind == "slides" else build_book)(args.notebooks, out)
    bad = external_references(out)
    for line in bad:
        print("external reference:", line)
    missing = missing_local_files(out, written)
    for line in missing:
        print("missing file:", line)
    print(
        f"{args.kind}: {len(written)} pages in {out} ({_size_mb(out):.1f} MB with vendor/); open {written[0]}"
    )
    return 1 if bad or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
