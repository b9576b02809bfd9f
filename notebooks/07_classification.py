# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: MLNote (Python 3)
#     language: python
#     name: mlnote
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 第 7 章 分类：独热向量、Softmax 与交叉熵
#
# 前几章的模型输出一个实数，用来做回归（Regression）。这一章让网络输出“属于哪一类”。
#
# **学习目标**
#
# - 说明为什么类别要写成独热向量（One-Hot Vector），而不是 1、2、3 这样的编号；
# - 亲手实现 Softmax，看到朴素公式在大数值下溢出（overflow），并用“减去最大值”的技巧修好它；
# - 知道预测时取 logits 最大的那一类（argmax），并验证两类时 Sigmoid 就是对两个 logits 做 Softmax；
# - 亲手实现交叉熵（Cross-entropy），与 `F.cross_entropy` 对照，并推导它对 logits 的梯度；
# - 知道 `nn.CrossEntropyLoss` / `F.cross_entropy` 的输入是 logits，量一量“多套一层 Softmax”会让训练慢多少；
# - 在同一个小分类器上并排比较 MSE 与交叉熵的误差曲面（Error Surface），看梯度下降在哪里会卡住；
# - 用数值验证“最小化交叉熵 = 最大化似然（Likelihood）”；
# - 在真实的手写数字数据上训练分类器，读懂混淆矩阵（Confusion Matrix）和错分样本，并画出分类器的决策区域（Decision Regions）。

# %% [markdown] slideshow={"slide_type": "skip"}
# ## 如何使用本笔记本
#
# 从上到下依次运行每个单元格（JupyterLab 菜单 Kernel → Restart Kernel and Run All Cells…）。滑块控件（widget）需要正在运行的内核才能拖动；每个控件旁边都有一张静态图，展示几个取值下的同一现象，在 GitHub 或 HTML 里也能看。有 GPU 时训练会自动使用它；想强制用 CPU，启动前设置环境变量 `MLNOTE_DEVICE=cpu`。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import mlnote_utils as mu
from mlnote_utils.exercises import ch07 as ex
from mlnote_utils.experiments import ch07 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 类别怎么表示：独热向量
#
# 如果把三个类别直接编号为 1、2、3 当作回归目标，就暗含了“类别 1 和 2 比 1 和 3 更接近”的假设，而大多数分类任务里类别之间并没有这种远近关系。独热向量为每个类别单独留一维：共有 $C$ 类时，类别 $k$ 写成长度为 $C$ 的向量 $\hat{y}$，第 $k$ 位是 1，其余是 0。于是任意两个不同类别之间的欧氏距离都相同（$\sqrt{2}$）。

# %% tags=["nbval-check-output"]
labels = torch.tensor([0, 2, 1, 2])
Y = mu.classification.one_hot(labels, 3)  # (4, 3)
print(Y)
torch.testing.assert_close(Y, F.one_hot(labels, 3).float())
dist = torch.cdist(mu.classification.one_hot(torch.arange(3), 3), mu.classification.one_hot(torch.arange(3), 3))
print("pairwise distances between classes:\n", dist.round(decimals=4))

# %% [markdown] slideshow={"slide_type": "fragment"}
# 手写的 `mu.classification.one_hot` 与 PyTorch 的 `F.one_hot` 完全一致；三个类别两两之间的距离都是 $\sqrt2\approx1.4142$，没有哪两类“更近”。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Softmax：把任意实数变成概率
#
# 网络最后一层输出 $C$ 个实数 $z_1,\dots,z_C$（称为 logits）。Softmax 先取指数、再归一化：
#
# $$y'_i = \frac{e^{z_i}}{\sum_{j} e^{z_j}} .$$
#
# 每个 $y'_i$ 都在 $(0,1)$ 之间且总和为 1，可以当作“属于第 $i$ 类的概率”。
#
# **数值稳定性。** 分子分母同乘 $e^{-m}$（$m$ 为任意常数）结果不变：
#
# $$\frac{e^{z_i}}{\sum_j e^{z_j}} = \frac{e^{z_i-m}}{\sum_j e^{z_j-m}} .$$
#
# 取 $m=\max_j z_j$ 后，所有指数都 $\le 0$，$e^{(\cdot)}$ 最大为 1，不会溢出。单精度浮点（float32）能表示的最大数约为 $3.4\times10^{38}$，而 $e^{89}$ 已经超过它。

# %% tags=["nbval-check-output"]
z = torch.tensor([1000.0, 1001.0, 1002.0])
print("naive :", mu.classification.softmax_naive(z))  # exp(1000) = inf, inf / inf = nan
print("stable:", mu.classification.softmax_stable(z).round(decimals=4))
print("float32 exp(88), exp(89):", torch.exp(torch.tensor([88.0, 89.0])))

