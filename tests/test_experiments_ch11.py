"""Chapter 11 task generators: right answers (checked by independent parsers), deterministic, disjoint splits."""

import datetime as dt
import math

import pytest
import torch

from mlnote_utils.experiments import ch11 as xp

_VALUE = dict(zip("零一二三四五六七八九", range(10), strict=True))
_UNIT = {"十": 10, "百": 100, "千": 1000}


def _parse_numeral(text: str) -> int:
    """Independent reader of a Chinese numeral (the inverse the generator must satisfy)."""
    total, digit = 0, None
    for ch in text:
        if ch in _UNIT:
            total += (1 if digit is None else digit) * _UNIT[ch]
            digit = None
        elif ch != "零":
            digit = _VALUE[ch]
    return total + (digit or 0)


def test_chinese_numerals_read_back_for_every_number():
    for n in range(10000):
        text = xp.chinese_numeral(n)
        assert _parse_numeral(text) == n, (n, text)
        assert "零零" not in text and (n == 0 or not text.endswith("零")), text
        assert not text.startswith("一十"), text


@pytest.mark.parametrize(
    "n, text",
    [
        (2026, "二千零二十六"),
        (1010, "一千零一十"),
        (110, "一百一十"),
        (10, "十"),
        (0, "零"),
        (9000, "九千"),
        (1001, "一千零一"),
    ],
)
def test_chinese_numeral_examples(n, text):
    assert xp.chinese_numeral(n) == text


@pytest.mark.parametrize("bad", [-1, 10000, 2.0, True])
def test_chinese_numeral_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="n="):
        xp.chinese_numeral(bad)


def test_number_task_split_is_disjoint_complete_and_seeded():
    task = xp.number_task(n_test=1000, seed=0)
    train = {"".join(s) for s, _ in task["train"]}
    test = {"".join(s) for s, _ in task["test"]}
    assert len(test) == 1000 and not train & test and len(train | test) == 10000
    assert xp.number_task(n_test=1000, seed=0) == task
    assert xp.number_task(n_test=1000, seed=1)["test"] != task["test"]
    assert all(_parse_numeral("".join(t)) == int("".join(s)) for s, t in task["test"])


def _parse_date(text: str) -> dt.date:
    for fmt in ("%d %b %Y", "%m/%d/%Y", "%Y年%m月%d日", "%b %d, %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise AssertionError(f"unparseable date {text!r}")


def test_date_task_targets_are_the_iso_date_of_the_source():
    pairs = xp.date_task(400, seed=2)
    for src, tgt in pairs:
        assert _parse_date("".join(src)).isoformat() == "".join(tgt)
    formats = {("年" in "".join(s)) + 2 * ("/" in "".join(s)) + 4 * ("," in "".join(s)) for s, _ in pairs}
    assert len(formats) == 4
    assert xp.date_task(400, seed=2) == pairs


def test_two_spellings_task_has_both_modes():
    pairs = xp.two_spellings_task(2000, seed=0)
    lower = sum(t == s for s, t in pairs)
    assert all(t in (s, [c.upper() for c in s]) for s, t in pairs)
    assert abs(lower / 2000 - 0.5) < 0.05
    assert xp.two_spellings_task(50, seed=3) == xp.two_spellings_task(50, seed=3)
    assert not xp.is_mixed(list("abcd"), list("abcd"))
    assert not xp.is_mixed(list("abcd"), list("ABCD"))
    assert xp.is_mixed(list("abcd"), list("abcD"))
    assert xp.is_mixed(list("abcd"), list("abc"))


def test_copy_task_test_names_are_unseen():
    task = xp.copy_task(500, 200, n_names=50, seed=0)
    train_names = {s[-1] for s, _ in task["train"]}
    test_names = {s[-1] for s, _ in task["test"]}
    assert not train_names & test_names
    assert all(t[-1] == s[-1] for s, t in task["train"] + task["test"])


def test_toy_language_model_is_normalised_and_deterministic():
    lm = xp.toy_language_model(5, seed=4)
    prefixes = torch.tensor([[0, 2, 3], [0, 4, 4]])
    logp = lm(prefixes)
    torch.testing.assert_close(logp.exp().sum(1), torch.ones(2))
    assert torch.isinf(logp[:, 0]).all()  # BOS never generated
    torch.testing.assert_close(xp.toy_language_model(5, seed=4)(prefixes), logp)
    assert not torch.allclose(xp.toy_language_model(5, seed=5)(prefixes), logp)
    assert math.isclose(float(lm(torch.tensor([[0]])).exp().sum()), 1.0, rel_tol=1e-6)


def test_pinyin_labels():
    assert xp.pinyin("千") == "qian" and xp.pinyin("END") == "END"


def test_digit_word_sources_point_at_the_digit_each_word_reads():
    for n in range(10000):
        words = [c for c in xp.chinese_numeral(n) if c in "一二三四五六七八九"]
        sources = xp.digit_word_sources(str(n))
        assert len(words) == len(sources), n
        assert all(
            "一二三四五六七八九".index(w) + 1 == int(str(n)[i]) for w, i in zip(words, sources, strict=True)
        )


_SPOKEN = "ling yi er san si wu liu qi ba jiu".split()  # pinyin of the digits 0-9, written out independently


def test_spelling_task_spells_each_digit_and_respects_the_length_range():
    pairs = xp.spelling_task(300, min_digits=2, max_digits=5, seed=3)
    assert pairs == xp.spelling_task(300, min_digits=2, max_digits=5, seed=3)
    assert pairs != xp.spelling_task(300, min_digits=2, max_digits=5, seed=4)
    assert {len(s) for s, _ in pairs} == {2, 3, 4, 5}
    for digits, letters in pairs:
        assert letters == list("".join(_SPOKEN[int(d)] for d in digits))
    assert {d for s, _ in pairs for d in s} == set("0123456789")
    assert {len(s) for s, _ in xp.spelling_task(50, seed=0)} <= set(range(4, 9))  # defaults: 4-8 digits


def test_spelling_sources_point_at_the_digit_each_letter_spells():
    assert xp.spelling_sources("207") == [0, 0, 1, 1, 1, 1, 2, 2]
    for digits, letters in xp.spelling_task(50, seed=1):
        sources = xp.spelling_sources(digits)
        assert len(sources) == len(letters) and sources == sorted(sources)  # monotonic alignment
        for j, d in enumerate(digits):
            assert "".join(c for c, src in zip(letters, sources, strict=True) if src == j) == _SPOKEN[int(d)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, r"^n=0: expected an int ≥ 1"),
        ({"n": 5, "min_digits": 0}, r"^min_digits=0: expected an int ≥ 1"),
        ({"n": 5, "min_digits": 4, "max_digits": 3}, r"^max_digits=3: expected an int ≥ 4"),
    ],
)
def test_spelling_task_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        xp.spelling_task(**kwargs)
