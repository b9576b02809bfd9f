"""Chapter 11 (Transformer) experiment drivers: the offline sequence tasks and the beam-search widget.

Every task is generated here, deterministically from a seed, so the chapter needs no download:

- :func:`number_task`: Arabic numbers → Chinese numerals (``2026 → 二千零二十六``), held-out numbers;
- :func:`date_task`: dates written in several formats → ISO ``YYYY-MM-DD``;
- :func:`two_spellings_task`: each input has two valid outputs (the letters in lower or upper case);
- :func:`copy_task`: "my name is X" → "hello X" where the test names never occur in training;
- :func:`spelling_task`: digit strings → their pinyin letters (``207 → erlingqi``), a monotonic alignment.

A pair is ``(source tokens, target tokens)``, both lists of strings.
"""

from __future__ import annotations

import datetime as _dt
import random

import numpy as np
import torch

from .. import seq2seq

__all__ = [
    "chinese_numeral",
    "pinyin",
    "digit_word_sources",
    "number_task",
    "date_task",
    "two_spellings_task",
    "is_mixed",
    "copy_task",
    "spelling_task",
    "spelling_sources",
    "toy_language_model",
    "draw_beam_search",
]

_DIGITS = "零一二三四五六七八九"
_UNITS = ("", "十", "百", "千")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _check_int(value, name: str, lo: int, hi: int | None = None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < lo
        or (hi is not None and value > hi)
    ):
        upper = f" and ≤ {hi}" if hi is not None else ""
        raise ValueError(f"{name}={value!r}: expected an int ≥ {lo}{upper}")
    return int(value)


def chinese_numeral(n: int) -> str:
    """``n`` (0 … 9999) in Chinese numerals: one 零 for each run of inner zeros, 十 rather than 一十 for 10–19.

    >>> [chinese_numeral(n) for n in (0, 7, 10, 15, 20, 105, 1010, 2026, 9999)]
    ['零', '七', '十', '十五', '二十', '一百零五', '一千零一十', '二千零二十六', '九千九百九十九']
    """
    n = _check_int(n, "n", 0, 9999)
    if n == 0:
        return _DIGITS[0]
    digits = [int(c) for c in f"{n:04d}"]  # thousands, hundreds, tens, units
    out, zero_pending, started = [], False, False
    for pos, d in enumerate(digits):
        unit = _UNITS[3 - pos]
        if d == 0:
            zero_pending = zero_pending or started
            continue
        if zero_pending:
            out.append(_DIGITS[0])
            zero_pending = False
        if not (d == 1 and unit == "十" and not started):  # 10–19 read 十…, but 110 is 一百一十
            out.append(_DIGITS[d])
        out.append(unit)
        started = True
    return "".join(out)


_PINYIN = dict(
    zip("零一二三四五六七八九十百千", "ling yi er san si wu liu qi ba jiu shi bai qian".split(), strict=True)
)


def pinyin(token: str) -> str:
    """The pinyin of a Chinese-numeral token (figure labels stay readable without a CJK font); others unchanged.

    >>> [pinyin(t) for t in "二千零二十六"] + [pinyin("END")]
    ['er', 'qian', 'ling', 'er', 'shi', 'liu', 'END']
    """
    return _PINYIN.get(token, token)


def digit_word_sources(number: str) -> list[int]:
    """For each digit word (一 … 九, not 零 or a unit) in the numeral of ``number``, the input position it reads.

    >>> digit_word_sources("2026"), digit_word_sources("15"), digit_word_sources("1010")
    ([0, 2, 3], [1], [0, 2])
    """
    value = _check_int(int(number), "number", 0, 9999)
    nonzero = [i for i, c in enumerate(str(number)) if c != "0"]
    return nonzero[1:] if 10 <= value <= 19 else nonzero  # 十五: the leading 1 of 10–19 is not read


