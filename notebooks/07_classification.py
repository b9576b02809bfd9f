# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: MLNote (Python 3)
#     language: python
#     name: mlnote
# ---

# %% [markdown]
# # 第 7 章 分类：独热向量、Softmax 与交叉熵
#
# 前几章的模型输出一个实数，用来做回归（Regression）。这一章让网络输出“属于哪一类”。
#
# **学习目标**
#
# - 说明为什么类别要写成独热向量（One-Hot Vector），而不是 1、2、3 这样的编号；
# - 亲手实现 Softmax，看到朴素公式在大数值下溢出（overflow），并用“减去最大值”的技巧修好它；
# - 亲手实现交叉熵（Cross-entropy），与 `F.cross_entropy` 对照，并推导它对 logits 的梯度；
# - 在同一个小分类器上并排比较 MSE 与交叉熵的误差曲面（Error Surface），看梯度下降在哪里会卡住；
# - 用数值验证“最小化交叉熵 = 最大化似然（Likelihood）”；
# - 在真实的手写数字数据上训练分类器，读懂混淆矩阵（Confusion Matrix）和错分样本。

# %% [markdown]
# ## 如何使用本笔记本
#
# 从上到下依次运行每个单元格（Kernel → Restart & Run All）。滑块控件（widget）需要正在运行的内核才能拖动；
# 每个控件旁边都有一张静态图，展示几个取值下的同一现象，在 GitHub 或 HTML 里也能看。
# 有 GPU 时训练会自动使用它；想强制用 CPU，启动前设置环境变量 `MLNOTE_DEVICE=cpu`。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import mlnote_utils as mu
from mlnote_utils.exercises import ch07 as ex

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown]
# ## 1. 类别怎么表示：独热向量
#
# 如果把三个类别直接编号为 1、2、3 当作回归目标，就暗含了“类别 1 和 2 比 1 和 3 更接近”的假设，
# 而大多数分类任务里类别之间并没有这种远近关系。
# 独热向量为每个类别单独留一维：共有 $C$ 类时，类别 $k$ 写成长度为 $C$ 的向量 $\hat{y}$，第 $k$ 位是 1，其余是 0。
# 于是任意两个不同类别之间的欧氏距离都相同（$\sqrt{2}$）。

# %% tags=["nbval-check-output"]
labels = torch.tensor([0, 2, 1, 2])
Y = mu.classification.one_hot(labels, 3)  # (4, 3)
print(Y)
torch.testing.assert_close(Y, F.one_hot(labels, 3).float())
dist = torch.cdist(mu.classification.one_hot(torch.arange(3), 3), mu.classification.one_hot(torch.arange(3), 3))
print("pairwise distances between classes:\n", dist.round(decimals=4))

# %% [markdown]
# 手写的 `mu.classification.one_hot` 与 PyTorch 的 `F.one_hot` 完全一致；三个类别两两之间的距离都是 $\sqrt2\approx1.4142$，
# 没有哪两类“更近”。

# %% [markdown]
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
# 取 $m=\max_j z_j$ 后，所有指数都 $\le 0$，$e^{(\cdot)}$ 最大为 1，不会溢出。
# 单精度浮点（float32）能表示的最大数约为 $3.4\times10^{38}$，而 $e^{89}$ 已经超过它。

# %% tags=["nbval-check-output"]
z = torch.tensor([1000.0, 1001.0, 1002.0])
print("naive :", mu.classification.softmax_naive(z))  # exp(1000) = inf, inf / inf = nan
print("stable:", mu.classification.softmax_stable(z).round(decimals=4))
print("float32 exp(88), exp(89):", torch.exp(torch.tensor([88.0, 89.0])))

torch.manual_seed(SEED)
logits = torch.randn(5, 4) * 3  # (N, C)
torch.testing.assert_close(mu.classification.softmax_stable(logits), torch.softmax(logits, dim=1))
torch.testing.assert_close(mu.classification.softmax_stable(z), torch.softmax(z, dim=0))
torch.testing.assert_close(mu.classification.softmax_stable(logits).sum(1), torch.ones(5))
print("hand-made softmax == torch.softmax; every row sums to 1")

