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
# # 第 13 章 散度、JS 的饱和与 WGAN
#
# 第 12 章里，判别器在“测量”生成分布 $P_G$ 与真实分布 $P_{data}$ 之间的 JS 散度（Jensen-Shannon Divergence），生成器则想让这个散度变小：$G^*=\arg\min_G \max_D V(G,D)$。这一章先量出这个做法的毛病：两个分布不重叠时，JS 散度不管它们相隔多远都等于 $\log 2$，判别器的损失掉到 0，生成器拿不到梯度。然后换一把尺子——Wasserstein 距离（推土机距离，Earth Mover's Distance），并把它变成可以训练的 WGAN。
#
# **学习目标**
#
# - 把一个分布慢慢滑开，算出 JS 散度一直停在 $\log 2$，而 Wasserstein-1 距离（$W_1$）平滑地变化；用一维闭式解、`scipy.stats.wasserstein_distance` 和线性规划（Linear Program）三种方法核对 $W_1$；
# - 量出“过于自信”的判别器：它的损失趋于 0 时，min-max 形式（饱和，saturating）的生成器梯度也趋于 0，而非饱和形式没有；
# - 让评论家（critic，WGAN 的判别器）满足 1-Lipschitz 约束的三种办法：权重裁剪（weight clipping）、梯度惩罚（gradient penalty）、谱归一化（spectral normalization）；手写幂迭代（power iteration）求谱范数并与 PyTorch 的参数化对照；画出评论家的斜率 $|\nabla D|$；
# - 在 8 个高斯的环和 25 个高斯的网格上，用多个种子比较普通 GAN、WGAN-GP 与谱归一化的模式覆盖，如实报告；
# - 说明文字 GAN 为什么难：生成器与判别器之间的 argmax 不传梯度，以及 Gumbel-softmax 与 REINFORCE 两种绕过办法。

# %% [markdown] slideshow={"slide_type": "skip"}
# ## 如何使用本笔记本
#
# 从上到下依次运行（JupyterLab 菜单 Kernel → Restart Kernel and Run All Cells…）。带滑块的单元需要运行中的内核；滑块旁有一张静态图，不运行也能看到同样的现象。所有训练都走课程统一的 `mu.fit`，更新的那一步写在本笔记本里，检查点存在 `data/cache/checkpoints/`：内核重启后重新运行不会从头训练。有 GPU 时自动使用；想强制用 CPU，启动前设置 `MLNOTE_DEVICE=cpu`。练习的参考答案藏在折叠的单元里，点击单元左侧的占位符 “•••” 即可展开。

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import wasserstein_distance
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

import mlnote_utils as mu
from mlnote_utils import gan, wgan
from mlnote_utils.exercises import ch13 as ex
from mlnote_utils.experiments import ch13 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 散度与 min-max
#
# 生成器要找的是让两个分布最接近的那个 $G$：$G^*=\arg\min_G \mathrm{Div}(P_G,P_{data})$。散度（Divergence）本身算不出来——我们只有两堆样本。第 12 章推出，判别器最大化 $V(G,D)$ 之后，$\max_D V(G,D)=-\log 4+2\,\mathrm{JS}(P_{data}\|P_G)$，所以“训练判别器”就是在估计 JS 散度，整体目标写成 $G^*=\arg\min_G\max_D V(G,D)$。换一个散度，就换一个 $V$ 和一个判别器的约束，这一章后半的 WGAN 就是这样来的。
#
# ## 2. 不重叠的分布：JS 停在 log 2，$W_1$ 平滑变化
#
# 取 $P=U[0,1]$（真实数据）和 $Q=U[s,s+1]$（生成数据），把 $Q$ 从 $s=0$ 滑到 $s=4$。JS 散度用两者在宽 0.01 的格子上的直方图计算（`wgan.js_divergence`）；$W_1$ 用两条累积分布函数之差的面积 $\int|F_P-F_Q|\,dx$ 计算——一维时这就是推土机距离。

# %% tags=["nbval-check-output"]
shifts = np.round(np.arange(0, 4.001, 0.05), 2)
slide = xp.slide_divergences(shifts)
overlap = np.clip(1 - shifts, 0, None)
np.testing.assert_allclose(slide["js"], (1 - overlap) * math.log(2), atol=1e-9)  # closed form: (1 - overlap) log 2
np.testing.assert_allclose(slide["w1"], shifts, atol=1e-9)  # closed form: a shift moves every grain by s
apart = shifts >= 1
print(f"JS for shifts 1 ... 4 (no overlap): min {slide['js'][apart].min():.6f}, max {slide['js'][apart].max():.6f}, log 2 = {math.log(2):.6f}")
print("W1 at shifts 1, 2, 3, 4:", [round(float(v), 3) for v in slide["w1"][np.isin(shifts, [1, 2, 3, 4])]])
assert np.ptp(slide["js"][apart]) < 1e-12 and abs(slide["js"][apart][0] - math.log(2)) < 1e-12

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(shifts, slide["js"], color="C3", label="JS divergence")
ax.plot(shifts, slide["w1"], color="C2", label="Wasserstein-1 distance $W_1$")
ax.axhline(math.log(2), color="gray", ls=":", lw=1, label="log 2")
ax.axvline(1.0, color="k", lw=0.6, ls="--")
ax.text(1.05, 1.6, "no overlap from here on", fontsize=9)
ax.set(xlabel="shift s of Q = U[s, s+1] away from P = U[0, 1]", ylabel="divergence / distance",
       title="Sliding two distributions apart: JS stops at log 2, W1 keeps growing")
