"""Exercise checkers for chapter 06 (optimisers)."""

from __future__ import annotations

import numpy as np
import torch

from . import Feedback, check_choice, check_close, check_function

__all__ = [
    "MOMENTUM_STEP",
    "check_momentum_step",
    "reference_rms_sigma",
    "check_rms_sigma",
    "SGD_MAPPING_OPTIONS",
    "check_sgd_mapping",
    "ADAM_SETTINGS",
    "check_adam_step",
]

#: Exercise 1: the notes' momentum with β = 0.9, η = 0.1, previous m = (0.5, −1) and gradient g = (2, 1).
MOMENTUM_STEP = {"momentum": 0.9, "lr": 0.1, "m_prev": (0.5, -1.0), "grad": (2.0, 1.0)}


def check_momentum_step(answer) -> Feedback:
    """Exercise 1: the new movement m¹ = β m⁰ − η g for :data:`MOMENTUM_STEP` (a pair of numbers)."""
    d = MOMENTUM_STEP
    expected = d["momentum"] * np.array(d["m_prev"]) - d["lr"] * np.array(d["grad"])
    return check_close(
        answer,
        expected,
        what="新的移动量 m",
        hint="先把上一步的 m 乘以 β，再减去 η 乘以当前梯度；两个分量分别算。",
    )


def reference_rms_sigma(grads) -> float:
    """σᵗ of the notes' RMS rule: the root mean square of all gradients g⁰ … gᵗ of one parameter."""
    g = np.asarray(grads, dtype=np.float64)
    return float(np.sqrt(np.mean(g**2)))


_RMS_CASES = [([3.0],), ([3.0, -4.0],), ([1.0, 0.0, 0.0, 0.0],), ([0.5, -2.0, 1.5, 0.1, 0.0],)]


def check_rms_sigma(fn) -> Feedback:
    """Exercise 2: ``fn(grads)`` must return σ = sqrt(mean of g²) for a list of past gradients."""
    return check_function(
        fn,
        reference_rms_sigma,
        _RMS_CASES,
        what="函数 rms_sigma",
        hint="是“均方根”：先平方、再对全部 t+1 个梯度求平均（不是求和）、最后开方；负梯度平方后也是正的。",
    )


#: Exercise 3: which ``torch.optim.SGD`` call reproduces the notes' Momentum(η, λ)?
SGD_MAPPING_OPTIONS = ("SGD(lr=η, momentum=β)", "SGD(lr=η/(1-β), momentum=β)", "SGD(lr=η, momentum=1-β)")


def check_sgd_mapping(answer) -> Feedback:
    """Exercise 3: a choice from :data:`SGD_MAPPING_OPTIONS`."""
    return check_choice(
        answer,
        SGD_MAPPING_OPTIONS[0],
        SGD_MAPPING_OPTIONS,
        what="对应关系",
        hint="torch 存的是 b ← μb + g，再走 θ ← θ − ηb；把 m = −ηb 代入笔记的 m ← βm − ηg，看看 μ 和学习率各应是什么。",
    )


#: Exercise 4: the hyper-parameters ``adam_step`` is checked with (one run per setting).
ADAM_SETTINGS = (
    {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    {"lr": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3},
)

_ADAM_HINT = (
    "m ← β1·m + (1−β1)·g，v ← β2·v + (1−β2)·g²（逐元素）；再做偏差校正 m̂ = m/(1−β1^t)、v̂ = v/(1−β2^t)（t 从 1 开始）；"
    "最后 θ ← θ − lr·m̂/(√v̂ + eps)，eps 加在开方之后。返回新的 (theta, m, v)，不要原地修改传进来的张量。"
)


def check_adam_step(fn, *, steps: int = 6, seed: int = 0) -> Feedback:
    """Exercise 4: ``fn(theta, grad, m, v, t, lr, beta1, beta2, eps) -> (theta, m, v)`` against ``torch.optim.Adam``.

    For each of :data:`ADAM_SETTINGS` and two parameter shapes, random gradients are fed for ``steps``
    steps both to the learner's function and to ``torch.optim.Adam``; the first step whose parameters
    differ is named.
    """
    if fn is None:
        return Feedback(False, "函数 adam_step 尚未实现：把 None 换成你的函数。")
    if not callable(fn):
        return Feedback(False, f"adam_step 应该是一个函数，收到的是 {type(fn).__name__}。")
    gen = torch.Generator().manual_seed(seed)
    for hp in ADAM_SETTINGS:
        for shape in ((3,), (2, 4)):
            start = torch.randn(shape, generator=gen, dtype=torch.float64)
            ref = start.clone().requires_grad_(True)
            opt = torch.optim.Adam([ref], lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"])
            theta, m, v = start.clone(), torch.zeros_like(start), torch.zeros_like(start)
            for t in range(1, steps + 1):
                g = torch.randn(shape, generator=gen, dtype=torch.float64) * 10.0 ** float(t % 3 - 1)
                ref.grad = g.clone()
                opt.step()
                where = f"设置 {hp}、形状 {shape} 的第 {t} 步（t={t}）"
                try:
                    out = fn(theta.clone(), g.clone(), m.clone(), v.clone(), t, **hp)
                    if out is None:
                        return Feedback(
                            False, "adam_step 还没有实现：补全函数体，返回 (theta, m, v)（现在它返回 None）。"
                        )
                    theta, m, v = (torch.as_tensor(o, dtype=torch.float64) for o in out)
                except Exception as exc:  # noqa: BLE001 - report any failure of learner code as a hint
                    return Feedback(False, f"在{where}报错：{type(exc).__name__}: {exc}。提示：{_ADAM_HINT}")
                if theta.shape != start.shape:
                    return Feedback(
                        False, f"在{where}返回的 theta 形状是 {tuple(theta.shape)}，应为 {shape}。"
                    )
                if not torch.allclose(theta, ref.detach(), rtol=1e-6, atol=1e-9):
                    diff = float((theta - ref.detach()).abs().max())
                    return Feedback(
                        False,
                        f"在{where}参数与 torch.optim.Adam 不一致（最大差 {diff:.2e}）。提示：{_ADAM_HINT}",
                    )
    return Feedback(True, "adam_step 与 torch.optim.Adam 在全部设置、全部步上都一致。")