# %% [markdown]
# 朴素公式在 logits 为 1000 左右时得到 `nan`（$e^{1000}=\infty$，$\infty/\infty$ 无定义），
# 而减去最大值后的版本给出正确答案 $[0.09, 0.245, 0.665]$——它与 logits 为 $[0,1,2]$ 时完全相同，
# 这正是上面那条恒等式。在普通大小的输入上，两者都和 `torch.softmax` 一致。

# %% [markdown]
# ## 3. 交叉熵及其梯度
#
# 有了概率 $y'$ 和独热目标 $\hat y$，可以用两种方式衡量差距：
#
# $$e_{\text{MSE}} = \sum_i (\hat y_i - y'_i)^2, \qquad e_{\text{CE}} = -\sum_i \hat y_i \ln y'_i = -\ln y'_{k}\quad(k\text{ 为正确类别}).$$
#
# 交叉熵只看正确类别得到的概率：概率越接近 1，损失越接近 0。直接算 $\ln(\text{softmax})$ 同样会溢出，
# 所以用 log-sum-exp 形式：$\ln y'_k = z_k - m - \ln\sum_j e^{z_j-m}$。
#
# **梯度。** 对 $e_{\text{CE}} = -z_k + \ln\sum_j e^{z_j}$ 求导，得到一个非常简单的结果：
#
# $$\frac{\partial e_{\text{CE}}}{\partial z_i} = y'_i - \hat y_i .$$
#
# 而 MSE 要先经过 softmax 的雅可比矩阵 $\partial y'_j/\partial z_i = y'_j(\delta_{ij}-y'_i)$：
#
# $$\frac{\partial e_{\text{MSE}}}{\partial z_i} = \sum_j 2(y'_j-\hat y_j)\,y'_j(\delta_{ij}-y'_i) .$$
#
# 后者里多了因子 $y'_j$ 与 $(\delta_{ij}-y'_i)$：当 softmax 输出非常“自信”（接近 0 或 1）时，它们让梯度趋于 0。
# 下面用 autograd 检查这两个公式。

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

# %% [markdown]
# 手写交叉熵与 `F.cross_entropy` 一致，logits 放大 500 倍也不会溢出；两条梯度公式都与 autograd 吻合。
# 现在看看“自信地错了”时两种梯度有多大：正确类别是 0，但网络把几乎全部概率给了类别 1。

# %% tags=["nbval-check-output"]
for scale in [1.0, 3.0, 6.0]:
    zz = torch.tensor([[0.0, scale, 0.0]], requires_grad=True)  # the true class is 0
    y0 = torch.tensor([0])
    (gc,) = torch.autograd.grad(F.cross_entropy(zz, y0), zz)
    (gm,) = torch.autograd.grad(mu.classification.mse_on_probabilities(zz, y0), zz)
    print(f"p(true)={torch.softmax(zz, 1)[0, 0]:.4f}  |grad CE|={gc.norm():.4f}  |grad MSE|={gm.norm():.4f}")
assert gc.norm() > 1.0 and gm.norm() < 0.05

# %% [markdown]
# 模型越自信地给错（正确类别的概率从 0.21 降到 0.0025），交叉熵的梯度越大（从约 1.0 增到接近 $\sqrt2$），
# MSE 的梯度反而越小（从约 0.6 降到约 0.02）：MSE 在“错得最离谱”的地方几乎不给方向。

# %% [markdown]
# ## 4. 误差曲面：MSE 与交叉熵并排
#
# 为了能画出整个误差曲面，用一个只有两个参数的分类器：输入是一个数 $x$，两个 logits 为 $[0,\; wx+b]$，
# 经 softmax 得到两类的概率。数据是两团一维的点：类别 0 在 $-1$ 附近，类别 1 在 $+1$ 附近。
# 好的参数是 $w>0$（$x$ 越大越像类别 1）。我们从左下角 $w=-4,b=-3$（“自信地错”）出发，
# 用相同的学习率 $\eta=1$ 在两个曲面上各走 100 步梯度下降。

# %%
x_toy, y_toy = mu.classification.make_toy_binary(n=40, spread=0.7, seed=SEED)
ws, bs = np.linspace(-6, 8, 141), np.linspace(-6, 6, 121)
surfaces, paths = {}, {}
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