torch.manual_seed(SEED)
logits = torch.randn(5, 4) * 3  # (N, C)
torch.testing.assert_close(mu.classification.softmax_stable(logits), torch.softmax(logits, dim=1))
torch.testing.assert_close(mu.classification.softmax_stable(z), torch.softmax(z, dim=0))
torch.testing.assert_close(mu.classification.softmax_stable(z), torch.softmax(z - 1000, dim=0))
torch.testing.assert_close(mu.classification.softmax_stable(logits).sum(1), torch.ones(5))
print("hand-made softmax == torch.softmax; every row sums to 1")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 朴素公式在 logits 为 1000 左右时得到 `nan`（$e^{1000}=\infty$，$\infty/\infty$ 无定义），而减去最大值后的版本给出正确答案 $[0.09, 0.245, 0.665]$——它与 logits 为 $[0,1,2]$ 时完全相同（上面的检查之一），这正是那条恒等式。在普通大小的输入上，两者都和 `torch.softmax` 一致。
#
# ### 预测：取最大的那一类
#
# 训练好的分类器在预测时输出“最可能的类别”，即概率最大的那一维：$\hat c = \arg\max_i y'_i$。因为 $e^{z}$ 是严格递增函数、分母对所有 $i$ 相同，概率最大的那一维也就是 logit 最大的那一维，所以预测时可以直接对 logits 取 argmax，Softmax 只在需要概率（例如算损失、报告置信度）时才用得上。

# %% tags=["nbval-check-output"]
many = torch.randn(1000, 10, generator=torch.Generator().manual_seed(SEED)) * 4  # (N, C)
assert torch.equal(torch.softmax(many, dim=1).argmax(1), many.argmax(1))
print("logits:", logits[0].numpy().round(2), " probabilities:", torch.softmax(logits[0], 0).numpy().round(3))
print("predicted class from logits:", int(logits[0].argmax()), " from probabilities:", int(torch.softmax(logits[0], 0).argmax()))
print("argmax of softmax == argmax of logits on 1000 random rows of 10 logits")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 两种方式对 1000 行随机 logits 给出完全相同的预测类别。
#
# ### 两类时：Sigmoid 就是两个 logits 的 Softmax
#
# 只有两类时，常见的写法是网络只输出一个数 $a$，用 Sigmoid $\sigma(a)=1/(1+e^{-a})$ 得到“属于类别 1 的概率”，损失用二元交叉熵（Binary Cross-entropy）。这与“输出两个 logits $(z_0,z_1)$ 再做 Softmax”是同一件事：
#
# $$\frac{e^{z_1}}{e^{z_0}+e^{z_1}} = \frac{1}{1+e^{-(z_1-z_0)}} = \sigma(z_1-z_0) .$$
#
# 只有差 $z_1-z_0$ 起作用，所以两个 logits 可以固定一个为 0，剩下的那个就是 Sigmoid 的输入 $a$。下面在随机数上检查概率和损失两边都相等：`F.binary_cross_entropy_with_logits(a, y)` 等于 `F.cross_entropy` 作用在 $[0, a]$ 上。

# %% tags=["nbval-check-output"]
gen = torch.Generator().manual_seed(SEED)
z2 = torch.randn(200, 2, generator=gen, dtype=torch.float64) * 5  # (N, 2): two logits per sample
y2 = torch.randint(0, 2, (200,), generator=gen)
torch.testing.assert_close(torch.softmax(z2, dim=1)[:, 1], torch.sigmoid(z2[:, 1] - z2[:, 0]))
a = z2[:, 1]  # one logit per sample
two_logits = torch.stack([torch.zeros_like(a), a], dim=1)  # (N, 2) = [0, a]
bce = F.binary_cross_entropy_with_logits(a, y2.double())
torch.testing.assert_close(bce, F.cross_entropy(two_logits, y2))
print(f"softmax([z0, z1])[1] == sigmoid(z1 - z0) on 200 random pairs; BCE with logits = {float(bce):.6f} = CE on [0, a]")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 对 200 组随机 logits，两边的概率与损失一致（float64 下逐项相等到舍入误差）。所以二分类既可以用“一个输出 + Sigmoid + 二元交叉熵”，也可以用“两个输出 + Softmax + 交叉熵”，它们描述的是同一族模型。第 5 节的玩具分类器正是用 $[0,\,wx+b]$ 这两个 logits 写成的。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. 交叉熵及其梯度
#
# 有了概率 $y'$ 和独热目标 $\hat y$，可以用两种方式衡量差距：
#
# $$e_{\text{MSE}} = \sum_i (\hat y_i - y'_i)^2, \qquad e_{\text{CE}} = -\sum_i \hat y_i \ln y'_i = -\ln y'_{k}\quad(k\text{ 为正确类别}).$$
#
# 交叉熵只看正确类别得到的概率：概率越接近 1，损失越接近 0。直接算 $\ln(\text{softmax})$ 同样会溢出，所以用 log-sum-exp 形式：$\ln y'_k = z_k - m - \ln\sum_j e^{z_j-m}$。
#
# **梯度。** 对 $e_{\text{CE}} = -z_k + \ln\sum_j e^{z_j}$ 求导，得到一个非常简单的结果：
#
# $$\frac{\partial e_{\text{CE}}}{\partial z_i} = y'_i - \hat y_i .$$
#
# 而 MSE 要先经过 softmax 的雅可比矩阵 $\partial y'_j/\partial z_i = y'_j(\delta_{ij}-y'_i)$：
#
# $$\frac{\partial e_{\text{MSE}}}{\partial z_i} = \sum_j 2(y'_j-\hat y_j)\,y'_j(\delta_{ij}-y'_i) .$$
#
# 后者里多了因子 $y'_j$ 与 $(\delta_{ij}-y'_i)$：当 softmax 输出非常“自信”（接近 0 或 1）时，它们让梯度趋于 0。下面用 autograd 检查这两个公式。

