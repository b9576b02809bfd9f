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
# # 第 2 章 从 Sigmoid、ReLU 到神经网络
#
# **学习目标**
#
# - 看懂"任意折线 = 常数 + 若干个 hard sigmoid"，并用平滑的 sigmoid 去近似它；
# - 知道一个 hard sigmoid 恰好等于两个 ReLU（Rectified Linear Unit）之差；
# - 会把 $y = b + \mathbf{c}^\top \sigma(\mathbf{b} + W\mathbf{x})$ 写成张量运算，并亲手推导它的梯度，再和自动求导（autograd）对照；
# - 分清 batch、update、epoch、shuffle，会数一个 epoch 有多少次更新；
# - 在一条时间序列上比较 1–4 层网络，亲眼看到"更深"在训练集上更好、在留出数据上却不再变好。
#
# **如何使用本笔记本**：从上到下依次运行每个单元。滑块（widget）需要一个正在运行的内核（kernel），每个滑块旁边都有一张静态图，在 GitHub 或 HTML 里也能看到同样的意思。有 GPU 时会自动使用；想强制用 CPU，启动前设置环境变量 `MLNOTE_DEVICE=cpu`。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import mlnote_utils as mu
from mlnote_utils.exercises import ch02 as ex
from mlnote_utils.experiments import ch02 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 折线 = 常数 + 一串 hard sigmoid
#
# 线性模型只能画直线，这就是模型偏差（model bias）。更灵活的一类函数是**分段线性曲线**（piecewise linear curve）：由若干段直线首尾相连。关键观察是：这样的折线总能写成
#
# $$ y(x) = \text{常数} + \sum_i h_i\,\mathrm{ramp}_i(x), $$
#
# 其中每个 $\mathrm{ramp}_i$ 是一个 **hard sigmoid**：在 $x_i$ 左边为 0，在 $[x_i, x_{i+1}]$ 上线性升到 1，之后保持 1；$h_i$ 是第 $i$ 段的上升量 $y_{i+1}-y_i$，常数是曲线在第一个拐点的取值。下面把一条 4 段折线拆开，再加回去，和 NumPy 的线性插值 `np.interp` 对比。

# %% tags=["nbval-check-output"]
knots_x = np.array([0.0, 1.0, 2.5, 3.5, 5.0])
knots_y = np.array([1.0, 2.5, 0.5, 1.5, 1.0])
constant, pieces = mu.piecewise.hard_sigmoids_for_curve(knots_x, knots_y)
x = np.linspace(-0.5, 5.5, 601)
rebuilt = mu.piecewise.sum_of_hard_sigmoids(x, constant, pieces)
np.testing.assert_allclose(rebuilt, np.interp(x, knots_x, knots_y), atol=1e-12)
print("constant:", constant)
for p in pieces:
    print(f"ramp from x={p.lo:.1f} to x={p.hi:.1f}, height {p.height:+.1f}")
print(
    "sum of ramps equals np.interp everywhere:",
    bool(np.abs(rebuilt - np.interp(x, knots_x, knots_y)).max() < 1e-12),
)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].plot(x, rebuilt, "k", lw=2.5, label="piecewise-linear curve")
axes[0].plot(knots_x, knots_y, "ko")
axes[0].axhline(constant, color="0.6", ls=":", label="constant")
axes[0].set(title="target: a piecewise-linear curve", xlabel="x", ylabel="y")
axes[0].legend(fontsize="small")
for i, p in enumerate(pieces):
    axes[1].plot(x, mu.piecewise.hard_sigmoid(x, p.lo, p.hi, p.height), label=f"ramp {i + 1} (height {p.height:+.1f})")
