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
# # 第 6 章 优化器：动量、自适应学习率与学习率调度
#
# **学习目标**
#
# 1. 在一个“一边陡、一边平”的凸误差曲面（Error Surface）上，看清固定学习率的梯度下降（Gradient Descent）为什么不是来回震荡就是寸步难行。
# 2. 照笔记的公式亲手写出动量（Momentum）、均方根（Root Mean Square, RMS）自适应学习率（Adaptive Learning Rate）、RMSProp 与 Adam，并逐步核对它们与 `torch.optim` 中对应优化器（Optimizer）的关系：哪些逐位相同，哪些只差一个换算，哪些本来就不同。
# 3. 理解动量的"有效窗口" $1/(1-\beta)$，并沿海森矩阵的每个特征方向算出动量把误差缩小得多快；推导 Adam 的偏差校正（Bias Correction）。
# 4. 亲眼看到 RMS 规则在长时间走平路之后突然“爆炸”，并用学习率调度（Learning Rate Scheduling）——衰减（Decay）与预热（Warm-up）——去测量哪种办法能把它压住。
# 5. 在 MNIST-1D 上用同一个网络、同一份数据、多个随机种子比较各优化器，再比较学习率调度；看到"损失不再下降"并不等于"梯度很小"。
#
# **如何使用本笔记本**：从上到下依次运行（Run All 即可）。带滑块的单元需要一个正在运行的内核（kernel）；滑块旁边有一张静态图，在 GitHub 或 HTML 里也能看到同样的结论。有 GPU 时会自动使用，设置环境变量 `MLNOTE_DEVICE=cpu` 可强制使用 CPU。二维曲面上的实验都在 CPU 上用 float64 计算。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import mlnote_utils as mu
from mlnote_utils.exercises import ch06 as ex
from mlnote_utils.experiments import ch06 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 一个又长又窄的山谷
#
# 笔记里有一张凸（Convex）误差曲面：沿一个方向非常平缓，沿另一个方向非常陡峭。我们用两个参数 $(w, b)$ 造一个同样形状的曲面（`xp.elongated_bowl`）：
#
# $$L(w,b)=\tfrac12\Big[\,0.2\,(w-4)^2 + 100\,\big(b-1-0.3\,(w-4)\big)^2\Big].$$
#
# 最低点在 $(4,1)$，谷底是直线 $b=1+0.3(w-4)$。它是二次函数，海森矩阵（Hessian）处处相同：
#
# $$H=\begin{pmatrix}0.2+100\cdot0.3^2 & -100\cdot0.3\\ -100\cdot0.3 & 100\end{pmatrix}.$$
#
# 对二次函数，固定学习率 $\eta$ 的梯度下降沿 $H$ 的每个特征方向把误差乘以 $(1-\eta\lambda)$，所以必须 $\eta<2/\lambda_{\max}$ 才不发散；而沿最平的方向每步只缩小 $\eta\lambda_{\min}$。两个特征值差得越多，这两个要求就越难同时满足。先用 autograd 核对手写的 $H$：


# %% tags=["nbval-check-output"]
def bowl(x):  # x: (2,) = (w, b)
    return xp.elongated_bowl(x[0], x[1])


H_hand = torch.tensor([[0.2 + 100 * 0.3**2, -100 * 0.3], [-100 * 0.3, 100.0]], dtype=torch.float64)
H_auto = torch.autograd.functional.hessian(bowl, torch.tensor([-3.0, -2.0], dtype=torch.float64))
torch.testing.assert_close(H_auto, H_hand)
LAM_MIN, LAM_MAX = torch.linalg.eigvalsh(H_hand).tolist()
ETA_LIMIT = 2 / LAM_MAX
START = [-3.0, -2.0]
print(f"eigenvalues: {LAM_MIN:.4f}, {LAM_MAX:.4f}  (ratio {LAM_MAX / LAM_MIN:.0f})")
print(f"GD stability limit 2/lambda_max = {ETA_LIMIT:.5f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 两个特征值约为 0.18 和 109，相差约 600 倍；梯度下降的学习率上限是 $2/\lambda_{\max}\approx0.0183$。下面画出曲面（颜色为 $\log_{10}L$），并从左下角的 $(-3,-2)$ 出发，用三个固定学习率各走 1000 步。

# %%
ws, bs = np.linspace(-4.5, 6.0, 220), np.linspace(-3.0, 3.0, 160)
Z = mu.landscape.evaluate_grid(lambda W, B: xp.elongated_bowl(W, B), ws, bs)
gd_runs = {
    f"η = {r:g} × limit": mu.landscape.gradient_descent(bowl, START, lr=r * ETA_LIMIT, steps=1000)
    for r in (0.25, 0.98, 1.01)
}
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(13, 4.2))
mu.plot_contour(ws, bs, Z, ax=ax0, log=True, title="Fixed-η GD, first 300 steps (stable runs)")
stable = {k: t for k, t in gd_runs.items() if not k.startswith("η = 1.01")}
mu.plot_trajectory(
    {k: mu.landscape.Trajectory(t.points[:300], t.losses[:300], t.lr) for k, t in stable.items()}, ax=ax0
)
for name, t in gd_runs.items():
    ax1.semilogy(t.losses, label=name)
ax1.set(title="Loss of fixed-η GD", xlabel="step", ylabel="L (log scale)", ylim=(1e-6, 1e6))
ax1.legend()
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图画两条稳定路径的前 300 步。η 接近上限（0.98 倍）时，路径在山谷两壁之间来回横跳：陡峭方向每步乘以约 $-0.96$；只超过上限一点（1.01 倍）就发散（右图损失一路上升）；η 取上限的四分之一时不再震荡，却沿着平缓的谷底爬得极慢。具体数字：

# %% tags=["nbval-check-output"]
floor_gap = {
    k: t.points[:, 1] - 1 - 0.3 * (t.points[:, 0] - 4) for k, t in gd_runs.items()
}  # b minus valley floor
for name, t in gd_runs.items():
    flips = int(np.sum(np.sign(floor_gap[name][1:40]) != np.sign(floor_gap[name][:39])))
    print(f"{name:18s} L(1000) = {t.losses[-1]:9.2e}   side switches in the first 40 steps: {flips}")
slow, edge, over = gd_runs.values()
assert over.losses[-1] > over.losses[0]  # just above 2/lambda_max: diverges
assert (
    np.sum(np.sign(floor_gap["η = 0.98 × limit"][1:40]) != np.sign(floor_gap["η = 0.98 × limit"][:39])) >= 36
)
assert slow.losses[-1] > 0.1 and edge.losses[-1] > 1e-3  # both still far from the minimum after 1000 steps

# %% [markdown] slideshow={"slide_type": "fragment"}
# 固定学习率的两难被测出来了：1000 步后，最快的稳定学习率仍停在 $L>10^{-3}$，而且前 40 步几乎每一步都从谷底一侧跳到另一侧；学习率小的那条线 1000 步后损失还大于 0.1。
#
# ## 2. 动量（Momentum）
#
# 动量让每一步不只看当前梯度，还带上上一步的移动量，就像一个从坡上滚下来的球：
#
# $$m^{0}=0,\qquad m^{i}=\beta\, m^{i-1}-\eta\, g^{i-1},\qquad \theta^{i}=\theta^{i-1}+m^{i}.$$
#
# 笔记里动量系数写作 $\lambda$；本章把 $\lambda$ 留给海森矩阵的特征值，动量系数按 PyTorch 和 d2l 的习惯写作 $\beta$（`momentum=β`）。把递推式一层层展开，$m^i$ 是所有过去梯度的加权和，越早的梯度权重越小（每往前一步乘一次 $\beta$）：
#
# $$m^{i}=-\eta\sum_{j=0}^{i-1}\beta^{\,i-1-j}\,g^{j}.$$
#
# `mu.optimizers.Momentum` 按递推式实现（它是一个 `torch.optim.Optimizer`，每一步对每个参数张量调用一次 `_update`）：

# %% tags=["nbval-check-output"]
mu.show_source(mu.optimizers.Momentum)

# %% [markdown] slideshow={"slide_type": "fragment"}
# `mu.optimizers.momentum_unrolled` 则按展开式计算；先核对二者。`torch.optim.SGD(momentum=μ)` 存的是另一种量：$b\leftarrow\mu b+g$，再走 $\theta\leftarrow\theta-\eta b$。令 $m=-\eta b$、$\mu=\beta$，两者是同一条规则——同一个循环里逐步比较 $m$ 与 $-\eta b$：