# %% tags=["nbval-check-output"]
targets = torch.tensor([0, 3, 1, 1, 2])
torch.testing.assert_close(mu.classification.cross_entropy_by_hand(logits, targets), F.cross_entropy(logits, targets))
huge = logits * 500
torch.testing.assert_close(mu.classification.cross_entropy_by_hand(huge, targets), F.cross_entropy(huge, targets))

z_var = logits.clone().requires_grad_(True)
Y_hat = mu.classification.one_hot(targets, 4)
p = torch.softmax(logits, dim=1)  # (N, C)
(g_ce,) = torch.autograd.grad(F.cross_entropy(z_var, targets, reduction="sum"), z_var)
torch.testing.assert_close(g_ce, p - Y_hat)

jac = torch.diag_embed(p) - p[:, :, None] * p[:, None, :]  # (N, C, C): dy'_j / dz_i
g_mse_formula = torch.einsum("nj,nji->ni", 2 * (p - Y_hat), jac)
(g_mse,) = torch.autograd.grad(((Y_hat - torch.softmax(z_var, 1)) ** 2).sum(), z_var)
torch.testing.assert_close(g_mse, g_mse_formula)
print("cross-entropy by hand == F.cross_entropy (also for logits x500)")
print("dCE/dz == softmax - one_hot; dMSE/dz matches the Jacobian formula")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 手写交叉熵与 `F.cross_entropy` 一致，logits 放大 500 倍也不会溢出；两条梯度公式都与 autograd 吻合。现在看看“自信地错了”时两种梯度有多大：正确类别是 0，但网络把几乎全部概率给了类别 1。

# %% tags=["nbval-check-output"]
grad_rows = []
for scale in [1.0, 3.0, 6.0]:
    zz = torch.tensor([[0.0, scale, 0.0]], requires_grad=True)  # the true class is 0
    y0 = torch.tensor([0])
    (gc,) = torch.autograd.grad(F.cross_entropy(zz, y0), zz)
    (gm,) = torch.autograd.grad(mu.classification.mse_on_probabilities(zz, y0), zz)
    p_true = float(torch.softmax(zz.detach(), 1)[0, 0])
    grad_rows.append((p_true, float(gc.norm()), float(gm.norm())))
    print(f"p(true)={p_true:.4f}  |grad CE|={gc.norm():.4f}  |grad MSE|={gm.norm():.4f}")
p_true, g_ce_n, g_mse_n = map(np.array, zip(*grad_rows, strict=True))
assert np.all(np.diff(p_true) < 0) and np.all(np.diff(g_ce_n) > 0) and np.all(np.diff(g_mse_n) < 0)  # the trends
assert abs(g_ce_n[0] - 1.0) < 0.05 and abs(g_ce_n[-1] - np.sqrt(2)) < 0.01 * np.sqrt(2)  # ~1.0 ... close to sqrt 2
assert abs(g_mse_n[0] - 0.6) < 0.05 and abs(g_mse_n[-1] - 0.02) < 0.005  # ~0.6 ... ~0.02

# %% [markdown] slideshow={"slide_type": "fragment"}
# 模型越自信地给错（正确类别的概率从 0.21 降到 0.0025），交叉熵的梯度越大（从约 1.0 增到接近 $\sqrt2\approx1.414$，差距不到 1%），MSE 的梯度反而越小（从约 0.6 降到约 0.02）：MSE 在“错得最离谱”的地方几乎不给方向。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. 交叉熵的输入是 logits：不要再套一层 Softmax
#
# PyTorch 的 `nn.CrossEntropyLoss` 和 `F.cross_entropy` **自己会做 Softmax**：它们的输入是 logits，内部计算的是 $-\ln\operatorname{softmax}(z)_k$（用上面的 log-sum-exp 形式，既稳定又快）。所以网络的最后一层应该直接输出 logits，不要在模型末尾再加 `nn.Softmax`。一个常见的错误是两者都做了：损失实际算的是 $-\ln\operatorname{softmax}(\operatorname{softmax}(z))_k$。
#
# 这样做不会报错，但会悄悄地改变损失：内层 Softmax 的输出在 $[0,1]$ 之间，外层 Softmax 再怎么“自信”也只能在正确类别上给出 $e^1/(e^1+C-1)$，所以损失有一个下限 $\ln\bigl(1+(C-1)/e\bigr)$（$C=10$ 时约 1.46），而且梯度要多穿过一层 Softmax 的雅可比矩阵，变得更小。下面先检查这几点，第 7 节再在真实数据上量出它对训练的影响。

