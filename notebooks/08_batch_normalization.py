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
# # 第 8 章 批量归一化（Batch Normalization）
#
# 上一章换了损失函数来改变误差曲面的形状；这一章换一种思路：把**输入和中间层的数值尺度**调整好，让曲面更“圆”，更好走。
#
# **学习目标**
#
# - 看到两个尺度相差很大的特征会把误差曲面拉成狭长的山谷，梯度下降在里面来回弹跳、前进缓慢；
# - 用特征标准化（Feature Normalization，Z-score）把曲面变圆，并量出收敛所需步数的差别；
# - 亲手实现隐藏层里的批量归一化：批次均值/标准差、可学习的 $\gamma$ 与 $\beta$，并与 `nn.BatchNorm1d` 逐项对照；
# - 看到 $\gamma,\beta$ 为什么必不可少：没有它们时，归一化的层表示不了需要的均值和尺度；
# - 写出测试时使用的滑动平均（running statistics），解释为什么一条样本的批次、或统计量与训练时不同的批次不能用“批次统计”；
# - 画出激活值随深度的分布（有无 BN），量出 BN 放在激活函数之前或之后、以及训练批大小对结果的影响；
# - 在 MNIST-1D 上复现 BN 论文的主图：有无 BN、不同学习率、Sigmoid 激活，比较达到固定准确率所需的步数。

# %% [markdown] slideshow={"slide_type": "skip"}
# ## 如何使用本笔记本
#
# 从上到下依次运行每个单元格（JupyterLab 菜单 Kernel → Restart Kernel and Run All Cells…）。滑块控件需要正在运行的内核；每个控件旁都有一张静态图，展示几个取值下的同一现象。有 GPU 时训练会自动使用它；想强制用 CPU，启动前设置环境变量 `MLNOTE_DEVICE=cpu`。

# %%
import copy

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import mlnote_utils as mu
from mlnote_utils.exercises import ch08 as ex
from mlnote_utils.experiments import ch08 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 特征尺度决定误差曲面的形状
#
# 考虑最简单的线性回归 $y \approx w_1x_1 + w_2x_2$，损失为均方误差$L(w)=\frac1N\sum_n (y_n - w_1x_{n1} - w_2x_{n2})^2$。它的 Hessian（二阶导数矩阵）是
#
# $$H = \frac{2}{N}X^\top X \approx 2\begin{pmatrix}\operatorname{E}[x_1^2] & 0\\ 0 & \operatorname{E}[x_2^2]\end{pmatrix}\quad(\text{两特征不相关时}).$$
#
# 若 $x_2$ 的尺度是 $x_1$ 的 $r$ 倍，两个方向的曲率之比约为 $r^2$：沿 $w_2$ 很陡，沿 $w_1$ 很平，等高线是狭长的椭圆。梯度下降的学习率受最陡方向限制：超过 $2/\lambda_{\max}$ 就会发散（第 1、6 章）。在这个上限之下，平坦方向每步只能缩小 $1-\eta\lambda_{\min}\approx 1-2/r^2$ 倍——$r$ 越大越慢。
#
# 下面用 $r=10$ 的数据，学习率都取各自稳定上限的 0.9 倍，从同一个相对位置（最优点 $+(-3, 2.5)$）出发。

# %%
with mu.cpu_threads(1):  # tiny computations: one CPU thread is as fast as several, and faster on a busy CPU
    demo_raw = xp.feature_scale_demo(10.0, standardized=False, steps=200)
    demo_std = xp.feature_scale_demo(10.0, standardized=True, steps=200)
fig, axes = plt.subplots(1, 2, figsize=(12, 5))
for ax, demo, name in zip(axes, [demo_raw, demo_std], ["raw (x2 is 10x larger)", "standardized"], strict=True):
    mu.plot_contour(demo.ws1, demo.ws2, demo.surface, ax=ax, log=True, labels=("w1", "w2"),
                    title=f"{name}: {demo.steps_to_converge} steps to converge")
    mu.plot_trajectory({f"GD, lr = 0.9 x limit = {demo.path.lr:.3g}": demo.path}, ax=ax)
    ax.set_aspect("equal")
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图（原始特征）：等高线是又细又长的山谷，沿 $w_2$（陡）方向路径左右来回弹跳，沿 $w_1$（缓）方向却挪得很慢。右图（标准化后）：等高线接近圆，梯度直指最低点；步长较大，路径在最低点两侧沿同一条直线来回几次，十来步就收敛了。两图坐标轴的单位长度相同（`aspect="equal"`），所以看到的就是曲面真实的形状。颜色是 $\log_{10}L$。

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 特征标准化
#
# 对每个特征（每一列）$i$，用所有样本算均值 $m_i$ 与标准差 $\sigma_i$，然后
#
# $$\tilde x_i^{\,r} = \frac{x_i^{\,r}-m_i}{\sigma_i}.$$
#
# 标准化后每个特征的均值为 0、方差为 1。先手写，再与 scikit-learn 的 `StandardScaler` 对照。

# %% tags=["nbval-check-output"]
from sklearn.preprocessing import StandardScaler