# %% [markdown]
# 左图（MSE）的左半边是一片高原：从左侧出发的两条路径（蓝、橙）沿着高原慢慢挪动，100 步后停在 $w\approx0$ 附近，
# 还没有走进右边的低谷；只有本来就从较好位置（绿）出发的路径到达了低谷。
# 右图（交叉熵）在同一区域坡度很陡，三条路径都滑进了右边的低谷（$w>0$）。
# 两张图的低谷在同一侧——差别在于**能不能走到那里**。下面把这些数字量出来。

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
            f"  after 100 steps={t.losses[-1]:.3f}  train accuracy={toy_accuracy(t.final):.2f}"
        )
for start in ["start (-4, -3)", "start (-4, 3)"]:  # the two starts on the left (wrong-sign w)
    mse_t, ce_t = paths["mse"][start], paths["ce"][start]
    assert grad_norm["mse", start] < 0.3 * grad_norm["ce", start]
    assert mse_t.losses[-1] > 0.5 * mse_t.losses[0]  # MSE: less than half of the loss removed
    assert ce_t.losses[-1] < 0.05 * ce_t.losses[0]  # CE: more than 95 % of the loss removed
    assert toy_accuracy(ce_t.final) > 0.9 > toy_accuracy(mse_t.final)

# %% [markdown]
# 对左侧的两个起点，同一学习率下：MSE 的起点梯度不到交叉熵的 30%，100 步之后损失还剩一半以上，训练准确率低于 90%；
# 交叉熵把损失降到起点的 5% 以下，几乎把所有点分对。这就是笔记中“换一个损失函数，最优化的难度也会改变”的含义。
#
# 下面的控件可以自己选损失、学习率和起点（需要运行中的内核）；上面的静态图已展示了三个起点的情形。

# %% tags=["nbval-ignore-output"]
def draw_toy_path(ax, kind, lr, w0, b0):
    loss = lambda th: mu.classification.toy_classifier_loss(th[0], th[1], x_toy, y_toy, kind)  # noqa: E731
    traj = mu.landscape.gradient_descent(loss, [w0, b0], lr=lr, steps=100)
    mu.plot_contour(ws, bs, surfaces[kind], ax=ax, title=f"{kind}: loss {traj.losses[0]:.3f} -> {traj.losses[-1]:.3f}")
    mu.plot_trajectory(traj, ax=ax)
    return ax


widget = mu.interactive_figure(
    draw_toy_path,
    kind=mu.choice(["mse", "ce"], description="loss"),
    lr=mu.log_slider(1.0, 0.01, 10.0, "η"),
    w0=mu.float_slider(-4.0, -6.0, 8.0, description="w0"),
    b0=mu.float_slider(-3.0, -6.0, 6.0, description="b0"),
)
widget

# %% [markdown]
# ## 5. 最小化交叉熵 = 最大化似然
#
# 把分类器看成概率模型：参数为 $\theta$ 时，它认为样本 $x_n$ 属于类别 $y_n$ 的概率是 $p_\theta(y_n\mid x_n)=y'_{n,y_n}$。
# 假设样本相互独立，整份训练数据被“观察到”的概率（似然）为
#
# $$\mathcal L(\theta)=\prod_{n=1}^{N} p_\theta(y_n\mid x_n) .$$
#
# 取负对数再除以 $N$：
#
# $$-\frac1N\ln\mathcal L(\theta) = \frac1N\sum_{n}\bigl(-\ln y'_{n,y_n}\bigr) = \text{平均交叉熵}(\theta).$$
#
# $-\frac1N\ln(\cdot)$ 是严格递减函数，所以让交叉熵最小的 $\theta$ 恰好让似然最大。下面在玩具数据上用数值检查：
# (1) 对几组参数 $e^{-N\cdot\text{CE}}$ 等于逐个样本概率之积；(2) 在整张网格上，交叉熵最小的格点就是似然最大的格点。

# %% tags=["nbval-check-output"]
def likelihood(w: float, b: float) -> torch.Tensor:
    p1 = torch.sigmoid(w * x_toy + b)  # softmax([0, z])[1] == sigmoid(z)
    return torch.where(y_toy == 1, p1, 1 - p1).prod()


N = len(x_toy)
for w, b in [(0.5, 0.0), (2.0, -0.3), (-1.0, 1.0)]:
    ce = mu.classification.toy_classifier_loss(torch.tensor(w), torch.tensor(b), x_toy, y_toy, "ce")
    torch.testing.assert_close(torch.exp(-N * ce), likelihood(w, b))
    print(f"w={w:5.2f} b={b:5.2f}  CE={float(ce):.4f}  likelihood={float(likelihood(w, b)):.3e}")