axes[1].set(title="the same curve as ramps (add them + constant)", xlabel="x", ylabel="ramp value")
axes[1].legend(fontsize="small")
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图是目标折线；右图是拆出来的 4 个 hard sigmoid，每段折线对应一个。把右图的 4 条曲线逐点相加、再加上常数，就回到左图（上面的代码已经检查误差为 0）。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. 用平滑的 sigmoid 近似 hard sigmoid
#
# hard sigmoid 有尖角，不方便求导。常用平滑的 S 形曲线代替它：
#
# $$ c\,\mathrm{sigmoid}(b + w x) = \frac{c}{1 + e^{-(b + w x)}} . $$
#
# 三个参数各管一件事：$c$ 决定高度，$b$ 左右平移，$w$ 决定陡峭程度。若 hard sigmoid 从 $x_0$ 升到 $x_1$、高度为 $h$，取 $c = h$、中点 $-b/w = (x_0 + x_1)/2$，再让中点处斜率 $c\,w/4$ 等于 $h/(x_1-x_0)$，即 $w = 4/(x_1 - x_0)$。先验证 `mu.piecewise.sigmoid_curve` 与 `torch.sigmoid` 一致，以及中点处的斜率（用 autograd 求导）确实匹配。

# %% tags=["nbval-check-output"]
piece = mu.piecewise.HardSigmoid(lo=1.0, hi=3.0, height=2.0)
c, b, w = mu.piecewise.soft_sigmoid_params(piece)
z = torch.linspace(-6, 6, 13, dtype=torch.float64)
torch.testing.assert_close(torch.from_numpy(mu.piecewise.sigmoid_curve(z.numpy(), 1.0, 0.0, 1.0)), torch.sigmoid(z))
x_mid = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
(slope,) = torch.autograd.grad(c * torch.sigmoid(b + w * x_mid), x_mid)
torch.testing.assert_close(slope, torch.tensor(piece.height / (piece.hi - piece.lo), dtype=torch.float64))
print(f"c={c:.2f}, b={b:.2f}, w={w:.2f}; slope at the centre = {float(slope):.3f} (ramp slope 1.000)")

# %%
xs = np.linspace(-4, 6, 400)
fig, axes = plt.subplots(1, 3, figsize=(12, 3.5), sharey=True)
for ax, name, values in zip(
    axes, ["c", "b", "w"], [(0.5, 1.0, 2.0), (-2.0, 0.0, 2.0), (0.5, 1.0, 4.0)], strict=True
):
    for v in values:
        knobs = {"c": 1.0, "b": 0.0, "w": 1.0} | {name: v}
        ax.plot(xs, mu.piecewise.sigmoid_curve(xs, **knobs), label=f"{name} = {v:g}")
    ax.set(title=f"c*sigmoid(b + w x): vary {name}", xlabel="x", ylabel="y")
    ax.legend(fontsize="small")
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左：$c$ 改变曲线的高度；中：$b$ 让曲线左右移动（中点在 $x=-b/w$）；右：$w$ 越大，曲线越陡，越接近 hard sigmoid。下面的滑块可以同时调这三个参数（需要运行中的内核），虚线是第 2 节那个 hard sigmoid。


# %% tags=["nbval-ignore-output"]
def draw_one_sigmoid(ax, c, b, w):
    ax.plot(xs, mu.piecewise.hard_sigmoid(xs, piece.lo, piece.hi, piece.height), "k--", label="hard sigmoid (1 to 3)")
    ax.plot(xs, mu.piecewise.sigmoid_curve(xs, c, b, w), label=f"{c:.1f}*sigmoid({b:.1f} + {w:.1f} x)")
    ax.set(title="one sigmoid", xlabel="x", ylabel="y", ylim=(-0.5, 3.5))
    ax.legend(fontsize="small")
    return ax


one_sigmoid_widget = mu.interactive_figure(
    draw_one_sigmoid,
    c=mu.float_slider(2.0, 0.0, 3.0, description="c"),
    b=mu.float_slider(-4.0, -10.0, 10.0, description="b"),
    w=mu.float_slider(2.0, 0.1, 10.0, description="w"),
)
one_sigmoid_widget

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. 片段越多，拟合越好
#
# 任意平滑曲线都能用足够多段的折线逼近，而每段折线是一个 hard sigmoid、可以换成一个 sigmoid。所以"常数 + 足够多个 sigmoid"可以逼近任意连续曲线。下面取一条生成的弯曲目标曲线，在均匀分布的拐点处把它连成折线，再把每段换成 sigmoid，记录均方误差（MSE）随片段数的变化。