# %% tags=["nbval-check-output"]
eta, beta = 0.25 * ETA_LIMIT, 0.9
ours = torch.tensor(START, dtype=torch.float64, requires_grad=True)
theirs = torch.tensor(START, dtype=torch.float64, requires_grad=True)
opt_ours, opt_torch = (
    mu.optimizers.Momentum([ours], lr=eta, momentum=beta),
    torch.optim.SGD([theirs], lr=eta, momentum=beta),
)
grads, ms = [], []
for _ in range(60):
    for p, opt in ((ours, opt_ours), (theirs, opt_torch)):
        opt.zero_grad()
        bowl(p).backward()
    grads.append(ours.grad.numpy().copy())
    opt_ours.step()
    opt_torch.step()
    ms.append(opt_ours.state[ours]["m"].numpy().copy())
    torch.testing.assert_close(opt_ours.state[ours]["m"], -eta * opt_torch.state[theirs]["momentum_buffer"])
    torch.testing.assert_close(ours, theirs)
np.testing.assert_allclose(
    np.array(ms), mu.optimizers.momentum_unrolled(np.array(grads), eta, beta), rtol=1e-10, atol=1e-12
)
print("recurrence == unrolled weighted sum; m == -lr * torch's momentum_buffer at all 60 steps")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 递推式与展开式 60 步完全一致；和 torch 相比，只要 `lr=η, momentum=β`，每一步的 $m$ 都等于 $-\eta b$，参数也一致。（有一个例外：若 η 随时间变化，笔记的 $m$ 记住的是每一步当时的 η，而 torch 会用今天的 η 去乘整个 $b$，两者就不再相同——第 4 节的对照表里会量出这个差别。）
#
# 在山谷里，动量有什么用？同样取上限四分之一的 η，加上 $\beta=0.9$：

# %%
mom = mu.landscape.optimizer_path(bowl, START, "Momentum", 1000, lr=eta, momentum=beta)
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12, 4.2))
mu.plot_contour(ws, bs, Z, ax=ax0, log=True, title="GD vs momentum, same η = 0.25 × limit")
xp.plot_paths({"Momentum β=0.9": mom, "GD": slow}, ax=ax0)  # GD drawn last so it stays visible
ax1.semilogy(mom.losses, label="Momentum β=0.9", color=mu.METHOD_COLORS["Momentum"])
ax1.semilogy(slow.losses, label="GD", color=mu.METHOD_COLORS["GD"])
ax1.set(title="Loss: momentum speeds up the flat direction", xlabel="step", ylabel="L (log scale)")
ax1.legend()
fig.tight_layout()
plt.show()
print(f"L(1000): GD {slow.losses[-1]:.2e}, Momentum {mom.losses[-1]:.2e}")
assert mom.losses[-1] < 1e-6 * slow.losses[-1]

# %% [markdown] slideshow={"slide_type": "fragment"}
# 沿平缓的谷底，梯度几乎每一步都指向同一方向，动量把它们累加起来，步长放大到约 $\eta/(1-\beta)=10\eta$；而在陡峭方向上，相邻梯度符号相反，累加时互相抵消。1000 步后动量的损失比同 η 的梯度下降小了六个数量级以上。
#
# ### 有效窗口 $1/(1-\beta)$ 与逐个特征方向的分析
#
# 展开式里第 $k$ 步之前的梯度权重是 $\beta^k$，全部权重加起来是 $\sum_{k\ge0}\beta^k=1/(1-\beta)$。所以动量大致是"最近 $1/(1-\beta)$ 步梯度之和"：$\beta=0.5$ 记得约 2 步，$\beta=0.9$ 约 10 步，$\beta=0.99$ 约 100 步；梯度方向一致时，步长被放大到 $\eta/(1-\beta)$。
#
# 对二次曲面还能算得更细（d2l 的做法）：沿海森矩阵的一个特征方向（特征值 $\lambda$），误差 $x$ 与动量 $m$ 满足 $m\leftarrow\beta m-\eta\lambda x$、$x\leftarrow x+m$，也就是二维线性映射
#
# $$\begin{pmatrix}m\\x\end{pmatrix}\leftarrow\begin{pmatrix}\beta&-\eta\lambda\\\beta&1-\eta\lambda\end{pmatrix}\begin{pmatrix}m\\x\end{pmatrix}.$$
#
# 误差每步缩小的倍数 $\rho$ 是这个矩阵特征值的最大绝对值（`xp.momentum_rate`）；$\beta=0$ 就是梯度下降的 $|1-\eta\lambda|$。它在 $0<\eta\lambda<2(1+\beta)$ 时小于 1，所以动量还把稳定的范围从 $2$ 放宽到 $2(1+\beta)$。

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12, 4))
k = np.arange(60)
for b, style in ((0.5, ":"), (0.9, "-"), (0.99, "--")):
    ax0.plot(k, b**k, style, color=mu.METHOD_COLORS["Momentum"], label=f"β = {b}: weights β^k, window 1/(1-β) = {1 / (1 - b):.0f}")
ax0.set(title="Weight of the gradient k steps back", xlabel="k (steps back)", ylabel="weight β^k", ylim=(0, 1.05))
ax0.legend(fontsize="small")
el = np.linspace(1e-3, 4.2, 600)
ax1.plot(el, [xp.momentum_rate(v, 0.0) for v in el], color=mu.METHOD_COLORS["GD"], label="GD (β = 0)")
for b, style in ((0.5, ":"), (0.9, "-")):
    ax1.plot(el, [xp.momentum_rate(v, b) for v in el], style, color=mu.METHOD_COLORS["Momentum"], label=f"Momentum β = {b}")
ax1.axhline(1, color="k", lw=0.8)
ax1.set(title="Shrink factor per step along one eigen-direction", xlabel="η λ", ylabel="ρ (< 1: converges)", ylim=(0, 1.6))
ax1.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %% tags=["nbval-check-output"]
for b in (0.5, 0.9, 0.99):
    window = sum(b**k for k in range(5000))
    print(f"β = {b}: sum of the weights = {window:.4f}, 1/(1-β) = {1 / (1 - b):.4f}")
    assert abs(window - 1 / (1 - b)) < 1e-6
for b in (0.0, 0.5, 0.9):
    stable_edge = 2 * (1 + b)
    assert xp.momentum_rate(0.99 * stable_edge, b) < 1 < xp.momentum_rate(1.01 * stable_edge, b), b  # stable up to 2(1 + β)
# the valley: the flat eigen-direction at eta = 0.25 x limit
rho_gd, rho_mom = xp.momentum_rate(eta * LAM_MIN, 0.0), xp.momentum_rate(eta * LAM_MIN, beta)
print(f"flat direction, η λ_min = {eta * LAM_MIN:.5f}: GD shrinks the error by {1 - rho_gd:.5f} per step, momentum by {1 - rho_mom:.5f}")
print(f"ratio {(1 - rho_mom) / (1 - rho_gd):.1f} (1/(1-β) = {1 / (1 - beta):.0f})")
assert abs((1 - rho_mom) / (1 - rho_gd) / (1 / (1 - beta)) - 1) < 0.15
_, U_bowl = torch.linalg.eigh(H_hand)
flat_err = np.abs((mom.points - np.array([4.0, 1.0])) @ U_bowl[:, 0].numpy())  # error along the flat eigenvector
measured = (flat_err[1000] / flat_err[300]) ** (1 / 700)
print(f"momentum path: measured shrink factor along the flat direction {measured:.5f}, predicted {rho_mom:.5f}")
assert abs(measured - rho_mom) < 1e-3
assert abs(xp.momentum_rate(1.0, beta) - beta**0.5) < 1e-9 and xp.momentum_rate(1.0, 0.0) < 1e-9  # the plateau

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图：$\beta$ 越大，越早的梯度权重衰减得越慢，窗口越长。右图：梯度下降只在 $\eta\lambda<2$ 时收敛，而且 $\eta\lambda$ 很小（平坦方向）时 $\rho=1-\eta\lambda$ 几乎等于 1——这就是山谷里爬不动的原因；动量把收敛区间放宽到 $2(1+\beta)$，并在 $\eta\lambda$ 小时把每步缩小的量 $1-\rho$ 放大约 $1/(1-\beta)$ 倍。上面的数字说明，在山谷的平坦方向上，动量每步缩小的比例是梯度下降的约 10 倍，而且实测的动量路径正按预测的 $\rho$ 收敛。代价是：$\eta\lambda$ 落在中间一段时，动量的 $\rho=\sqrt\beta$ 反而比梯度下降大（右图中间的平台），在陡峭方向上会多震荡几次。
#
# ### 动量能冲出局部最小值（Local Minimum）吗？
#
# 笔记说，即使走到梯度为 0 的局部最小值，上一步留下的 $m$ 也可能把参数带出去。用一维函数试一试：一个最低点在 $x=4$ 的抛物线，在 $x\approx1$ 处挖一个小坑：$f(x)=0.05(x-4)^2-A\,e^{-(x-1)^2/0.08}$。$A=0.4$ 时小坑是一个较差的局部最小值；$A=0.6$ 时小坑更深，反而成了全局最小值（Global Minimum）。从 $x=-2$ 出发，η = 0.1，各走 300 步：


