"""The chapter report: run every notebook once and record what it costs and what it measured.

Usage: python -m tests.tools.report [--write-notebooks] notebooks/01_x.py [...]

Each notebook is executed from its ``.py`` source in a fresh kernel (as ``make execute`` does). After its last
cell one more cell runs in the same kernel and reads back the device the chapter trained on, the kernel's peak
resident memory (``getrusage``), and the chapter's key numbers: the expressions in ``KEY_NUMBERS`` below,
evaluated in the notebook's namespace, so the report shows the values the chapter's asserts just checked.
The results for the chapters run are merged into ``docs/report.json``; ``docs/report.md`` and the time
column of the README's chapter table are regenerated from it (``tests/test_report.py`` checks that they
agree). A notebook over the time budget or with a kernel above ``RSS_LIMIT_MB`` makes the command fail.
With ``--write-notebooks`` the executed notebooks are also stored, exactly as ``make execute`` would.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat

from tests.tools.execute import run, store

ROOT = Path(__file__).resolve().parents[2]
REPORT_JSON = ROOT / "docs" / "report.json"
REPORT_MD = ROOT / "docs" / "report.md"
README = ROOT / "README.md"
RSS_LIMIT_MB = 2048
TIME_BUDGET_S = float(os.environ.get("MLNOTE_NB_BUDGET", "90"))
MARK = "MLNOTE-REPORT:"

#: Per chapter: (label, expression evaluated in the executed notebook's namespace). Each is a number that
#: chapter asserts on; the label says what it is. A renamed variable makes `make report` fail, naming it.
KEY_NUMBERS: dict[str, list[tuple[str, str]]] = {
    "01": [
        ("7 天窗口测试 MAE", "test_mae[7]"),
        ("28 天测试 MAE / 噪声下限", "test_mae[28] / noise_floor"),
    ],
    "02": [
        ("64 段：sigmoid 误差 / ReLU 误差", "ratio[-1]"),
        ("4 层训练 MSE / 噪声方差", "train_mse[4] / noise_var"),
    ],
    "03": [
        ("小/全 batch 准确率差 / 种子波动", "gap / seed_spread"),
        ("最尖锐方向升幅 / 随机方向", "ratio_top"),
    ],
    "04": [
        ("宽度 64 训练准确率", "tr_acc[-1]"),
        ("宽度 64 验证准确率", "va_acc[-1]"),
    ],
    "05": [
        ("500 步 Adam 后负特征值个数", "n_neg['500 Adam steps']"),
        ("扰动 1e-3 时逃离鞍点的步数", "steps_to_escape[1e-3]"),
    ],
    "06": [
        ("Adam η=0.1 到 1e-3 的步数", "reach['Adam η=0.1']"),
        ("第 100 步 w 与 b 的有效步长比", "rate[100, 0] / rate[100, 1]"),
    ],
    "07": [
        ("数字：交叉熵准确率（最低种子）", "ce_acc.min()"),
        ("数字：MSE 准确率（最高种子）", "mse_acc.max()"),
        ("数字：双重 softmax 准确率（最高种子）", "double_acc.max()"),
    ],
    "08": [
        ("BN-Baseline 到 50 % 的中位步数", "median_of('BN-Baseline')"),
        ("BN-x30 / BN-Baseline 步数比", "median_of('BN-x30') / median_of('BN-Baseline')"),
    ],
    "09": [
        ("8×8 数字 CNN 测试准确率", "digit_acc"),
        ("MNIST-1D CNN 准确率（种子平均）", "cnn_acc.mean()"),
        ("im2col / F.conv2d 时间比", "t_unfold / t_builtin"),
    ],
    "10": [
        ("自注意力序列标注准确率", "tag_acc['attention']"),
        ("分块手写注意力 / SDPA 时间比", "t_blocked / t_torch"),
    ],
    "11": [
        ("未见数字整句正确率", "acc_tf"),
        ("AT / NAT 解码时间比", "t_at / t_nat"),
        ("NAT 输出混合两种写法的比例", "mixed_nat"),
        (
            "引导注意力：对角线附近的注意力（无 / 有）",
            'f\'{mean["plain"][0]:.3f} / {mean["guided"][0]:.3f}\'',
        ),
    ],
    "12": [
        ("环上覆盖的模式数（8 个中）", "final_ring['modes']"),
        ("数字 GAN 距离 / 真实样本距离", "digit_dist[3000] / real_dist"),
    ],
    "13": [
        ("谱归一化评论家的 W1 估计 / 真值", "est['spectral'] / w1_true"),
        ("梯度惩罚评论家的 W1 估计 / 真值", "est['penalty'] / w1_true"),
        ("环上 WGAN-GP 的高质量样本比例（种子平均）", "mean_hq(ring_runs['WGAN-GP'])"),
        ("饱和损失末梯度 / 非饱和损失末梯度", "grad_sat[-1] / grad_ns[-1]"),
    ],
    "14": [
        ("特征网络（数字分类器）测试准确率", "clf_acc"),
        ("训练结束时 GAN 的 IS / FID", "f'{is_final:.2f} / {fid_final:.1f}'"),
        (
            "条件 GAN 按标签生成的正确率（D 看 / 不看标签）",
            "f'{cond_acc[True].mean():.2f} / {cond_acc[False].mean():.2f}'",
        ),
        (
            "CycleGAN 回到原模式的比例（无 / 有循环损失）",
            'f\'{no_cycle["round_trip_mode"]:.2f} / {with_cycle["round_trip_mode"]:.2f}\'',
        ),
    ],
}

_PROBE = """
import json as _json, resource as _resource, sys as _sys
import mlnote_utils as _mu

