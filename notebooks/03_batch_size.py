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
# # 第 3 章 为什么要分 Batch：batch 大小的影响
#
# **学习目标**
#
# - 在你自己的设备上实测：一次更新（update）和一个 epoch 的时间如何随 batch 大小变化，理解平行运算（parallel computation）的作用；
# - 看到小 batch 的训练曲线"吵"、大 batch 的"稳"，以及同样 epoch 数下谁走得更远；
# - 用多个随机种子比较小 batch 和大 batch 在留出数据上的准确率；
# - 用 Hessian 矩阵–向量乘积（Hessian-vector product, HVP）求最大特征值，沿特征方向和随机方向切开损失曲面，
#   比较尖锐（sharp）与平坦（flat）的极小值，并说明训练/测试之间的偏移为什么对尖锐极小值伤害更大。
#
# **如何使用本笔记本**：从上到下依次运行。滑块（widget）需要一个正在运行的内核（kernel），旁边有一张静态图表达同一件事。
# 有 GPU 时会自动使用，计时实验也会在 GPU 上测；想强制用 CPU，启动前设置 `MLNOTE_DEVICE=cpu`。
# 计时结果取决于你的机器和当时的负载，每次运行都会略有不同。

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

# %% [markdown]
# ## 1. 数据与模型
#
# 本章用 MNIST-1D（由 `mnist1d` 包在本地生成的 40 点一维信号，10 类，4000 笔训练、1000 笔测试），模型是 40-256-256-10 的
# 多层感知机（MLP）。损失是交叉熵（cross-entropy），第 7 章会详细讲；这里只需要知道它越小越好。

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

# %% [markdown]
# ## 2. 一次更新要多久？一个 epoch 要多久？
#
# batch 大小为 $B$ 时，一个 epoch 有 $\lceil N/B\rceil$ 次更新。若一次更新的时间与 $B$ 成正比，那么一个 epoch 的总时间与 $B$ 无关；
# 但硬件可以**平行**处理一个 batch 里的多笔数据：在 GPU 上，$B$ 从 1 增加到上千时，一次更新的时间几乎不变；
# CPU 的并行能力小得多，时间会随 $B$ 增长，只是远慢于线性增长（小 batch 时固定开销占大头）。
# 下面在**当前设备**上实测（每种 $B$ 轮流计时若干组，取最快的一组，因为别的程序只会让计时变慢）；一个 epoch 的时间 = 更新次数 × 每次更新时间。

# %% tags=["nbval-ignore-output"]
batch_sizes = [1, 10, 100, 1000, N]
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
assert timing.sec_per_epoch[0] > timing.sec_per_epoch[-1], (
    "an epoch of single-example updates should be slower"
)
assert timing.sec_per_update[-1] < N * timing.sec_per_update[0] / 4, (
    "a big batch should cost far less than B small ones"
)

# %% [markdown]
# 左图：每次更新的时间随 $B$ 增长得远比 $B$ 本身慢（$B$ 增加了几千倍，时间只增加了上面打印的倍数；在 GPU 上运行时，这条线通常平得多）。
# 右图：因此一个 epoch 的时间随 $B$ 增大而**下降**——batch = 1 时要做 4000 次更新，每次的固定开销（调用、内存搬运）都要付一遍。
# 所以"大 batch 更新一次慢"不等于"大 batch 训练慢"：按 epoch 算，大 batch 反而更快，直到 batch 大到超出硬件的并行能力。
# 上面的断言只检查在任何设备上都应成立的两件事。

# %% [markdown]
# ## 3. 小 batch 吵，大 batch 稳
#
# 同一份数据、同样的 epoch 数、同样的学习率，比较三种 batch 大小。每次更新只看到一个 batch，它的损失是全体训练损失的**带噪声的估计**；
# batch 越小，噪声越大，但一个 epoch 里更新的次数越多。为了让每张图几秒内跑完，这一节用 1000 笔训练数据和一个 40-64-10 的小网络，
# 普通梯度下降（SGD），学习率 0.1，训练 5 个 epoch。

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
fig, axes = plt.subplots(1, 3, figsize=(14, 3.8), sharey=True)
for ax, (b, run) in zip(axes, runs.items(), strict=True):
    xp.plot_batch_curves(run, ax=ax, title=f"batch size {b}: {len(run)} updates")
fig.tight_layout()

# %% [markdown]
# 左（$B=10$，500 次更新）：每个 batch 的损失（细线）上下跳动得很厉害，但全体训练损失（黑点）下降得最快；
# 中（$B=100$，50 次更新）：噪声小了，下降也慢了；右（full batch，5 次更新）：每一步都是精确的梯度、曲线平滑，但 5 个 epoch 只走了 5 步。
# 下面把"同样的 epoch 数"这个结论量化，然后给出滑块。

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