# %% tags=["nbval-check-output"]
torch.testing.assert_close(nn.CrossEntropyLoss()(logits, targets), F.cross_entropy(logits, targets))
torch.testing.assert_close(F.cross_entropy(logits, targets), -torch.log_softmax(logits, 1)[torch.arange(5), targets].mean())
floor = xp.double_softmax_loss_floor(10)
perfect = torch.eye(10) * 50  # logits that are confidently right for classes 0..9
print(f"plain CE on confident, correct logits : {float(F.cross_entropy(perfect, torch.arange(10))):.2e}")
print(f"CE on softmax of the same logits       : {float(F.cross_entropy(torch.softmax(perfect, 1), torch.arange(10))):.4f}"
      f"  (floor ln(1 + 9/e) = {floor:.4f})")  # fmt: skip
torch.testing.assert_close(F.cross_entropy(torch.softmax(perfect, 1), torch.arange(10)), torch.tensor(floor, dtype=torch.float32))
zz = torch.tensor([[0.0, 6.0, 0.0]], requires_grad=True)  # confidently wrong: the true class is 0
(g_plain,) = torch.autograd.grad(F.cross_entropy(zz, torch.tensor([0])), zz)
(g_double,) = torch.autograd.grad(F.cross_entropy(torch.softmax(zz, 1), torch.tensor([0])), zz)
print(f"confidently wrong sample: |grad| plain CE = {g_plain.norm():.4f}, double softmax = {g_double.norm():.4f}")
assert g_double.norm() < 0.01 * g_plain.norm()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 对完全正确、非常自信的 logits，正常的交叉熵几乎为 0，而“多套一层 Softmax”的损失停在下限 1.4612，不可能再降；对一个自信地错了的样本，它给出的梯度不到正常交叉熵的百分之一（上面打印了两者）。所以：**模型输出 logits，损失函数负责 Softmax**；需要概率时（例如展示置信度），在模型外面单独调用 `torch.softmax`。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. 误差曲面：MSE 与交叉熵并排
#
# 为了能画出整个误差曲面，用一个只有两个参数的分类器：输入是一个数 $x$，两个 logits 为 $[0,\; wx+b]$，经 softmax 得到两类的概率（由第 2 节，这就是 $\sigma(wx+b)$）。数据是两团一维的点：类别 0 在 $-1$ 附近，类别 1 在 $+1$ 附近。好的参数是 $w>0$（$x$ 越大越像类别 1）。我们从左下角 $w=-4,b=-3$（“自信地错”）出发，用相同的学习率 $\eta=1$ 在两个曲面上各走 100 步梯度下降。

# %%
x_toy, y_toy = mu.classification.make_toy_binary(n=40, spread=0.7, seed=SEED)
ws, bs = np.linspace(-6, 8, 141), np.linspace(-6, 6, 121)
surfaces, paths = {}, {}
with mu.cpu_threads(1):  # tiny computations: one CPU thread is as fast as several, and faster on a busy CPU
    for kind in ["mse", "ce"]:
        surfaces[kind] = mu.landscape.evaluate_grid(lambda W, B, k=kind: mu.classification.toy_classifier_loss(W, B, x_toy, y_toy, k), ws, bs)
        paths[kind] = {
            f"start ({w0:g}, {b0:g})": mu.landscape.gradient_descent(
                lambda th, k=kind: mu.classification.toy_classifier_loss(th[0], th[1], x_toy, y_toy, k), [w0, b0], lr=1.0, steps=100
            )
            for w0, b0 in [(-4.0, -3.0), (-4.0, 3.0), (1.0, 5.0)]
        }
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for ax, kind, name in zip(axes, ["mse", "ce"], ["MSE", "cross-entropy"], strict=True):
    mu.plot_contour(ws, bs, surfaces[kind], ax=ax, levels=30, title=f"{name} error surface, GD lr=1, 100 steps")
    mu.plot_trajectory(paths[kind], ax=ax)
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图（MSE）的左半边是一片高原：从左侧出发的两条路径（蓝、橙）沿着高原慢慢挪动，100 步后 $w$ 只走到 0 附近，还没有走进右边的低谷；只有本来就从较好位置（绿）出发的路径到达了低谷。右图（交叉熵）在同一区域坡度很陡，三条路径都滑进了右边的低谷（$w>0$）。两张图的低谷在同一侧——差别在于**能不能走到那里**。下面把这些数字量出来。

# %% tags=["nbval-ignore-output"]
def toy_accuracy(theta: np.ndarray) -> float:
    return float((((theta[0] * x_toy + theta[1]) > 0).long() == y_toy).double().mean())


grad_norm = {}
for start in paths["mse"]:
    for kind in ["mse", "ce"]:
        t = paths[kind][start]
        loss = lambda th, k=kind: mu.classification.toy_classifier_loss(th[0], th[1], x_toy, y_toy, k)
        grad_norm[kind, start] = float(torch.func.grad(loss)(torch.from_numpy(t.points[0])).norm())
        print(
            f"{start:>16} {kind:>3}: |grad| at start={grad_norm[kind, start]:.3f}  loss start={t.losses[0]:.3f}"
            f"  after 100 steps={t.losses[-1]:.3f}  final (w, b)=({t.final[0]:5.2f}, {t.final[1]:5.2f})  train accuracy={toy_accuracy(t.final):.2f}"
        )
