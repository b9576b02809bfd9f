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
# # 第 3 章 为什么要分 Batch：batch 大小的影响
#
# **学习目标**
#
# - 在你自己的设备上实测：一次更新（update）和一个 epoch 的时间如何随 batch 大小变化，理解平行运算（parallel computation）的作用；
# - 看到小 batch 的训练曲线"吵"、大 batch 的"稳"，以及同样 epoch 数下谁走得更远；
# - 看到不同的 batch 给出不同的损失曲面：全体损失的临界点（梯度为 0 的点），对单个 batch 并不是临界点；
# - 用多个随机种子比较小 batch 和大 batch 在留出数据上的准确率；
# - 用 Hessian 矩阵–向量乘积（Hessian-vector product, HVP）求最大特征值，沿特征方向和随机方向切开损失曲面，比较尖锐（sharp）与平坦（flat）的极小值，并说明训练/测试之间的偏移为什么对尖锐极小值伤害更大。
#
# **如何使用本笔记本**：从上到下依次运行。交互控件（widget，本章是一个下拉菜单）需要一个正在运行的内核（kernel），旁边有一张静态图表达同一件事。有 GPU 时会自动使用，计时实验也会在 GPU 上测；想强制用 CPU，启动前设置 `MLNOTE_DEVICE=cpu`。计时结果取决于你的机器和当时的负载，每次运行都会略有不同。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import mlnote_utils as mu
from mlnote_utils.exercises import ch03 as ex
from mlnote_utils.experiments import ch03 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 数据与模型
#
# 本章用 MNIST-1D（由 `mnist1d` 包在本地生成的 40 点一维信号，10 类，4000 笔训练、1000 笔测试），模型是 40-256-256-10 的多层感知机（MLP）。损失是交叉熵（cross-entropy），第 7 章会详细讲；这里只需要知道它越小越好。

# %% tags=["nbval-check-output"]
data = mu.load_mnist1d()
x_train, y_train = data.x_train.to(DEVICE), data.y_train.to(DEVICE)
x_test, y_test = data.x_test.to(DEVICE), data.y_test.to(DEVICE)
criterion = nn.CrossEntropyLoss()
N = len(x_train)


def make_mlp_256() -> nn.Module:
    return nn.Sequential(nn.Linear(40, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))


print(data)
print("parameters:", sum(p.numel() for p in make_mlp_256().parameters()))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. 一次更新要多久？一个 epoch 要多久？
#
# batch 大小为 $B$ 时，一个 epoch 有 $\lceil N/B\rceil$ 次更新。若一次更新的时间与 $B$ 成正比，那么一个 epoch 的总时间与 $B$ 无关；但硬件可以**平行**处理一个 batch 里的多笔数据：在 GPU 上，$B$ 从 1 增加到上千时，一次更新的时间几乎不变；CPU 的并行能力小得多，时间会随 $B$ 增长，只是远慢于线性增长（小 batch 时固定开销占大头）。下面在**当前设备**上实测（每种 $B$ 轮流计时若干组，取最快的一组，因为别的程序只会让计时变慢）；一个 epoch 的时间 = 更新次数 × 每次更新时间。在 CPU 上计时只开一个线程（`mu.cpu_threads(1)`）：机器上同时运行着别的程序时，多个线程互相等待会让计时乱跳。即使只有一个线程，CPU 也能用向量指令（SIMD）一次处理好几个数，而每次更新的固定开销（Python 调用、分配内存）与 $B$ 无关，所以时间仍然远慢于线性增长。

# %% tags=["nbval-ignore-output"]
batch_sizes = [1, 10, 100, 1000, N]
with mu.cpu_threads(1):  # on a CPU: one thread, so that other programs on the machine disturb the clock less
    timing = xp.time_per_update(make_mlp_256, criterion, x_train, y_train, batch_sizes, device=DEVICE)
print(f"device: {DEVICE.type}")
print(" batch size | updates/epoch | ms per update | s per epoch")
for b, u, t, e in zip(
    timing.batch_sizes, timing.updates_per_epoch, timing.sec_per_update, timing.sec_per_epoch, strict=True
):
    print(f"{b:11d} | {u:13d} | {1e3 * t:13.3f} | {e:11.3f}")
print(
    f"update time grows {timing.sec_per_update[-1] / timing.sec_per_update[0]:.0f}x from B=1 to B={N} ({N}x more data)"
)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].loglog(timing.batch_sizes, 1e3 * timing.sec_per_update, "o-")
axes[0].set(title=f"time per update ({DEVICE.type})", xlabel="batch size B", ylabel="ms per update")
axes[1].loglog(timing.batch_sizes, timing.sec_per_epoch, "o-", color="C1")
axes[1].set(title=f"time per epoch ({DEVICE.type})", xlabel="batch size B", ylabel="s per epoch")
fig.tight_layout()