def number_task(*, n_test: int = 1000, seed: int = 0) -> dict[str, list[tuple[list[str], list[str]]]]:
    """All numbers 0 … 9999 as digit → numeral pairs, split at random into ``train`` and ``test``.

    The test numbers never occur in training. Returns ``{"train": pairs, "test": pairs}``.

    >>> task = number_task(n_test=3, seed=0)
    >>> len(task["train"]), len(task["test"])
    (9997, 3)
    >>> number_task(n_test=3, seed=0)["test"] == task["test"]
    True
    """
    n_test = _check_int(n_test, "n_test", 1, 9999)
    order = np.random.default_rng(seed).permutation(10000)
    pairs = [(list(str(n)), list(chinese_numeral(int(n)))) for n in order]
    return {"train": pairs[n_test:], "test": pairs[:n_test]}


def _format_date(d: _dt.date, style: int) -> str:
    if style == 0:
        return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
    if style == 1:
        return f"{d.month}/{d.day}/{d.year}"
    if style == 2:
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def date_task(n: int, *, seed: int = 0) -> list[tuple[list[str], list[str]]]:
    """``n`` random dates (1950–2049) in one of four formats → ISO ``YYYY-MM-DD``, character tokens.

    >>> ["".join(s) + " -> " + "".join(t) for s, t in date_task(2, seed=1)]
    ['9 Feb 1974 -> 1974-02-09', '8 Oct 1995 -> 1995-10-08']
    """
    n = _check_int(n, "n", 1)
    rng = random.Random(seed)
    start, days = _dt.date(1950, 1, 1).toordinal(), (_dt.date(2049, 12, 31) - _dt.date(1950, 1, 1)).days + 1
    out = []
    for _ in range(n):
        d = _dt.date.fromordinal(start + rng.randrange(days))
        out.append((list(_format_date(d, rng.randrange(4))), list(d.isoformat())))
    return out


def two_spellings_task(n: int, *, length: int = 4, alphabet: str = "abcdefgh", seed: int = 0):
    """``n`` random letter strings whose target is, at random, the same letters in lower case or in upper case.

    Both outputs are right: the task has two modes, like a sentence with two valid translations.

    >>> [("".join(s), "".join(t)) for s, t in two_spellings_task(3, seed=0)]
    [('ghda', 'GHDA'), ('hdcg', 'HDCG'), ('debc', 'DEBC')]
    """
    n = _check_int(n, "n", 1)
    length = _check_int(length, "length", 1, len(alphabet))
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        src = rng.sample(alphabet.lower(), length)
        out.append((src, [c.upper() for c in src] if rng.random() < 0.5 else list(src)))
    return out


def is_mixed(source: list[str], output: list[str]) -> bool:
    """True when ``output`` is neither the lower-case nor the upper-case copy of ``source`` (a mix, or junk).

    >>> is_mixed(list("abcd"), list("ABCD")), is_mixed(list("abcd"), list("aBcD"))
    (False, True)
    """
    return list(output) not in (list(source), [c.upper() for c in source])


def copy_task(
    n_train: int, n_test: int, *, n_names: int = 200, seed: int = 0
) -> dict[str, list[tuple[list[str], list[str]]]]:
    """Pairs 我 叫 <name> → 你 好 <name>; each name is one token, and test names never occur in training.

    Names ``name0 … name{n_names-1}``: the first half appear only in ``train``, the second half only in ``test``.

    >>> task = copy_task(2, 1, n_names=4, seed=0)
    >>> task["test"][0]
    (['我', '叫', 'name2'], ['你', '好', 'name2'])
    """
    n_train, n_test = _check_int(n_train, "n_train", 1), _check_int(n_test, "n_test", 1)
    n_names = _check_int(n_names, "n_names", 2)
    rng = random.Random(seed)
    half = n_names // 2

    def pair(k: int):
        name = f"name{k}"
        return ["我", "叫", name], ["你", "好", name]

    return {
        "train": [pair(rng.randrange(half)) for _ in range(n_train)],
        "test": [pair(rng.randrange(half, n_names)) for _ in range(n_test)],
    }