for start in ["start (-4, -3)", "start (-4, 3)"]:  # the two starts on the left (wrong-sign w)
    mse_t, ce_t = paths["mse"][start], paths["ce"][start]
    assert grad_norm["mse", start] < 0.3 * grad_norm["ce", start]
    assert mse_t.losses[-1] > 0.5 * mse_t.losses[0]  # MSE: over half of the loss left
    assert abs(mse_t.final[0]) < 0.5 < 3 < abs(mse_t.final[1])  # w still near 0, b pushed far out
    assert len(torch.unique(mse_t.final[0] * x_toy + mse_t.final[1] > 0)) == 1  # one class for every point
    assert toy_accuracy(mse_t.final) == 0.5  # = the share of that class: no better than guessing
    assert ce_t.losses[-1] < 0.05 * ce_t.losses[0]  # CE: more than 95 % of the loss removed
    assert toy_accuracy(ce_t.final) == 1.0  # every training point right

# %% [markdown] slideshow={"slide_type": "fragment"}
# 对左侧的两个起点，同一学习率下：MSE 的起点梯度不到交叉熵的 30%，100 步之后损失还剩一半以上：$w$ 只到了 0 附近（$|w|<0.5$），$b$ 却被推到 $|b|>3$，于是所有点都被判成同一类，训练准确率只有 50%（与瞎猜一样）；交叉熵把损失降到起点的 5% 以下，把全部 40 个点都分对。这就是笔记中“换一个损失函数，最优化的难度也会改变”的含义。
#
# 下面的控件可以自己选损失、学习率和起点（需要运行中的内核）；上面的静态图已展示了三个起点的情形。

# %% tags=["nbval-ignore-output"]
def draw_toy_path(ax, kind, lr, w0, b0):
    loss = lambda th: mu.classification.toy_classifier_loss(th[0], th[1], x_toy, y_toy, kind)  # noqa: E731
    traj = mu.landscape.gradient_descent(loss, [w0, b0], lr=lr, steps=100)
    mu.plot_contour(ws, bs, surfaces[kind], ax=ax, title=f"{kind}: loss {traj.losses[0]:.3f} -> {traj.losses[-1]:.3f}")
    mu.plot_trajectory({f"GD, η = {lr:.3g}": traj}, ax=ax)
    return ax


widget = mu.interactive_figure(
    draw_toy_path,
    kind=mu.choice(["mse", "ce"], description="loss"),
    lr=mu.log_slider(1.0, 0.01, 10.0, "η"),
    w0=mu.float_slider(-4.0, -6.0, 8.0, description="w0"),
    b0=mu.float_slider(-3.0, -6.0, 6.0, description="b0"),
)
widget

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. 最小化交叉熵 = 最大化似然
#
# 把分类器看成概率模型：参数为 $\theta$ 时，它认为样本 $x_n$ 属于类别 $y_n$ 的概率是 $p_\theta(y_n\mid x_n)=y'_{n,y_n}$。假设样本相互独立，整份训练数据被“观察到”的概率（似然）为
#
# $$\mathcal L(\theta)=\prod_{n=1}^{N} p_\theta(y_n\mid x_n) .$$
#
# 取负对数再除以 $N$：
#
# $$-\frac1N\ln\mathcal L(\theta) = \frac1N\sum_{n}\bigl(-\ln y'_{n,y_n}\bigr) = \text{平均交叉熵}(\theta).$$
#
# $-\frac1N\ln(\cdot)$ 是严格递减函数，所以让交叉熵最小的 $\theta$ 恰好让似然最大。下面在玩具数据上用数值检查。似然用一个**独立写的**函数计算：直接用 Sigmoid 得到每个样本的概率再连乘，不经过交叉熵的代码。(1) 对几组参数，$e^{-N\cdot\text{CE}}$ 等于这个连乘；(2) 在整张网格上逐点计算似然：它与 $e^{-N\cdot\text{CE}}$ 处处相等，似然最大的格点就是交叉熵最小的格点，而且按交叉熵从小到大排列所有格点时，似然从大到小排列。