ax.legend(loc="upper left", fontsize=9)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 重叠部分一消失（$s\ge1$，虚线右边），JS 散度（红色）就卡在 $\log 2\approx0.693$，上面打印的最小值与最大值到小数点后 6 位都一样：相隔 1 还是相隔 4，对 JS 来说没有区别，把 $Q$ 往 $P$ 挪一点也不会让它变小，生成器从这个数里读不到“该往哪边走”。$W_1$（绿色）等于平移量 $s$，一路平滑变化：每粒“土”都要搬 $s$ 那么远。
#
# 拖动滑块，看两个分布和两个数：

# %% tags=["nbval-ignore-output"]
slide_widget = mu.interactive_figure(
    lambda ax, shift: xp.draw_uniform_pair(ax, shift),
    figsize=(6.5, 3.4),
    shift=mu.float_slider(1.5, 0.0, 4.0, 0.05, description="shift s"),
)
slide_widget

# %% [markdown] slideshow={"slide_type": "fragment"}
# 上面的折线图就是这个滑块的静态版本：滑块每一个位置对应图上的一个横坐标。
#
# ### 2.1 $W_1$ 的三种算法
#
# 对两组同样大小的一维样本，最优的搬运方案是把第 $i$ 小的对第 $i$ 小的：$W_1=\frac1n\sum_i|x_{(i)}-y_{(i)}|$（`wgan.wasserstein_1d`）。与 scipy 核对，并确认“把样本整体平移 3”得到的距离正好是 3：

# %% tags=["nbval-check-output"]
g = torch.Generator().manual_seed(SEED)
x_a = torch.randn(500, generator=g, dtype=torch.float64)
x_b = 0.5 * torch.randn(500, generator=g, dtype=torch.float64) + 2.0
w_sorted = wgan.wasserstein_1d(x_a, x_b)
w_scipy = wasserstein_distance(x_a.numpy(), x_b.numpy())
print(f"W1 by sorting = {w_sorted:.6f}   scipy.stats.wasserstein_distance = {w_scipy:.6f}")
print(f"W1(x, x + 3) = {wgan.wasserstein_1d(x_a, x_a + 3.0):.6f}")
assert abs(w_sorted - w_scipy) < 1e-9 and abs(wgan.wasserstein_1d(x_a, x_a + 3.0) - 3.0) < 1e-9

# %% [markdown] slideshow={"slide_type": "fragment"}
# 笔记里说，Wasserstein 距离要“穷举所有的推土方法，找平均移动距离最小的那一个”。这个穷举可以交给线性规划：设 $\gamma_{ij}\ge0$ 是从第 $i$ 堆土运到第 $j$ 个坑的量，要求从每堆运走的总量等于这堆的量 $a_i$、每个坑收到的总量等于它的容量 $b_j$，最小化总成本 $\sum_{ij}\gamma_{ij}|x_i-y_j|$。`wgan.earth_mover_lp` 用 `scipy.optimize.linprog` 解它。先解一个四堆土、三个坑的小例子，再与 scipy 的一维公式核对：

# %% tags=["nbval-check-output"]
piles, pile_mass = torch.tensor([0.0, 1.0, 2.0, 3.0]), torch.tensor([0.4, 0.3, 0.2, 0.1])
holes, hole_size = torch.tensor([2.0, 4.0, 5.0]), torch.tensor([0.2, 0.5, 0.3])
cost = (piles[:, None] - holes[None, :]).abs()  # (4, 3): distance from pile i to hole j
w_lp, plan = wgan.earth_mover_lp(pile_mass, hole_size, cost)
w_formula = wasserstein_distance(piles.numpy(), holes.numpy(), pile_mass.numpy(), hole_size.numpy())
print("optimal plan (rows: piles at 0, 1, 2, 3; columns: holes at 2, 4, 5):")
print(plan.numpy().round(3))
print(f"W1 by linear program = {w_lp:.6f}   scipy 1-D formula = {w_formula:.6f}")
torch.testing.assert_close(plan.sum(dim=1), pile_mass.double())
torch.testing.assert_close(plan.sum(dim=0), hole_size.double())
assert abs(w_lp - w_formula) < 1e-9

# %% [markdown] slideshow={"slide_type": "fragment"}
# 线性规划找到的方案（上面的矩阵）每一行加起来是那堆土的量，每一列加起来是那个坑的容量（一维、成本为距离时最优方案往往不唯一，它给出其中一个）；它的总成本与 scipy 用一维公式算出的 $W_1$ 到 $10^{-9}$ 一致。一维时有排序公式，高维时没有，只能解这个规划（或者像 WGAN 那样，用一个网络去逼近它的对偶问题）。
#
# ## 3. 过于自信的判别器：损失趋于 0，梯度也趋于 0
#
# 笔记说：两个分布不重叠时，判别器能 100% 分对，它的损失迅速降到 0，生成器得不到梯度。下面量一下。真实数据是 $\mathcal N(3,0.3^2)$，生成器 $G(z)=0.3z+b$（$b=0$ 起步）给出 $\mathcal N(0,0.3^2)$，两者几乎不重叠。固定 $G$，只训练判别器；每一步同时量生成器参数上的梯度范数，两种生成器损失各量一次：
#
# - 饱和（min-max）形式 $\mathbb E_z[\log(1-D(G(z)))]$：$\partial/\partial\ell=-\sigma(\ell)$，当 $D(G(z))=\sigma(\ell)\to0$ 时趋于 0；
# - 非饱和形式 $-\mathbb E_z[\log D(G(z))]$：$\partial/\partial\ell=-(1-\sigma(\ell))$，此时趋于 $-1$。
#
# 这一步只更新 $D$；两个梯度只是量出来，不用来更新 $G$。

# %% tags=["nbval-ignore-output"]
def generator_grad_norm(G, D, z, *, saturating):
    """Norm of the generator loss's gradient w.r.t. G's parameters (G is not updated)."""
    loss = gan.generator_loss(D(G(z)), saturating=saturating)
    grads = torch.autograd.grad(loss, list(G.parameters()))
    return torch.sqrt(sum(gr.pow(2).sum() for gr in grads))