def spelling_task(n: int, *, min_digits: int = 4, max_digits: int = 8, seed: int = 0):
    """``n`` random digit strings → the letters of their pinyin, e.g. ``207 → e r l i n g q i``.

    Each digit becomes 2–4 letters, so the output is about three times longer than the input and the
    alignment is monotonic but uneven, as in speech synthesis (text → sound frames).

    >>> ["".join(s) + " -> " + "".join(t) for s, t in spelling_task(2, min_digits=2, max_digits=3, seed=0)]
    ['604 -> liulingsi', '647 -> liusiqi']
    """
    n, lo = _check_int(n, "n", 1), _check_int(min_digits, "min_digits", 1)
    hi = _check_int(max_digits, "max_digits", lo)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        digits = [str(rng.randrange(10)) for _ in range(rng.randint(lo, hi))]
        out.append((digits, [c for d in digits for c in _PINYIN[_DIGITS[int(d)]]]))
    return out


def spelling_sources(digits) -> list[int]:
    """For each output letter of :func:`spelling_task`, the input position it spells.

    >>> spelling_sources("207")
    [0, 0, 1, 1, 1, 1, 2, 2]
    """
    return [j for j, d in enumerate(digits) for _ in _PINYIN[_DIGITS[int(d)]]]


def toy_language_model(vocab_size: int = 4, *, sharpness: float = 2.0, seed: int = 0):
    """A tiny random autoregressive model: ``step_fn(prefixes (B, t)) -> log-probs (B, V)``.

    The next-token distribution depends on the whole prefix (through a hash of it), so greedy choices can
    lead into low-probability continuations. Token 0 is BOS and token 1 is EOS.

    >>> lm = toy_language_model(4, seed=0)
    >>> bool(torch.allclose(lm(torch.tensor([[0], [0]])).exp().sum(1), torch.ones(2)))
    True
    """
    vocab_size = _check_int(vocab_size, "vocab_size", 3)
    table: dict[tuple[int, ...], torch.Tensor] = {}
    base = torch.Generator().manual_seed(seed)
    salt = int(torch.randint(0, 2**31 - 1, (1,), generator=base))

    def step_fn(prefixes: torch.Tensor) -> torch.Tensor:
        rows = []
        for p in prefixes.tolist():
            key = tuple(p)
            if key not in table:
                g = torch.Generator().manual_seed(hash((salt, key)) % (2**31 - 1))
                logits = sharpness * torch.randn(vocab_size, generator=g)
                logits[0] = -torch.inf  # BOS is never generated
                table[key] = torch.log_softmax(logits, 0)
            rows.append(table[key])
        return torch.stack(rows)

    return step_fn


def draw_beam_search(step_fn, *, beam_size: int, max_len: int, length_penalty: float = 0.0, ax=None):
    """Bar chart: scores of the hypotheses beam search returns vs the exhaustive optimum (dashed line).

    Returns the Axes.
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(6, 4))[1]
    hyps = seq2seq.beam_search(step_fn, 0, 1, beam_size, max_len, length_penalty=length_penalty)
    best = seq2seq.exhaustive_search(
        step_fn, 0, 1, _vocab_size(step_fn), max_len, length_penalty=length_penalty
    )[0]
    shown = hyps[:6]
    labels = ["".join(_letter(t) for t in h.tokens) + ("" if h.tokens[-1] == 1 else "…") for h in shown]
    colors = [
        "tab:green" if h.tokens == best.tokens else "tab:blue" if h.tokens[-1] == 1 else "tab:gray"
        for h in shown
    ]
    ax.bar(range(len(shown)), [h.score for h in shown], color=colors)
    ax.axhline(
        best.score, color="k", ls="--", label=f"exhaustive best: {''.join(_letter(t) for t in best.tokens)}"
    )
    ax.set_xticks(range(len(shown)), labels, rotation=30)
    unfinished = any(h.tokens[-1] != 1 for h in shown)
    ax.set_xlabel("returned hypotheses (E = END" + (", … = unfinished)" if unfinished else ")"))
    ax.set_ylabel("score (length-normalised log-prob)" if length_penalty else "score = log-prob")
    found = "found" if hyps[0].tokens == best.tokens else "missed"
    ax.set_title(f"beam size {beam_size}: the best sequence is {found}")
    ax.legend(loc="lower left")
    return ax


def _vocab_size(step_fn) -> int:
    return int(step_fn(torch.zeros(1, 1, dtype=torch.long)).shape[-1])


def _letter(token: int) -> str:
    return "E" if token == 1 else "ABCDEFGHIJ"[token - 2]