# %% tags=["nbval-check-output"]
def likelihood(w, b) -> torch.Tensor:
    """Product over the toy samples of p(y_n | x_n) under sigmoid(w x + b); w, b broadcast (scalars or a grid)."""
    w, b = torch.as_tensor(w, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    a = w[..., None] * x_toy + b[..., None]  # (..., N): the logit of class 1
    return torch.where(y_toy == 1, torch.sigmoid(a), torch.sigmoid(-a)).prod(-1)  # 1 - sigmoid(a) = sigmoid(-a)


N = len(x_toy)
for w, b in [(0.5, 0.0), (2.0, -0.3), (-1.0, 1.0)]:
    ce = mu.classification.toy_classifier_loss(torch.tensor(w), torch.tensor(b), x_toy, y_toy, "ce")
    torch.testing.assert_close(torch.exp(-N * ce), likelihood(w, b))
    print(f"w={w:5.2f} b={b:5.2f}  CE={float(ce):.4f}  likelihood={float(likelihood(w, b)):.3e}")

W_grid, B_grid = np.meshgrid(ws, bs)  # (len(bs), len(ws)), the layout of surfaces["ce"]
lik_grid = likelihood(torch.from_numpy(W_grid), torch.from_numpy(B_grid)).numpy()
np.testing.assert_allclose(lik_grid, np.exp(-N * surfaces["ce"]), rtol=1e-9, atol=1e-250)
i_ce = np.unravel_index(surfaces["ce"].argmin(), surfaces["ce"].shape)
i_lik = np.unravel_index(lik_grid.argmax(), lik_grid.shape)
assert i_ce == i_lik
by_ce = np.argsort(surfaces["ce"], axis=None)  # grid points from the smallest CE to the largest
assert np.all(np.diff(lik_grid.ravel()[by_ce]) <= 1e-12 * lik_grid.max())  # likelihood never increases along it
print(f"grid of {lik_grid.size} points: likelihood == exp(-N CE) everywhere; "
      f"argmin CE == argmax likelihood at w={ws[i_lik[1]]:.1f}, b={bs[i_lik[0]]:.1f}")  # fmt: skip

# %% [markdown] slideshow={"slide_type": "fragment"}
# 三组参数下 $e^{-N\cdot\text{CE}}$ 都与直接连乘的似然一致；在整张网格（17061 个格点）上，独立计算的似然与 $e^{-N\cdot\text{CE}}$ 处处相等，两者选中的是同一个格点，且两种排序完全一致。这个格点位于网格的右边缘：这组数据可以被完全分开时，$w$ 越大越好，似然没有有限的最大点。所以训练分类器时“最小化交叉熵”和“最大似然估计（Maximum Likelihood Estimation）”是一回事。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. 在真实数据上训练：手写数字
#
# 用 scikit-learn 自带的 8×8 手写数字（1797 张，10 类；1347 张训练、450 张测试）。网络为 64→64→10 的多层感知机（ReLU），SGD、学习率 0.1、批大小 32、训练 8 个 epoch。每种做法各跑 3 个随机种子，只改一处：
#
# - **交叉熵**（正确做法）：网络输出 logits，损失 `F.cross_entropy`；
# - **MSE**：Softmax 输出与独热向量之间的均方误差；
# - **两次 Softmax**（第 4 节的错误）：网络末尾多了一层 `nn.Softmax`，损失仍是 `F.cross_entropy`；
# - **隐藏层用 Softmax**：把隐藏层的 ReLU 换成 Softmax（输出层和损失与第一种相同）。笔记里 Softmax 与网络画在一起，容易让人以为它可以当作一般的激活函数；这里量一量放错地方的后果。

# %% tags=["nbval-ignore-output"]
digits = mu.load_digits_split()
test_loader = mu.make_loader(digits.test(), 450, shuffle=False)
variants = {  # name: (model builder, loss)
    "cross-entropy": (lambda: nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)), F.cross_entropy),
    "MSE": (lambda: nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)), mu.classification.mse_on_probabilities),
    "double softmax": (lambda: nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1)), F.cross_entropy),
    "hidden softmax": (lambda: nn.Sequential(nn.Linear(64, 64), nn.Softmax(dim=1), nn.Linear(64, 10)), F.cross_entropy),
}
histories, models = {}, {}
with mu.cpu_threads(1):  # tiny networks: one CPU thread is as fast as several, and faster on a busy CPU
    for name, (build, loss_fn) in variants.items():
        for seed in range(3):
            mu.seed_everything(seed)
            model = build()
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            histories[name, seed] = mu.fit(
                model, opt, mu.make_loader(digits.train(), 32, seed=seed), loss_fn=loss_fn, epochs=8,
                valid={"test": test_loader}, metrics={"acc": mu.accuracy}, device=DEVICE, progress=False,
            )
            models[name, seed] = model
final = {name: np.array([histories[name, s].last("test_acc") for s in range(3)]) for name in variants}
for name, accs in final.items():
    print(f"{name:>15}: test accuracy after 8 epochs per seed = {accs.round(3)}, mean {accs.mean():.3f}")
ce_acc, mse_acc, double_acc, hidden_acc = (final[n] for n in variants)
assert ce_acc.min() > mse_acc.max() and ce_acc.min() > double_acc.max() and ce_acc.min() > hidden_acc.max()
assert 0.9 < ce_acc.min() and ce_acc.max() < 0.96 and 0.65 < mse_acc.min() and mse_acc.max() < 0.8  # the quoted ranges
assert 0.3 < double_acc.min() and double_acc.max() < 0.55  # the double softmax: about 0.4
assert hidden_acc.max() < 0.2  # softmax as the hidden activation: barely above guessing (0.1)

# %%
fig, ax = plt.subplots(figsize=(7, 4.2))
markers = {"cross-entropy": "s-", "MSE": "o-", "double softmax": "^-", "hidden softmax": "v-"}
for (name, seed), h in histories.items():
    ax.plot(np.arange(1, h.epochs_done + 1), h["test_acc"], markers[name], ms=3, color=f"C{list(variants).index(name)}",
            label=name if seed == 0 else None)  # fmt: skip