x_raw, y_raw = xp.make_two_scale_regression(10.0, n=200, seed=SEED)
x_tilde, m, s = mu.normalization.standardize_features(x_raw)
np.testing.assert_allclose(x_tilde.numpy(), StandardScaler().fit_transform(x_raw.numpy()), atol=1e-10)
print("feature std before:", x_raw.std(0, unbiased=False).numpy().round(2))
print("feature mean/std after:", x_tilde.mean(0).numpy().round(6) + 0.0, x_tilde.std(0, unbiased=False).numpy().round(6))
for name, x in [("raw", x_raw), ("standardized", x_tilde)]:
    eig = torch.linalg.eigvalsh(2 * x.T @ x / len(x))
    print(f"{name:>12}: Hessian eigenvalues {eig.numpy().round(2)}, condition number {float(eig[-1] / eig[0]):.1f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 原始特征的 Hessian 条件数（最大/最小特征值）约为 94，接近 $r^2=100$（样本有限，实测的尺度比不正好是 10）；标准化后约为 1——曲面从“山谷”变成了“碗”。
#
# 把尺度比 $r$ 从 1 调到 30，量一量收敛所需的步数（损失与最小值的差距降到初始差距的 $10^{-4}$ 以内）：

# %%
ratios = [1.0, 3.0, 10.0, 30.0]
steps_needed = {}
with mu.cpu_threads(1):
    for r in ratios:
        for standardized in [False, True]:
            steps_needed[r, standardized] = xp.feature_scale_demo(r, standardized, steps=1000, grid=11).steps_to_converge
print(" ratio r | steps (raw) | steps (standardized)")
for r in ratios:
    print(f"{r:8g} | {steps_needed[r, False]:11d} | {steps_needed[r, True]:20d}")
assert all(steps_needed[r, True] <= 20 for r in ratios)
assert steps_needed[30.0, False] > 20 * steps_needed[30.0, True]
assert steps_needed[1.0, False] < steps_needed[10.0, False] < steps_needed[30.0, False]

# %% [markdown] slideshow={"slide_type": "fragment"}
# 标准化后不论原来的尺度比是多少，都只要十来步；不做标准化时，尺度比越大步数越多，$r=30$ 时要几百步。下面的控件可以自己拖动尺度比，并切换是否标准化（需要运行中的内核）；之后的静态图展示了三个尺度比。

# %% tags=["nbval-ignore-output"]
def draw_scale(ax, ratio, standardized):
    demo = xp.feature_scale_demo(ratio, standardized, steps=300)
    done = f"{demo.steps_to_converge} steps" if demo.steps_to_converge is not None else "not converged in 300 steps"
    mu.plot_contour(demo.ws1, demo.ws2, demo.surface, ax=ax, log=True, labels=("w1", "w2"),
                    title=f"r={ratio:.3g}, standardized={standardized}: {done}")
    mu.plot_trajectory({f"GD, η = {demo.path.lr:.3g}": demo.path}, ax=ax)
    ax.set_aspect("equal")
    return ax


widget = mu.interactive_figure(
    draw_scale,
    figsize=(6, 5),
    ratio=mu.log_slider(10.0, 1.0, 30.0, "scale r"),
    standardized=mu.choice([False, True], description="standardize"),
)
widget

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, r in zip(axes, [1.0, 4.0, 20.0], strict=True):
    demo = xp.feature_scale_demo(r, standardized=False, steps=300)
    mu.plot_contour(demo.ws1, demo.ws2, demo.surface, ax=ax, log=True, labels=("w1", "w2"),
                    title=f"raw, r={r:g}: {demo.steps_to_converge or '>300'} steps")
    mu.plot_trajectory({f"η = {demo.path.lr:.3g}": demo.path}, ax=ax)
    ax.set_aspect("equal")
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 从左到右尺度比依次为 1、4、20：$r=1$ 时等高线是圆，路径直奔中心；$r$ 越大，山谷越窄，路径先在陡峭方向上弹跳，再沿着谷底缓慢前进（$r=20$ 时 300 步内还没收敛）。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. 隐藏层里的批量归一化
#
# 深层网络里，第一层的输出 $z$ 就是下一层的“输入特征”；它们的尺度会随着训练不断变化。批量归一化在每个批次（batch）里，对 $z$ 的每一维做与上面相同的标准化，再用两个可学习参数做缩放和平移：
#
# $$\mu = \frac1B\sum_{b} z^{b},\qquad \sigma^2 = \frac1B\sum_b (z^b-\mu)^2,\qquad\tilde z^{b} = \frac{z^b-\mu}{\sqrt{\sigma^2+\varepsilon}},\qquad \hat z^{b} = \gamma\odot\tilde z^{b} + \beta .$$
#
# $\varepsilon$（PyTorch 中为 $10^{-5}$）防止除以 0。若网络学到 $\gamma=\sqrt{\sigma^2+\varepsilon}$、$\beta=\mu$，BN 就还原成恒等变换，所以加上 BN 不会让网络“能表示的东西”变少。
#
# 注意 $\mu,\sigma$ 由整个批次算出：**同一批次里的样本彼此影响**，反向传播时梯度也会流过 $\mu$ 和 $\sigma$。下面先手写，再与 `nn.BatchNorm1d`（训练模式）逐项对照，包括梯度。

# %% tags=["nbval-check-output"]
torch.manual_seed(SEED)
layer = nn.Linear(4, 3)
x_batch = torch.randn(8, 4) * 5 + 2  # (B, 4)
z = layer(x_batch)  # (B, 3)
bn = nn.BatchNorm1d(3)
with torch.no_grad():
    bn.weight.copy_(torch.tensor([1.5, 0.5, 2.0]))  # gamma
    bn.bias.copy_(torch.tensor([0.0, -1.0, 0.3]))  # beta
z_hand, mu_b, var_b = mu.normalization.batch_norm_forward(z, bn.weight, bn.bias, eps=bn.eps)
z_torch = bn(z)
torch.testing.assert_close(z_hand, z_torch)
print("z_tilde mean per feature:", ((z_hand - bn.bias) / bn.weight).mean(0).detach().numpy().round(5) + 0.0)
print("z_tilde std per feature :", ((z_hand - bn.bias) / bn.weight).std(0, unbiased=False).detach().numpy().round(4))

zv = z.detach().requires_grad_(True)
(g_hand,) = torch.autograd.grad(mu.normalization.batch_norm_forward(zv, bn.weight, bn.bias, bn.eps)[0].pow(2).sum(), zv)
(g_torch,) = torch.autograd.grad(bn(zv).pow(2).sum(), zv)
torch.testing.assert_close(g_hand, g_torch)
jac = torch.autograd.functional.jacobian(lambda t: mu.normalization.batch_norm_forward(t, bn.weight, bn.bias)[0][0, 0], zv)
print("d out[0,0] / d z[1:,0] (other samples):", jac[1:, 0].numpy().round(3))
print("hand-made BN == nn.BatchNorm1d (output and gradient)")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 手写 BN 的输出与梯度都与 `nn.BatchNorm1d` 一致；除去 $\gamma,\beta$ 后每一维均值为 0、标准差约为 1。最后一行是第 0 个样本的输出对**其他**样本输入的导数：不为 0，说明 BN 让一个批次的样本“连在一起”。

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 为什么需要 $\gamma$ 和 $\beta$
#
# 只做标准化的层，输出在每个批次里**一定**是均值 0、方差 1。可是下一层需要的未必是这个尺度：例如回归网络的最后几层要输出房价、温度这类有自己均值和单位的量；Sigmoid 前面的层有时需要很大的输入才能把输出推到接近 0 或 1。没有 $\gamma,\beta$ 时，不论前面的权重怎么学，这一层都做不到。
#
# 下面是最小的例子：目标是 $t = 3x + 5$（再加一点噪声，均值约 5、标准差约 3），模型是“线性层 → BN”。第一个模型的 BN 去掉了 $\gamma,\beta$（`affine=False`），第二个保留。两者都用 Adam（学习率 0.05）在 256 个样本上整批训练 300 步。训练循环直接写出来：

# %%
gen = torch.Generator().manual_seed(SEED)
x_gb = torch.randn(256, 1, generator=gen)  # (N, 1)
t_gb = 3 * x_gb + 5 + 0.1 * torch.randn(256, 1, generator=gen)  # (N, 1): mean ~5, std ~3
gb_models, gb_loss = {}, {}
for affine in [False, True]:
    torch.manual_seed(SEED)
    net = nn.Sequential(nn.Linear(1, 1), nn.BatchNorm1d(1, affine=affine))
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    for _ in range(300):
        loss = ((net(x_gb) - t_gb) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    gb_models[affine], gb_loss[affine] = net, float(loss.detach())
x_std = (x_gb - x_gb.mean()) / x_gb.std(unbiased=False)  # the best BN without gamma, beta can output: +-x_std
floor_gb = min(float(((t_gb - sign * x_std) ** 2).mean()) for sign in (1.0, -1.0))
print(f"without gamma, beta: final MSE {gb_loss[False]:.3f}  (lowest possible for this layer: {floor_gb:.3f})")
print(f"with gamma, beta   : final MSE {gb_loss[True]:.4f}  (noise variance 0.01)")
assert abs(gb_loss[False] - floor_gb) < 0.01 * floor_gb  # stuck at its floor (within 1 %)
assert gb_loss[True] < 0.02 and gb_loss[True] < 0.001 * gb_loss[False]  # learns the target down to the noise

fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, affine in zip(axes, [False, True], strict=True):
    with torch.no_grad():
        pred = gb_models[affine](x_gb)  # training mode: the batch statistics, as during training
    ax.plot(x_gb[:, 0], t_gb[:, 0], ".", ms=3, color="0.6", label="target t = 3x + 5 + noise")
    ax.plot(x_gb[:, 0], pred[:, 0], ".", ms=3, color="C0" if affine else "C3", label="model output")
    ax.set_xlabel("x")
    ax.set_title(f"Linear -> BN ({'with' if affine else 'without'} gamma, beta): MSE {gb_loss[affine]:.3g}")
    ax.legend(loc="upper left", fontsize="small")
axes[0].set_ylabel("output")
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图：没有 $\gamma,\beta$ 的层把输出钉在均值 0、标准差 1 附近，离目标（灰点，均值约 5、标准差约 3）差得很远；训练把损失降到这个层能达到的最低值（上面打印的下限，差距不到 1%）后就再也降不下去。右图：有了 $\gamma,\beta$，同样的层学会 $\gamma\approx3$、$\beta\approx5$，损失降到噪声水平（0.01 左右）。所以 BN 先标准化、再让网络**自己学**需要的均值和尺度：标准化带来好走的误差曲面，$\gamma,\beta$ 保住了表达能力。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. 测试时：滑动平均
#
# 测试时数据可能一条一条到来，批次统计量无从谈起；而且我们希望一条样本的预测不依赖于它恰好和谁放在同一批。所以训练时顺便维护两个滑动平均（moving average），测试时用它们代替 $\mu,\sigma^2$：
#
# $$\bar\mu \leftarrow (1-m)\,\bar\mu + m\,\mu,\qquad\bar\sigma^2 \leftarrow (1-m)\,\bar\sigma^2 + m\,\frac{B}{B-1}\sigma^2,\qquad m = 0.1 .$$
#
# （PyTorch 在滑动平均中存的是无偏方差，故有 $\frac{B}{B-1}$。）测试时$\hat z = \gamma\odot(z-\bar\mu)/\sqrt{\bar\sigma^2+\varepsilon}+\beta$，每条样本单独计算。下面让手写的 `HandBatchNorm1d`（由上面三条公式组成）和 `nn.BatchNorm1d` 看同样的 20 个批次。

# %% tags=["nbval-check-output"]
torch.manual_seed(SEED)
ref, hand = nn.BatchNorm1d(3), mu.normalization.HandBatchNorm1d(3)
for _ in range(20):
    zb = torch.randn(16, 3) * torch.tensor([1.0, 4.0, 0.5]) + torch.tensor([3.0, -2.0, 0.0])  # (16, 3)
    torch.testing.assert_close(hand(zb), ref(zb))
torch.testing.assert_close(hand.running_mean, ref.running_mean)
torch.testing.assert_close(hand.running_var, ref.running_var)
print("running mean:", ref.running_mean.numpy().round(2), " running var:", ref.running_var.numpy().round(2))
hand.eval()
ref.eval()
one = torch.tensor([[3.0, -2.0, 0.0]])  # a single test sample
torch.testing.assert_close(hand(one), ref(one))
print("eval mode, one sample:", ref(one).detach().numpy().round(3))
print("hand-made running statistics and eval-mode BN == nn.BatchNorm1d")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 20 步之后两边的滑动平均完全一样；由于 $\bar\mu$ 从 0、$\bar\sigma^2$ 从 1 出发、每步只前进 10%，它们还没完全追上真实值（均值 $3,-2,0$、方差 $1,16,0.25$）。测试模式下单条样本也能正常计算，且手写与 PyTorch 一致。
#
# ### 一条样本的批次会怎样？
#
# 先训练一个带 BN 的网络（MNIST-1D，40 维输入、10 类，3 个 100 单元的隐藏层，SGD 学习率 0.5，批大小 60，5 个 epoch），再用四种方式测试：(a) 测试模式（滑动平均）；(b) 训练模式、整个测试集当一个批次；(c) 训练模式、每个批次只有一条样本；(d) 训练模式、每个批次 50 条样本但**都来自同一类**（例如按类别排好序的数据、或某段时间里只出现一种输入），与同样这些样本在测试模式下的结果对比。

# %% tags=["nbval-ignore-output"]
data = mu.load_mnist1d()
mu.seed_everything(SEED)
bn_net = mu.mlp(40, 100, 3, 10, batch_norm=True)  # Linear -> BatchNorm1d -> ReLU, three times, then Linear
opt = torch.optim.SGD(bn_net.parameters(), lr=0.5)
with mu.cpu_threads(1):
    hist = mu.fit(bn_net, opt, mu.make_loader(data.train(), 60, seed=SEED), loss_fn=nn.functional.cross_entropy,
                  epochs=5, metrics={"acc": mu.accuracy}, device=DEVICE, checkpoint=mu.checkpoint_path("ch08_bn_net"))
print(f"after {hist.epochs_done} epochs: mean train accuracy over the last epoch {hist.per_epoch('acc')[-1]:.3f}")

# %% tags=["nbval-ignore-output"]
hand_net = copy.deepcopy(bn_net).cpu()
for i, m in enumerate(hand_net):
    if isinstance(m, nn.BatchNorm1d):
        hand_net[i] = mu.normalization.HandBatchNorm1d(m.num_features)
        hand_net[i].load_state_dict(m.state_dict(), strict=False)  # gamma, beta, running stats
bn_cpu = bn_net.cpu().eval()
xt, yt = data.x_test, data.y_test
with torch.no_grad():
    hand_net.eval()
    torch.testing.assert_close(hand_net(xt), bn_cpu(xt))
    acc_running = float((bn_cpu(xt).argmax(1) == yt).float().mean())
    one_at_a_time = torch.cat([bn_cpu(xt[i : i + 1]) for i in range(200)])  # (200, 10)
    torch.testing.assert_close(one_at_a_time, bn_cpu(xt[:200]), rtol=1e-4, atol=1e-5)  # same logits
    acc_running_single = float((one_at_a_time.argmax(1) == yt[:200]).float().mean())
    acc_running_200 = float((bn_cpu(xt[:200]).argmax(1) == yt[:200]).float().mean())
    hand_net.train()  # batch statistics (this also moves the copy's running averages; the copy is thrown away)
    acc_batch_all = float((hand_net(xt).argmax(1) == yt).float().mean())
    single = torch.cat([hand_net(xt[i : i + 1]) for i in range(200)])  # (200, 10)
    acc_batch_one = float((single.argmax(1) == yt[:200]).float().mean())
    per_class = [torch.nonzero(yt == c).ravel()[:50] for c in range(10)]  # 50 test samples of each class
    idx_sorted = torch.cat(per_class)  # (500,)
    sorted_logits = torch.cat([hand_net(xt[i]) for i in per_class])  # batch statistics of one-class batches
    acc_batch_sorted = float((sorted_logits.argmax(1) == yt[idx_sorted]).float().mean())
    hand_net.eval()
    acc_running_sorted = float((hand_net(xt[idx_sorted]).argmax(1) == yt[idx_sorted]).float().mean())
print(f"(a) eval mode, running statistics, whole test set : {acc_running:.3f}")
print(f"(a') eval mode, first 200: one batch {acc_running_200:.3f}, one sample at a time {acc_running_single:.3f}")
print(f"(b) batch statistics, the test set as one batch    : {acc_batch_all:.3f}")
print(f"(c) batch statistics, batches of one (first 200)   : {acc_batch_one:.3f}  distinct outputs: {len(torch.unique(single, dim=0))}")
print(f"(d) 10 batches of 50, each from one class: batch statistics {acc_batch_sorted:.3f}, running statistics {acc_running_sorted:.3f}")
assert acc_running_single == acc_running_200 and abs(acc_batch_all - acc_running) < 0.03  # (a') same; (b) within 3 points
assert acc_batch_one < 0.15 and len(torch.unique(single, dim=0)) == 1  # (c) one output for all: about chance (0.1)
assert acc_running > 0.45 and acc_running_sorted > 0.45 and acc_batch_sorted < acc_running_sorted - 0.2  # (d)
try:
    bn_cpu.train()(xt[:1])
except ValueError as err:
    print("nn.BatchNorm1d in training mode with one sample:", err)
_ = bn_cpu.eval()  # back to evaluation mode

# %% [markdown] slideshow={"slide_type": "fragment"}
# 用滑动平均（a）时，同样 200 条样本一条一条地测和整批地测，结果完全相同。训练模式下把整个测试集当作一个大批次（b）也还行（与 (a) 相差不到 3 个百分点），因为 1000 条随机混合的样本，批次统计量接近滑动平均。但批次只有一条样本时（c），$z-\mu$ 处处为 0，每个 BN 层都只输出 $\beta$：200 条样本得到**同一个**输出，准确率跌到约 10%（瞎猜的水平）。PyTorch 干脆拒绝在训练模式下处理一条样本的批次。(d) 更隐蔽：批次不小，但它的均值和方差与训练时见过的（各类混合）不同，用批次统计量会把“这一批共同的特点”——恰恰是类别信息——减掉，准确率比用滑动平均时低 20 个百分点以上（上面打印了两者）。这就是测试时要用滑动平均的原因——记得调用 `model.eval()`。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. BN 在网络里：激活值的分布与批大小
#
# ### 激活值随深度的分布
#
# 先不训练，只看一个刚初始化的 10 层网络（MNIST-1D 输入，每层 100 个单元，ReLU，PyTorch 默认初始化）：把 1000 条测试样本送进去，记录每个隐藏层 ReLU 之后的输出。一个网络不带 BN，一个在每个线性层之后、ReLU 之前带 BN（训练模式，即用这 1000 条样本的批次统计量）。

# %%
acts = {}
for use_bn in [False, True]:
    with mu.seeded(SEED):
        deep = mu.mlp(40, 100, 10, 10, batch_norm=use_bn)  # 10 hidden layers
    acts[use_bn] = xp.activations_by_depth(deep, data.x_test)  # 10 tensors of shape (1000, 100)
stds = {k: np.array([float(a.std()) for a in v]) for k, v in acts.items()}
print("std of the ReLU outputs, layer 1..10, without BN:", stds[False].round(3))
print("std of the ReLU outputs, layer 1..10, with BN   :", stds[True].round(3))
relu_std = np.sqrt(0.5 - 1 / (2 * np.pi))  # std of ReLU(N(0, 1))
assert stds[False][-1] < 0.2 * stds[False][0]  # without BN: the spread shrinks more than 5x with depth
assert np.all(np.abs(stds[True] - relu_std) < 0.05)  # with BN: every layer within 0.05 of ReLU(N(0,1))'s 0.584

fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
layers_axis = np.arange(1, 11)
axes[0].semilogy(layers_axis, stds[False], "o-", color="C3", label="without BN")
axes[0].semilogy(layers_axis, stds[True], "s-", color="C0", label="with BN")
axes[0].set_xlabel("hidden layer")
axes[0].set_ylabel("std of ReLU outputs (log scale)")
axes[0].set_title("spread of activations vs depth")
axes[0].legend(fontsize="small")
bins = np.linspace(0, 2.5, 51)
for ax, use_bn in zip(axes[1:], [False, True], strict=True):
    for layer, colour in [(1, "C2"), (4, "C1"), (10, "C4")]:
        ax.hist(acts[use_bn][layer - 1].ravel().numpy(), bins=bins, density=True, histtype="step", lw=1.5,
                color=colour, label=f"layer {layer}")  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("ReLU output")
    ax.set_ylabel("density (log scale)")
    ax.set_title(f"{'with' if use_bn else 'without'} BN, at initialisation")
    ax.legend(fontsize="small")
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图：不带 BN 时，激活值的标准差逐层变小，到第 10 层已不到第 1 层的五分之一（上面打印了每层的数值）——越深的层收到的输入越集中在 0 附近，尺度由初始化和前面所有层一起决定，训练时还会随着前面的权重变化而漂移。带 BN 时，每一层的标准差都在 0.58 左右（标准正态分布经过 ReLU 后的标准差是 $\sqrt{1/2-1/(2\pi)}\approx0.584$）。中图与右图是第 1、4、10 层输出的直方图（纵轴取对数）：不带 BN 时深层的分布挤向 0；带 BN 时三层的分布几乎重合。
#
# ### 训练批大小的影响
#
# BN 的 $\mu,\sigma$ 来自一个批次。批次越小，这两个估计越不准，每一步的“标准化”本身就带着噪声，而且训练时的批次统计量与测试时用的滑动平均也差得越多。下面在同一个网络上比较不同的训练批大小，带 BN 与不带 BN 各 3 个种子。每种批大小都训练 600 步：批越大，见过的样本越多，所以两条曲线都会随批大小上升；要看的是两条曲线的**相对位置**。

# %% tags=["nbval-ignore-output"]
batch_sizes = [2, 4, 8, 16, 32]
pair = [xp.NetConfig("BN", "relu", True, 0.1), xp.NetConfig("no BN", "relu", False, 0.1)]
acc_bs = np.zeros((len(batch_sizes), 2, 3))  # (batch sizes, [BN, no BN], seeds)
for i, bsz in enumerate(batch_sizes):
    res = xp.train_mlps_side_by_side(pair, [0, 1, 2], data.x_train, data.y_train, data.x_test, data.y_test,
                                     steps=600, batch_size=bsz, eval_every=600, device=DEVICE, progress=False)  # fmt: skip
    acc_bs[i] = res["test_acc"][:, :, -1]
print("batch size | BN: test accuracy (mean of 3 seeds) | no BN")
for bsz, (acc_bn, acc_plain) in zip(batch_sizes, acc_bs.mean(-1), strict=True):
    print(f"{bsz:10d} | {acc_bn:34.3f} | {acc_plain:.3f}")
bn_mean, plain_mean = acc_bs[:, 0].mean(-1), acc_bs[:, 1].mean(-1)
assert bn_mean[0] < plain_mean[0] - 0.05  # batch 2: BN clearly worse than no BN
assert bn_mean[-1] > plain_mean[-1] + 0.1  # batch 32: BN over 10 points better
assert np.all(np.diff(bn_mean) > 0)  # BN gains at every step up in batch size

fig, ax = plt.subplots(figsize=(6.5, 4))
for j, (name, colour) in enumerate([("with BN", "C0"), ("without BN", "C3")]):
    mu.plot_seed_band(acc_bs[:, j].T, x=batch_sizes, ax=ax, label=name, color=colour, marker="o")
ax.set_xscale("log", base=2)
ax.set_xlabel("training batch size (log scale)")
ax.set_ylabel("test accuracy after 600 steps")
ax.set_title("MNIST-1D, 3x100 MLP, SGD lr=0.1: mean of 3 seeds (band: min-max)")
ax.legend()
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 批大小为 2 时，带 BN 的网络反而比不带 BN 的差（每个批次只用两条样本估计 $\mu,\sigma$，标准化后的值几乎只剩 $\pm1$）；批大小到 8 左右两者持平；批大小为 32 时，BN 高出 10 个百分点以上。所以 BN 需要足够大的批次；批次很小时（例如显存只放得下一两张大图），人们会改用不依赖批次的归一化方法，如层归一化（Layer Normalization，第 11 章的 Transformer 会用到）。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. BN 论文主图的小规模复现：达到固定准确率需要多少步
#
# BN 论文（Ioffe & Szegedy, 2015）在 ImageNet 上比较了 Inception 基线与加 BN 的版本：加 BN 后用相同学习率就更快，学习率放大 5 倍、30 倍仍能训练且更快，连 Sigmoid 激活也能训练起来。我们在 MNIST-1D 上用同样的设计做小规模版本：
#
# - 网络：40 → 100 → 100 → 100 → 10 的多层感知机，BN 放在每个线性层之后、激活函数之前；
# - 训练：普通 SGD，批大小 60，基准学习率 $\eta=0.1$，每 50 步在 1000 条测试样本上测一次准确率（BN 网络用滑动平均）；
# - 七种配置（另加第八种 BN-after-ReLU，留到本节最后讨论）：Baseline（ReLU，无 BN，$\eta$）、Baseline-x30（无 BN，$30\eta$）、BN-Baseline（$\eta$）、BN-x5（$5\eta$）、BN-x30（$30\eta$）、BN-x5-Sigmoid（Sigmoid + BN，$5\eta$）、x5-Sigmoid（Sigmoid，无 BN，$5\eta$）；
# - 每种配置 3 个随机种子（种子决定初始权重和批次顺序）。
#
# **规模：** 论文训练了数百万步；为了让整本笔记本在普通电脑的 CPU 上一两分钟内跑完，这里每个网络只训练 **1200 步**（约 18 个 epoch），以“测试准确率首次达到 50%”为目标。想看更长的训练，可以把下面的 `STEPS` 改大（例如 6000，耗时约为 5 倍）再运行。21 个互相独立的网络被叠在一起，用批量矩阵乘法同时训练（`xp.train_mlps_side_by_side`；它与逐个训练 `nn.Sequential` 得到的结果相同，这由课程的单元测试保证）。

# %% tags=["nbval-ignore-output"]
ETA, STEPS, SEEDS, TARGET = 0.1, 1200, [0, 1, 2], 0.5
configs = [
    xp.NetConfig("Baseline", "relu", False, ETA),
    xp.NetConfig("Baseline-x30", "relu", False, 30 * ETA),
    xp.NetConfig("BN-Baseline", "relu", True, ETA),
    xp.NetConfig("BN-x5", "relu", True, 5 * ETA),
    xp.NetConfig("BN-x30", "relu", True, 30 * ETA),
    xp.NetConfig("BN-x5-Sigmoid", "sigmoid", True, 5 * ETA),
    xp.NetConfig("x5-Sigmoid", "sigmoid", False, 5 * ETA),
    xp.NetConfig("BN-after-ReLU", "relu", True, ETA, bn_position="after"),  # not in the paper: see below
]
mu.seed_everything(SEED)
run = xp.train_mlps_side_by_side(configs, SEEDS, data.x_train, data.y_train, data.x_test, data.y_test,
                                 steps=STEPS, batch_size=60, eval_every=50, device=DEVICE)
reach = xp.steps_to_reach(run["steps"], run["test_acc"], TARGET)  # (configs, seeds)
final = run["test_acc"][:, :, -1]
print(f"{'config':>14} | {'lr':>5} | steps to {TARGET:.0%} test accuracy (per seed) | median | final accuracy (min-max)")
for i, c in enumerate(configs):
    per_seed = " ".join(f"{v:6.0f}" if np.isfinite(v) else f"{'>' + str(STEPS):>6}" for v in reach[i])
    med_value = np.median(np.where(np.isnan(reach[i]), np.inf, reach[i]))  # "never" counts as slowest
    med = f"{med_value:6.0f}" if np.isfinite(med_value) else f"{'>' + str(STEPS):>6}"
    print(f"{c.name:>14} | {c.lr:5.2g} | {per_seed:>37} | {med} | {final[i].min():.3f}-{final[i].max():.3f}")

# %%
fig, ax = plt.subplots(figsize=(9, 5))
styles = [("k", "--"), ("k", ":"), ("r", "-."), ("b", ":"), ("b", "-"), ("m", "-."), ("m", ":")]
for i, (c, (colour, dash)) in enumerate(zip(configs[:7], styles, strict=True)):  # the paper's seven arms
    mu.plot_seed_band(run["test_acc"][i], x=run["steps"], ax=ax, label=c.name, color=colour, linestyle=dash, lw=1.8,
                      band_alpha=0.12)  # fmt: skip
ax.axhline(TARGET, color="0.5", lw=0.8)
ax.set_xlabel("training step")
ax.set_ylabel("test accuracy")
ax.set_title("MNIST-1D, 3x100 MLP, SGD batch 60: mean of 3 seeds (band: min-max)")
ax.legend(ncol=2, fontsize="small")
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 读图与上面的表（数字以打印结果为准，末位会随线程数略有变化）：
#
# - **BN-Baseline（红）比 Baseline（黑虚线）快得多**：相同学习率下，每个种子达到 50% 所需的步数都不到基线最快种子的四分之一。
# - **大学习率**：没有 BN 时学习率放大 30 倍（黑点线），训练发散，准确率停在 10% 左右的瞎猜水平；加了 BN 的 BN-x30（蓝实线）仍能训练，三个种子都在 1200 步内达到 50%。这是 BN 让大学习率成为可能的直接证据。
# - **与论文不同之处**：在我们这个小规模实验里，放大学习率并没有更快。BN-x5 比 BN-Baseline 略慢（所需步数的中位数多出不到一倍），BN-x30 则慢得多（中位数是 BN-Baseline 的 3 倍以上）。论文中“学习率放大后更快”的结论没有在这里重现；BN 的加速主要体现在相同学习率下与无 BN 基线的比较上。
# - **Sigmoid**：没有 BN 的 Sigmoid 网络（紫点线）在 1200 步内最好只到 30% 左右；加了 BN 的 BN-x5-Sigmoid（紫点划线）明显更好（每个种子的最好准确率都比它高 10 个百分点以上），但比 ReLU 版本慢得多：1200 步内只有部分种子达到 50%（表中 `>1200` 表示在 1200 步内没有达到）。它的曲线在结束时仍在上升（三个种子的平均比 200 步前高出 1 个百分点以上）；训练更久会怎样，可以把 `STEPS` 改大自己试试。
#
# 下面把这些结论写成断言。

# %% tags=["nbval-ignore-output"]
idx = {c.name: i for i, c in enumerate(configs)}
steps_of = lambda name: reach[idx[name]]  # (seeds,) steps to the target, nan = never
median_of = lambda name: np.median(np.where(np.isnan(steps_of(name)), np.inf, steps_of(name)))  # never = slowest
assert np.isfinite(steps_of("BN-Baseline")).all() and np.isfinite(steps_of("Baseline")).all()
assert np.nanmax(steps_of("BN-Baseline")) * 4 <= np.nanmin(steps_of("Baseline"))  # < 1/4 of the fastest baseline
assert np.isnan(steps_of("Baseline-x30")).all() and final[idx["Baseline-x30"]].max() < 0.15  # no BN at 30x: ~10 %
assert np.isfinite(steps_of("BN-x30")).all()  # BN at 30x: every seed reaches 50 %
assert median_of("BN-Baseline") < median_of("BN-x5") < 2 * median_of("BN-Baseline")  # 5x: slightly slower
assert median_of("BN-x30") >= 3 * median_of("BN-Baseline")  # 30x: much slower (3x the steps or more)
best = run["test_acc"].max(-1)  # (configs, seeds): best test accuracy seen during the run
assert np.isnan(steps_of("x5-Sigmoid")).all() and 0.25 < best[idx["x5-Sigmoid"]].max() < 0.35  # about 30 %
assert best[idx["BN-x5-Sigmoid"]].min() > best[idx["x5-Sigmoid"]].max() + 0.1  # sigmoid with BN: clearly better
assert 0 < np.isfinite(steps_of("BN-x5-Sigmoid")).sum() < len(SEEDS)  # only some seeds reach 50 %
sig_curve = run["test_acc"][idx["BN-x5-Sigmoid"]].mean(0)  # (evaluations,): mean over seeds
assert sig_curve[-1] > sig_curve[-5] + 0.01  # still rising at the end: above its value 200 steps earlier
print("the claims above hold")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### BN 放在激活函数之前还是之后？
#
# BN 论文把 BN 放在线性层之后、激活函数之前（Linear → BN → ReLU，本章其余部分也这样做）；也有人放在激活函数之后（Linear → ReLU → BN）。上面的训练里多跑了第八种配置 BN-after-ReLU：与 BN-Baseline 完全相同（同样的种子、学习率 $\eta$、批次顺序），只是 BN 换到 ReLU 之后。下面比较两者、以及不带 BN 的 Baseline。

# %% tags=["nbval-ignore-output"]
placement = ["BN-Baseline", "BN-after-ReLU", "Baseline"]
for name in placement:
    print(f"{name:>14}: steps to 50 % per seed {steps_of(name)}, test accuracy at step {STEPS} {final[idx[name]].round(3)}")
before, after, no_bn = (final[idx[name]] for name in placement)
assert abs(before.mean() - after.mean()) < 0.03  # the two placements: within 3 points of each other
assert min(before.min(), after.min()) > no_bn.max() + 0.1  # either placement: over 10 points above no BN
assert np.isfinite(steps_of("BN-after-ReLU")).all() and np.nanmax(steps_of("BN-after-ReLU")) * 4 <= np.nanmin(steps_of("Baseline"))

# %% [markdown] slideshow={"slide_type": "fragment"}
# BN 放在 ReLU 之前还是之后，最终测试准确率的平均值相差不到 3 个百分点，达到 50% 所需的步数也同样不到无 BN 基线的四分之一；两种放法都比不带 BN 的网络高出 10 个百分点以上。所以在这里“放在哪里”不是关键，“有没有 BN”才是；在更大的模型上两种放法各有人用，结论也不完全一致，实践中跟随所用模型的惯例即可。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 小结
#
# - 特征尺度相差 $r$ 倍时，线性模型误差曲面的条件数约为 $r^2$：山谷狭长，梯度下降在陡峭方向弹跳、在平缓方向缓行。标准化（减均值、除以标准差）让曲面接近圆形，收敛步数与 $r$ 无关。
# - 批量归一化把同样的想法搬到隐藏层：在每个批次内标准化，再用可学习的 $\gamma,\beta$ 缩放平移；批次里的样本因此互相影响，梯度也流过 $\mu,\sigma$。没有 $\gamma,\beta$，这一层的输出永远是均值 0、方差 1，表示不了下一层需要的尺度。
# - 训练时顺便维护滑动平均 $\bar\mu,\bar\sigma^2$；测试时（`model.eval()`）用它们，每条样本单独处理。若误用批次统计量，一条样本的批次只会输出 $\beta$，只含一类样本的批次会把类别信息减掉。
# - 不带 BN 时，初始化后的激活值尺度随深度缩小；带 BN 时每层都保持在同一尺度。BN 需要足够大的批次，批大小为 2 时它反而有害；BN 放在激活函数之前或之后差别不大。
# - 在 MNIST-1D 上：BN 在相同学习率下明显加快训练、让 30 倍学习率仍能训练、让 Sigmoid 网络明显好训练；但“学习率越大越快”在我们的规模下没有重现。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 练习
#
# 参考答案在每道题下方折叠的单元格里：点击单元格左侧的蓝色竖条或占位符“•••”即可展开。参考答案使用自己的变量名（以 `_ref` 结尾），不会覆盖你的答案。
#
# **练习 1.** 某特征在 4 个样本上的取值为 $(2, 4, 6, 12)$。写出标准化后的 4 个值（标准差用除以 $N$ 的版本）。

# %%
answer_std = None  # 你的答案，4 个数
ex.check_standardized(answer_std)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
f_ref = torch.tensor(ex.FEATURE)
answer_std_ref = (f_ref - f_ref.mean()) / f_ref.std(unbiased=False)
assert ex.check_standardized(answer_std_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2.** 写出训练模式下的批量归一化 `my_batch_norm(z, gamma, beta)`（$\varepsilon=10^{-5}$），`z` 形状为 (N, H)，`gamma`、`beta` 形状为 (H,)。不许调用 `nn.BatchNorm1d`、`F.batch_norm` 或本课程的 `mu.normalization`。检查函数会用几组随机输入把你的结果与 PyTorch 的 `F.batch_norm` 逐项比较，并指出第一个不一致的位置。

# %%
def my_batch_norm(z, gamma, beta):
    return None  # 你的实现


ex.check_bn_forward_fn(my_batch_norm)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_batch_norm_ref(z, gamma, beta):
    mean = z.mean(dim=0)  # (H,)
    var = ((z - mean) ** 2).mean(dim=0)  # (H,), divided by N
    return gamma * (z - mean) / torch.sqrt(var + 1e-5) + beta


assert ex.check_bn_forward_fn(my_batch_norm_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3.** 滑动平均 $\bar\mu$ 从 0 开始，动量 $m=0.1$。三个批次的均值依次为 1、2、3。三次更新后 $\bar\mu$ 是多少？

# %%
answer_running = None  # 你的答案
ex.check_running_mean(answer_running)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
running_ref = 0.0
for batch_mean in ex.BATCH_MEANS:
    running_ref = (1 - ex.MOMENTUM) * running_ref + ex.MOMENTUM * batch_mean
assert ex.check_running_mean(running_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 4.** 一个只有一个特征的 BN 层处于测试模式（`eval()`）：滑动平均 $\bar\mu=2$、$\bar\sigma^2=4$，$\gamma=3$、$\beta=-1$，$\varepsilon=10^{-5}$。一个批次里有两条样本，输入分别为 4 和 1。写出这两条样本的输出（两个数）。

# %%
answer_eval = None  # 你的答案，例如 [0.0, 0.0]
ex.check_bn_eval_output(answer_eval)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
x_ref = torch.tensor(ex.EVAL_INPUTS)
answer_eval_ref = ex.EVAL_GAMMA * (x_ref - ex.EVAL_RUNNING_MEAN) / torch.sqrt(torch.tensor(ex.EVAL_RUNNING_VAR + ex.EPS)) + ex.EVAL_BETA
assert ex.check_bn_eval_output(answer_eval_ref)
print("参考答案已通过检查。")