def _plain(value):
    value = value.item() if hasattr(value, "item") else value
    if not isinstance(value, (int, float, str)):
        raise TypeError(f"expected a number or a string, got {{type(value).__name__}}")
    return value

_keys = {{}}
for _label, _expr in {spec!r}:
    try:
        _keys[_label] = _plain(eval(_expr))
    except Exception as _err:
        raise RuntimeError(f"report: key number {{_label!r}} ({{_expr}}) failed: {{_err!r}}") from None
_rss = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss
_rss_mb = _rss / 2**20 if _sys.platform == "darwin" else _rss / 1024
print({mark!r} + _json.dumps({{"device": str(_mu.get_device()), "rss_mb": _rss_mb, "keys": _keys}}, ensure_ascii=False))
"""


def probe_source(spec: list[tuple[str, str]]) -> str:
    """The code of the cell appended after a chapter's last cell to read back its measurements."""
    return _PROBE.format(spec=[tuple(item) for item in spec], mark=MARK)


def measure(py: Path, spec: list[tuple[str, str]], timeout: int = 600) -> tuple[dict, nbformat.NotebookNode]:
    """Execute ``py`` in a fresh kernel, then the probe cell; return the measurements and the notebook."""
    nb = jupytext.read(py)
    nb.cells.append(nbformat.v4.new_code_cell(probe_source(spec)))
    seconds = run(nb, py, timeout)
    probe = nb.cells.pop()
    lines = [
        line
        for out in probe.outputs
        if out.get("name") == "stdout"
        for line in out["text"].splitlines()
        if line.startswith(MARK)
    ]
    if len(lines) != 1:
        raise RuntimeError(f"report: {py.name}: the probe cell printed no measurement line")
    result = json.loads(lines[0][len(MARK) :])
    result["wall_s"] = round(seconds, 1)
    result["rss_mb"] = round(result["rss_mb"])
    return result, nb