# %%
def dip_curve(depth):
    return lambda x: 0.05 * (x[0] - 4) ** 2 - depth * torch.exp(-((x[0] - 1) ** 2) / 0.08)


xs_1d = torch.linspace(-2.5, 6.0, 400, dtype=torch.float64)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
ends = {}
for ax, depth in zip(axes, (0.4, 0.6), strict=True):
    f1 = dip_curve(depth)
    ax.plot(xs_1d, f1(xs_1d[None]), "k-", lw=1, label="f(x)")
    for b, marker in ((0.0, "."), (0.5, "^"), (0.9, ".")):
        name, hp = ("GD", {"lr": 0.1}) if b == 0 else ("Momentum", {"lr": 0.1, "momentum": b})
        t = mu.landscape.optimizer_path(f1, [-2.0], name, 300, **hp)
        ends[depth, b] = float(t.final[0])
        ax.plot(
            t.points[:, 0],
            t.losses,
            marker,
            ms=3 if marker == "." else 4,
            color=mu.METHOD_COLORS[name],
            alpha=1.0 if b != 0.5 else 0.6,
            label=f"{name if b == 0 else f'{name} β={b}'}: ends at x = {t.final[0]:.2f}",
        )
    ax.set(title=f"Dip depth A = {depth}", xlabel="x", ylabel="f(x)")
    ax.legend(fontsize="small")
fig.tight_layout()
plt.show()
assert abs(ends[0.4, 0.0] - 1.03) < 0.05 and abs(ends[0.4, 0.5] - 1.03) < 0.05  # stuck in the poor dip
assert abs(ends[0.4, 0.9] - 4.0) < 0.05  # momentum rolls through it to the better minimum
assert abs(ends[0.6, 0.9] - 4.0) < 0.05 and abs(ends[0.6, 0.0] - 1.0) < 0.1  # ... and out of a good one too

# %% [markdown] slideshow={"slide_type": "fragment"}
# 图中的点是每一步所在的位置（蓝色是 GD，橙色是动量，三角形是 β=0.5）。左图（$A=0.4$）：GD 和 β=0.5 的动量都停在 $x\approx1.03$ 的坑里，β=0.9 的动量带着足够的速度冲过小坑，停在更低的 $x=4$。右图（$A=0.6$）提醒我们惯性不分好坏：这次小坑才是最低点，GD 停在了那里，β=0.9 的动量却同样冲了出去，停在较差的 $x=4$。动量能不能“逃出”局部最小值，取决于坑的深浅和 β、η 的大小，并不是一定的好处。
#
# ## 3. 自适应学习率：给每个参数各自的步长
#
# 另一种思路是让每个参数 $\theta_i$ 有自己的学习率：用它过去梯度的大小 $\sigma_i^t$ 去除 η。笔记的第一个版本取所有过去梯度的**均方根**：
#
# $$\theta_i^{t+1}=\theta_i^{t}-\frac{\eta}{\sigma_i^{t}}\,g_i^{t},\qquad
# \sigma_i^{t}=\sqrt{\frac{1}{t+1}\sum_{\tau=0}^{t}\big(g_i^{\tau}\big)^2}.$$
#
# 坡陡的参数 $\sigma$ 大、步子小；坡缓的参数 $\sigma$ 小、步子大。RMSProp 把“所有过去一视同仁”换成指数加权，让最近的梯度说了算：$(\sigma_i^t)^2=\alpha(\sigma_i^{t-1})^2+(1-\alpha)(g_i^t)^2$。Adam 则是 RMSProp 加上动量（并对两者的初始偏差做校正，本节后面逐项推导）。四种规则都在 `mu.optimizers` 里，每个 `_update` 就是一条公式：

# %% tags=["nbval-check-output"]
mu.show_source(mu.optimizers.RMS._update, mu.optimizers.RMSProp._update, mu.optimizers.Adam._update)

# %% [markdown] slideshow={"slide_type": "fragment"}
# 下面让它们在山谷里各走 1000 步：

# %%
adaptive = {
    "GD η=0.98×limit": edge,
    "Momentum": mom,
    "RMS η=0.1": mu.landscape.optimizer_path(bowl, START, "RMS", 1000, lr=0.1),
    "RMSProp η=0.03 α=0.9": mu.landscape.optimizer_path(bowl, START, "RMSProp", 1000, lr=0.03, alpha=0.9),
    "Adam η=0.1": mu.landscape.optimizer_path(bowl, START, "Adam", 1000, lr=0.1),
}
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12, 4.2))
mu.plot_contour(ws, bs, Z, ax=ax0, log=True, title="Adaptive learning rates on the long valley")
xp.plot_paths({k: adaptive[k] for k in ("GD η=0.98×limit", "RMS η=0.1", "Adam η=0.1")}, ax=ax0)
for name, t in adaptive.items():
    ax1.semilogy(np.maximum(t.losses, 1e-30), label=name, color=xp.method_color(name))
ax1.set(title="Loss per step", xlabel="step", ylabel="L (log scale, floored at 1e-30)")
ax1.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 自适应的路径不再在两壁间横跳：先走下陡坡，再沿谷底以近乎恒定的步长前进。把“损失第一次低于 $10^{-3}$ 的步数”列出来（1000 步内没到则记为“—”）：


# %% tags=["nbval-check-output"]
def first_below(losses, level=1e-3):
    hit = np.flatnonzero(np.asarray(losses) < level)
    return int(hit[0]) if hit.size else None


reach = {name: first_below(t.losses) for name, t in adaptive.items()}
for name, step in reach.items():
    print(f"{name:22s} reaches L < 1e-3 at step {step if step is not None else '—'}")
assert reach["GD η=0.98×limit"] is None
assert reach["RMS η=0.1"] < 900 and reach["Adam η=0.1"] < 900
rmsprop_tail = adaptive["RMSProp η=0.03 α=0.9"].losses[-200:]
print(f"RMSProp, last 200 steps: L between {rmsprop_tail.min():.1e} and {rmsprop_tail.max():.1e}")
assert reach["RMSProp η=0.03 α=0.9"] is None and rmsprop_tail.max() < 0.1
assert min((s, n) for n, s in reach.items() if s is not None)[1] == "Momentum"  # momentum is the fastest here

# %% [markdown] slideshow={"slide_type": "fragment"}
# 最快的固定 η 梯度下降 1000 步都没有把损失降到 $10^{-3}$ 以下；RMS 和 Adam 在 900 步之内做到了。两个不那么“教科书”的结果也要说清楚：
#
# - **动量**在这个曲面上其实最快（第 2 节的 η 与 β）。山谷是二次的、方向固定，正是动量最擅长的情形。
# - **RMSProp**（η=0.03, α=0.9）很快来到最低点附近，却停不下来：α 较小时 σ 几乎就是最近几步的 $|g|$，每步的长度始终约为 η，于是在最低点周围来回跳，损失停在 $10^{-3}$ 以上。要让它停稳，η 本身得变小——这正是第 5 节学习率调度的用处。
#
# ### σ 在每个方向上各是多少？
#
# 因为曲面是二次的，梯度就是 $g=H(\theta-\theta^*)$。用 RMS 路径上每一点的梯度，按定义直接算出 $\sigma_w^t,\sigma_b^t$，以及每个参数实际的学习率 $\eta/\sigma$：