# %% [markdown]
# 在同样 5 个 epoch 里，batch 越小，最后的训练损失越低（更新次数多），但每次更新看到的损失越吵。
# 这个比较固定了学习率；大 batch 通常可以配合更大的学习率，第 4 节里我们就是这样做的。


# %% tags=["nbval-ignore-output"]
def draw_batch_run(ax, batch_size):
    run = batch_run(int(batch_size))
    return xp.plot_batch_curves(run, ax=ax, title=f"batch size {int(batch_size)}: {len(run)} updates")


batch_widget = mu.interactive_figure(
    draw_batch_run,
    batch_size=mu.choice([1, 5, 10, 25, 50, 100, 250, 500, 1000], value=100, description="batch"),
)
batch_widget

# %% [markdown]
# ## 4. 小 batch 与大 batch：留出数据上的准确率
#
# 课上的经验是：训练损失差不多时，小 batch 训练出的模型在测试集上往往更好。我们把两种设置都训练到**同样的训练损失 0.01**
# （在全部训练数据上计算），再在 1000 笔测试数据上比较准确率：
#
# - 小 batch：$B=64$，Adam，学习率 $2\times10^{-3}$；
# - 大 batch：full batch $B=4000$，Adam，学习率 $3\times10^{-3}$（大 batch 通常可以配更大的学习率）。
#
# 每种设置 2 个随机种子（初始化和洗牌都不同），报告均值与两次之差的一半（±）。为了让整本笔记在约一分钟内跑完，种子数只能这么少；
# 我们也会同时记下第 5 节要用的 Hessian 最大特征值 $\lambda_{\max}$（用 `mu.hessian.top_eigenvalues`：Lanczos 迭代，只需要 HVP，不需要整个 Hessian）。

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
summary = {}
for name in settings:
    rs = [r for r in rows if r["setting"] == name]
    summary[name] = {
        k: (np.mean([r[k] for r in rs]), np.ptp([r[k] for r in rs]) / 2)
        for k in ("test_acc", "test_loss", "lam")
    }
for name, s in summary.items():
    print(
        f"{name:11s}: test acc {s['test_acc'][0]:.3f} ± {s['test_acc'][1]:.3f} | test loss {s['test_loss'][0]:.2f} ± "
        f"{s['test_loss'][1]:.2f} | lambda_max {s['lam'][0]:.2f} ± {s['lam'][1]:.2f}"
    )
assert all(r["train_loss"] < 0.01 for r in rows), "every run should reach the same training loss"
small, full = summary["small batch"], summary["full batch"]
assert small["test_acc"][0] - full["test_acc"][0] > 0.02, "small batches should generalise better here"
assert full["lam"][0] > 1.5 * small["lam"][0], "the full-batch minimum should be sharper"

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

# %% [markdown]
# 柱子是均值，黑点是各个种子。两种设置的训练损失相同（都刚好低于 0.01），但小 batch 的测试准确率更高，
# 而 full batch 走到的极小值的 Hessian 最大特征值（曲率最大方向上的弯曲程度）明显更大。本机实测的数字在上面的表里；
# 课题参考值（同类机器、3 个种子）约为 66% 对 60%、特征值约 2.5 对 6，我们的结果与之相近。
# 注意：这里只有 2 个种子，差距虽然远大于种子间的波动，但这仍是一次小规模的观察，不是定律。

# %% [markdown]
# ## 5. 尖锐与平坦的极小值
#
# 在极小值 $\boldsymbol\theta^*$ 附近，损失可以用二阶泰勒展开（Taylor expansion）近似：
#
# $$ L(\boldsymbol\theta^* + \alpha\mathbf{d}) \approx L(\boldsymbol\theta^*) + \tfrac12\alpha^2\,\mathbf{d}^\top H\mathbf{d}, $$
#
# 其中 $H$ 是 Hessian，一阶项因为梯度约为 0 而消失。沿单位向量 $\mathbf{d}$ 走 $\alpha$，损失上升的快慢由 $\mathbf{d}^\top H\mathbf{d}$ 决定；
# 它的最大值就是 $\lambda_{\max}$，对应的 $\mathbf{d}$ 是最大特征向量。$\lambda_{\max}$ 大，极小值就"尖"。
# 先在一个小网络上确认：`mu.hessian.top_eigenvalues` 找到的特征值与完整 Hessian（`mu.hessian.model_hessian`）的最大特征值一致，
# 且 $H\mathbf{v} = \lambda\mathbf{v}$（用 HVP 验证）。

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

