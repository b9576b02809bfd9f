import math
import re

import torch

from mlnote_utils.exercises import ch10


def _good(q, k, v):
    w = torch.softmax(k @ q / math.sqrt(len(q)), dim=0)
    return w @ v


def _unscaled(q, k, v):  # the notes' formula without 1/sqrt(d)
    return torch.softmax(k @ q, dim=0) @ v


def _near_miss(q, k, v):  # right formula, scale off by 1 %
    return torch.softmax(k @ q / (1.01 * math.sqrt(len(q))), dim=0) @ v


def _softmax_over_wrong_axis(q, k, v):
    return torch.softmax(k * q / math.sqrt(len(q)), dim=0).sum(1) @ v


def test_attention_one_query_accepts_the_reference():
    assert ch10.check_attention_one_query(_good)
    assert ch10.check_attention_one_query(ch10._reference_one_query)


def test_attention_one_query_rejects_wrong_functions_and_names_the_mismatch():
    for wrong in (_unscaled, _near_miss, _softmax_over_wrong_axis, lambda q, k, v: v.mean(0)):
        fb = ch10.check_attention_one_query(wrong)
        assert not fb
        assert re.search("第一(处|个)不一致", fb.message), fb.message  # the first differing element is named
    assert not ch10.check_attention_one_query(None)
    assert "None" in ch10.check_attention_one_query(lambda q, k, v: None).message
    assert not ch10.check_attention_one_query(lambda q, k, v: v)  # wrong shape
    assert not ch10.check_attention_one_query(lambda q, k, v: 1 / 0)


def test_n_frames():
    assert ch10.check_n_frames(98)
    assert not ch10.check_n_frames(99)  # one too many (about 1 % off)
    assert not ch10.check_n_frames(100)  # duration / hop
    assert not ch10.check_n_frames(None)


def test_mhsa_param_count():
    d = ch10.D_MODEL
    assert ch10.check_mhsa_param_count(4 * (d * d + d))
    assert not ch10.check_mhsa_param_count(round(1.01 * 4 * (d * d + d)))  # near miss
    assert not ch10.check_mhsa_param_count(4 * d * d)  # forgot the biases
    assert not ch10.check_mhsa_param_count(3 * (d * d + d))  # forgot W_o
    assert not ch10.check_mhsa_param_count(ch10.N_HEADS * 4 * (d * d + d))  # heads do not multiply the count
    assert not ch10.check_mhsa_param_count(None)