# %%
rms = adaptive["RMS η=0.1"]
g_path = (rms.points - np.array([4.0, 1.0])) @ H_hand.numpy()  # (steps+1, 2); H is symmetric
sigma = np.sqrt(np.cumsum(g_path**2, axis=0) / np.arange(1, len(g_path) + 1)[:, None])  # (steps+1, 2)
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.semilogy(0.1 / sigma[:-1, 0], color=mu.METHOD_COLORS["RMS"], label="η/σ for w (flat)")
ax.semilogy(0.1 / sigma[:-1, 1], "--", color=mu.METHOD_COLORS["RMS"], label="η/σ for b (steep)")
ax.axhline(2 / 100, color="k", ls=":", label="2 / (d²L/db²) = 0.02")
ax.set(title="Per-parameter learning rate of the RMS rule", xlabel="step", ylabel="η / σ (log scale)")
ax.legend()
plt.show()
rate = 0.1 / sigma  # (steps+1, 2)
print(
    f"step 100: η/σ_w = {rate[100, 0]:.4f}, η/σ_b = {rate[100, 1]:.4f} (ratio {rate[100, 0] / rate[100, 1]:.1f})"
)
print(f"step 800: η/σ_b = {rate[800, 1]:.4f}")
assert abs(rate[100, 0] / rate[100, 1] - 3.5) < 0.35  # "about 3.5 times"
assert 0.8 * 0.02 < rate[800, 1] < 0.02  # close to the dotted line, still below it

# %% [markdown] slideshow={"slide_type": "fragment"}
# 平缓的 $w$ 方向得到的学习率是陡峭的 $b$ 方向的 3.5 倍左右（上面打印的 ratio），而且不需要我们事先知道哪个方向陡——这是固定 η 做不到的。（倍数不算很大，是因为山谷是斜的：走下陡坡的那几步里，$w$ 的梯度也很大，把 $\sigma_w$ 撑大了。）
#
# 再看 $b$ 那条线：参数走到谷底附近后梯度越来越小，而 $\sigma_b$ 是**所有**过去梯度的平均，分母 $t+1$ 还在一直变大，于是 $\sigma_b$ 不断变小、$b$ 的学习率不断变大，到第 800 步已达到虚线的 80% 以上——虚线是 $b$ 方向按梯度下降算的稳定上限 $2/100$。第 5 节会看到越过它的后果。
#
# ### Adam：动量 + RMSProp + 偏差校正
#
# Adam 给每个参数维护两个指数加权平均：梯度的平均 $m_t$（动量，系数 $\beta_1$）和梯度平方的平均 $v_t$（RMSProp，系数 $\beta_2$），都从 0 开始，$t=1,2,\dots$：
#
# $$m_t=\beta_1m_{t-1}+(1-\beta_1)g_t,\qquad v_t=\beta_2v_{t-1}+(1-\beta_2)g_t^2,\qquad \hat m_t=\frac{m_t}{1-\beta_1^t},\quad \hat v_t=\frac{v_t}{1-\beta_2^t},\qquad \theta_t=\theta_{t-1}-\eta\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}.$$
#
# 为什么要除以 $1-\beta_1^t$？把 $m_t$ 展开：$m_t=(1-\beta_1)\sum_{k=1}^{t}\beta_1^{\,t-k}g_k$，权重之和是
#
# $$(1-\beta_1)\big(1+\beta_1+\dots+\beta_1^{t-1}\big)=(1-\beta_1)\frac{1-\beta_1^t}{1-\beta_1}=1-\beta_1^t .$$
#
# 权重加起来不到 1，因为 $m_0=0$ 这个"假的过去"占了剩下的 $\beta_1^t$。若梯度一直是同一个 $g$，$m_t=(1-\beta_1^t)g$，开头几步远小于 $g$（$t=1$ 时只有 $0.1g$）。除以 $1-\beta_1^t$ 正好把权重之和补成 1，得到真正的加权平均；$v_t$ 同理（$\beta_2=0.999$ 时不校正的偏差要上千步才消失）。
#
# 笔记把各种方法写成一个统一的形式：$\theta_i^{t+1}=\theta_i^t-\dfrac{\eta^t}{\sigma_i^t}\,m_i^t$。Adam 就是其中一种取法：$m^t=\hat m_t$（动量，过去梯度的加权平均，不带 $-\eta$），$\sigma^t=\sqrt{\hat v_t}+\epsilon$（RMSProp），$\eta^t=\eta$（再配上学习率调度就是随时间变化的 $\eta^t$）。
#
# 下面从零写出这几行公式，在一个随机的小线性回归上与 `torch.optim.Adam` 逐步比较参数，并用统一形式再算一遍每一步的更新：

# %% tags=["nbval-check-output"]
b1, b2, adam_eta, adam_eps = 0.9, 0.999, 0.01, 1e-8
for t in (1, 2, 10, 100):
    weights = (1 - b1) * b1 ** (t - np.arange(1, t + 1))  # weight of g_1 ... g_t in m_t
    assert abs(weights.sum() - (1 - b1**t)) < 1e-12
print("weights of m_t sum to 1 - β1^t for t = 1, 2, 10, 100")

gen = torch.Generator().manual_seed(SEED)
X_lin, y_lin = torch.randn(64, 5, generator=gen, dtype=torch.float64), torch.randn(64, generator=gen, dtype=torch.float64)
w_torch = torch.zeros(5, dtype=torch.float64, requires_grad=True)
opt_adam = torch.optim.Adam([w_torch], lr=adam_eta, betas=(b1, b2), eps=adam_eps)
w_hand, m_t, v_t = torch.zeros(5, dtype=torch.float64), torch.zeros(5, dtype=torch.float64), torch.zeros(5, dtype=torch.float64)
for t in range(1, 201):
    opt_adam.zero_grad()
    ((X_lin @ w_torch - y_lin) ** 2).mean().backward()
    g = w_torch.grad.detach().clone()  # same parameters on both sides, so the same gradient
    opt_adam.step()
    m_t = b1 * m_t + (1 - b1) * g
    v_t = b2 * v_t + (1 - b2) * g**2
    m_hat, v_hat = m_t / (1 - b1**t), v_t / (1 - b2**t)
    step_hand = adam_eta * m_hat / (v_hat.sqrt() + adam_eps)
    sigma_t = v_hat.sqrt() + adam_eps  # the notes' combined form: (eta^t / sigma^t) * m^t
    torch.testing.assert_close(adam_eta / sigma_t * m_hat, step_hand)
    w_hand = w_hand - step_hand
    torch.testing.assert_close(w_hand, w_torch.detach(), rtol=1e-12, atol=1e-14)
print("hand-written Adam == torch.optim.Adam at all 200 steps")
w1 = torch.zeros(2, dtype=torch.float64, requires_grad=True)
g1 = torch.tensor([3.0, -0.02], dtype=torch.float64)  # one large and one small gradient
opt_first = torch.optim.Adam([w1], lr=adam_eta, betas=(b1, b2), eps=adam_eps)
(w1 @ g1).backward()
opt_first.step()
raw = adam_eta * ((1 - b1) * g1) / ((1 - b2) * g1**2).sqrt()  # the same first step without the corrections
print(f"first step of torch.optim.Adam: {w1.detach().abs().numpy().round(6).tolist()}; without correction: {raw.abs().numpy().round(6).tolist()}")
torch.testing.assert_close(w1.detach().abs(), torch.full((2,), adam_eta, dtype=torch.float64), rtol=1e-5, atol=0)

