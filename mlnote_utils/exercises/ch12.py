"""Exercise checkers for chapter 12 (GAN basics)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .. import gan
from . import Feedback, check_choice, check_close, check_function

__all__ = ["check_optimal_d", "check_discriminator_loss", "check_frozen_network"]

#: Exercise 1: densities of the data and of the generator at one point x.
DENSITIES = {"p_data": 0.3, "p_g": 0.1}

#: Exercise 3: options for "whose parameters change in the generator update?".
FROZEN_OPTIONS = ("G", "D", "both", "neither")


def check_optimal_d(answer) -> Feedback:
    """Exercise 1: D*(x) when p_data(x) = 0.3 and p_G(x) = 0.1."""
    expected = float(
        gan.optimal_discriminator(torch.tensor(DENSITIES["p_data"]), torch.tensor(DENSITIES["p_g"]))
    )
    return check_close(
        answer,
        expected,
        what="D*(x)",
        hint="最优判别器是“这一点上真实数据的密度占两者之和的比例”：p_data / (p_data + p_G)，不是反过来。",
        rtol=1e-3,
        atol=0,
    )


def _reference_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    ones, zeros = torch.ones_like(real_logits), torch.zeros_like(fake_logits)
    return F.binary_cross_entropy_with_logits(real_logits, ones) + F.binary_cross_entropy_with_logits(
        fake_logits, zeros
    )


def check_discriminator_loss(fn) -> Feedback:
    """Exercise 2: ``fn(real_logits, fake_logits) -> scalar`` = −V(D, G), compared with torch's BCE on random logits."""
    g = torch.Generator().manual_seed(12)
    cases = [
        (
            torch.randn(8, 1, generator=g, dtype=torch.float64),
            torch.randn(8, 1, generator=g, dtype=torch.float64),
        ),
        (
            torch.randn(5, 1, generator=g, dtype=torch.float64) + 2.0,
            torch.randn(7, 1, generator=g, dtype=torch.float64) - 1.0,
        ),  # unequal batch sizes
        (
            torch.randn(6, 1, generator=g, dtype=torch.float64) * 3,
            torch.randn(6, 1, generator=g, dtype=torch.float64) * 3,
        ),
        (
            torch.tensor([[40.0], [-40.0]], dtype=torch.float64),
            torch.tensor([[-40.0], [40.0]], dtype=torch.float64),
        ),  # large logits: stay finite
    ]
    return check_function(
        fn,
        _reference_loss,
        cases,
        what="你的判别器损失",
        hint="真实样本的标签是 1、生成样本的标签是 0：损失 = −mean log σ(真实 logit) − mean log(1 − σ(生成 logit))，"
        "两项各自在自己的批次上求平均；用 F.softplus 或 F.binary_cross_entropy_with_logits 可以避免 log(0)。",
        rtol=1e-6,
        atol=1e-9,
    )


def check_frozen_network(answer) -> Feedback:
    """Exercise 3: in the generator update, whose parameters are changed by the optimiser step?"""
    return check_choice(
        answer,
        "G",
        FROZEN_OPTIONS,
        what="选择",
        hint="生成器那一步的梯度虽然要穿过 D 才能传回 G，但只调用 opt_G.step()；D 在这一步是固定的，否则 D 会被训练得“更容易被骗”。",
    )