lik_grid = np.exp(-N * surfaces["ce"])
i_ce, i_lik = np.unravel_index(surfaces["ce"].argmin(), surfaces["ce"].shape), np.unravel_index(lik_grid.argmax(), lik_grid.shape)
assert i_ce == i_lik
print(f"grid argmin CE == grid argmax likelihood: w={ws[i_ce[1]]:.1f}, b={bs[i_ce[0]]:.1f}")

# %% [markdown]
# 三组参数下 $e^{-N\cdot\text{CE}}$ 都与直接连乘的似然一致；交叉熵越小，似然越大。
# 在整张网格上，两者选中的是同一个格点（位于网格的右边缘：这组数据可以被完全分开时，$w$ 越大越好，似然没有有限的最大点）。
# 所以训练分类器时“最小化交叉熵”和“最大似然估计（Maximum Likelihood Estimation）”是一回事。

# %% [markdown]
# ## 6. 在真实数据上训练：手写数字
#
# 用 scikit-learn 自带的 8×8 手写数字（1797 张，10 类；1347 张训练、450 张测试）。
# 网络为 64→64→10 的多层感知机（ReLU），SGD、学习率 0.1、批大小 32、训练 8 个 epoch。
# 唯一的变化是损失函数：交叉熵，或者 softmax 输出与独热向量之间的 MSE。每种各跑 3 个随机种子。

# %% tags=["nbval-ignore-output"]
digits = mu.load_digits_split()
test_loader = mu.make_loader(digits.test(), 450, shuffle=False)
losses = {"cross-entropy": F.cross_entropy, "MSE": mu.classification.mse_on_probabilities}
histories, models = {}, {}
for name, loss_fn in losses.items():
    for seed in range(3):
        mu.seed_everything(seed)
        model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        histories[name, seed] = mu.fit(
            model, opt, mu.make_loader(digits.train(), 32, seed=seed), loss_fn=loss_fn, epochs=8,
            valid={"test": test_loader}, metrics={"acc": mu.accuracy}, device=DEVICE, progress=False,
        )
        models[name, seed] = model
final = {name: [histories[name, s].last("test_acc") for s in range(3)] for name in losses}
for name, accs in final.items():
    print(f"{name:>13}: test accuracy after 8 epochs per seed = {np.round(accs, 3)}, mean {np.mean(accs):.3f}")
assert min(final["cross-entropy"]) > max(final["MSE"])
assert min(final["cross-entropy"]) > 0.85 and np.mean(final["MSE"]) < np.mean(final["cross-entropy"]) - 0.1

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
for (name, seed), h in histories.items():
    ax.plot(np.arange(1, h.epochs_done + 1), h["test_acc"], "o-" if name == "MSE" else "s-", ms=3,
            color="C1" if name == "MSE" else "C0", label=name if seed == 0 else None)
ax.set_xlabel("epoch")
ax.set_ylabel("test accuracy")
ax.set_title("digits 64-64-10 MLP, SGD lr=0.1: loss function comparison (3 seeds)")
ax.legend()
fig.tight_layout()

# %% [markdown]
# 每个种子下，交叉熵（蓝）都比 MSE（橙）学得快：8 个 epoch 后交叉熵的测试准确率约 0.91–0.94，
# MSE 只有约 0.69–0.76（以上面打印的数字为准；末位会因线程数略有不同）。
# 三个种子中交叉熵的最差结果仍好于 MSE 的最好结果——这就是上面的 `assert`。
# 这与第 4 节的曲面一致：训练初期很多样本被“自信地分错”，MSE 在那里给出的梯度很小。

# %% [markdown]
# ### 混淆矩阵与错分样本
#
# 混淆矩阵的第 $t$ 行第 $p$ 列是“真实类别为 $t$、被预测为 $p$”的测试样本数，对角线是分对的。

# %%
best = models["cross-entropy", 0].eval()
with torch.no_grad():
    pred = best(digits.x_test.to(DEVICE)).argmax(1).cpu()
