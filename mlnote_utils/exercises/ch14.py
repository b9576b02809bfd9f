"""Exercise checkers for chapter 14 (GAN evaluation, conditional generation, unpaired translation)."""

from __future__ import annotations

import torch

from .. import gan_metrics
from . import Feedback, check_choice, check_close, check_function

__all__ = ["check_inception_score", "check_fid_1d", "check_memorization_detector"]

#: Exercise 1: confident classifier outputs for 4 samples of a 3-class problem (classes 0, 0, 1, 2).
CONFIDENT_PROBS = ((1.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))

#: Exercise 3: options for "which measurement exposes a generator that copies training images?".
MEMORIZATION_OPTIONS = ("IS", "FID", "nearest-train-distance", "loss_D")


def check_inception_score(answer) -> Feedback:
    """Exercise 1: the Inception Score of :data:`CONFIDENT_PROBS` (= 2√2)."""
    return check_close(
        answer,
        gan_metrics.inception_score(torch.tensor(CONFIDENT_PROBS)),
        what="IS",
        hint="每张图的熵都是 0，所以 IS = exp(H(p(c)))，其中 p(c) 是四张图类别分布的平均 (1/2, 1/4, 1/4)；"
        "别忘了取 exp，也别把三类当成均匀的。",
        rtol=1e-3,
        atol=0,
    )


def _fid_1d_reference(mu1, var1, mu2, var2) -> float:
    return gan_metrics.frechet_distance([mu1], [[var1]], [mu2], [[var2]])


#: Exercise 2: (mu1, var1, mu2, var2) test cases; the last ones have equal means or equal variances.
FID_1D_CASES = (
    (0.0, 4.0, 3.0, 1.0),
    (1.5, 0.25, -0.5, 9.0),
    (-2.0, 2.0, 0.5, 0.5),
    (0.3, 1.0, 0.3, 6.25),
    (1.0, 3.0, -1.0, 3.0),
)


def check_fid_1d(fn) -> Feedback:
    """Exercise 2: ``fn(mu1, var1, mu2, var2)`` = FID of two 1-D Gaussians given by mean and *variance*."""
    return check_function(
        fn,
        _fid_1d_reference,
        FID_1D_CASES,
        what="你的一维 FID",
        hint="FID = (mu1 − mu2)² + var1 + var2 − 2·sqrt(var1·var2) = (mu1 − mu2)² + (sigma1 − sigma2)²；"
        "参数是方差，标准差要先开方。",
        rtol=1e-6,
        atol=1e-9,
    )


def check_memorization_detector(answer) -> Feedback:
    """Exercise 3: which measurement exposes a generator that outputs copies of training images?"""
    return check_choice(
        answer,
        "nearest-train-distance",
        MEMORIZATION_OPTIONS,
        what="选择",
        hint="复制来的训练图会被分类器自信地认出、特征分布也和真实数据一样，所以 IS 和 FID 反而很好；"
        "要看的是每张样本离最近一张训练图有多远。",
    )