# %% tags=["nbval-check-output"]
x_fit = np.linspace(0.0, 6.0, 400)
target = mu.piecewise.wiggly_target(x_fit)
counts = [1, 2, 4, 8, 16, 32, 64]
fit_mse = {n: mu.piecewise.sigmoid_sum_fit(x_fit, target, n)[2:] for n in counts}
print("pieces | MSE hard sigmoids | MSE sigmoids")
for n, (hard_mse, soft_mse) in fit_mse.items():
    print(f"{n:6d} | {hard_mse:17.4f} | {soft_mse:12.4f}")
soft = np.array([fit_mse[n][1] for n in counts])
hard = np.array([fit_mse[n][0] for n in counts])
ratio = soft / hard
print("sigmoid MSE / hard-sigmoid MSE:", np.round(ratio, 2).tolist())
assert np.all(np.diff(soft[2:]) < 0), "from 4 pieces on, every doubling should lower the error"
assert soft[-1] < 0.01 * soft[0]
assert soft[1] > soft[0], "1 -> 2 pieces: the error goes up"
assert np.all(ratio[2:] > 1) and np.all(np.diff(ratio[2:]) > 0), "from 4 pieces on the sigmoids lose, more so with more pieces"
assert abs(ratio[-1] - 2.7) < 0.05

# %% [markdown] slideshow={"slide_type": "fragment"}
# 表中从 4 段开始，每把片段数翻倍误差就明显下降，64 段时误差不到 1 段时的百分之一。注意 1→2 段时误差反而上升：片段很少时，拐点放在哪里比片段数更要紧，"更多"并不保证"每一步都更好"。从 4 段起，平滑 sigmoid 的误差都比 hard sigmoid 大，而且片段越多差得越多（最后一行打印了比值，64 段时约 2.7 倍）：sigmoid 的尾巴永远不会精确等于 0 或 1，相邻片段会互相漏一点。

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True)
for ax, n in zip(axes, [4, 8, 32], strict=True):
    mu.piecewise.plot_sigmoid_fit(x_fit, target, n, ax=ax)
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 三张图分别用 4、8、32 个片段：4 段只抓住了大致走向，8 段开始跟上起伏，32 段几乎与目标重合。下面的滑块可以改变片段数和陡峭度 `sharpness`（$w$ 乘上的倍数）。


# %% tags=["nbval-ignore-output"]
def draw_sigmoid_fit(ax, n_pieces, sharpness):
    return mu.piecewise.plot_sigmoid_fit(x_fit, target, n_pieces, sharpness, ax=ax)


fit_widget = mu.interactive_figure(
    draw_sigmoid_fit,
    n_pieces=mu.int_slider(8, 1, 64, description="pieces"),
    sharpness=mu.log_slider(1.0, 0.25, 8.0, description="sharpness"),
)
fit_widget

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. 换一种积木：ReLU
#
# 不想用平滑曲线，也可以保留折线，只换积木。ReLU 是 $\max(0, x)$。设斜率 $s = h/(x_1 - x_0)$，则
#
# $$ h\,\mathrm{ramp}(x) = s\max(0, x - x_0) - s\max(0, x - x_1) , $$
#
# 第一个 ReLU 从 $x_0$ 开始往上走，第二个从 $x_1$ 开始把斜率抵消掉。因此每个 hard sigmoid 需要**两个** ReLU，前面那条 4 段折线就需要 8 个 ReLU。下面先手写，再和 `torch.relu` 版本比较，最后把整条折线用 ReLU 重建。

# %% tags=["nbval-check-output"]
p = pieces[0]
by_clip = mu.piecewise.hard_sigmoid(x, p.lo, p.hi, p.height)
by_relus = mu.piecewise.hard_sigmoid_from_relus(x, p.lo, p.hi, p.height)
s = p.height / (p.hi - p.lo)
xt = torch.from_numpy(x)
by_torch = s * torch.relu(xt - p.lo) - s * torch.relu(xt - p.hi)
torch.testing.assert_close(torch.from_numpy(by_relus), by_torch)
torch.testing.assert_close(torch.from_numpy(by_relus), torch.from_numpy(by_clip))
curve_relu = mu.piecewise.sum_of_hard_sigmoids(x, constant, pieces, use_relu=True)
torch.testing.assert_close(torch.from_numpy(curve_relu), torch.from_numpy(rebuilt))
print(
    f"{len(pieces)} ramps -> {2 * len(pieces)} ReLUs; the rebuilt curves agree:",
    bool(np.abs(curve_relu - rebuilt).max() < 1e-12),
)