def d_only_step(batch, ctx):
    """Train D with G fixed; measure both generator gradients on a fresh noise batch."""
    (x_real,) = batch
    G, D, opt_D = ctx.models["G"], ctx.models["D"], ctx.optimizers["D"]
    z = torch.randn(len(x_real), 1, generator=ctx.generator).to(ctx.device)
    with torch.no_grad():
        x_fake = G(z)
    loss_D = gan.discriminator_loss(D(x_real), D(x_fake))
    opt_D.zero_grad(set_to_none=True)
    loss_D.backward()
    opt_D.step()
    z = torch.randn(len(x_real), 1, generator=ctx.generator).to(ctx.device)
    return {"loss_D": loss_D.detach(), "grad_saturating": generator_grad_norm(G, D, z, saturating=True),
            "grad_non_saturating": generator_grad_norm(G, D, z, saturating=False)}


x_far = 3.0 + 0.3 * torch.randn(4000, 1, generator=torch.Generator().manual_seed(SEED))
G_lin = nn.Linear(1, 1)
with torch.no_grad():
    G_lin.weight.fill_(0.3)
    G_lin.bias.zero_()
mu.seed_everything(SEED)
D_sat = gan.make_discriminator(1, width=32)
with mu.cpu_threads(1):
    sat_hist = mu.fit({"G": G_lin, "D": D_sat}, {"D": torch.optim.Adam(D_sat.parameters(), lr=2e-3)},
                      mu.RandomBatches(x_far, batch_size=256, seed=SEED), step=d_only_step, steps=600, device=DEVICE,
                      checkpoint=mu.checkpoint_path("ch13_saturating_d"))