ax.set_xlabel("epoch")
ax.set_ylabel("test accuracy")
ax.set_ylim(0, 1)
ax.set_title("digits 64-64-10 MLP, SGD lr=0.1 (3 seeds each)")
ax.legend()
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 图中每种做法有 3 条线（3 个种子）。交叉熵（蓝）学得最快：8 个 epoch 后测试准确率 0.91–0.94；MSE（橙）只有 0.69–0.76；多套一层 Softmax（绿）只有 0.36–0.48，损失被困在 1.46 以上、梯度又小；隐藏层用 Softmax（红）几乎没学到东西，只比瞎猜（0.1）好一点——64 个隐藏单元被迫加起来等于 1，每个都只有约 1/64，传到下一层的信号和梯度都很弱。（以上面打印的数字为准；末位会因线程数略有不同。）三个种子中交叉熵的最差结果仍好于其他三种做法的最好结果，这就是上面的 `assert`。
#
# 结论：Softmax 属于**输出端**——要么由损失函数在内部完成（`F.cross_entropy` 的输入是 logits），要么在需要概率时单独调用；隐藏层用 ReLU 这类逐元素的激活函数。MSE 慢的原因与第 5 节的曲面一致：训练初期很多样本被“自信地分错”，MSE 在那里给出的梯度很小。

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 混淆矩阵与错分样本
#
# 混淆矩阵的第 $t$ 行第 $p$ 列是“真实类别为 $t$、被预测为 $p$”的测试样本数，对角线是分对的。预测类别就是 logits 的 argmax（第 2 节）。

# %%
best = models["cross-entropy", 0].eval()
with torch.no_grad():
    test_logits = best(digits.x_test.to(DEVICE)).cpu()  # (450, 10)
pred = test_logits.argmax(1)
assert torch.equal(pred, torch.softmax(test_logits, 1).argmax(1))  # the same prediction from the probabilities
cm = mu.classification.confusion_matrix(pred, digits.y_test, 10)
assert cm.sum() == len(digits.y_test) and np.trace(cm) == int((pred == digits.y_test).sum())
t_worst, p_worst = np.unravel_index((cm - np.diag(np.diag(cm))).argmax(), cm.shape)
print(f"test accuracy {np.trace(cm) / cm.sum():.3f}; most confused: true {t_worst} predicted as {p_worst}")
wrong = torch.nonzero(pred != digits.y_test).ravel()[:8]
fig, axes = plt.subplots(2, 1, figsize=(9, 8.5), gridspec_kw={"height_ratios": [4, 1]})
mu.classification.plot_confusion_matrix(cm, ax=axes[0], title="digits, cross-entropy model (seed 0)")
mu.classification.plot_misclassified(digits.x_test[wrong], digits.y_test[wrong].tolist(), pred[wrong].tolist(), ax=axes[1])
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 绝大多数样本落在对角线上；非对角线上的数字指出哪两类最容易混淆（上面打印了最常见的一对）。下方是前几个错分的测试图像，标注为“真实→预测”：8×8 的分辨率很低，不少错例连人眼也难以判断。

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 决策区域：分类器把输入空间切成几块
#
# 64 维的手写数字无法直接画出来。为了“看见”分类器，换一个二维的数据集：三条交错的螺旋线，每条 100 个点、一类。对平面上每一点，取 logits 的 argmax 作为预测类别并涂上该类的颜色，得到决策区域。比较两个模型，都用交叉熵和 Adam（学习率 0.01）在全部数据上训练 300 步：一个是线性分类器（2→3，只有输出层和 Softmax），一个是两个 64 单元 ReLU 隐藏层的多层感知机。

# %% tags=["nbval-ignore-output"]
x_sp, y_sp = xp.make_spirals(100, 3, noise=0.2, seed=SEED)
spiral_models = {
    "linear 2-3": nn.Linear(2, 3),
    "MLP 2-64-64-3": nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3)),
}
spiral_acc = {}
for name, model in spiral_models.items():
    mu.seed_everything(SEED)
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            layer.reset_parameters()  # initialised from the seed above
    with mu.cpu_threads(1):
        h = mu.fit(model, torch.optim.Adam(model.parameters(), lr=0.01), mu.FullBatch(x_sp, y_sp),
                   loss_fn=F.cross_entropy, steps=300, metrics={"acc": mu.accuracy}, device=DEVICE, progress=False)  # fmt: skip
    with torch.no_grad():
        spiral_acc[name] = float((model(x_sp.to(DEVICE)).argmax(1).cpu() == y_sp).float().mean())
    print(f"{name:>14}: training accuracy {spiral_acc[name]:.3f}, final loss {h.last('loss'):.3f}")
assert spiral_acc["linear 2-3"] < 0.75 and spiral_acc["MLP 2-64-64-3"] > 0.97