# %%
per_epoch = timing.sec_per_epoch
for b, t in zip(timing.batch_sizes[1:], per_epoch[1:], strict=True):
    if b <= 1000:  # each scale on its own, against B=1 (neighbouring scales can swap under a busy machine)
        assert t < per_epoch[0] / 3, f"an epoch at B={b} should be over 3 times faster than at B=1"
growth = timing.sec_per_update[-1] / timing.sec_per_update[0]
assert growth < (N / 1) / 10, "the update time should grow at least 10 times slower than the batch size"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图：每次更新的时间随 $B$ 增长得远比 $B$ 本身慢：$B$ 增加了 4000 倍，时间只增加了上面打印的倍数（断言要求增长至少比 $B$ 慢 10 倍；在 GPU 上运行时，这条线通常平得多）。
#
# 右图：因此一个 epoch 的时间随 $B$ 增大而**下降**：$B=10$、$100$、$1000$ 每一档的一个 epoch 都比 $B=1$ 快 3 倍以上（断言逐档检查），大体上 $B$ 越大越快；相邻两档差得不多时，机器很忙的话计时可能颠倒，所以不逐对比较相邻两档。batch = 1 时要做 4000 次更新，每次的固定开销（调用、内存搬运）都要付一遍。从 $B=1000$ 到 $B=4000$，CPU 的并行能力已经用完，一次更新的时间差不多随 $B$ 成正比增长，一个 epoch 的时间不再明显下降，是略升还是略降取决于当时机器的负载，所以这一档不做断言；在 GPU 上它通常还会继续下降。
#
# 所以"大 batch 更新一次慢"不等于"大 batch 训练慢"：按 epoch 算，大 batch 反而更快，直到 batch 大到超出硬件的并行能力。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. 小 batch 吵，大 batch 稳
#
# 同一份数据、同样的 epoch 数、同样的学习率，比较三种 batch 大小。每次更新只看到一个 batch，它的损失是全体训练损失的**带噪声的估计**；batch 越小，噪声越大，但一个 epoch 里更新的次数越多。为了让每张图几秒内跑完，这一节用 1000 笔训练数据和一个 40-64-10 的小网络，普通梯度下降（SGD），学习率 0.1，训练 5 个 epoch。

# %%
x_small, y_small = x_train[:1000], y_train[:1000]