# %% [markdown]
# 两种方法给出同一个 $\lambda_{\max}$，而 Lanczos 只用了若干次 HVP、从不构造 $P\times P$ 的矩阵——这正是第 4 节在 7.9 万个参数上能这样做的原因。
#
# 现在取第 4 节种子 0 的两个模型，沿两种方向切开损失曲面：(a) 各自的最大特征向量；(b) 一个随机单位方向。每条切片同时画训练损失和测试损失。

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

# %% [markdown]
# 左：沿最大特征向量，full batch 的训练损失（橙色实线）两侧陡峭地升起，小 batch 的（蓝色实线）宽得多。
# 右：随机方向上两者都平坦得多（注意横轴范围大了 20 倍），这是因为绝大多数方向的曲率远小于 $\lambda_{\max}$；但 full batch 依然更陡。
# 虚线是测试损失：它的最低点不在 $\alpha=0$，也比训练损失高——训练数据和测试数据的损失曲面并不重合。
#
# **为什么偏移对尖锐极小值伤害更大？** 把测试损失曲面粗略看成训练曲面平移了一小段 $s$：在 $\alpha=0$ 处的测试损失约为训练曲线在 $\pm s$ 处的值。
# 曲面越尖，同样的平移带来的损失上升越大。下面用实测的训练切片量化这一点：沿最大特征方向平移 $s=0.2$ 的代价，
# 以及沿 10 个随机方向平移 10 的平均代价（`mu.sharpness.random_direction_increase`）。

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
assert penalty["full batch"][0] > 2 * penalty["small batch"][0]
assert penalty["full batch"][1] > 1.5 * penalty["small batch"][1]

# %% [markdown]
# 同样的平移，full batch 极小值的损失上升更大：沿最尖的方向是小 batch 的好几倍，沿随机方向也约为两倍（具体倍数见上面打印的数字）。这与第 4 节里 full batch 较差的测试表现一致。
#
# 要诚实地说明两点：(1) 这是**相关**，不是因果证明——尖锐程度与泛化的关系在研究中仍有争议，例如对 ReLU 网络按层缩放参数可以改变
# $\lambda_{\max}$ 而函数不变，所以表里也列出了参数范数 $\|\boldsymbol\theta\|$ 以供参考；(2) "测试曲面 = 训练曲面平移"只是一幅示意图，
# 真实的测试切片（虚线）除了平移，还整体抬高、形状也不同。课上的解释——小 batch 的噪声让参数容易跳出狭窄的"峡谷"、停在宽阔的"盆地"里——
# 与我们测到的结果一致，但并未被这里的实验单独证明。

# %% [markdown]
# ## 小结
#
# - 一次更新的时间随 batch 大小增长得远比 batch 本身慢（GPU 上几乎不变），所以按 epoch 计算，大 batch 更快。
# - 同样的 epoch 数和学习率，小 batch 更新次数多、走得更远，但每步的损失噪声大；full batch 每步稳定而精确。
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

# %% jupyter={"source_hidden": true}
# Reference solution
answer = mu.updates_per_epoch(60_000, 10) * 2e-3
ex.check_epoch_seconds(answer)

# %% [markdown]
# **练习 2**：在某极小值处 $\lambda_{\max}=6$。用二阶近似估计：沿最大特征向量走 $\alpha=0.5$，损失上升多少？

# %%
answer = None  # 你的答案
ex.check_quadratic_rise(answer)

# %% jupyter={"source_hidden": true}
# Reference solution
answer = 0.5 * 6 * 0.5**2
ex.check_quadratic_rise(answer)

# %% [markdown]
# **练习 3**：用幂迭代（power iteration）写 `my_top_eigenvalue(matvec, n, steps)`：从全 1 向量出发，反复做 $\mathbf{v}\leftarrow H\mathbf{v}/\|H\mathbf{v}\|$，
# 返回瑞利商 $\mathbf{v}^\top H\mathbf{v}$。`matvec(v)` 返回 $H\mathbf{v}$（就像 HVP 一样，你拿不到 $H$ 本身）。检查器用几个正定矩阵测试。


# %%
def my_top_eigenvalue(matvec, n, steps):
    return None  # 你的实现


ex.check_power_iteration(my_top_eigenvalue)


# %% jupyter={"source_hidden": true}
# Reference solution
def my_top_eigenvalue(matvec, n, steps):
    v = torch.ones(n, dtype=torch.float64)
    for _ in range(steps):
        hv = matvec(v)
        v = hv / hv.norm()
    return float(v @ matvec(v))


ex.check_power_iteration(my_top_eigenvalue)