cm = mu.classification.confusion_matrix(pred, digits.y_test, 10)
assert cm.sum() == len(digits.y_test) and np.trace(cm) == int((pred == digits.y_test).sum())
t_worst, p_worst = np.unravel_index((cm - np.diag(np.diag(cm))).argmax(), cm.shape)
print(f"test accuracy {np.trace(cm) / cm.sum():.3f}; most confused: true {t_worst} predicted as {p_worst}")
wrong = torch.nonzero(pred != digits.y_test).ravel()[:8]
fig, axes = plt.subplots(2, 1, figsize=(9, 8.5), gridspec_kw={"height_ratios": [4, 1]})
mu.classification.plot_confusion_matrix(cm, ax=axes[0], title="digits, cross-entropy model (seed 0)")
mu.classification.plot_misclassified(digits.x_test[wrong], digits.y_test[wrong].tolist(), pred[wrong].tolist(), ax=axes[1])
fig.tight_layout()

# %% [markdown]
# 绝大多数样本落在对角线上；非对角线上的数字指出哪两类最容易混淆（上面打印了最常见的一对）。
# 下方是前几个错分的测试图像，标注为“真实→预测”：8×8 的分辨率很低，不少错例连人眼也难以判断。

# %% [markdown]
# ## 小结
#
# - 分类的目标写成独热向量；网络输出 logits，经 Softmax 变成概率。
# - Softmax 要先减去最大值再取指数，否则 logits 稍大就溢出成 `nan`；交叉熵同理用 log-sum-exp 计算。
# - 交叉熵对 logits 的梯度是 $y'-\hat y$；MSE 的梯度多乘了 softmax 的导数，在“自信地错”时趋于 0，
#   所以 MSE 的误差曲面在高损失区很平，梯度下降会卡住，而交叉熵不会。
# - 平均交叉熵等于负对数似然除以样本数：最小化交叉熵就是最大化似然。
# - 在手写数字上，同样的网络和优化器，交叉熵训练得明显比 MSE 快；混淆矩阵告诉我们错在哪些类别之间。

# %% [markdown]
# ## 练习
#
# **练习 1.** 手算 logits $z=(2, 1, -1)$ 的 softmax（三个概率，保留 3 位小数以上）。

# %%
answer = None  # 你的答案，例如 [0.1, 0.2, 0.7]
ex.check_softmax_values(answer)

# %% jupyter={"source_hidden": true}
# Reference solution
e = np.exp(np.array(ex.SOFTMAX_LOGITS) - max(ex.SOFTMAX_LOGITS))
answer = e / e.sum()
ex.check_softmax_values(answer)

# %% [markdown]
# **练习 2.** 写一个函数 `my_cross_entropy(logits, targets)`，返回平均交叉熵。
# 不许调用 `F.cross_entropy`、`torch.log_softmax` 或 `torch.logsumexp`；logits 为 1000 时也必须正确。

# %%
def my_cross_entropy(logits, targets):
    return None  # 你的实现


ex.check_cross_entropy_fn(my_cross_entropy)

# %% jupyter={"source_hidden": true}
# Reference solution
def my_cross_entropy(logits, targets):
    m = logits.max(dim=1, keepdim=True).values
    log_probs = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    return -log_probs[torch.arange(len(targets)), targets].mean()


ex.check_cross_entropy_fn(my_cross_entropy)

# %% [markdown]
# **练习 3.** 一个样本的 logits 为 $z=(1,2,3)$，正确类别是 0。写出交叉熵对 $z$ 的梯度（长度为 3 的向量）。

# %%
answer = None  # 你的答案
ex.check_ce_gradient(answer)

# %% jupyter={"source_hidden": true}
# Reference solution
z3 = torch.tensor(ex.GRAD_LOGITS)
answer = torch.softmax(z3, 0) - mu.classification.one_hot(torch.tensor([ex.GRAD_TARGET]), 3)[0]
ex.check_ce_gradient(answer)

# %% [markdown]
# **练习 4.** 分类器在某个样本上“自信地错了”（正确类别的概率接近 0）。哪种损失在这里几乎是平的，
# 让梯度下降难以离开？填 `"mse"` 或 `"ce"`。

# %%
answer = None  # "mse" 或 "ce"
ex.check_flat_loss(answer)

# %% jupyter={"source_hidden": true}
# Reference solution
answer = "mse"
ex.check_flat_loss(answer)