# %% [markdown] slideshow={"slide_type": "fragment"}
# 手写的几行公式与 `torch.optim.Adam` 200 步逐步相同（相对差 $10^{-12}$ 以内），统一形式 $\frac{\eta^t}{\sigma^t}m^t$ 给出同一个更新。最后一行是偏差校正的作用：第一步时 $\hat m_1=g_1$、$\sqrt{\hat v_1}=|g_1|$，所以不论梯度是 3 还是 −0.02，每个坐标都正好走 $\eta=0.01$；不校正的话是 $\eta\cdot0.1/\sqrt{0.001}\approx3.16\,\eta$——因为 $v$ 的偏差（$1-\beta_2$ 很小）比 $m$ 的更严重，第一步反而太大。练习 4 会让你自己写一步 Adam。
#
# ## 4. 与 `torch.optim` 的对应关系
#
# | 笔记 / `mu.optimizers` | torch | 关系 |
# |---|---|---|
# | `GD(lr=η)` | `SGD(lr=η)` | 相同 |
# | `Momentum(lr=η, momentum=β)` | `SGD(lr=η, momentum=β)` | η 不变时相同（$m=-\eta b$）；η 随时间变化时不同 |
# | `RMS(lr=η, eps=0)` | `Adagrad(lr=η, eps=0)` × `LambdaLR(√(t+1))` | Adagrad 对 $g^2$ **求和**不取平均，所以它的步长小 $\sqrt{t+1}$ 倍 |
# | `RMSProp(..., init="zero")` | `RMSprop(lr, alpha, eps)` | 相同；笔记默认 $\sigma^0=\lvert g^0\rvert$，torch 从 0 开始，第一步长 $1/\sqrt{1-\alpha}$ 倍 |
# | `Adam(lr, betas, eps)` | `Adam(lr, betas, eps)` | 相同 |
#
# 在曲面上各走 500 步，量出每一对路径的最大坐标差（float64）：

# %% tags=["nbval-ignore-output"]
sqrt_t = lambda t: float(np.sqrt(t + 1))
warm = mu.schedules.warmup_then_decay(20)
pairs = {  # name: (ours, theirs, should match)
    "GD vs SGD": (("GD", {"lr": 0.018}), (torch.optim.SGD, {"lr": 0.018}), True),
    "Momentum vs SGD(momentum)": (
        ("Momentum", {"lr": eta, "momentum": 0.9}),
        (torch.optim.SGD, {"lr": eta, "momentum": 0.9}),
        True,
    ),
    "RMS vs Adagrad x sqrt(t+1)": (
        ("RMS", {"lr": 0.1, "eps": 0.0}),
        (torch.optim.Adagrad, {"lr": 0.1, "eps": 0.0, "schedule": sqrt_t}),
        True,
    ),
    "RMSProp(zero) vs RMSprop": (
        ("RMSProp", {"lr": 0.03, "alpha": 0.9, "init": "zero"}),
        (torch.optim.RMSprop, {"lr": 0.03, "alpha": 0.9}),
        True,
    ),
    "Adam vs Adam": (("Adam", {"lr": 0.1}), (torch.optim.Adam, {"lr": 0.1}), True),
    "RMS vs plain Adagrad": (
        ("RMS", {"lr": 0.1, "eps": 0.0}),
        (torch.optim.Adagrad, {"lr": 0.1, "eps": 0.0}),
        False,
    ),
    "RMSProp(notes) vs RMSprop": (
        ("RMSProp", {"lr": 0.03, "alpha": 0.9}),
        (torch.optim.RMSprop, {"lr": 0.03, "alpha": 0.9}),
        False,
    ),
    "Momentum vs SGD, warm-up": (
        ("Momentum", {"lr": eta, "momentum": 0.9, "schedule": warm}),
        (torch.optim.SGD, {"lr": eta, "momentum": 0.9, "schedule": warm}),
        False,
    ),
}
match_table = {}
for name, ((a, hp_a), (b, hp_b), same) in pairs.items():
    diff = np.abs(
        mu.landscape.optimizer_path(bowl, START, a, 500, **hp_a).points
        - mu.landscape.optimizer_path(bowl, START, b, 500, **hp_b).points
    ).max()
    match_table[name] = diff
    print(
        f"{name:28s} max |Δθ| over 500 steps = {diff:.1e}  ({'should match' if same else 'differs by design'})"
    )
    assert (diff <= 1e-6) if same else (diff > 1e-3), name
first_notes = mu.landscape.optimizer_path(bowl, START, "RMSProp", 1, lr=0.03, alpha=0.9).points
first_torch = mu.landscape.optimizer_path(bowl, START, torch.optim.RMSprop, 1, lr=0.03, alpha=0.9).points
ratio_first = np.linalg.norm(first_torch[1] - first_torch[0]) / np.linalg.norm(first_notes[1] - first_notes[0])
print(f"first RMSProp step, torch / notes: {ratio_first:.3f} (1/sqrt(1 - 0.9) = {1 / np.sqrt(0.1):.3f})")
assert abs(ratio_first - 1 / np.sqrt(0.1)) < 0.01

# %% [markdown] slideshow={"slide_type": "fragment"}
# 五对“应当相同”的路径最大差都在 $10^{-6}$ 以内（实际在浮点舍入量级）；三对“本来就不同”的规则差别都大于 $10^{-3}$：Adagrad 的累加使它比笔记的 RMS 慢得多，RMSProp 的两种初始化让第一步相差约 $1/\sqrt{1-0.9}\approx3.2$ 倍，动量在学习率变化时两种写法走出不同的路径。
#
# ## 5. RMS 规则的“爆炸”与学习率调度
#
# 笔记提到：用 RMS 或 RMSProp 时，参数在平缓的地方走了很久之后，会突然朝陡峭方向猛冲出去，然后再慢慢回来。原因在第 3 节最后一张图里：$b$ 在谷底附近的梯度几乎为 0，$\sigma_b$ 越来越小，$\eta/\sigma_b$ 越来越大；一旦 $\eta/\sigma_b$ 超过陡峭方向的稳定上限（大约 $2/100$），$b$ 方向就像学习率过大的梯度下降一样被甩出去，直到新出现的大梯度把 $\sigma_b$ 重新撑大。
#
# 笔记给出的药方是让 η 随时间变化：$\theta_i^{t+1}=\theta_i^t-\dfrac{\eta^t}{\sigma_i^t}g_i^t$。`mu.schedules.warmup_then_decay` 给出一个乘在 η 上的系数 $f(t)$，可以直接交给 `torch.optim.lr_scheduler.LambdaLR`。下面比较五种调度：不调度、只预热 100 步、$1/\sqrt{t+1}$ 衰减、余弦衰减（Cosine Decay）、预热 100 步再余弦衰减。

# %%
STEPS = 2500
schedules = {
    "constant": None,
    "warm-up 100": mu.schedules.warmup_then_decay(100, decay="none"),
    "1/sqrt(t+1) decay": mu.schedules.warmup_then_decay(0, decay="inverse_sqrt"),
    "cosine decay": mu.schedules.warmup_then_decay(0, decay="cosine", total_steps=STEPS),
    "warm-up 100 + cosine": mu.schedules.warmup_then_decay(100, decay="cosine", total_steps=STEPS),
}
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, f in schedules.items():
    factors = np.ones(STEPS) if f is None else mu.schedules.schedule_factors(f, STEPS)
    ax.plot(np.arange(1, STEPS + 1), factors, "k--" if f is None else "-", label=name)
ax.set(
    title="Learning-rate multipliers f(t)", xlabel="step t + 1 (log scale)", ylabel="η_t / η", xscale="log"
)
ax.legend(fontsize="small")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 横轴是对数刻度，便于同时看清前 100 步预热的斜坡和后面的衰减。注意 $1/\sqrt{t+1}$ 衰减乘上 RMS 正好抵消 $\sigma$ 里的 $1/(t+1)$——它就是第 4 节表格里的 Adagrad。现在用 η = 0.1 的 RMS 规则，每种调度各走 2500 步：

# %%
long_runs = {
    name: mu.landscape.optimizer_path(bowl, START, "RMS", STEPS, lr=0.1, schedule=f) for name, f in schedules.items()
}
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(13, 4.2))
for name, t in long_runs.items():
    ax0.semilogy(np.maximum(t.losses, 1e-30), label=name, lw=1)
    ax1.plot(t.points[:, 1] - 1 - 0.3 * (t.points[:, 0] - 4), label=name, lw=1)
ax0.set(title="RMS rule, η = 0.1: loss", xlabel="step", ylabel="L (log scale, floored at 1e-30)")
ax1.set(title="Distance from the valley floor", xlabel="step", ylabel="b − floor(w)", ylim=(-1.5, 1.5))
ax0.legend(fontsize="small")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图蓝线（不调度）在损失已经降到很低之后一次次突然跳高好几个数量级，右图对应的是 $b$ 被甩离谷底——这就是笔记说的“爆炸”。用 `xp.loss_spikes` 数一数损失跳到此前最低值 10 倍以上的次数：

