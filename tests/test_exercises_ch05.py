"""Each chapter 05 checker rejects None and a wrong answer, and accepts the reference answer."""

from __future__ import annotations

import torch

from mlnote_utils.critical_points import classify_critical_point, minimum_ratio
from mlnote_utils.exercises import ch05


def test_hessian_at_point():
    assert not ch05.check_hessian_at_point(None)
    assert not ch05.check_hessian_at_point([[2.0, 8.0], [8.0, 8.0]])  # forgot the -2
    assert not ch05.check_hessian_at_point([2.0, 6.0, 6.0, 8.0])  # wrong shape
    assert not ch05.check_hessian_at_point([[2.0, 6.06], [6.06, 8.0]])  # near-miss: off-diagonal off by 1 %
    assert ch05.check_hessian_at_point([[2.0, 6.0], [6.0, 8.0]])
    assert ch05.check_hessian_at_point(torch.tensor([[2.0, 6.0], [6.0, 8.0]]))


def _classify_ref(H):
    return classify_critical_point(torch.linalg.eigvalsh(H), ch05.CLASSIFY_TOL)


def _classify_by_diagonal(H):  # near-miss: right on diagonal matrices only
    return classify_critical_point(torch.diagonal(H), ch05.CLASSIFY_TOL)


def _classify_exact_signs(H):  # near-miss: eigenvalues, but no tolerance for a rounded zero
    return classify_critical_point(torch.linalg.eigvalsh(H), 0.0)


def _classify_tol_too_loose(H):  # near-miss: the tolerance 10^4 times too large
    return classify_critical_point(torch.linalg.eigvalsh(H), 0.1)


def test_classify_hessian_accepts_reference_and_rejects_near_misses():
    assert ch05.check_classify_hessian(_classify_ref)
    none = ch05.check_classify_hessian(None)
    assert not none and "尚未实现" in none.message
    diag = ch05.check_classify_hessian(_classify_by_diagonal)
    assert (
        not diag and "第 2 个矩阵" in diag.message and "'saddle point'" in diag.message
    )  # names the mismatch
    assert not ch05.check_classify_hessian(_classify_exact_signs)
    assert not ch05.check_classify_hessian(_classify_tol_too_loose)
    assert not ch05.check_classify_hessian(lambda H: "saddle")  # not one of the four names
    stub = ch05.check_classify_hessian(lambda H: None)  # the exercise cell's unfinished function
    assert not stub and "还没有实现" in stub.message
    assert not ch05.check_classify_hessian(lambda H: 1 / 0)  # errors become hints


def test_classify_cases_cover_every_kind_and_non_diagonal_matrices():
    kinds = [_classify_ref(H) for H in ch05.classify_cases()]
    assert set(kinds) == {"local minimum", "local maximum", "saddle point", "degenerate"}
    assert (
        sum(bool((H - torch.diag(torch.diagonal(H))).abs().max() > 0.1) for H in ch05.classify_cases()) >= 6
    )
    for H in ch05.classify_cases():
        torch.testing.assert_close(H, H.T)


def test_minimum_ratio_checker():
    assert not ch05.check_minimum_ratio(None)
    assert not ch05.check_minimum_ratio(lambda ev, tol: None)

    def counts_zero_as_positive(ev, tol):
        ev = torch.as_tensor(ev, dtype=torch.float64)
        return float((ev >= 0).sum()) / ev.numel()

    assert not ch05.check_minimum_ratio(counts_zero_as_positive)
    assert not ch05.check_minimum_ratio(lambda ev, tol: 1 / 0)  # errors become hints
    assert ch05.check_minimum_ratio(lambda ev, tol: minimum_ratio(ev, tol))


def test_escape_loss():
    assert not ch05.check_escape_loss(None)
    assert not ch05.check_escape_loss(1 - 1.2**2)  # the Taylor prediction
    assert not ch05.check_escape_loss((1 - 1.2**2 / 2) ** 2 * 1.01)  # near-miss: off by 1 %
    assert ch05.check_escape_loss((1 - 1.2**2 / 2) ** 2)