def format_number(value) -> str:
    """Numbers as a reader wants them in a table: integers as such, others to three significant digits."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"value: expected a number or a string, got {type(value).__name__}")
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"


def chapter_key(py: Path) -> str:
    match = re.match(r"(\d\d)_", py.name)
    if not match:
        raise ValueError(f"notebook: expected a name like 01_slug.py, got {py.name!r}")
    return match.group(1)


def render_markdown(report: dict) -> str:
    """docs/report.md from docs/report.json (one row per chapter)."""
    chapters = report["chapters"]
    total = sum(c["wall_s"] for c in chapters.values())
    lines = [
        "# 章节报告（`make report` 生成，请勿手改）",
        "",
        f"机器：{report['machine']}；测于 {report['date']}。每章在全新内核中从头运行一次（数据缓存为空，"
        f"所有训练都从零开始），墙钟时间含内核启动；峰值内存是内核进程的最大常驻内存（上限 {RSS_LIMIT_MB} MB）。"
        "关键数字是该章 assert 检查过的量，在笔记本运行结束后从它的变量中读出。",
        "",
        "| 章 | 设备 | 墙钟时间 | 峰值内存 | 关键数字 |",
        "|---|---|---|---|---|",
    ]
    for key in sorted(chapters):
        c = chapters[key]
        keys = "；".join(f"{label} = {format_number(v)}" for label, v in c["keys"].items())
        lines.append(f"| {key} | {c['device']} | {c['wall_s']:.1f} s | {c['rss_mb']} MB | {keys} |")
    lines += ["", f"合计 {total:.0f} s（{len(chapters)} 章）。", ""]
    return "\n".join(lines)


_ROW = re.compile(r"^(\| (\d\d) \|.*\| )([^|]*?)( \|)$")


def readme_with_times(readme: str, report: dict) -> str:
    """The README with the last column of each chapter row set to the report's wall time."""
    chapters = report["chapters"]

    def fix(line: str) -> str:
        match = _ROW.match(line)
        if not match or match.group(2) not in chapters:
            return line
        return f"{match.group(1)}{chapters[match.group(2)]['wall_s']:.0f} s{match.group(4)}"

    return "\n".join(fix(line) for line in readme.split("\n"))


def readme_times(readme: str) -> dict[str, str]:
    """The time column of the README's chapter table, by chapter number."""
    return {m.group(2): m.group(3) for line in readme.split("\n") if (m := _ROW.match(line))}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-notebooks", action="store_true", help="also store the executed notebooks")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    missing = [p.name for p in args.notebooks if chapter_key(p) not in KEY_NUMBERS]
    if missing:
        print(
            f"report: no KEY_NUMBERS entry for {', '.join(missing)} (tests/tools/report.py)", file=sys.stderr
        )
        return 2
    report = json.loads(REPORT_JSON.read_text(encoding="utf-8")) if REPORT_JSON.exists() else {"chapters": {}}
    failed = []
    for py in args.notebooks:
        key = chapter_key(py)
        try:
            result, nb = measure(py, KEY_NUMBERS[key])
        except Exception as err:  # report the chapter and go on with the others
            last = (
                re.sub(r"\x1b\[[0-9;]*m", "", str(err)).strip().splitlines()[-1]
            )  # the error line, no colours
            print(f"{py.name}: FAILED: {last[:300]}", file=sys.stderr, flush=True)
            failed.append(py.name)
            continue
        report["chapters"][key] = result
        print(f"{py.name}: {result['wall_s']:.1f} s, {result['rss_mb']} MB, {result['device']}", flush=True)
        if result["wall_s"] > TIME_BUDGET_S or result["rss_mb"] >= RSS_LIMIT_MB:
            failed.append(py.name)
        if args.write_notebooks:
            store(nb, py)
    report["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"
    )
    report["date"] = time.strftime("%Y-%m-%d")
    report["chapters"] = dict(sorted(report["chapters"].items()))
    text = json.dumps(report, ensure_ascii=False, indent=1)  # key numbers keep the chapter's order
    REPORT_JSON.write_text(text + "\n", encoding="utf-8")
    REPORT_MD.write_text(render_markdown(report), encoding="utf-8")
    README.write_text(readme_with_times(README.read_text(encoding="utf-8"), report), encoding="utf-8")
    print(f"report: wrote {REPORT_JSON}, {REPORT_MD} and the README's time column")
    if failed:
        print(
            f"report: over {TIME_BUDGET_S:.0f} s or {RSS_LIMIT_MB} MB: {', '.join(failed)}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