# %% tags=["nbval-check-output"]
spikes = {name: xp.loss_spikes(t.losses, factor=10) for name, t in long_runs.items()}
for name, t in long_runs.items():
    first = spikes[name][0] if len(spikes[name]) else "—"
    reached = first_below(t.losses)
    print(
        f"{name:22s} spikes: {len(spikes[name]):2d}  first at step {first!s:>5}  "
        f"L < 1e-3 at step {reached if reached is not None else '—'!s:>5}  final L = {t.losses[-1]:.1e}"
    )
assert len(spikes["constant"]) >= 2
for name in ("1/sqrt(t+1) decay", "cosine decay", "warm-up 100 + cosine"):
    assert len(spikes[name]) == 0, name
assert long_runs["cosine decay"].losses[-1] < 1e-6 < long_runs["1/sqrt(t+1) decay"].losses[-1]
assert first_below(long_runs["cosine decay"].losses) < 1.1 * first_below(long_runs["constant"].losses)  # "相近"
assert long_runs["1/sqrt(t+1) decay"].losses[-1] > 0.1  # stable but still far from the minimum
assert first_below(long_runs["warm-up 100"].losses) > 1.5 * first_below(long_runs["constant"].losses)  # later
assert first_below(long_runs["warm-up 100 + cosine"].losses) is None  # not below 1e-3 within 2500 steps

# %% [markdown] slideshow={"slide_type": "fragment"}
# 结果：
#
# - **不调度**：反复爆炸（上面打印了次数和第一次的位置），笔记的现象在这里完整重现。
# - **$1/\sqrt{t+1}$ 衰减**（即 Adagrad）：从不爆炸，但步长也跟着越来越小，2500 步后损失仍然很大——稳定，却慢。
# - **余弦衰减**：η 在后期趋于 0，压住了爆炸；前期步子仍大，到达 $L<10^{-3}$ 的速度与不调度相近。（不调度的那条线在两次爆炸之间收敛得极快，最终损失反而最低——爆炸并不妨碍它“平均来说”收敛，但任何时刻停下来都可能正好停在一次爆炸里。）
# - **只预热**：在 η = 0.1 时 2500 步内也没有爆炸。它并没有消除原因（σ 仍然会变小），只是前期步子小、走得慢，陡峭方向积累了更多大梯度，σ 变小得更晚（代价是到达 $L<10^{-3}$ 晚了许多步）。
# - **预热 + 余弦衰减**：也不爆炸，但前面预热、后面衰减，总的步长变小了，2500 步内还没降到 $10^{-3}$。
#
# 预热是真的消除了爆炸，还是只把它推迟了？把 η 加到 0.3 再看一次：

# %% tags=["nbval-check-output"]
spikes_03 = {}
for name, f in schedules.items():
    t = mu.landscape.optimizer_path(bowl, START, "RMS", STEPS, lr=0.3, schedule=f)
    spikes_03[name] = xp.loss_spikes(t.losses, factor=10)
    print(f"η = 0.3, {name:22s} spikes: {len(spikes_03[name]):2d}  at steps {spikes_03[name][:4].tolist()}")