# %%
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.plot(x, s * np.maximum(0, x - p.lo), "--", label="s*max(0, x - x0)")
ax.plot(x, -s * np.maximum(0, x - p.hi), "--", label="-s*max(0, x - x1)")
ax.plot(x, by_relus, "k", lw=2.5, label="sum = hard sigmoid")
ax.set(title="two ReLUs make one hard sigmoid", xlabel="x", ylabel="y", ylim=(-3, 3))
ax.legend(fontsize="small")
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 两条虚线各是一个 ReLU（一个向上、一个向下），黑线是它们的和：在 $x_0=0$ 之前为 0，之后上升，到 $x_1=1$ 后变平——正是 hard sigmoid。sigmoid 和 ReLU 这类放在线性运算之后的非线性函数，统称**激活函数**（activation function）。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. 矩阵形式、参数向量 θ 与梯度
#
# 有多个输入 $x_j$、多个 sigmoid 时，第 $i$ 个 sigmoid 的输入是 $r_i = b_i + \sum_j w_{ij} x_j$。写成矩阵：
#
# $$ \mathbf{r} = \mathbf{b} + W\mathbf{x},\qquad \mathbf{a} = \sigma(\mathbf{r}),\qquad y = b + \mathbf{c}^\top \mathbf{a}. $$
#
# 这就是只有一个隐藏层（hidden layer）的神经网络。把 $W$、$\mathbf{b}$、$\mathbf{c}$、$b$ 的所有数字排成一个长向量，记作 $\boldsymbol\theta$。下面用张量手写前向计算，再把同样的权重复制进 `nn.Sequential(nn.Linear, nn.Sigmoid, nn.Linear)`，两者应该完全一致。

# %% tags=["nbval-check-output"]
g = torch.Generator().manual_seed(SEED)
n_in, n_hidden, n_rows = 3, 5, 8
X = torch.randn(n_rows, n_in, generator=g, dtype=torch.float64)  # (N, d)
Y = torch.randn(n_rows, generator=g, dtype=torch.float64)  # (N,)
W = torch.randn(n_hidden, n_in, generator=g, dtype=torch.float64)  # (h, d)
b_vec, c_vec = (
    torch.randn(n_hidden, generator=g, dtype=torch.float64),
    torch.randn(n_hidden, generator=g, dtype=torch.float64),
)
b0 = torch.zeros(1, dtype=torch.float64)
y_hand = mu.backprop.one_hidden_layer_forward(X, W, b_vec, c_vec, b0)  # (N,)

net = nn.Sequential(nn.Linear(n_in, n_hidden), nn.Sigmoid(), nn.Linear(n_hidden, 1)).double()
with torch.no_grad():
    net[0].weight.copy_(W)
    net[0].bias.copy_(b_vec)
    net[2].weight.copy_(c_vec[None, :])  # (1, h)
    net[2].bias.copy_(b0)
torch.testing.assert_close(y_hand, net(X).squeeze(-1))
theta_hand = torch.cat([W.reshape(-1), b_vec, c_vec, b0])
theta_lib = nn.utils.parameters_to_vector(net.parameters())
torch.testing.assert_close(theta_hand, theta_lib)
print(
    "output shape:",
    tuple(y_hand.shape),
    "| theta has",
    theta_hand.numel(),
    "numbers =",
    n_hidden * n_in,
    "+",
    n_hidden,
    "+",
    n_hidden,
    "+ 1",
)