fig, axes = plt.subplots(1, 2, figsize=(11, 4.8))
for ax, (name, model) in zip(axes, spiral_models.items(), strict=True):
    xs_g, ys_g, classes = xp.predict_grid(model, (-1.2, 1.2), (-1.2, 1.2), resolution=200)
    xp.plot_decision_regions(xs_g, ys_g, classes, x_sp, y_sp, ax=ax,
                             title=f"{name}: training accuracy {spiral_acc[name]:.2f}")  # fmt: skip
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图：线性分类器的每个 logit 都是 $x$ 的线性函数，两类之间的边界（两个 logits 相等的地方）都是直线，所以它只能把平面切成三个扇形，训练准确率不到 75%。右图：多层感知机的边界随着螺旋线弯曲，几乎把每个训练点都分对（准确率高于 97%）。Softmax 本身不改变边界的位置（它不改变 argmax）；边界的形状完全由输出 logits 之前的网络决定。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 小结
#
# - 分类的目标写成独热向量；网络输出 logits，经 Softmax 变成概率；预测时取 logits 的 argmax（与概率的 argmax 相同）。
# - 两类时，Sigmoid 加二元交叉熵与“两个 logits 加 Softmax 加交叉熵”是同一个模型。
# - Softmax 要先减去最大值再取指数，否则 logits 稍大就溢出成 `nan`；交叉熵同理用 log-sum-exp 计算。
# - 交叉熵对 logits 的梯度是 $y'-\hat y$；MSE 的梯度多乘了 softmax 的导数，在“自信地错”时趋于 0，所以 MSE 的误差曲面在高损失区很平，梯度下降会卡住，而交叉熵不会。
# - `nn.CrossEntropyLoss` / `F.cross_entropy` 的输入是 logits；在模型末尾再加一层 Softmax 会让损失有下限、梯度变小，训练明显变慢。Softmax 只属于输出端，不要用作隐藏层的激活函数。
# - 平均交叉熵等于负对数似然除以样本数：最小化交叉熵就是最大化似然。
# - 在手写数字上，同样的网络和优化器，交叉熵训练得明显比 MSE 快；混淆矩阵告诉我们错在哪些类别之间；决策区域的形状由 Softmax 之前的网络决定。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 练习
#
# 参考答案在每道题下方折叠的单元格里：点击单元格左侧的蓝色竖条或占位符“•••”即可展开。参考答案使用自己的变量名（以 `_ref` 结尾），不会覆盖你的答案。
#
# **练习 1.** 写一个数值稳定的 `my_softmax(logits)`：输入形状为 (N, C)，沿 dim=1 返回概率。不许调用 `torch.softmax`、`F.softmax` 或 `torch.log_softmax`；logits 在 1000 左右时也必须正确。检查函数会用几组随机输入把你的结果与 `torch.softmax` 逐项比较，并指出第一个不一致的位置。

# %%
def my_softmax(logits):
    return None  # 你的实现


ex.check_softmax_fn(my_softmax)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_softmax_ref(logits):
    e = torch.exp(logits - logits.max(dim=1, keepdim=True).values)  # every exponent <= 0
    return e / e.sum(dim=1, keepdim=True)


assert ex.check_softmax_fn(my_softmax_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2.** 写一个函数 `my_cross_entropy(logits, targets)`，返回平均交叉熵。不许调用 `F.cross_entropy`、`torch.log_softmax` 或 `torch.logsumexp`；logits 为 1000 时也必须正确。

# %%
def my_cross_entropy(logits, targets):
    return None  # 你的实现


ex.check_cross_entropy_fn(my_cross_entropy)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_cross_entropy_ref(logits, targets):
    m = logits.max(dim=1, keepdim=True).values
    log_probs = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    return -log_probs[torch.arange(len(targets)), targets].mean()


assert ex.check_cross_entropy_fn(my_cross_entropy_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3.** 一个样本的 logits 为 $z=(1,2,3)$，正确类别是 0。写出交叉熵对 $z$ 的梯度（长度为 3 的向量）。

# %%
answer_grad = None  # 你的答案
ex.check_ce_gradient(answer_grad)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
z3_ref = torch.tensor(ex.GRAD_LOGITS)
answer_grad_ref = torch.softmax(z3_ref, 0) - mu.classification.one_hot(torch.tensor([ex.GRAD_TARGET]), 3)[0]
assert ex.check_ce_gradient(answer_grad_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 4.** 一个样本的 logits 为 $z=(0, 4, 0)$，正确类别是 0（自信地错了）。用第 3 节的两种损失（对三个类别求和的 MSE $\sum_i(\hat y_i-y'_i)^2$，以及交叉熵）分别求对 $z$ 的梯度，给出两个梯度长度之比 $\lVert\nabla e_{\text{MSE}}\rVert / \lVert\nabla e_{\text{CE}}\rVert$。

# %%
answer_ratio = None  # 你的答案，一个数
ex.check_gradient_ratio(answer_ratio)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
z4_ref = torch.tensor([ex.RATIO_LOGITS], requires_grad=True)
y4_ref = torch.tensor([ex.RATIO_TARGET])
(g_ce_ref,) = torch.autograd.grad(F.cross_entropy(z4_ref, y4_ref), z4_ref)
(g_mse_ref,) = torch.autograd.grad(mu.classification.mse_on_probabilities(z4_ref, y4_ref), z4_ref)
answer_ratio_ref = float(g_mse_ref.norm() / g_ce_ref.norm())
assert ex.check_gradient_ratio(answer_ratio_ref)
print("参考答案已通过检查。")