assert len(spikes_03["constant"]) >= 3 and len(spikes_03["warm-up 100"]) >= 1
assert len(spikes_03["1/sqrt(t+1) decay"]) == 0
assert all(len(v) >= 1 for n, v in spikes_03.items() if n != "1/sqrt(t+1) decay")  # only 1/sqrt never spikes
assert spikes_03["warm-up 100"][0] > spikes_03["constant"][0]  # warm-up only postpones the first spike
assert np.all(spikes_03["cosine decay"] < STEPS // 2)  # cosine: spikes only while η is still large

# %% [markdown] slideshow={"slide_type": "fragment"}
# η = 0.3 时，只预热照样爆炸（只是来得晚一些）；余弦衰减在前半程 η 仍大的时候也会爆炸几次，后半程 η 变小后就平静了；只有 $1/\sqrt{t+1}$ 衰减一次都不爆炸。结论：**预热**管的是开头几步（那时 σ 的估计还不可靠，步子容易过大），对后期的爆炸只能推迟；**衰减**才对付后期的爆炸，而保证不爆炸的是让 $\eta^t$ 下降得至少和 $\sigma$ 一样快。
#
# ## 6. 动手试试：选一个优化器
#
# 选择优化器、学习率 η、动量 β（Adam 里当作 $\beta_1$）和 RMSProp 的 α（Adam 里当作 $\beta_2$），看路径如何变化。先给一张不需要内核的静态图：五种规则各用一组合适的参数走 300 步，每种方法一个颜色（全课程统一，见 `mu.METHOD_COLORS`），最后一幅是它们的损失曲线。

# %%
presets = {
    "GD": {"lr": 0.018},
    "Momentum": {"lr": 0.005, "momentum": 0.9},
    "RMS": {"lr": 0.1},
    "RMSProp": {"lr": 0.03, "alpha": 0.9},
    "Adam": {"lr": 0.1, "betas": (0.9, 0.999)},
}
preset_paths = {name: mu.landscape.optimizer_path(bowl, START, name, 300, **hp) for name, hp in presets.items()}
(x_lo, x_hi), (y_lo, y_hi) = xp.path_limits(preset_paths.values())  # a surface grid that holds every path
ws_p, bs_p = np.linspace(min(x_lo, -4.5), max(x_hi, 6.0), 200), np.linspace(min(y_lo, -3.0), max(y_hi, 3.0), 160)
Z_p = mu.landscape.evaluate_grid(lambda W, B: xp.elongated_bowl(W, B), ws_p, bs_p)
fig, axes = plt.subplots(2, 3, figsize=(12, 7.5))
for ax, (name, t) in zip(axes.flat[:5], preset_paths.items(), strict=True):
    knobs = ", ".join(f"{k}={v}" for k, v in presets[name].items()).replace("momentum", "β")
    mu.plot_contour(ws_p, bs_p, Z_p, ax=ax, log=True, title=f"{name} ({knobs})\nL(300) = {t.losses[-1]:.1e}")
    xp.plot_paths({name: t}, ax=ax)
    ax.title.set_fontsize(10)
for name, t in preset_paths.items():
    axes.flat[5].semilogy(np.maximum(t.losses, 1e-30), color=mu.METHOD_COLORS[name], label=name)
axes.flat[5].set(title="Loss of the five paths", xlabel="step", ylabel="L (log scale)")
axes.flat[5].legend(fontsize="small")
fig.tight_layout()
plt.show()
inside = all(
    np.all((t.points[:, 0] >= ws_p[0]) & (t.points[:, 0] <= ws_p[-1]) & (t.points[:, 1] >= bs_p[0]) & (t.points[:, 1] <= bs_p[-1]))
    for t in preset_paths.values()
)
assert inside  # every path is drawn whole
closest = min(preset_paths, key=lambda n: preset_paths[n].losses[-1])
print("L(300):", {n: f"{t.losses[-1]:.1e}" for n, t in preset_paths.items()}, "| lowest:", closest)
assert closest == "Momentum"
assert all(0.4 < t.losses[-1] < 0.8 for n, t in preset_paths.items() if n != "Momentum")  # the other four: 0.4..0.8

# %% [markdown] slideshow={"slide_type": "fragment"}
# 300 步时，动量离最低点最近（这个二次曲面正合它的胃口）；GD 与三种自适应规则的损失都还在 0.4～0.8 之间，区别在路上：GD 的 η 必须贴着 $2/\lambda_{\max}$ 才走得动，于是在两壁间横跳；自适应规则不需要知道曲率，下坡之后笔直地沿谷底前进。


# %% tags=["nbval-ignore-output"]
def draw_optimizer(ax, name, lr, momentum, alpha, steps):
    traj = mu.landscape.optimizer_path(bowl, START, name, steps, **mu.optimizers.optimizer_knobs(name, lr, momentum, alpha))
    mu.plot_contour(ws_p, bs_p, Z_p, ax=ax, log=True, title=f"{name}: L({steps}) = {traj.losses[-1]:.2e}")
    return xp.plot_paths({name: traj}, ax=ax)


optimizer_widget = mu.interactive_figure(
    draw_optimizer,
    figsize=(7, 4.5),
    name=mu.choice(list(mu.optimizers.OPTIMIZER_CLASSES), "RMS", "optimizer"),
    lr=mu.log_slider(0.1, 1e-3, 1.0, "η"),
    momentum=mu.float_slider(0.9, 0.0, 0.99, 0.01, "β (Adam: β1)"),
    alpha=mu.float_slider(0.9, 0.0, 0.999, 0.001, "α (Adam: β2)"),
    steps=mu.int_slider(300, 10, 2000, 10, "steps"),
)
optimizer_widget

# %% [markdown] slideshow={"slide_type": "fragment"}
# 可以试试：GD 把 η 调过 0.0183，路径立刻发散；RMS 把步数加到 2000，会看到第 5 节的爆炸；再自己找找答案：Momentum 把 β 调到 0.99 会怎样？RMSProp 把 α 调小（σ 只记得最近几步）又会怎样？
#
# ## 7. 真实训练：MNIST-1D 上的比较
#
# 最后在真实的分类任务上比一比。数据是 MNIST-1D（4000 条训练信号，每条 40 个点，10 类），网络是 40-128-128-10 的 ReLU 多层感知机（Multilayer Perceptron, MLP）。对每个随机种子，所有优化器从**同一组初始权重**出发、看到**同样顺序的小批量（Mini-batch）**（每批 128 条），每 25 步在整个训练集上测一次交叉熵（Cross-Entropy）。学习率是写本章时在种子 0 上、从每种规则的 2–3 个候选里按 600 步后的训练损失挑出来的（GD 1.0、Momentum 0.1、RMS 0.01、RMSProp 0.01、Adam 0.01）；下面只跑这些选定的值。15 次训练（5 个优化器 × 3 个种子）都由 `mu.fit` 完成，`xp.optimizer_race` 只负责让同一种子的各次训练共享起点和批次顺序。

# %% tags=["nbval-ignore-output"]
split = mu.load_mnist1d()
mean, std = split.x_train.mean(), split.x_train.std()
x_train = (split.x_train - mean) / std  # (4000, 40)


def make_mlp():
    return nn.Sequential(nn.Linear(40, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))


race = {
    "GD η=1.0": lambda p: mu.optimizers.GD(p, lr=1.0),
    "Momentum η=0.1 β=0.9": lambda p: mu.optimizers.Momentum(p, lr=0.1, momentum=0.9),
    "RMS η=0.01": lambda p: mu.optimizers.RMS(p, lr=0.01),
    "RMSProp η=0.01 α=0.99": lambda p: mu.optimizers.RMSProp(p, lr=0.01, alpha=0.99),
    "Adam η=0.01": lambda p: mu.optimizers.Adam(p, lr=0.01),
}
with mu.cpu_threads(1):  # tiny matrices: one CPU thread is faster than several that wait for each other
    runs = xp.optimizer_race(
        make_mlp, x_train, split.y_train, race, steps=600, seeds=(0, 1, 2), eval_every=25, device=DEVICE
    )  # {name: one History per seed}, each trained by mu.fit
steps = runs["GD η=1.0"][0].steps_of("train_loss")  # 0, 25, ..., 600
curves = {name: np.stack([h["train_loss"] for h in runs[name]]) for name in race}  # (seeds, evaluations)
fig, ax = plt.subplots(figsize=(8, 4.5))
for name in race:
    mu.plot_seed_band(runs[name], "train_loss", ax=ax, label=name, color=xp.method_color(name))
ax.set(
    title="MNIST-1D, MLP 40-128-128-10: training loss (mean, band = min..max over 3 seeds)",
    xlabel="step",
    ylabel="cross-entropy on the training set",
    yscale="log",
)
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 曲线是 3 个种子的平均，色带是最小到最大。把第 100 步和第 600 步的数值列出来：

# %% tags=["nbval-ignore-output"]
i100, i600 = list(steps).index(100), list(steps).index(600)
print(f"{'optimizer':24s} {'L(100) mean':>12s} {'L(600) mean':>12s} {'L(600) min..max':>18s}")
for name in race:
    c = curves[name]
    print(
        f"{name:24s} {c[:, i100].mean():12.3f} {c[:, i600].mean():12.3f}   {c[:, i600].min():.3f}..{c[:, i600].max():.3f}"
    )
print("per seed, L(600):", {name: curves[name][:, i600].round(3).tolist() for name in race})
gd, mom = curves["GD η=1.0"], curves["Momentum η=0.1 β=0.9"]
print("per seed, L(100):", {name: curves[name][:, i100].round(3).tolist() for name in race})
for name in ("RMS η=0.01", "RMSProp η=0.01 α=0.99", "Adam η=0.01"):
    assert np.all(curves[name][:, i100] < gd[:, i100]), name  # adaptive rules ahead early, on every seed
for name in ("RMS η=0.01", "Adam η=0.01"):
    assert curves[name][:, i600].mean() < 0.85 * gd[:, i600].mean(), name
assert min(race, key=lambda n: curves[n][:, i600].mean()) == "RMS η=0.01"
def ranges_overlap(a, b):  # the min..max over seeds of two runs overlap
    return a.min() <= b.max() and b.min() <= a.max()


assert ranges_overlap(mom[:, i600], gd[:, i600])  # momentum ≈ GD with η/(1-β) by step 600, within the seed spread
assert ranges_overlap(curves["RMSProp η=0.01 α=0.99"][:, i600], gd[:, i600])  # RMSProp ≈ GD by step 600
assert np.all(mom[:, i100] < gd[:, i100])  # momentum ahead early (its m starts at 0: a built-in warm-up)
assert np.all(np.isfinite(np.stack([curves[n] for n in race])))

# %% [markdown] slideshow={"slide_type": "fragment"}
# 测量结果（数字见上表）：
#
# - 第 100 步时，在每个种子上三种自适应规则的训练损失都低于调好学习率的 GD（差距见上面逐个种子的数字）。
# - 第 600 步时，RMS 和 Adam 的平均损失仍明显低于 GD（低 15% 以上）；RMSProp 与 GD 已经差不多（3 个种子的取值范围互相重叠）。本例中笔记的 RMS 规则（600 步内）平均损失反而最低。一个可能的原因：小批量梯度始终带着噪声，σ 不会像在山谷里那样缩到接近 0，所以也没有出现爆炸（这里只测了 600 步）。
# - 动量（η=0.1, β=0.9）到第 600 步与 GD（η=1.0）相差不大（两者在 3 个种子上的取值范围互相重叠）：梯度方向稳定时动量的步长约为 $\eta/(1-\beta)=1.0$，正好等于 GD 的学习率。前期动量更好，因为 $m$ 从 0 开始慢慢积累，相当于自带预热，而 GD 一上来就用 1.0。
#
# 学习率是按种子 0 从很小的网格里挑的；换一个网格、网络或更多步数，名次可能会变——比较优化器时，公平地给每一个都调学习率，比选哪一个更重要。
#
# ## 8. 真实网络上的学习率调度；"损失不降"不等于"梯度很小"
#
# 第 5 节的调度是在二维曲面上比的。现在换到第 7 节的 MLP 和数据（同样的起点与批次），用 Adam，但把学习率开到 $\eta=0.05$（第 7 节的 5 倍），比较三种调度：不调度、余弦衰减、先预热 50 步再余弦衰减。调度是 `mu.schedules.warmup_then_decay` 给出的系数，交给 `torch.optim.lr_scheduler.LambdaLR`，由 `mu.fit` 每步调用一次（`xp.schedule_race`）。每 50 步在整个训练集上算一次交叉熵和梯度的范数（Gradient Norm）$\|\nabla L\|$（`xp.full_batch_stats`）。

# %% tags=["nbval-ignore-output"]
SCHED_STEPS = 600
real_schedules = {
    "constant": None,
    "cosine decay": mu.schedules.warmup_then_decay(0, decay="cosine", total_steps=SCHED_STEPS),
    "warm-up 50 + cosine": mu.schedules.warmup_then_decay(50, decay="cosine", total_steps=SCHED_STEPS),
}
SCHED_COLORS = {"constant": "0.25", "cosine decay": "tab:cyan", "warm-up 50 + cosine": "goldenrod"}
with mu.cpu_threads(1):
    sched_runs = xp.schedule_race(
        make_mlp, x_train, split.y_train, lambda p: torch.optim.Adam(p, lr=0.05), real_schedules,
        steps=SCHED_STEPS, seeds=(0, 1, 2), eval_every=50, device=DEVICE,
    )  # fmt: skip
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12, 4.2))
for name, hs in sched_runs.items():
    mu.plot_seed_band(hs, "full_loss", ax=ax0, label=name, color=SCHED_COLORS[name])
    mu.plot_seed_band(hs, "full_grad_norm", ax=ax1, label=name, color=SCHED_COLORS[name])