# %% [markdown] slideshow={"slide_type": "fragment"}
# 手写的输出和 `nn.Sequential` 一致；$\boldsymbol\theta$ 共 26 个数，和 `parameters_to_vector` 得到的向量逐项相同。
#
# **梯度的手推。** 和第 1 章一样，$y_n$ 是网络对第 $n$ 笔数据的输出，$\hat y_n$ 是它的标签（真实值；全课程的记号见[术语表](GLOSSARY.md)，代码里标签存在 `Y` 中）。损失取均方误差 $L = \frac1N\sum_n(y_n - \hat y_n)^2$。记 $e_n = 2(y_n - \hat y_n)/N$，链式法则给出
#
# $$ \frac{\partial L}{\partial b} = \sum_n e_n,\quad \frac{\partial L}{\partial \mathbf{c}} = \sum_n e_n\,\mathbf{a}_n,\quad
# \boldsymbol\delta_n = e_n\,\mathbf{c}\odot\mathbf{a}_n\odot(1-\mathbf{a}_n),\quad \frac{\partial L}{\partial \mathbf{b}} = \sum_n \boldsymbol\delta_n,\quad \frac{\partial L}{\partial W} = \sum_n \boldsymbol\delta_n \mathbf{x}_n^\top , $$
#
# 其中用到 $\sigma'(r) = \sigma(r)(1-\sigma(r))$。把这些偏导排成和 $\boldsymbol\theta$ 同样顺序的向量，就是梯度 $\mathbf{g} = \nabla L(\boldsymbol\theta)$。这几条公式写成代码就是 `mu.backprop.one_hidden_layer_backward`，每一行对应上面的一个式子：

# %% tags=["nbval-check-output"]
mu.show_source(mu.backprop.one_hidden_layer_backward)

# %% [markdown] slideshow={"slide_type": "fragment"}
# 下面把它和 autograd 对比，然后走一步梯度下降 $\boldsymbol\theta^1 = \boldsymbol\theta^0 - \eta\,\mathbf{g}$。

# %% tags=["nbval-check-output"]
hand = mu.backprop.one_hidden_layer_backward(X, Y, W, b_vec, c_vec, b0)
g_hand = torch.cat([hand["W"].reshape(-1), hand["b_vec"], hand["c"], hand["b"]])
loss = ((net(X).squeeze(-1) - Y) ** 2).mean()
net.zero_grad()
loss.backward()
g_auto = torch.cat([p.grad.reshape(-1) for p in net.parameters()])
torch.testing.assert_close(g_hand, g_auto)
eta = 0.1
with torch.no_grad():
    nn.utils.vector_to_parameters(theta_lib - eta * g_auto, net.parameters())
    loss_after = ((net(X).squeeze(-1) - Y) ** 2).mean()