def batch_run(batch_size: int, epochs: int = 5, seed: int = SEED) -> mu.History:
    """SGD (lr 0.1) on the 1000 signals; the full training loss is measured at the start and after each epoch."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, 10)).to(DEVICE)
    batches = mu.ShuffledBatches(x_small, y_small, batch_size=batch_size, seed=seed)  # reshuffled every epoch
    return mu.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), batches, loss_fn=criterion, epochs=epochs,
                  valid={"train": (x_small, y_small)}, eval_at_start=True, progress=False)  # fmt: skip


runs = {b: batch_run(b) for b in (10, 100, 1000)}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True)
for ax, (b, run) in zip(axes, runs.items(), strict=True):
    xp.plot_batch_curves(run, ax=ax, title=f"batch size {b}: {len(run)} updates")
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左（$B=10$，500 次更新）：每个 batch 的损失（细线）上下跳动得很厉害，但全体训练损失（黑点）下降得最快；中（$B=100$，50 次更新）：噪声小了，下降也慢了；右（full batch，5 次更新）：每一步都是精确的梯度、曲线平滑，但 5 个 epoch 只走了 5 步。下面把"同样的 epoch 数"这个结论量化，然后给出一个下拉菜单（dropdown），可以换 batch 大小重画这张图。

# %% tags=["nbval-ignore-output"]
print(" batch size | updates | final training loss | std of batch losses in the last epoch")
for b, run in runs.items():
    last = run["loss"][-max(1, len(x_small) // b) :]
    print(f"{b:11d} | {len(run):7d} | {run.last('train_loss'):19.3f} | {np.std(last):.3f}")
final = [run.last("train_loss") for run in runs.values()]
assert final[0] < final[1] < final[2], (
    "with equal epochs and lr, more (smaller) updates should reach a lower loss"
)
noise = {b: np.std(run["loss"][-(len(x_small) // b) :]) for b, run in runs.items() if b < len(x_small)}
assert noise[10] > noise[100], "smaller batches should give noisier per-update losses"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 在同样 5 个 epoch 里，batch 越小，最后的训练损失越低（更新次数多），但每次更新看到的损失越吵。这个比较固定了学习率；大 batch 通常可以配合更大的学习率，第 5 节里我们就是这样做的。
#
# 下面的下拉菜单选一个 batch 大小，重新训练并画出同样的图（需要运行中的内核；每次选择要训练几秒）。


# %% tags=["nbval-ignore-output"]
def draw_batch_run(ax, batch_size):
    run = batch_run(int(batch_size))
    return xp.plot_batch_curves(run, ax=ax, title=f"batch size {int(batch_size)}: {len(run)} updates")


batch_widget = mu.interactive_figure(
    draw_batch_run,
    batch_size=mu.choice([1, 5, 10, 25, 50, 100, 250, 500, 1000], value=100, description="batch"),
)
batch_widget

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. 不同的 batch，不同的损失曲面
#
# 全体训练数据的损失 $L(\boldsymbol\theta)$ 是各笔数据损失的平均；一个 batch 的损失 $L_b(\boldsymbol\theta)$ 只平均这个 batch 里的几笔，它是**另一个函数**，有自己的曲面。梯度为 0 的点叫临界点（critical point，[第 5 章](05_critical_points_hessian.ipynb)会细讲）。全体损失的临界点一般不是任何一个 batch 的临界点：在那里每个 batch 的梯度仍然指向某个方向，所以小 batch 的更新不会停在那里，还会继续移动。
#
# 下面在一个真实的小网络上验证。为了真正走到全体损失的临界点附近，这里不用 SGD，而用 L-BFGS（`torch.optim.LBFGS`，一种用历史梯度近似二阶信息的优化器）在全部数据上做最小化，并用双精度（float64）计算。网络是 40-8-10、tanh 激活，数据是前 1000 笔训练信号：这么小的网络记不住 1000 笔数据，所以临界点处的损失明显大于 0（损失为 0 时每笔数据、每个 batch 的梯度都会是 0，就看不出区别了）。


# %%
x_crit, y_crit = data.x_train[:1000].double(), data.y_train[:1000]  # float64 on the CPU: a tiny problem
torch.manual_seed(SEED)
crit_net = nn.Sequential(nn.Linear(40, 8), nn.Tanh(), nn.Linear(8, 10)).double()


def lbfgs_step(batch, ctx):
    """One L-BFGS call on the full batch (up to max_iter inner iterations with a line search)."""
    x, y = batch

    def closure():
        ctx.optimizer.zero_grad()
        loss = ctx.loss_fn(ctx.model(x), y)
        loss.backward()
        return loss

    return {"loss": ctx.optimizer.step(closure).detach()}


lbfgs = torch.optim.LBFGS(crit_net.parameters(), max_iter=1000, tolerance_grad=1e-9, tolerance_change=1e-15,
                          history_size=50, line_search_fn="strong_wolfe")  # fmt: skip
with mu.cpu_threads(1):
    mu.fit(crit_net, lbfgs, (x_crit, y_crit), loss_fn=criterion, step=lbfgs_step, steps=1, progress=False)

# %% tags=["nbval-ignore-output"]
g_full = xp.batch_gradients(crit_net, criterion, x_crit, y_crit, len(x_crit))[0]  # (P,)
grads = {b: xp.batch_gradients(crit_net, criterion, x_crit, y_crit, b, seed=SEED) for b in (10, 100)}  # (n/B, P)
norms = {b: g.norm(dim=1).numpy() for b, g in grads.items()}
with torch.no_grad():
    print(f"full training loss {float(criterion(crit_net(x_crit), y_crit)):.3f}, parameters {g_full.numel()}")
print(f"norm of the full-batch gradient: {float(g_full.norm()):.1e}")
for b, nb in norms.items():
    print(f"B = {b:3d}: {len(nb):3d} batches, gradient norms from {nb.min():.3f} to {nb.max():.3f} (median {np.median(nb):.3f})")
# the full loss is the mean of the equal-sized batch losses, so the batch gradients average to the full one
torch.testing.assert_close(grads[100].mean(dim=0), g_full, rtol=0, atol=1e-10)
assert float(g_full.norm()) < 1e-4, "L-BFGS should bring the full gradient to almost 0 (below 1e-4)"
assert norms[10].min() > 1e3 * float(g_full.norm()) and norms[100].min() > 1e3 * float(g_full.norm()), (
    "every mini-batch gradient should be over a thousand times larger than the full one"
)

# %% [markdown] slideshow={"slide_type": "fragment"}
# 全体梯度的范数几乎为 0（低于 $10^{-4}$，上面打印了它的数量级），而**每一个** batch 的梯度范数都比它大一千倍以上（断言逐个检查）；把 10 个 $B=100$ 的 batch 梯度平均，又精确地回到了几乎为 0 的全体梯度：各个 batch 的梯度方向不同，平均时相互抵消。下图左边沿一个方向切开曲面看同一件事：方向取第一个 $B=100$ batch 的下降方向 $\mathbf d=-\mathbf g_1/\|\mathbf g_1\|$，画出全体损失和前三个 batch 的损失在 $\boldsymbol\theta^*+\alpha\mathbf d$ 处相对于 $\alpha=0$ 的变化。

# %%
d = -grads[100][0] / grads[100][0].norm()
alphas_cut = np.linspace(-0.5, 0.5, 41)
order = torch.randperm(len(x_crit), generator=torch.Generator().manual_seed(SEED))  # the batches of grads[100]
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
cut = mu.sharpness.loss_along_direction(crit_net, criterion, (x_crit, y_crit), d, alphas_cut)
axes[0].plot(alphas_cut, cut - cut[20], "k-", lw=2.5, label="full training loss")
cuts_b = []
for j in range(3):
    idx = order[100 * j : 100 * (j + 1)]
    cuts_b.append(mu.sharpness.loss_along_direction(crit_net, criterion, (x_crit[idx], y_crit[idx]), d, alphas_cut))
    axes[0].plot(alphas_cut, cuts_b[-1] - cuts_b[-1][20], label=f"loss of batch {j + 1} (B=100)")
axes[0].set(title="Loss along d, relative to alpha = 0", xlabel="step alpha along d", ylabel="L(theta* + alpha d) - L(theta*)")
axes[0].legend(fontsize="small")
labels = ["B=10", "B=100", "full batch"]
for i, vals in enumerate([norms[10], norms[100], np.array([float(g_full.norm())])]):
    jitter = np.random.default_rng(i).uniform(-0.15, 0.15, len(vals)) if len(vals) > 1 else 0.0
    axes[1].semilogy(i + jitter, vals, "o", ms=3 if len(vals) > 1 else 7, alpha=0.6, color="0.4" if i < 2 else "k")
axes[1].set_xticks(range(3), labels)
axes[1].set(title="Gradient norm of each batch at theta*", xlabel="batch size", ylabel="gradient norm (log scale)")
fig.tight_layout()
assert int(np.argmin(cut)) == 20, "along d the full loss is lowest at alpha = 0"
assert all(int(np.argmin(c)) != 20 for c in cuts_b), "no batch loss is lowest at alpha = 0"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左：黑线（全体损失）在 $\alpha=0$ 处是平的，最低点就在这里，这是它的临界点；三条彩色线（三个 batch 的损失）在 $\alpha=0$ 处都不平，最低点都不在 $\alpha=0$（两条断言检查这两件事）：第 1 个 batch 沿自己的下降方向 $\mathbf d$ 一路下降，另外两个 batch 的最低点分别偏向两侧。右：每个点是一个 batch 的梯度范数（纵轴是对数刻度，灰点是 mini-batch，黑点是全体）；batch 越小，梯度越大、越分散，而全体梯度比它们低了好几个数量级。这就是小 batch 的"噪声"：即使全体损失已经走到一个临界点，小 batch 的更新仍然会把参数推来推去，而全批量（full batch）梯度下降会停在那里。课上的说法是，这种噪声帮助小 batch 离开不好的临界点；第 5 节的实验会看到小 batch 最终停在了不同的地方。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. 小 batch 与大 batch：留出数据上的准确率
#
# 课上的经验是：训练损失差不多时，小 batch 训练出的模型在测试集上往往更好。我们把两种设置都训练到**同样的训练损失 0.01**（在全部训练数据上计算），再在 1000 笔测试数据上比较准确率：
#
# - 小 batch：$B=64$，Adam，学习率 $2\times10^{-3}$；
# - 大 batch：full batch $B=4000$，Adam，学习率 $3\times10^{-3}$（大 batch 通常可以配更大的学习率）。
#
# 每种设置 2 个随机种子（初始化和洗牌都不同），报告均值与两次之差的一半（±）。为了让整本笔记在约一分钟内跑完，种子数只能这么少。我们也会同时记下第 6 节要用的 Hessian 最大特征值 $\lambda_{\max}$，先用几句话说明它是什么。
#
# ### 预备：Hessian、曲率与特征值
#
# 损失 $L(\boldsymbol\theta)$ 对参数的所有二阶偏导数排成的矩阵叫 Hessian：$H_{ij}=\partial^2 L/\partial\theta_i\partial\theta_j$。沿一个单位方向 $\mathbf d$ 切开损失曲面，得到一元函数 $g(\alpha)=L(\boldsymbol\theta+\alpha\mathbf d)$，它在 $\alpha=0$ 处的二阶导数正好是 $g''(0)=\mathbf d^\top H\mathbf d$：这是曲面沿 $\mathbf d$ 的**曲率**（curvature），越大表示曲面在这个方向上弯得越急。$H$ 是对称矩阵，它的特征向量（eigenvector）是一组互相垂直的方向；沿特征向量 $\mathbf v$（单位长度）的曲率就是对应的特征值（eigenvalue），因为 $\mathbf v^\top H\mathbf v=\lambda\mathbf v^\top\mathbf v=\lambda$。最大特征值 $\lambda_{\max}$ 就是所有方向里最大的曲率。[第 5 章](05_critical_points_hessian.ipynb)会从泰勒展开出发系统地讲 Hessian 和临界点；这里只需要"曲率"这个意思。
#
# 用第 4 节的小网络在 $\boldsymbol\theta^*$ 处核对 $g''(0)=\mathbf d^\top H\mathbf d$：左边用有限差分 $\big(g(h)-2g(0)+g(-h)\big)/h^2$ 算，右边用 Hessian–向量乘积（HVP，不需要写出整个 $H$）算。

# %% tags=["nbval-check-output"]
f_crit, theta_crit = mu.hessian.loss_function_of_params(crit_net, criterion, (x_crit, y_crit))
d_rand = torch.randn(theta_crit.shape, generator=torch.Generator().manual_seed(SEED), dtype=torch.float64)
d_rand /= d_rand.norm()  # a random unit direction


def g(alpha):  # the loss along the line theta* + alpha * d
    return f_crit(theta_crit + alpha * d_rand)


h = 1e-3
second_fd = (g(h) - 2 * g(0.0) + g(-h)) / h**2
curvature = d_rand @ mu.hessian.hvp(f_crit, theta_crit, d_rand)
torch.testing.assert_close(second_fd, curvature, rtol=1e-4, atol=1e-6)
print(f"g''(0) by finite differences = {second_fd:.3f}, d^T H d by HVP = {curvature:.3f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 两种算法一致。实际网络有几万个参数，写不出整个 $H$；`mu.hessian.top_eigenvalues` 用 Lanczos 迭代，只靠 HVP 就能求出 $\lambda_{\max}$（第 6 节会把它和完整 Hessian 的结果对照）。下面开始训练。

# %% tags=["nbval-ignore-output"]
settings = {"small batch": (64, 2e-3), "full batch": (N, 3e-3)}
seeds = [0, 1]
models, rows = {}, []
with mu.cpu_threads(1):  # small matrices: one thread is as fast and is not slowed by other programs
    for name, (bs, lr) in settings.items():
        for seed in seeds:
            torch.manual_seed(seed)
            model = make_mlp_256().to(DEVICE)
            hist = mu.fit(
                model,
                torch.optim.Adam(model.parameters(), lr=lr),
                mu.ShuffledBatches(x_train, y_train, batch_size=bs, seed=seed),
                loss_fn=criterion,
                epochs=400,
                valid={"train": (x_train, y_train)},  # the full training loss after every epoch
                callbacks=[mu.stop_when("train_loss", below=0.01)],
                desc=f"{name}, seed {seed}",
            )
            epochs, train_loss = hist.epochs_done, hist.last("train_loss")
            eig = mu.hessian.top_eigenvalues(
                model, criterion, (x_train, y_train), k=1, tol=1e-2, max_iter=40, seed=seed
            )
            with torch.no_grad():
                logits = model(x_test)
                rows.append(
                    dict(
                        setting=name,
                        seed=seed,
                        epochs=epochs,
                        updates=len(hist),
                        train_loss=train_loss,
                        test_loss=float(criterion(logits, y_test)),
                        test_acc=float(mu.accuracy(logits, y_test)),
                        lam=float(eig.eigenvalues[0]),
                        norm=float(nn.utils.parameters_to_vector(model.parameters()).norm()),
                    )
                )
            models[(name, seed)] = (model, eig)
print("setting     | seed | epochs | updates | train loss | test loss | test acc | lambda_max | |theta|")
for r in rows:
    print(
        f"{r['setting']:11s} | {r['seed']:4d} | {r['epochs']:6d} | {r['updates']:7d} | {r['train_loss']:10.4f} | "
        f"{r['test_loss']:9.3f} | {r['test_acc']:8.3f} | {r['lam']:10.2f} | {r['norm']:7.1f}"
    )

# %%
summary, acc, lam = {}, {}, {}
for name in settings:
    rs = [r for r in rows if r["setting"] == name]
    summary[name] = {
        k: (np.mean([r[k] for r in rs]), np.ptp([r[k] for r in rs]) / 2)
        for k in ("test_acc", "test_loss", "lam")
    }
    acc[name], lam[name] = np.array([r["test_acc"] for r in rs]), np.array([r["lam"] for r in rs])
for name, s in summary.items():
    print(
        f"{name:11s}: test acc {s['test_acc'][0]:.3f} ± {s['test_acc'][1]:.3f} | test loss {s['test_loss'][0]:.2f} ± "
        f"{s['test_loss'][1]:.2f} | lambda_max {s['lam'][0]:.2f} ± {s['lam'][1]:.2f}"
    )
gap = acc["small batch"].mean() - acc["full batch"].mean()
seed_spread = max(np.ptp(a) for a in acc.values())  # the larger of the two settings' spreads between seeds
print(f"test-accuracy gap {gap:.3f}; largest spread between the seeds of one setting {seed_spread:.3f}")
print(f"lambda_max: smallest full-batch value / largest small-batch value = {lam['full batch'].min() / lam['small batch'].max():.1f}")
assert all(r["train_loss"] < 0.01 for r in rows), "every run should reach the same training loss"
assert gap > 5 * seed_spread, "the accuracy gap should be far larger (over 5 times) than the spread between seeds"
assert lam["full batch"].min() > 2 * lam["small batch"].max(), "every full-batch minimum over twice as sharp"

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
for ax, key, label in zip(
    axes, ["test_acc", "lam"], ["test accuracy", "top Hessian eigenvalue"], strict=True
):
    for i, name in enumerate(settings):
        vals = [r[key] for r in rows if r["setting"] == name]
        ax.bar(i, np.mean(vals), color=f"C{i}", alpha=0.6)
        ax.plot([i] * len(vals), vals, "ko")
    ax.set_xticks(range(len(settings)), list(settings))
    ax.set(title=f"{label} at training loss 0.01", xlabel="setting", ylabel=label)
fig.tight_layout()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 柱子是均值，黑点是各个种子。两种设置的训练损失相同（都刚好低于 0.01），但小 batch 的测试准确率更高（上面打印的差距是两种设置里种子间波动的 5 倍以上，断言检查了这一点），而 full batch 走到的极小值的 Hessian 最大特征值（曲率最大方向上的弯曲程度）是小 batch 的两倍以上（每个种子都是）。具体数字在上面的表里，每次运行会因机器不同而略有出入。
#
# 注意：这里只有 2 个种子，差距虽然远大于种子间的波动，但这仍是一次小规模的观察，不是定律。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. 尖锐与平坦的极小值
#
# 在极小值 $\boldsymbol\theta^*$ 附近，损失可以用二阶泰勒展开（Taylor expansion）近似：
#
# $$ L(\boldsymbol\theta^* + \alpha\mathbf{d}) \approx L(\boldsymbol\theta^*) + \tfrac12\alpha^2\,\mathbf{d}^\top H\mathbf{d}, $$
#
# 其中 $H$ 是 Hessian，一阶项因为梯度约为 0 而消失。沿单位向量 $\mathbf{d}$ 走 $\alpha$，损失上升的快慢由 $\mathbf{d}^\top H\mathbf{d}$ 决定；它的最大值就是 $\lambda_{\max}$，对应的 $\mathbf{d}$ 是最大特征向量。$\lambda_{\max}$ 大，极小值就"尖"。先在一个小网络上确认：`mu.hessian.top_eigenvalues` 找到的特征值与完整 Hessian（`mu.hessian.model_hessian`）的最大特征值一致，且 $H\mathbf{v} = \lambda\mathbf{v}$（用 HVP 验证）。

# %% tags=["nbval-check-output"]
torch.manual_seed(SEED)
tiny = nn.Sequential(nn.Linear(40, 8), nn.Tanh(), nn.Linear(8, 10)).double()
batch64 = (data.x_train[:200].double(), data.y_train[:200])
H = mu.hessian.model_hessian(tiny, criterion, batch64)  # (P, P), exact
lam_exact = torch.linalg.eigvalsh(H)[-1]
res = mu.hessian.top_eigenvalues(tiny, criterion, batch64, k=1, tol=1e-8, max_iter=200)
torch.testing.assert_close(res.eigenvalues[0], lam_exact, rtol=1e-6, atol=1e-8)
f, theta = mu.hessian.loss_function_of_params(tiny, criterion, batch64)
v = res.eigenvectors[0]
torch.testing.assert_close(mu.hessian.hvp(f, theta, v), lam_exact * v, rtol=1e-4, atol=1e-6)
print(f"P = {H.shape[0]}, lambda_max exact = {lam_exact:.4f}, Lanczos = {res.eigenvalues[0]:.4f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 两种方法给出同一个 $\lambda_{\max}$，而 Lanczos 只用了若干次 HVP、从不构造 $P\times P$ 的矩阵——这正是第 5 节在 7.9 万个参数上能这样做的原因。
#
# 现在取第 5 节种子 0 的两个模型，沿两种方向切开损失曲面：(a) 各自的最大特征向量；(b) 一个随机单位方向。每条切片同时画训练损失和测试损失。

# %%
alphas_top, alphas_rnd = np.linspace(-1, 1, 21), np.linspace(-20, 20, 21)
slices = {}
for name in settings:
    model, eig = models[(name, 0)]
    d_rnd = mu.sharpness.random_direction(model, seed=SEED)
    slices[name] = {
        (kind, part): mu.sharpness.loss_along_direction(model, criterion, batch, d, alphas)
        for kind, d, alphas in (("top", eig.eigenvectors[0], alphas_top), ("random", d_rnd, alphas_rnd))
        for part, batch in (("train", (x_train, y_train)), ("test", (x_test, y_test)))
    }
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for ax, kind, alphas in zip(axes, ["top", "random"], [alphas_top, alphas_rnd], strict=True):
    for i, name in enumerate(settings):
        ax.plot(alphas, slices[name][(kind, "train")], "-", color=f"C{i}", label=f"{name}: train")
        ax.plot(alphas, slices[name][(kind, "test")], "--", color=f"C{i}", label=f"{name}: test")
    ax.set(
        title=f"loss along {'the top Hessian eigenvector' if kind == 'top' else 'a random unit direction'}",
        xlabel="step alpha along the direction",
        ylabel="cross-entropy loss",
        ylim=(0, 8),
    )
    ax.legend(fontsize="small")
fig.tight_layout()
for name in settings:
    train_cut, test_cut = slices[name][("random", "train")], slices[name][("random", "test")]
    assert np.all(test_cut > train_cut), f"{name}: the test loss lies above the training loss along the whole slice"
    assert int(np.argmin(test_cut)) != len(alphas_rnd) // 2, f"{name}: the test minimum is not at alpha = 0"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左：沿最大特征向量，full batch 的训练损失（橙色实线）两侧陡峭地升起，小 batch 的（蓝色实线）宽得多。右：随机方向上两者都平坦得多（注意横轴范围大了 20 倍），这是因为绝大多数方向的曲率远小于 $\lambda_{\max}$；但 full batch 依然更陡。虚线是测试损失：它在整条切片上都比训练损失高，在右图的随机方向上它的最低点也不在 $\alpha=0$，而是偏到了一侧（断言检查这两点）；训练数据和测试数据的损失曲面并不重合。
#
# **为什么偏移对尖锐极小值伤害更大？** 把测试损失曲面粗略看成训练曲面平移了一小段 $s$：在 $\alpha=0$ 处的测试损失约为训练曲线在 $\pm s$ 处的值。曲面越尖，同样的平移带来的损失上升越大。下面用实测的训练切片量化这一点：沿最大特征方向平移 $s=0.2$ 的代价，以及沿 10 个随机方向平移 10 的平均代价（`mu.sharpness.random_direction_increase`）。

# %% tags=["nbval-ignore-output"]
shift = 0.2
penalty = {}
for name in settings:
    model, _ = models[(name, 0)]
    train_top = slices[name][("top", "train")]
    cost_top = np.mean(np.interp([-shift, shift], alphas_top, train_top)) - np.interp(
        0.0, alphas_top, train_top
    )
    cost_rnd, spread_rnd = mu.sharpness.random_direction_increase(
        model, criterion, (x_train, y_train), radius=10.0, n_directions=10
    )
    penalty[name] = (cost_top, cost_rnd)
    print(
        f"{name:11s}: rise for a shift of {shift} along the top direction {cost_top:.3f}; "
        f"along random directions (radius 10) {cost_rnd:.3f} ± {spread_rnd:.3f}"
    )
ratio_top = penalty["full batch"][0] / penalty["small batch"][0]
ratio_rnd = penalty["full batch"][1] / penalty["small batch"][1]
print(f"full batch / small batch: {ratio_top:.1f} times along the top direction, {ratio_rnd:.1f} times along random ones")
assert ratio_top > 3, "several times (over 3 times) the rise along the sharpest direction"
assert 1.7 < ratio_rnd < 2.5, "about twice the rise along random directions"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 同样的平移，full batch 极小值的损失上升更大：沿最尖的方向是小 batch 的好几倍（断言要求 3 倍以上），沿随机方向约为两倍（断言要求在 1.7 到 2.5 倍之间；具体倍数见上面打印的数字）。这与第 5 节里 full batch 较差的测试表现一致。
#
# 要诚实地说明两点：(1) 这是**相关**，不是因果证明——尖锐程度与泛化的关系在研究中仍有争议，例如对 ReLU 网络按层缩放参数可以改变 $\lambda_{\max}$ 而函数不变，所以表里也列出了参数范数 $\|\boldsymbol\theta\|$ 以供参考；(2) "测试曲面 = 训练曲面平移"只是一幅示意图，真实的测试切片（虚线）除了平移，还整体抬高、形状也不同。课上的解释——小 batch 的噪声让参数容易跳出狭窄的"峡谷"、停在宽阔的"盆地"里—— 与我们测到的结果一致，但并未被这里的实验单独证明。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 小结
#
# - 一次更新的时间随 batch 大小增长得远比 batch 本身慢（GPU 上几乎不变），所以按 epoch 计算，大 batch 更快。
# - 同样的 epoch 数和学习率，小 batch 更新次数多、走得更远，但每步的损失噪声大；full batch 每步稳定而精确。
# - 每个 batch 的损失是一个不同的函数：在全体损失的临界点上（全体梯度几乎为 0），每个 batch 的梯度仍然大上千倍，所以小 batch 的更新不会停在那里。
# - 在 MNIST-1D 上把两者训练到同样的训练损失，小 batch 的测试准确率更高，且停在 Hessian 最大特征值更小（更平坦）的极小值。
# - 最大特征值可以只用 Hessian-向量乘积求出（Lanczos / 幂迭代），不需要构造整个 Hessian。
# - 平坦极小值对训练/测试之间的偏移更不敏感；这是一个被广泛引用、但仍有争议的解释。
#
# ## 练习
#
# **练习 1**：某设备上，$B=10$ 时一次更新 2 ms，$B=1000$ 时一次更新 5 ms。训练集 $N=60000$。$B=10$ 时一个 epoch 要多少**秒**？

# %%
answer = None  # 你的答案（秒）
ex.check_epoch_seconds(answer)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_ref = mu.updates_per_epoch(60_000, 10) * 2e-3
assert ex.check_epoch_seconds(answer_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2**：在某极小值处 $\lambda_{\max}=6$。用二阶近似估计：沿最大特征向量走 $\alpha=0.5$，损失上升多少？

# %%
answer = None  # 你的答案
ex.check_quadratic_rise(answer)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_ref = 0.5 * 6 * 0.5**2
assert ex.check_quadratic_rise(answer_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3**：用幂迭代（power iteration）写 `my_top_eigenvalue(matvec, n, steps)`：从全 1 向量出发，反复做 $\mathbf{v}\leftarrow H\mathbf{v}/\|H\mathbf{v}\|$，返回瑞利商 $\mathbf{v}^\top H\mathbf{v}$。`matvec(v)` 返回 $H\mathbf{v}$（就像 HVP 一样，你拿不到 $H$ 本身）。检查器用几个正定矩阵测试。


# %%
def my_top_eigenvalue(matvec, n, steps):
    return None  # 你的实现


ex.check_power_iteration(my_top_eigenvalue)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_top_eigenvalue_ref(matvec, n, steps):
    v = torch.ones(n, dtype=torch.float64)
    for _ in range(steps):
        hv = matvec(v)
        v = hv / hv.norm()
    return float(v @ matvec(v))


assert ex.check_power_iteration(my_top_eigenvalue_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 4**：写 `my_epoch_batches(n, batch_size, seed)`，返回一个 epoch 的全部 batch（每个 batch 是一串样本编号）：先用 `torch.randperm(n, generator=torch.Generator().manual_seed(seed))` 把 $0,\dots,n-1$ 打乱（shuffle），再从头起每 `batch_size` 个切成一个 batch；最后一个 batch 不足 `batch_size` 个时也要保留（一个 epoch 有 $\lceil n/B\rceil$ 次更新）。这正是第 3 节里 `mu.ShuffledBatches` 每个 epoch 做的事。检查器在随机的 $n$、$B$、种子上把你的结果与参考实现逐个 batch 比较，并指出第一个不同的地方。


# %%
def my_epoch_batches(n, batch_size, seed):
    return None  # 你的实现：返回一个列表，每个元素是一个 batch 的样本编号


ex.check_epoch_batches(my_epoch_batches)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_epoch_batches_ref(n, batch_size, seed):
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


assert ex.check_epoch_batches(my_epoch_batches_ref)
print("参考答案已通过检查。")