ax0.set(title="Adam η = 0.05: training loss (3 seeds)", xlabel="step", ylabel="cross-entropy on the training set")
ax1.set(title="Norm of the full-batch gradient", xlabel="step", ylabel="||grad L|| (log scale)", yscale="log")
ax0.legend()
fig.tight_layout()
plt.show()

# %% tags=["nbval-ignore-output"]
sched_steps = sched_runs["constant"][0].steps_of("full_loss")
late, tail = (sched_steps >= 300), (sched_steps >= 500)
loss_of = {n: np.stack([h["full_loss"] for h in hs]) for n, hs in sched_runs.items()}  # (seeds, evaluations)
gnorm_of = {n: np.stack([h["full_grad_norm"] for h in hs]) for n, hs in sched_runs.items()}
const_l, const_g = loss_of["constant"], gnorm_of["constant"]
drop = 1 - const_l[:, tail].mean(1) / const_l[:, (sched_steps >= 300) & (sched_steps < 400)].mean(1)
print("constant η, per seed: loss falls by", np.round(drop, 3).tolist(), "over steps 300..600")
print("constant η, per seed: mean ||grad|| over steps 300..600", const_g[:, late].mean(1).round(2).tolist(), "| at step 0:", const_g[:, 0].round(2).tolist())
for name in sched_runs:
    print(f"{name:20s} L(600) per seed {loss_of[name][:, -1].round(3).tolist()}   ||grad||(600) {gnorm_of[name][:, -1].round(3).tolist()}")
assert np.all(drop < 0.15)  # the loss has (almost) stopped falling ...
plateau = const_l[:, sched_steps >= 250]
assert 1.05 < plateau.min() and plateau.max() < 1.4  # "between 1.1 and 1.4 from step 250 on"
assert np.all(const_g[:, late].mean(1) > 3 * const_g[:, 0])  # ... while the gradient is larger than at the start
assert np.all(const_g[:, late].mean(1) > 10 * gnorm_of["cosine decay"][:, -1])  # and 10x the decayed run's
assert np.all(loss_of["cosine decay"][:, -1] < const_l[:, -1]) and np.all(gnorm_of["cosine decay"][:, -1] < 0.1)
assert np.all(loss_of["warm-up 50 + cosine"][:, -1] < 0.7 * loss_of["cosine decay"][:, -1])

# %% [markdown] slideshow={"slide_type": "fragment"}
# 测量结果（数字见上面的输出）：
#
# - **不调度**：大约从第 250 步起，训练损失就在 1.1～1.4 之间上下波动，后 300 步在每个种子上都只下降了不到 15%。但梯度一点也不小：后 300 步的平均梯度范数是刚开始时的 3 倍以上（右图灰色一直在高处，而且忽上忽下）。这正是讲义说的情形：**损失不再下降，不等于到了临界点**。一个常见的解释是 η 太大时参数在山谷的两壁之间来回跳（就像第 1 节的二维图），梯度始终很大，损失却降不下去；下一条说明把 η 降下来确实能继续往下走。
# - **余弦衰减**：从同一个起点出发，η 逐渐变小后，损失继续下降，梯度范数也跟着降到 0.1 以下，比不调度时平台上的梯度小 10 倍以上。
# - **预热 + 余弦衰减**：最终损失在每个种子上都比只做余弦衰减再低 30% 以上。一个可能的原因（这里没有单独测量）：开头 Adam 每个坐标大约走 $\eta$（上面推导的偏差校正正是为了这一点），$\eta=0.05$ 时一开始的这些大步把网络带到了更差的区域，而预热让前 50 步的步子从小到大。这里只测了一种网络、一个 $\eta$ 和 600 步：预热在 $\eta$ 较小时未必有这么大的作用。
#
# ## 小结
#
# - 误差曲面一个方向陡、一个方向平时，固定 η 的梯度下降要么来回震荡（η 接近 $2/\lambda_{\max}$），要么在平的方向上爬不动。
# - 动量 $m\leftarrow\beta m-\eta g$ 是过去梯度的加权和，有效窗口约 $1/(1-\beta)$ 步；同向的梯度累加，反向的互相抵消。沿每个特征方向，它把稳定范围放宽到 $\eta\lambda<2(1+\beta)$，在平坦方向上把收敛速度提高约 $1/(1-\beta)$ 倍。与 `torch.optim.SGD(momentum=β, lr=η)` 在 η 固定时逐步相同。
# - 自适应学习率用 $\sigma_i$ 给每个参数各自的步长：RMS 取全部历史的均方根，RMSProp 用指数加权，Adam = RMSProp + 动量 + 偏差校正（除以 $1-\beta^t$，把从 0 开始的加权平均的权重补成 1），都可以写成笔记的统一形式 $\frac{\eta^t}{\sigma^t}m^t$。笔记的 RMS 与 Adagrad 不同（平均 vs 求和），差一个 $\sqrt{t+1}$ 的学习率因子；笔记的 RMSProp 与 torch 只差初始化。
# - RMS 规则在平路上走久了，$\sigma$ 变小、步长变大，会突然爆炸；学习率衰减能压住它，预热只能推迟它，二者合用是常见做法。
# - 在 MNIST-1D 上，自适应规则前期明显更快；600 步时动量的效果接近把学习率放大 $1/(1-\beta)$ 倍的 GD。
# - 学习率太大时，损失会停在一个平台上，而梯度并不小；衰减学习率让它继续下降，预热再加衰减效果最好（本章测量的设置下）。
#
# ## 练习
#
# 每道题先把 `None` 换成你的答案再运行检查单元；参考答案在折叠的单元里（点击折叠处的 ••• 展开），它用另外的变量名，不会改动你的答案。
#
# **练习 1**：用笔记的动量公式，设 $\beta=0.9$、$\eta=0.1$、上一步的移动量 $m^0=(0.5,-1)$、当前梯度 $g=(2,1)$，新的移动量 $m^1$ 是多少？（参数见 `ex.MOMENTUM_STEP`。）

# %%
answer_1 = None  # the new movement m as two numbers
ex.check_momentum_step(answer_1)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
ms_ref = ex.MOMENTUM_STEP
answer_1_ref = ms_ref["momentum"] * np.array(ms_ref["m_prev"]) - ms_ref["lr"] * np.array(ms_ref["grad"])
assert ex.check_momentum_step(answer_1_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2**：写一个函数 `rms_sigma(grads)`：输入一个参数过去的全部梯度 $g^0,\dots,g^t$（一维列表或数组），返回笔记 RMS 规则里的 $\sigma^t$。


# %%
def rms_sigma(grads):
    return None  # your code


ex.check_rms_sigma(rms_sigma)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def rms_sigma_ref(grads):
    g = np.asarray(grads, dtype=np.float64)
    return float(np.sqrt(np.mean(g**2)))


assert ex.check_rms_sigma(rms_sigma_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3**：下面哪一个 `torch.optim.SGD` 的设置与笔记的 `Momentum(lr=η, momentum=β)`（η 固定）走出完全相同的路径？选项见 `ex.SGD_MAPPING_OPTIONS`。可以用 `mu.landscape.optimizer_path` 亲自试一试。

# %%
answer_3 = None  # one of ex.SGD_MAPPING_OPTIONS
ex.check_sgd_mapping(answer_3)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution: torch keeps b = -m / η, so the same lr and momentum give the same path.
answer_3_ref = "SGD(lr=η, momentum=β)"
assert ex.check_sgd_mapping(answer_3_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 4**：写出一步 Adam：`adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)`，输入当前参数、梯度、两个平均 $m_{t-1}$、$v_{t-1}$ 和步数 $t$（从 1 开始），返回新的 `(theta, m, v)`（都是张量）。公式见第 3 节的 Adam 推导，别忘了偏差校正。检查函数会用随机梯度把你的函数与 `torch.optim.Adam` 逐步比较，并指出第一个不一致的步。


# %%
def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    return None  # your code: return theta, m, v


ex.check_adam_step(adam_step)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def adam_step_ref(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (v_hat.sqrt() + eps), m, v


assert ex.check_adam_step(adam_step_ref)
print("参考答案已通过检查。")