assert loss_after < loss
print(f"|g| = {g_hand.norm():.4f}; loss before {loss.item():.4f}, after one step {loss_after.item():.4f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 手推的 26 维梯度和 autograd 的结果一致；沿 $-\mathbf{g}$ 走一小步后损失下降。为什么是减号？梯度指向损失上升最快的方向，要让损失变小就得往反方向走。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. batch、update、epoch、shuffle
#
# 实际训练时不会每次都用全部 $N$ 笔数据算损失，而是把数据随机分成若干个 **batch**（批次），每个 batch 算一次损失和梯度、更新一次参数，这叫一次 **update**（更新）。所有 batch 都用过一遍叫一个 **epoch**（轮）。每个 epoch 开始前重新打乱数据叫 **shuffle**（洗牌），于是下个 epoch 的 batch 组成不同。一个 epoch 的更新次数是 $\lceil N/B \rceil$（最后一个不满的 batch 也算）。下面用公式数，再和 PyTorch 的 `DataLoader` 实际产生的 batch 数对照。

# %% tags=["nbval-check-output"]
n_samples = 10_000
dataset = torch.utils.data.TensorDataset(torch.arange(n_samples))
print("batch size | updates per epoch (formula) | len(DataLoader)")
for bs in [1, 10, 100, 1000, 3000, 10_000]:
    formula = mu.updates_per_epoch(n_samples, bs)
    loader = torch.utils.data.DataLoader(dataset, batch_size=bs)
    assert formula == len(loader)
    print(f"{bs:10d} | {formula:27d} | {len(loader):15d}")

small = torch.utils.data.TensorDataset(torch.arange(10))
loader = mu.make_loader(small, batch_size=4, shuffle=True, seed=SEED)
for epoch in range(2):
    print(f"epoch {epoch + 1}:", [batch[0].tolist() for batch in loader])

# %% [markdown] slideshow={"slide_type": "fragment"}
# batch 越大，一个 epoch 的更新次数越少：$B=1$ 时一万次，full batch（全部数据一个 batch）时只有一次。最后两行是 10 笔数据、batch 大小 4 的两个 epoch：每个 epoch 都是 3 次更新，最后一个 batch 只有 2 笔；由于 shuffle，第二个 epoch 的分组和第一个不同。batch 大小对速度和结果的影响是第 3 章的主题。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. 更深的网络：训练集与留出数据
#
# 把"线性 → 激活函数"重复多次，就得到多个隐藏层的深度网络（deep network）。更深一定更好吗？我们在一条**生成的**每日浏览量序列上实验（`mu.make_daily_views()`：周末较冷清的每周节奏 + 缓慢趋势 + 噪声，模仿课堂上的频道观看量例子，不是真实数据）：用前 7 天预测下一天。数据按 8 周一块、训练与留出交替切分（留出块的前 7 行丢掉，避免输入窗口和训练块重叠）。
#
# 我们比较 1 到 4 个 ReLU 隐藏层（每层 32 个单元），每种深度 3 个随机种子，全批量 Adam 训练 500 步（`xp.depth_table` 对每个网络调用一次 `mu.fit`，数据是 `mu.FullBatch`：每个 epoch 就是一次用全部数据的更新）；0 层即第 1 章的线性模型，用最小二乘直接求出最优解作为参照。误差报告为原始单位（千次浏览）的均方误差。

# %% tags=["nbval-ignore-output"]
views = mu.make_daily_views(730, seed=SEED)
X_lag, y_next = mu.lagged_features(views, n_lags=7)
train_rows, test_rows = mu.block_split(len(y_next), block=56, gap=7)
mean, std = X_lag[train_rows].mean(), X_lag[train_rows].std()
to_t = lambda a: torch.tensor((a - mean) / std, device=DEVICE)
Xtr, ytr, Xte, yte = (
    to_t(X_lag[train_rows]),
    to_t(y_next[train_rows]),
    to_t(X_lag[test_rows]),
    to_t(y_next[test_rows]),
)
print(f"train rows {len(ytr)}, held-out rows {len(yte)}")

depths, seeds = [0, 1, 2, 3, 4], [0, 1, 2]
with mu.cpu_threads(1):  # such tiny nets run faster on one CPU thread
    results = xp.depth_table(Xtr, ytr, Xte, yte, depths, seeds, width=32, epochs=500, lr=3e-3)  # (depth, seed, 2)
results *= std**2  # back to (thousand views)^2
mean_r, spread = results.mean(1), results.std(1)
print("hidden layers | train MSE       | held-out MSE")
for depth, m, s in zip(depths, mean_r, spread, strict=True):
    print(f"{depth:13d} | {m[0]:.4f} ± {s[0]:.4f} | {m[1]:.4f} ± {s[1]:.4f}")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for k, name in enumerate(["train", "held-out"]):
    ax.errorbar(depths, mean_r[:, k], yerr=spread[:, k], marker="o", capsize=3, label=name)
ax.axhline(0.12**2, color="0.5", ls=":", label="noise variance of the generator")
ax.set(
    title="depth vs loss (generated daily views)",
    xlabel="hidden layers (0 = linear)",
    ylabel="MSE (thousand views)^2",
)
ax.set_xticks(depths)
ax.legend(fontsize="small")
fig.tight_layout()

# %%
train_mse, test_mse = mean_r[:, 0], mean_r[:, 1]
best = depths[int(np.argmin(test_mse))]
print("best depth on held-out data:", best)
assert np.all(np.diff(train_mse) < 0), "every extra layer should fit the training data better"
assert test_mse[2] < test_mse[1] < test_mse[0], "one and then two hidden layers should improve on held-out data"
assert np.all(np.abs(test_mse[3:] - test_mse[2]) < spread[2:, 1].max()), "3 and 4 layers: within the seed spread of 2"
gap = test_mse - train_mse
assert np.all(np.diff(gap[1:]) > 0), "the train/held-out gap should grow with every extra layer"
noise_var = 0.12**2
print(f"train MSE / noise variance by depth: {np.round(train_mse / noise_var, 2).tolist()}")
assert train_mse[4] < noise_var < train_mse[2], "4 layers dip below the noise variance, 2 layers stay above it"
assert abs(train_mse[3] / noise_var - 1) < 0.05, "3 layers: level with the noise variance (within 5 %)"
assert test_mse.min() > noise_var, "no model beats the noise on held-out data"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 把表和图读一遍：训练误差随深度一路下降。生成数据的噪声方差是 $0.12^2 = 0.0144$（虚线）：只看过去 7 天的模型在新数据上不可能比它更准，留出误差也确实全都在它之上；可是 4 层网络的训练误差（3 个种子的平均）已经略低于它，3 层与它持平（相差不到 5%，上面打印了比值），说明更深的网络开始记住训练集里的噪声。留出数据上，从线性到 1 层、再到 2 层都有改善；再往上加深就不再变好（3、4 层与 2 层的差别在种子间的波动之内），而训练与留出之间的差距每加一层都变大。这就是**过拟合**（overfitting）：在训练数据上更好，在没见过的数据上没有更好。课堂上的表格是到 3 层为止还在改进、4 层变差；我们的数据更小更简单，所以"不再变好"来得早一层，而且 4 层并没有明显变差，只是不再变好。另外提醒：这条序列是生成的，换成别的数据，最佳深度会不同。

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 换成真实数据：西雅图逐小时气温
#
# 再用第 1 章的真实序列试一次：NOAA 西雅图 2010 年逐小时气温（`mu.load_seattle_temps()`，°C）。任务同第 1 章：用过去 24 小时预测 6 小时后的气温，目标在 10 月 1 日之前的行用于训练，之后的留出。网络和训练预算与上面相同，每种深度 2 个种子。

# %% tags=["nbval-ignore-output"]
hours, temps = mu.load_seattle_temps()
X_t, y_t = mu.lagged_features(temps, n_lags=24, horizon=6)
target_hour = np.arange(len(y_t)) + 24 - 1 + 6  # index of each row's target in the series
is_train = target_hour < 273 * 24  # targets before October 1st
mean_t, std_t = X_t[is_train].mean(), X_t[is_train].std()
to_t = lambda a: torch.tensor((a - mean_t) / std_t, device=DEVICE)
with mu.cpu_threads(1):  # tiny nets again
    results_t = xp.depth_table(
        to_t(X_t[is_train]), to_t(y_t[is_train]), to_t(X_t[~is_train]), to_t(y_t[~is_train]), depths, [0, 1]
    )
results_t *= std_t**2  # back to °C^2
mean_t_r = results_t.mean(1)
print(f"train rows {is_train.sum()}, held-out rows {(~is_train).sum()}")
print("hidden layers | train MSE °C^2 | held-out MSE °C^2")
for depth, m in zip(depths, mean_t_r, strict=True):
    print(f"{depth:13d} | {m[0]:14.4f} | {m[1]:17.4f}")
assert mean_t_r[1:, 1].min() > mean_t_r[0, 1], "here no network beats the linear model on held-out data"
assert mean_t_r[1:, 0].min() > mean_t_r[0, 0], "no network even reaches the linear model's training error"
assert np.all(np.diff(mean_t_r[1:, 0]) < 0), "among the networks, every extra layer lowers the training error"
assert not np.all(np.diff(mean_t_r[1:, 1]) < 0), "the held-out error does not fall with every extra layer"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 这次结果和课上的表**不一样**，我们如实报告：在这条非常平滑的真实序列上，用最小二乘精确求解的线性模型（0 层）在留出数据上胜过所有深度的网络；网络在 500 步里甚至连训练误差都没降到线性模型的水平（这是最优化（optimization）没做完，而不是模型不够灵活——一个 ReLU 网络完全可以表示这个线性函数；第 4 章会专门讨论怎样分辨这两种情况）。在网络之间，每多一层训练误差都更低，但留出误差并没有跟着一路变好：它在 1–4 层之间上下起伏，不随层数单调下降。结论：更深不会自动更好；要看数据、训练预算和留出数据上的实测。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 小结
#
# - 折线 = 常数 + 一串 hard sigmoid；每个 hard sigmoid 可以用 $c\,\mathrm{sigmoid}(b + wx)$ 平滑近似，也可以用两个 ReLU 精确表示。片段足够多时，这样的和能逼近任意连续曲线。
# - 多输入、多个 sigmoid 写成矩阵就是 $y = b + \mathbf{c}^\top\sigma(\mathbf{b} + W\mathbf{x})$；全部未知数排成 $\boldsymbol\theta$，梯度 $\mathbf{g} = \nabla L(\boldsymbol\theta)$ 可以手推，和 autograd 完全一致。
# - 一个 epoch 有 $\lceil N/B\rceil$ 次 update；每个 epoch 前 shuffle 一次。
# - 更深的网络在训练集上更好，但在留出数据上不一定：生成的浏览量序列上，超过 2 个隐藏层之后留出误差就不再下降，训练/留出差距变大；真实的西雅图气温序列上，同样预算下没有一个网络胜过线性模型。
#
# ## 练习
#
# **练习 1**：有 1000 笔训练数据，batch 大小 64（最后不满的 batch 保留），训练 5 个 epoch，一共更新多少次参数？

# %%
answer_1 = None  # your answer
ex.check_total_updates(answer_1)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution (its own name, so your answer_1 stays as it is)
answer_1_ref = 5 * mu.updates_per_epoch(1000, 64)
assert ex.check_total_updates(answer_1_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2（写一个函数）**：只用 `np.maximum` 写出 `my_ramp(x, lo, hi, height)`：在 `lo` 之前为 0、在 `hi` 之后为 `height` 的 hard sigmoid，由两个 ReLU 组成（不要用 `np.clip`）。检查函数在随机的点和随机的 `lo`、`hi`、`height` 上把它和 PyTorch 的 `torch.clamp` 版本对照，并指出第一个不一致的点。


# %%
def my_ramp(x, lo, hi, height):
    return None  # your implementation


ex.check_relu_ramp(my_ramp)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution (named my_ramp_ref, so your my_ramp is not replaced)
def my_ramp_ref(x, lo, hi, height):
    s = height / (hi - lo)
    return s * np.maximum(0.0, x - lo) - s * np.maximum(0.0, x - hi)


assert ex.check_relu_ramp(my_ramp_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3**：第 7 节用到的 2 层网络有 7 个输入（过去 7 天）、两个各 32 个单元的 ReLU 隐藏层和 1 个输出。它的 $\boldsymbol\theta$ 一共有多少个数？先用纸笔按层数一数，再运行检查。

# %%
answer_3 = None  # your answer
ex.check_param_count(answer_3)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution: count the parameters of the same network
answer_3_ref = sum(p.numel() for p in mu.mlp(7, 32, 2).parameters())
assert ex.check_param_count(answer_3_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 4（写一个函数）**：不用 `nn.Linear`，只用张量运算写出第 5 节的前向计算 `my_forward(x, W, b_vec, c, b)`：`x` 的形状是 $(N, d)$，每一行是一笔输入 $\mathbf{x}_n$；`W` 是 $(h, d)$，`b_vec` 和 `c` 是 $(h,)$，`b` 是 $(1,)$。返回形状为 $(N,)$ 的张量，第 $n$ 个元素是 $y_n = b + \mathbf{c}^\top\sigma(\mathbf{b} + W\mathbf{x}_n)$。检查函数在几组随机的输入和权重上把它和 `nn.Sequential(nn.Linear, nn.Sigmoid, nn.Linear)` 对照，并指出第一个不一致的输出。


# %%
def my_forward(x, W, b_vec, c, b):
    return None  # your implementation: a tensor of shape (N,)


ex.check_one_hidden_layer(my_forward)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution (named my_forward_ref, so your my_forward is not replaced)
def my_forward_ref(x, W, b_vec, c, b):
    r = x @ W.T + b_vec  # (N, h)
    a = 1 / (1 + torch.exp(-r))  # sigmoid, (N, h)
    return a @ c + b  # (N,)


assert ex.check_one_hidden_layer(my_forward_ref)
print("参考答案已通过检查。")
