"""mlnote_utils.alignment against the guided-attention formula written out cell by cell."""

import math

import pytest
import torch

from mlnote_utils import alignment as al


def _penalty_by_loops(out_lengths, in_lengths, g, out_size, in_size):
    w = torch.zeros(len(out_lengths), out_size, in_size)
    for b, (t_len, s_len) in enumerate(zip(out_lengths, in_lengths, strict=True)):
        for i in range(t_len):
            for j in range(s_len):
                w[b, i, j] = 1 - math.exp(-((i / t_len - j / s_len) ** 2) / (2 * g * g))
    return w


@pytest.mark.parametrize("g", [0.2, 0.35, 1.0])
def test_guided_attention_weights_match_the_formula_and_vanish_on_padding(g):
    out_lengths, in_lengths = [5, 3, 7], [4, 4, 2]
    w = al.guided_attention_weights(
        torch.tensor(out_lengths), torch.tensor(in_lengths), g=g, out_size=8, in_size=6
    )
    assert w.shape == (3, 8, 6) and w.dtype == torch.float32
    torch.testing.assert_close(w, _penalty_by_loops(out_lengths, in_lengths, g, 8, 6))


def test_guided_attention_defaults_sizes_to_the_longest_and_g_to_0_2():
    w = al.guided_attention_weights([3, 6], [5, 2])
    assert w.shape == (2, 6, 5)
    torch.testing.assert_close(w, _penalty_by_loops([3, 6], [5, 2], 0.2, 6, 5))
    assert w[0, 3:].abs().max() == 0 and w[1, :, 2:].abs().max() == 0  # padding carries no penalty


def test_guided_attention_is_zero_on_the_diagonal_and_grows_away_from_it():
    w = al.guided_attention_weights([6], [6], g=0.2)[0]
    assert torch.equal(w.diagonal(), torch.zeros(6))
    assert (w[0, 1:].diff() > 0).all() and w[0, 5] > 0.9  # far from the diagonal the penalty nears 1
    torch.testing.assert_close(w, w.T)


def test_diagonal_mass_by_hand():
    eye = torch.eye(4)[None]
    assert al.diagonal_mass(eye, [4], [4]).tolist() == [1.0]
    anti = eye.flip(-1)  # every row looks at the far end, except the two middle rows (|i/4 - j/4| = 1/4)
    assert al.diagonal_mass(anti, [4], [4], width=0.2).tolist() == [0.0]
    assert al.diagonal_mass(anti, [4], [4], width=0.25).tolist() == [0.5]  # the band edge counts as inside
    uniform = torch.full((1, 5, 5), 0.2)
    near = sum(abs(i - j) <= 1 for i in range(5) for j in range(5))  # |i - j| / 5 <= 0.2: 13 cells
    torch.testing.assert_close(
        al.diagonal_mass(uniform, [5], [5]), torch.tensor([0.2 * near / 5], dtype=torch.float64)
    )


def test_diagonal_mass_ignores_padding_and_scores_each_sequence():
    weights = torch.zeros(2, 4, 3)
    weights[0, :2, :2] = torch.eye(2)  # sequence 0: 2 outputs, 2 inputs, on the diagonal
    weights[0, 2:, 2] = 1.0  # padded rows, all on a padded column: ignored
    weights[1, :, 0] = 1.0  # sequence 1: 4 outputs, 3 inputs, always the first input
    scores = al.diagonal_mass(weights, torch.tensor([2, 4]), torch.tensor([2, 3]), width=0.2)
    # rows of sequence 1: i/4 = 0, .25, .5, .75 against j/3 = 0 -> inside the band for i = 0 only
    torch.testing.assert_close(scores, torch.tensor([1.0, 0.25], dtype=torch.float64))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"g": 0}, r"^g=0: expected a positive number"),
        ({"g": -0.1}, r"^g=-0.1: expected a positive number"),
        ({"g": True}, r"^g=True: expected a positive number"),
        ({"g": "0.2"}, r"^g='0.2': expected a positive number"),
        ({"out_size": 2}, r"^out_size=2: expected an int ≥ the longest length 3"),
        ({"in_size": 3}, r"^in_size=3: expected an int ≥ the longest length 4"),
        ({"in_size": 4.0}, r"^in_size=4.0: expected an int ≥ the longest length 4"),
        ({"out_size": True}, r"^out_size=True: expected an int ≥ the longest length 3"),
    ],
)
def test_guided_attention_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        al.guided_attention_weights([3, 2], [4, 1], **kwargs)


@pytest.mark.parametrize(
    ("out_lengths", "in_lengths", "message"),
    [
        ([[3]], [3], r"^out_lengths: expected a non-empty 1-D integer tensor of lengths"),
        ([], [], r"^out_lengths: expected a non-empty 1-D integer tensor of lengths"),
        ([3.0], [3], r"^out_lengths: expected a non-empty 1-D integer tensor of lengths"),
        ([3], [True], r"^in_lengths: expected a non-empty 1-D integer tensor of lengths"),
        ([3, 0], [3, 1], r"^out_lengths: expected every length ≥ 1, got \[3, 0\]"),
        ([3], [-1], r"^in_lengths: expected every length ≥ 1, got \[-1\]"),
        ([3, 2], [3], r"^out_lengths, in_lengths: expected the same batch size, got 2 and 1"),
    ],
)
def test_lengths_are_checked(out_lengths, in_lengths, message):
    with pytest.raises(ValueError, match=message):
        al.guided_attention_weights(out_lengths, in_lengths)


def test_diagonal_mass_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"^width=-0.1: expected a number ≥ 0"):
        al.diagonal_mass(torch.eye(2)[None], [2], [2], width=-0.1)
    with pytest.raises(ValueError, match=r"^width=True: expected a number ≥ 0"):
        al.diagonal_mass(torch.eye(2)[None], [2], [2], width=True)
    with pytest.raises(ValueError, match=r"^weights: expected shape \(B, T, S\), got \(2, 2\)"):
        al.diagonal_mass(torch.eye(2), [2], [2])
    with pytest.raises(ValueError, match=r"^weights: expected a batch of 2 maps \(one per length\), got 1"):
        al.diagonal_mass(torch.eye(2)[None], [2, 2], [2, 2])
    with pytest.raises(ValueError, match=r"^out_size=2: expected an int ≥ the longest length 3"):
        al.diagonal_mass(torch.eye(2)[None], [3], [2])


def test_diagonal_mass_with_zero_width_and_extra_padded_columns():
    weights = torch.zeros(1, 3, 5)  # two padded columns beyond the longest input
    weights[0, 0, 0] = weights[0, 1, 1] = 1.0  # rows 0, 1 exactly on the diagonal (3 x 3)
    weights[0, 2, 1] = 1.0  # row 2: 2/3 against 1/3, off the diagonal
    scores = al.diagonal_mass(weights, [3], [3], width=0)
    torch.testing.assert_close(scores, torch.tensor([2 / 3], dtype=torch.float64))