loss_d_curve = np.asarray(sat_hist["loss_D"])
grad_sat = np.asarray(sat_hist["grad_saturating"])
grad_ns = np.asarray(sat_hist["grad_non_saturating"])
for i in (0, 49, 199, 599):
    print(f"step {i + 1:>3}: loss_D = {loss_d_curve[i]:.2e}   |grad| saturating = {grad_sat[i]:.2e}   non-saturating = {grad_ns[i]:.2e}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
steps_sat = np.arange(1, len(loss_d_curve) + 1)
axes[0].semilogy(steps_sat, loss_d_curve, color="C0")
axes[0].set(xlabel="D update", ylabel="D's loss (log scale)", title="D's loss falls towards 0")
axes[1].semilogy(steps_sat, grad_sat, color="C3", label="saturating: log(1 - D(G(z)))")
axes[1].semilogy(steps_sat, grad_ns, color="C2", label="non-saturating: -log D(G(z))")
axes[1].set(xlabel="D update", ylabel="|grad of G's loss| (log scale)", title="Generator's gradient norm, G fixed")
axes[1].legend(fontsize=8)
fig.suptitle("A discriminator that separates non-overlapping data perfectly")
fig.tight_layout()
plt.show()

# %%
print(f"loss_D: {loss_d_curve[0]:.3f} -> {loss_d_curve[-1]:.2e}")
print(f"saturating gradient: largest {grad_sat.max():.3f} (step {grad_sat.argmax() + 1}) -> {grad_sat[-1]:.2e} at the end "
      f"(x{grad_sat[-1] / grad_sat.max():.1e})")
print(f"non-saturating gradient at the end: {grad_ns[-1]:.3f}, {grad_ns[-1] / grad_sat[-1]:.0f} times the saturating one")
assert loss_d_curve[-1] < 0.01 * loss_d_curve[0]
assert grad_sat[-1] < 0.01 * grad_sat.max()
assert grad_ns[-1] > 100 * grad_sat[-1]

# %% [markdown] slideshow={"slide_type": "fragment"}
# 判别器的损失（左图）在几百步内从 $2\log2$ 附近掉了两个数量级以上；饱和形式的生成器梯度（右图红色）先随判别器学出坡度而变大，随后从最高处掉了两个数量级以上：判别器越有把握，$D(G(z))$ 越接近 0，$\log(1-D)$ 在那里越平，生成器“听不到”任何信号（打印的数字）。非饱和形式（绿色）的梯度没有消失，最后比饱和形式大两个数量级以上，这就是第 12 章选它的原因。但它只治标：梯度的方向来自判别器在生成样本附近的斜率，而一个把两堆数据分开就满足的分类器，对“离真实数据还有多远”并不在乎。下一节换一个目标，让判别器的输出本身就量出距离。
#
# ## 4. WGAN：1-Lipschitz 评论家
#
# $W_1$ 有一个对偶形式（Kantorovich-Rubinstein 对偶）：
#
# $$W_1(P_{data},P_G)=\max_{\|D\|_L\le 1}\ \mathbb E_{y\sim P_{data}}[D(y)]-\mathbb E_{y\sim P_G}[D(y)] ,$$
#
# 最大值取遍所有 1-Lipschitz 函数，即斜率处处不超过 1：$|D(a)-D(b)|\le|a-b|$。WGAN 的判别器（常称评论家，critic）输出一个任意实数，最大化上式；生成器最小化 $-\mathbb E_z[D(G(z))]$。没有斜率限制时，评论家可以把真实数据处的分数推向 $+\infty$、生成数据处推向 $-\infty$，目标没有上界。怎么把评论家限制在 1-Lipschitz 里？三种做法：
#
# 1. **权重裁剪**（WGAN 原论文）：每次更新后把每个参数截到 $[-c,c]$。简单，但只是粗略地限制了斜率，$c$ 不好选；
# 2. **梯度惩罚**（WGAN-GP）：在真实与生成样本连线上的随机点 $\hat x$ 处加一项 $\lambda(\|\nabla_x D(\hat x)\|-1)^2$（`wgan.gradient_penalty`）；
# 3. **谱归一化**（spectral normalization）：把每层权重除以它的最大奇异值 $\sigma(W)$，每层都是 1-Lipschitz，ReLU 的斜率不超过 1，于是整个网络也是。
#
# ### 4.1 手写幂迭代求谱范数
#
# 最大奇异值 $\sigma(W)$ 用幂迭代求：$v\leftarrow W^\top u/\|W^\top u\|$，$u\leftarrow Wv/\|Wv\|$，$\sigma\approx u^\top Wv$。先与 `torch.linalg.matrix_norm(ord=2)`（基于 SVD）核对，再与 PyTorch 的 `torch.nn.utils.parametrizations.spectral_norm` 核对：后者每次前向传播做一步幂迭代，把权重换成 $W/\sigma$。

# %% tags=["nbval-check-output"]
g = torch.Generator().manual_seed(SEED)
W = torch.randn(32, 16, generator=g, dtype=torch.float64)
sigma_hand = wgan.spectral_norm_power(W, n_iter=200, generator=g)
sigma_svd = torch.linalg.matrix_norm(W, ord=2)
torch.testing.assert_close(sigma_hand, sigma_svd)
layer = nn.Linear(16, 32).double()
with torch.no_grad():
    layer.weight.copy_(W)
sn_layer = spectral_norm(layer, n_power_iterations=200)
sn_layer(torch.zeros(1, 16, dtype=torch.float64))  # in train mode a forward pass runs torch's power iteration
torch.testing.assert_close(sn_layer.weight, W / sigma_hand)
print(f"sigma by hand = {sigma_hand:.6f}   by SVD = {sigma_svd:.6f}")
print(f"largest singular value of torch's normalised weight: {torch.linalg.matrix_norm(sn_layer.weight.detach(), ord=2):.6f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 手写的幂迭代与 SVD 给出同一个 $\sigma$，PyTorch 参数化后的权重正好是 $W/\sigma$，它的最大奇异值是 1。
#
# ### 4.2 四个评论家，同一对分布
#
# 仍用第 3 节那对几乎不重叠的分布（真实 $\mathcal N(3,0.3^2)$，生成 $\mathcal N(0,0.3^2)$，$G$ 固定），它们之间的 $W_1$ 正好是 3（形状相同，平移了 3）。用 WGAN 的目标训练四个同样结构的评论家：不加约束、权重裁剪（$c=0.1$）、梯度惩罚（$\lambda=10$）、谱归一化。评论家的一步写在下面，约束方式是它的参数：

# %% tags=["nbval-ignore-output"]
def critic_update(D, opt_D, x_real, x_fake, *, constraint, clip=0.1, gp_weight=10.0, generator=None):
    """One critic step on -(E D(real) - E D(fake)), with the chosen Lipschitz constraint."""
    gap = D(x_real).mean() - D(x_fake).mean()  # the critic's estimate of W1
    loss = -gap
    if constraint == "penalty":
        loss = loss + gp_weight * wgan.gradient_penalty(D, x_real, x_fake, generator=generator)
    opt_D.zero_grad(set_to_none=True)
    loss.backward()
    opt_D.step()
    if constraint == "clip":
        with torch.no_grad():
            for p in D.parameters():
                p.clamp_(-clip, clip)
    return gap.detach()


def make_critic(in_dim, constraint, width=32):
    """A small ReLU MLP critic; with constraint="spectral" every Linear layer is spectrally normalised."""
    D = gan.make_discriminator(in_dim, width=width)
    if constraint == "spectral":
        for m in D:
            if isinstance(m, nn.Linear):
                spectral_norm(m)
    return D


def make_critic_only_step(constraint):
    def step(batch, ctx):
        (x_real,) = batch
        z = torch.randn(len(x_real), 1, generator=ctx.generator).to(ctx.device)
        with torch.no_grad():
            x_fake = ctx.models["G"](z)
        return {"gap": critic_update(ctx.models["D"], ctx.optimizers["D"], x_real, x_fake,
                                     constraint=constraint, generator=ctx.generator)}
    return step


constraints = ["none", "clip", "penalty", "spectral"]
critics, gaps = {}, {}
for constraint in constraints:
    mu.seed_everything(SEED)
    critics[constraint] = make_critic(1, constraint)
    with mu.cpu_threads(1):
        h = mu.fit({"G": G_lin, "D": critics[constraint]}, {"D": torch.optim.Adam(critics[constraint].parameters(), lr=2e-3, betas=(0.5, 0.9))},
                   mu.RandomBatches(x_far, batch_size=256, seed=SEED), step=make_critic_only_step(constraint), steps=400,
                   device=DEVICE, checkpoint=mu.checkpoint_path(f"ch13_critic_{constraint}"))
    gaps[constraint] = np.asarray(h["gap"])

# %%
x_line = torch.linspace(-1.5, 4.5, 601)[:, None]
x_real_eval = 3.0 + 0.3 * torch.randn(20000, 1, generator=torch.Generator().manual_seed(1))
x_fake_eval = G_lin(torch.randn(20000, 1, generator=torch.Generator().manual_seed(2))).detach()
w1_true = wgan.wasserstein_1d(x_real_eval, x_fake_eval)
profile = {}
for constraint, D in critics.items():
    D.eval()
    with torch.no_grad():
        estimate = (D(x_real_eval).mean() - D(x_fake_eval).mean()).item()
        values = D(x_line)[:, 0]
    profile[constraint] = {"values": values, "slopes": wgan.critic_slopes(D, x_line), "estimate": estimate}
    print(f"{constraint:>9}: E D(real) - E D(fake) = {estimate:8.3f}   max slope on [-1.5, 4.5] = {profile[constraint]['slopes'].max():7.3f}")
print(f"W1 between the two samples = {w1_true:.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
colors = {"none": "C7", "clip": "C1", "penalty": "C2", "spectral": "C4"}
for constraint, p in profile.items():
    v = p["values"] - p["values"].mean()  # the critic is defined up to a constant
    axes[0].plot(x_line[:, 0], v, color=colors[constraint], label=constraint)
    axes[1].plot(x_line[:, 0], p["slopes"], color=colors[constraint], label=constraint)
    axes[2].plot(np.arange(1, len(gaps[constraint]) + 1), gaps[constraint], color=colors[constraint], label=constraint)
axes[0].set(xlabel="x", ylabel="D(x) - mean", title="critic D(x) (centred)", ylim=(-8, 8))
axes[1].set(xlabel="x", ylabel="|dD/dx|", title="critic's slope |dD/dx|", yscale="log")
axes[1].axhline(1.0, color="k", lw=0.7, ls=":")
axes[2].set(xlabel="critic update", ylabel="E D(real) - E D(fake)", title="critic's W1 estimate", yscale="symlog")
axes[2].axhline(w1_true, color="k", lw=0.7, ls=":")
for ax in axes[:2]:  # where the fake (orange) and real (blue) samples lie, mean +- 3 std
    ax.axvspan(-0.9, 0.9, color="C1", alpha=0.06)
    ax.axvspan(2.1, 3.9, color="C0", alpha=0.06)
axes[1].legend(fontsize=8)
fig.suptitle("Four critics for fake N(0, 0.3²) (orange band) vs real N(3, 0.3²) (blue band)")
fig.tight_layout()
plt.show()

# %%
slope_max = {c: p["slopes"].max().item() for c, p in profile.items()}
est = {c: p["estimate"] for c, p in profile.items()}
assert slope_max["none"] > 10 and est["none"] > 10 * w1_true  # unconstrained: far steeper than 1, "W1" blown up
assert slope_max["clip"] < 0.5 and est["clip"] < 0.5 * w1_true  # clipping: too flat, estimate far below W1
assert 0.9 < slope_max["penalty"] < 1.5 and abs(est["penalty"] - w1_true) < 0.2 * w1_true  # GP: slope near 1
assert slope_max["spectral"] <= 1.01 and est["spectral"] <= w1_true + 0.01  # SN: slope <= 1, a lower bound of W1
assert abs(est["spectral"] - w1_true) < 0.05 * w1_true
early, late = gaps["none"][150:200].mean(), gaps["none"][-50:].mean()
print(f"unconstrained critic's estimate, mean over updates 151-200: {early:.1f}, over the last 50: {late:.1f}")
assert late > 1.5 * early  # still climbing


# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图是四个评论家的函数形状（减去了均值，因为加一个常数不改变目标；不加约束的灰线太陡，几乎竖直地穿出了图框），中图是它们的斜率 $|dD/dx|$（对数坐标，点线是 1），右图是训练中的 $W_1$ 估计 $\mathbb E D(\text{real})-\mathbb E D(\text{fake})$（点线是真实的 $W_1$）。上面打印的数字说明：
#
# - **不加约束**（灰色）：斜率比 1 大 10 倍以上，估计值超过真实 $W_1$ 的 10 倍，而且还在随训练一路上涨（右图）——正是笔记里“真实数据推向 $+\infty$、生成数据推向 $-\infty$”的那张图；
# - **权重裁剪**（橙色，$c=0.1$）：斜率不到 0.5，估计值不到真实 $W_1$ 的一半：裁剪让评论家“太平”，平到什么程度取决于 $c$ 和网络的宽度；
# - **梯度惩罚**（绿色）：在两堆数据之间斜率接近 1，但最大值略超过 1（惩罚是软约束，只在采样点上把斜率拉向 1），估计值与真实 $W_1$ 相差不到 20%，这次略高于 $W_1$；
# - **谱归一化**（紫色）：斜率处处不超过 1（由构造保证），所以估计值不会超过 $W_1$；在这个一维例子里它几乎就是最优的斜坡，估计值与 $W_1$ 相差不到 5%。
#
# 最优的 1-Lipschitz 评论家在两堆数据之间就是一条斜率为 1 的斜坡，它给生成器的梯度处处是“往真实数据那边走”，与两个分布是否重叠无关——这正是第 3 节那个分类器给不出的信号。
#
# ## 5. 模式崩塌：普通 GAN、WGAN-GP 与谱归一化
#
# 第 12 章在 8 个高斯的环上看到，普通 GAN 可能只学会一部分模式（模式丢失，mode dropping），极端时所有样本挤到一两个模式上（模式崩塌，mode collapse）。WGAN 的论文声称它能缓解这个问题。这里在两个目标上比较三种训练方式：半径 2 的圆上 8 个高斯（标准差 0.1）与间距 2 的 5×5 网格上 25 个高斯（标准差 0.2）。度量仍是 VEEGAN / PacGAN 的：离最近中心不超过 3 个标准差的生成样本算“高质量”；某个模式分到的高质量样本不少于 1%（2500 个样本里 25 个）就算“被覆盖”。
#
# - **普通 GAN**：第 12 章的交替更新（判别器一步、生成器一步，非饱和损失）；
# - **WGAN-GP**：上面的 `critic_update(constraint="penalty")`，每次生成器更新前评论家走 2 步（原论文用 5 步，这里为了省时间），生成器最小化 $-\mathbb E_z[D(G(z))]$；
# - **谱归一化**：同样的 WGAN 更新，评论家的每一层做谱归一化，不加惩罚。
#
# 为了让整本笔记本在普通 CPU 上一两分钟内跑完，每次训练只有 400 次生成器更新（Adam，学习率 $2\times10^{-3}$），梯度惩罚的权重取 $\lambda=1$（常见的 $\lambda=10$ 在这么短的训练里学得更慢）。这是一个很短的预算：表格说的是“在这个预算下”各方法能做到什么。

# %% tags=["nbval-ignore-output"]
def make_gan_step(method, noise_dim, n_critic=2):
    """One generator update for mu.fit, preceded by D/critic updates: method in {"gan", "penalty", "spectral"}."""

    def step(batch, ctx):
        (x_real,) = batch
        G, D, opt_G, opt_D = ctx.models["G"], ctx.models["D"], ctx.optimizers["G"], ctx.optimizers["D"]
        for _ in range(1 if method == "gan" else n_critic):
            z = torch.randn(len(x_real), noise_dim, generator=ctx.generator).to(ctx.device)
            with torch.no_grad():
                x_fake = G(z)
            if method == "gan":  # chapter 12's D step
                loss_D = gan.discriminator_loss(D(x_real), D(x_fake))
                opt_D.zero_grad(set_to_none=True)
                loss_D.backward()
                opt_D.step()
            else:
                with torch.nn.utils.parametrize.cached():  # spectral norm: one power iteration per update
                    loss_D = -critic_update(D, opt_D, x_real, x_fake, constraint=method, gp_weight=1.0,
                                            generator=ctx.generator)
        z = torch.randn(len(x_real), noise_dim, generator=ctx.generator).to(ctx.device)
        with torch.nn.utils.parametrize.cached():
            out = D(G(z))
            loss_G = gan.generator_loss(out) if method == "gan" else -out.mean()
        opt_G.zero_grad(set_to_none=True)
        loss_G.backward()  # D's .grad is filled too, but only G's optimiser steps
        opt_G.step()
        return {"loss_D": loss_D.detach(), "loss_G": loss_G.detach()}

    return step


def train_toy_gan(method, x_real, seed, *, name, noise_dim=4, steps=400):
    """Train a fresh G/D pair on 2-D data with one of the three methods; returns G."""
    mu.seed_everything(seed)
    G = gan.make_generator(noise_dim, 2)
    D = gan.make_discriminator(2) if method == "gan" else make_critic(2, method, width=64)
    betas = (0.5, 0.999) if method == "gan" else (0.5, 0.9)
    opts = {"G": torch.optim.Adam(G.parameters(), 2e-3, betas=betas), "D": torch.optim.Adam(D.parameters(), 2e-3, betas=betas)}
    with mu.cpu_threads(1):
        mu.fit({"G": G, "D": D}, opts, mu.RandomBatches(x_real, batch_size=128, seed=seed), step=make_gan_step(method, noise_dim),
               steps=steps, seed=seed, device=DEVICE, checkpoint=mu.checkpoint_path(f"ch13_{name}_{method}_seed{seed}"))
    return G.cpu()


targets = {"ring of 8": (gan.ring_centers(8, 2.0), 0.1), "grid of 25": (gan.grid_centers(5, 2.0), 0.2)}
methods = {"gan": "GAN", "penalty": "WGAN-GP", "spectral": "spectral norm"}
SEEDS = [0, 1]
z_eval = torch.randn(2500, 4, generator=torch.Generator().manual_seed(123))
coverage, final_samples = {}, {}
for target, (centers, std) in targets.items():
    x_target = gan.sample_mixture(centers, std, 10000, generator=torch.Generator().manual_seed(SEED))
    for method, label in methods.items():
        coverage[(target, label)] = []
        for seed in SEEDS:
            G_toy = train_toy_gan(method, x_target, seed, name=target.split()[0])
            with torch.no_grad():
                samples = G_toy(z_eval)
            coverage[(target, label)].append(xp.summarise(samples, centers, std, min_count=25))
            final_samples[(target, label, seed)] = samples
    box = float(centers.abs().max()) + 1  # baseline: 2500 points spread uniformly over the square ±box
    uniform = (torch.rand(2500, 2, generator=torch.Generator().manual_seed(SEED)) * 2 - 1) * box
    coverage[(target, f"uniform in ±{box:g}")] = [xp.summarise(uniform, centers, std, min_count=25)]
print(xp.coverage_table(coverage))

# %%
fig, axes = plt.subplots(2, 3, figsize=(12, 8))
for row, (target, (centers, _std)) in enumerate(targets.items()):
    lim = 3.0 if target.startswith("ring") else 5.5
    for ax, label in zip(axes[row], methods.values(), strict=True):
        modes, k, hq = coverage[(target, label)][0]
        xp.draw_samples(ax, final_samples[(target, label, SEEDS[0])], centers, lim=lim,
                        title=f"{label}, {target}\n{modes}/{k} modes, {hq:.0%} high quality")
axes[0, 0].legend(fontsize=8, loc="lower left")
fig.suptitle(f"Samples after 400 generator updates (seed {SEEDS[0]})")
fig.tight_layout()
plt.show()

# %%
def mean_hq(runs):
    return float(np.mean([hq for _, _, hq in runs]))


ring_runs = {label: coverage[("ring of 8", label)] for label in methods.values()}
grid_runs = {label: coverage[("grid of 25", label)] for label in methods.values()}
uniform_ring, uniform_grid = coverage[("ring of 8", "uniform in ±3")][0], coverage[("grid of 25", "uniform in ±5")][0]
print(f"uniform noise: high-quality share ring {uniform_ring[2]:.0%}, grid {uniform_grid[2]:.0%}")
for label in methods.values():
    print(f"{label:>13}: mean high-quality share, ring {mean_hq(ring_runs[label]):.0%}, grid {mean_hq(grid_runs[label]):.0%}")
assert all(m == 8 for m, _, _ in ring_runs["WGAN-GP"])  # WGAN-GP: every seed covers the whole ring
assert all(min(m for m, _, _ in ring_runs[label]) < 8 for label in ("GAN", "spectral norm"))  # the others drop modes
assert mean_hq(ring_runs["WGAN-GP"]) > 1.5 * max(mean_hq(ring_runs["GAN"]), mean_hq(ring_runs["spectral norm"]))
grid_modes = [m for runs in grid_runs.values() for m, _, _ in runs]
grid_hq = [mean_hq(runs) for runs in grid_runs.values()]
assert 25 / 3 <= min(grid_modes) and max(grid_modes) <= 0.6 * 25  # every run: a third to three fifths of the grid
assert max(grid_hq) - min(grid_hq) < 0.1  # no method clearly better on the grid
assert all(abs(hq - uniform_grid[2]) < 0.1 for hq in grid_hq)  # ... nor clearly better than uniform noise
assert uniform_grid[0] > max(grid_modes)  # uniform spreading 'covers' more grid modes than any trained G
assert mean_hq(ring_runs["WGAN-GP"]) > 5 * uniform_ring[2]

# %% [markdown] slideshow={"slide_type": "fragment"}
# 上面的表格与图（种子 0 的样本）在这个预算下给出的结果，如实报告（表中 “uniform” 一行是把 2500 个点均匀撒在正方形里得到的基线，不是训练出来的）：
#
# - **环（8 个模式）**：WGAN-GP 在两个种子上都覆盖了全部 8 个模式，高质量样本比例也明显最高（是另外两种的 1.5 倍以上，打印的平均值）；普通 GAN 与谱归一化至少有一个种子丢了模式，而且样本还很散（高质量比例低）。
# - **网格（25 个模式）**：三种方法每个种子都只覆盖了三分之一到五分之三的模式，高质量样本比例相差不到 10 个百分点，而且与表中最后一行“在正方形里均匀撒点”的基线也相差不到 10 个百分点：图里的样本几乎是均匀地铺满了整个正方形，“覆盖”的模式多半只是碰巧落进去的——均匀撒点“覆盖”的模式甚至比任何一次训练都多（表中 uniform 一行）。这也提醒我们：只看“覆盖了几个模式”会被一团散开的样本骗过，必须同时看高质量样本的比例。400 次更新对 25 个模式远远不够，在这个预算下三种方法都还没学到网格，也看不出哪种更好。
#
# 均匀撒点的基线也说明了环上的数字该怎么读：普通 GAN 与谱归一化的高质量比例只比均匀撒点高一些，样本还很散；WGAN-GP 的高质量比例是均匀撒点的 5 倍以上，样本确实贴在环上（中上图）。
#
# 两个种子只能说明“可能”，不能说明“总是”。写这一章时的一个原型用每次 5 步评论家更新、更长的训练，发现 WGAN-GP 在环上对种子很敏感（一个种子 8 个模式、另一个 0 个），谱归一化也是 2 个与 8 个——每次约 15 秒，太慢，所以这里换成了更短、更便宜的设置，结论也只对这个设置成立。想自己验证，可以把 `SEEDS` 改成更多种子、把 `steps` 加大（每次训练都存检查点，重跑只训练新的组合）。
#
# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. 为什么文字 GAN 难训练：argmax 不传梯度
#
# 生成文字时，生成器（解码器）每一步输出一个词表上的分数向量（logits），再取分数最高的那个词（argmax）交给判别器。笔记里的说法是：生成器的参数动一点点，输出向量最接近的仍是同一个词，判别器的分数不变——所以没有梯度。下面用一个 6 个词的词表把它量出来：生成器把 4 维噪声映射成 logits，判别器给一个独热（one-hot）的词打分。

# %% tags=["nbval-check-output"]
vocab_size, noise_text = 6, 4
mu.seed_everything(SEED)
G_text, D_text = nn.Linear(noise_text, vocab_size), nn.Linear(vocab_size, 1)
z_text = torch.randn(32, noise_text, generator=torch.Generator().manual_seed(SEED))
logits_text = G_text(z_text)  # (32, 6), differentiable w.r.t. G
tokens = logits_text.argmax(dim=1)  # (32,) integer word ids
score = D_text(F.one_hot(tokens, vocab_size).float()).mean()
score.backward()
print(f"logits need grad: {logits_text.requires_grad} | token ids need grad: {tokens.requires_grad} | "
      f"G.weight.grad after backward: {G_text.weight.grad} | D.weight.grad is set: {D_text.weight.grad is not None}")
G_nudged = nn.Linear(noise_text, vocab_size)
G_nudged.load_state_dict(G_text.state_dict())
with torch.no_grad():
    G_nudged.weight.add_(1e-3 * torch.randn(vocab_size, noise_text, generator=torch.Generator().manual_seed(1)))
same = torch.equal(G_nudged(z_text).argmax(dim=1), tokens)
print(f"after nudging G's weights by 1e-3: the same {len(tokens)} words: {same}")
assert G_text.weight.grad is None and not tokens.requires_grad and same

# %% [markdown] slideshow={"slide_type": "fragment"}
# `argmax` 输出的是整数编号，不在计算图里：反向传播走到判别器就停了，生成器的 `.grad` 是 `None`。把生成器的权重轻轻推一下，32 个词一个都没变，判别器的分数自然也不变：在几乎每一点上，“分数对生成器参数的导数”都是 0，只在词与词交界的地方跳变。两种常见的绕法：
#
# - **Gumbel-softmax**（直通估计，straight-through）：前向仍输出独热向量，反向时假装它是 $\mathrm{softmax}((\ell+g)/\tau)$，$g$ 是 Gumbel 噪声、$\tau$ 是温度。梯度是有偏的近似，但能直接穿过判别器；
# - **REINFORCE**（强化学习的策略梯度）：把判别器的分数当奖励 $R$，不求 $R$ 对词的导数，而用 $\nabla\mathbb E_{k\sim p}[R_k]=\mathbb E_{k\sim p}[(R_k-b)\nabla\log p_k]$ 估计梯度（$b$ 是基线）。无偏，但方差大，要很多样本。

# %% tags=["nbval-check-output"]
G_text.zero_grad(set_to_none=True)
mu.seed_everything(SEED)  # gumbel_softmax draws its noise from the global generator
hard = F.gumbel_softmax(G_text(z_text), tau=0.5, hard=True)  # (32, 6), exactly one-hot in the forward pass
D_text(hard).mean().backward()
print(f"Gumbel-softmax: forward is one-hot: {bool(((hard == 0) | (hard == 1)).all() and (hard.sum(dim=1) == 1).all())}, "
      f"|G.weight.grad| = {G_text.weight.grad.norm():.4f}")
assert G_text.weight.grad is not None and G_text.weight.grad.norm() > 0

# REINFORCE for one noise vector: the exact gradient of E[R] w.r.t. the logits vs the sampled estimate
with torch.no_grad():
    reward = D_text(torch.eye(vocab_size))[:, 0]  # (6,) D's score for each word
logit_one = G_text(z_text[:1])[0].detach().requires_grad_(True)  # (6,)
p_one = logit_one.softmax(dim=0)
(exact,) = torch.autograd.grad((p_one * reward).sum(), logit_one)  # d/dlogits of sum_k p_k R_k
p_one = p_one.detach()
for n in (10, 100, 1000, 20000):
    k = torch.multinomial(p_one, n, replacement=True, generator=torch.Generator().manual_seed(n))
    r = reward[k]
    per_sample = (r - r.mean())[:, None] * (F.one_hot(k, vocab_size) - p_one)  # (R - b) * grad log p_k, (n, 6)
    rel_err = ((per_sample.mean(dim=0) - exact).norm() / exact.norm()).item()
    print(f"REINFORCE with {n:>5} samples: relative error of the gradient = {rel_err:.3f}")
assert rel_err < 0.05

# %% [markdown] slideshow={"slide_type": "fragment"}
# Gumbel-softmax 的前向输出仍然是独热的词，但生成器现在拿到了非零梯度。REINFORCE 不需要穿过词的梯度：它的估计随样本数增加而逼近用 autograd 算出的精确梯度（上面打印的相对误差，2 万个样本时不到 5%），但样本少时误差很大——这就是“方差大”的意思，文字 GAN（如 SeqGAN）因此训练困难，常需要先用最大似然预训练生成器。
#
# ## 小结
#
# - 训练 GAN 就是最小化某个散度：$G^*=\arg\min_G\max_D V(G,D)$，判别器负责估计散度。
# - 两个分布不重叠时 JS 散度恒为 $\log 2$，与距离无关；$W_1$（推土机距离）随距离平滑变化。一维 $W_1$ 可由排序或累积分布函数算出，一般情形是一个线性规划。
# - 过于自信的判别器损失趋于 0，min-max 形式的生成器梯度随之趋于 0；非饱和损失缓解了这一点，但不改变“分类器不关心距离”的本质。
# - WGAN 的评论家最大化 $\mathbb E D(\text{real})-\mathbb E D(\text{fake})$，必须是 1-Lipschitz：不约束时斜率和估计值一起发散；权重裁剪让评论家过平；梯度惩罚让斜率接近 1，估计值接近 $W_1$；谱归一化用幂迭代求每层的 $\sigma(W)$ 并除掉，斜率不超过 1。
# - 模式覆盖（400 次生成器更新、两个种子）：环上 WGAN-GP 两个种子都覆盖全部 8 个模式，普通 GAN 和谱归一化会丢模式；25 个模式的网格在这个预算下三种方法都还没学到（与均匀撒点差不多）。
# - argmax 把生成器和判别器之间的梯度切断；Gumbel-softmax（有偏、低方差）和 REINFORCE（无偏、高方差）是两种绕法。
#
# ## 练习
#
# 把 `None` 换成你的答案，运行检查单元。参考答案在折叠的单元里（点击单元左侧的 “•••” 展开）。

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 1.** 两个分布 $P$、$Q$ 的支撑完全不重叠。它们之间的 JS 散度（自然对数）是多少？给出一个数。

# %%
answer_js = None  # 你的答案：一个数
ex.check_js_disjoint(answer_js)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_js_ref = math.log(2)  # m = (P + Q)/2 is P/2 on P's support: KL(P || m) = log 2, the same for Q
assert ex.check_js_disjoint(answer_js_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2.** 写出 `my_w1(x, y)`：两组同样大小的一维样本（`torch` 张量）之间的 Wasserstein-1 距离。不许调用 `wgan.wasserstein_1d` 或 scipy。检查函数会在几组随机样本上与 `scipy.stats.wasserstein_distance` 比较，并指出第一个不一致的测试用例。

# %%
def my_w1(x, y):
    return None  # 你的实现


ex.check_w1(my_w1)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_w1_ref(x, y):
    return (x.sort().values - y.sort().values).abs().mean()  # the i-th smallest goes to the i-th smallest


assert ex.check_w1(my_w1_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3.** 矩阵 $W=\begin{pmatrix}3&0\\4&5\end{pmatrix}$（即 `ex.SPECTRAL_MATRIX`）的谱范数（最大奇异值）是多少？谱归一化会把这一层的权重除以它。可以用第 4.1 节的幂迭代，也可以手算 $W^\top W$ 的特征值。

# %%
answer_sigma = None  # 你的答案：一个数
ex.check_spectral_norm(answer_sigma)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_sigma_ref = wgan.spectral_norm_power(torch.tensor(ex.SPECTRAL_MATRIX, dtype=torch.float64), n_iter=100).item()  # sqrt(45)
assert ex.check_spectral_norm(answer_sigma_ref)
print("参考答案已通过检查。")
