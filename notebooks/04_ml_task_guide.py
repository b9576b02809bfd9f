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
# # 第 4 章 如何进行一个机器学习任务：诊断训练结果
#
# **学习目标**
#
# 1. 按"先看训练损失、再看测试损失"的顺序诊断一次训练，并说出每个分支该怎么处理。
# 2. 区分模型偏差（Model Bias）和最优化（Optimization）问题：更深的网络在**训练集**上反而更差，说明是优化没做好。
# 3. 亲眼看到过拟合（Overfitting）随模型弹性（Flexibility）增大而出现，并用更多数据和数据增强（Data Augmentation）缓解它。
# 4. 认识失配（Mismatch）：训练与测试数据分布不同时，再多的训练数据也帮不上忙。
# 5. 用验证集（Validation Set）和 k 折交叉验证（k-fold Cross Validation）选模型，并明白为什么不能拿公开测试集反复挑模型。
#
# **如何使用本笔记本**：从上到下依次运行（Run All 即可）。带滑块的单元需要一个正在运行的内核（kernel）；滑块旁边有一张静态图，在 GitHub 或 HTML 里也能看到同样的结论。有 GPU 时会自动使用，设置环境变量 `MLNOTE_DEVICE=cpu` 可强制使用 CPU。本章的实验都是小网络，在 2 核 CPU 上整本约需一分钟。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

import mlnote_utils as mu
from mlnote_utils.exercises import ch04 as ex
from mlnote_utils.experiments import ch04 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 总览：一张诊断流程图
#
# 训练完一个模型，结果不满意，先别急着换模型或调参数。按下面的顺序问两个问题：
#
# 1. **训练损失（Training Loss）大不大？** 大的话，问题出在训练集上，要么模型太简单（模型偏差），要么优化没找到好参数。分辨的办法：找一个更简单、容易训练的模型做对照。如果更有弹性的模型在**训练集**上还不如简单模型，那是优化的锅。
# 2. 训练损失小了，再问**测试（验证）损失大不大？** 大的话，可能是过拟合（多给数据、数据增强、限制模型），也可能是失配（训练和测试数据来自不同的分布，加数据没用）。分辨的办法：在和训练数据同分布、但没参与训练的留出数据上也量一下。它也一样差，而且多给同分布的数据能改善，是过拟合；它不差、只有测试集差，是失配（第 4 节实测）。

# %%
ax = xp.plot_decision_flow()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 从上往下读：左半边处理"训练集都学不好"，右半边处理"训练集学好了、验证集不好"。右半边多了一个问题，用来分辨过拟合和失配：在和训练数据同分布、但没参与训练的留出数据上，成绩是不是也一样差，而且多给这类数据会不会变好？下面每个分支都用一个真实的小实验演示。
#
# 全章使用 MNIST-1D：每条信号是长度为 40 的一维序列，标签是 0–9 共 10 类，由 `mnist1d` 包离线生成。我们把生成器的 4000 条训练信号当作"手里的数据"，另外 1000 条测试信号只用来做最后的检验。本章的网络都很小：它们的矩阵乘法小到拆给多个 CPU 线程反而更慢，所以训练单元都放在 `with mu.cpu_threads(1):` 里（离开代码块后线程数自动恢复）。

# %% [markdown] slideshow={"slide_type": "fragment"}
# 每次训练都走课程统一的训练循环 `mu.fit`。下面这个小函数只是把本章共用的设置写在一处：交叉熵损失、每步从数据中有放回地随机抽一批（`mu.RandomBatches`；`batch_size=None` 表示每步都用全部数据），在第 0 步、每 `eval_every` 步和最后一步，用评估模式在**未增强**的训练集和 `eval_sets` 上记录损失与准确率（记在 `History` 里，名字是 `"train_loss"`、`"valid_acc"` 这样的"数据集_指标"）。

# %% tags=["nbval-check-output"]
data = mu.load_mnist1d()  # 4000 train + 1000 test signals, generated offline
x_pool, y_pool = data.x_train, data.y_train
x_test, y_test = data.x_test, data.y_test
print(data)
print("classes:", torch.bincount(y_pool).tolist())

# %% [markdown] slideshow={"slide_type": "fragment"}
# 训练集中 10 个类别各约 400 条，类别基本均衡，所以随机乱猜的准确率约为 10%，对应的交叉熵是 $\ln 10 \approx 2.303$。后面看到损失停在 2.30 附近，就说明模型什么也没学到。

# %%
def train(net, x, y, *, steps, lr, batch_size=None, optimizer="sgd", eval_sets=None, eval_every=None, step=None, seed=SEED):
    """Cross-entropy training through mu.fit; logs train (un-augmented) and eval-set loss/accuracy."""
    if optimizer == "sgd":
        opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    else:
        opt = torch.optim.Adam(net.parameters(), lr=lr)
    data = (x, y) if batch_size is None else mu.RandomBatches(x, y, batch_size=batch_size, seed=seed)
    return mu.fit(net, opt, data, loss_fn=F.cross_entropy, step=step, steps=steps,
                  valid={"train": (x, y), **(eval_sets or {})}, metrics={"acc": mu.accuracy},
                  eval_every=eval_every or steps, eval_at_start=True, device=DEVICE, seed=seed, progress=False)  # fmt: skip

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. 训练损失大：模型偏差，还是优化失败？
#
# ### 2.1 深的网络至少和浅的一样有弹性
#
# 讲义里的例子：56 层的网络在训练集上比 20 层的还差。这不可能是"模型不够有弹性"，因为深网络可以把多出来的层设成"什么也不做"，从而精确地复现浅网络。对 ReLU 网络这一点可以直接构造出来：ReLU 之后的隐藏值 $h \ge 0$，于是
#
# $$\mathrm{ReLU}(I\,h + 0) = h \qquad (h \ge 0),$$
#
# 即权重为单位矩阵、偏置为 0 的一层加上 ReLU 恰好是恒等映射。`mu.initialization.deepen_with_identity` 就是这么做的，下面用代码核对：

# %% tags=["nbval-check-output"]
torch.manual_seed(SEED)
shallow = mu.mlp(40, 32, 4, 10)  # 4 hidden layers, plain (no residuals)
deep_copy = mu.initialization.deepen_with_identity(shallow, extra_layers=4)  # 8 hidden layers, same function
n_linear = lambda m: sum(isinstance(layer, torch.nn.Linear) for layer in m)  # noqa: E731
print("Linear layers:", n_linear(shallow), "->", n_linear(deep_copy))
print("parameters:", sum(p.numel() for p in shallow.parameters()), "->", sum(p.numel() for p in deep_copy.parameters()))
with torch.no_grad():
    torch.testing.assert_close(deep_copy(x_pool), shallow(x_pool))
print("8-layer copy reproduces the 4-layer outputs on all 4000 signals: True")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 8 层网络能表示 4 层网络能表示的一切函数。所以如果 8 层网络训练后的**训练损失**比 4 层的高，原因只能是优化。
#
# ### 2.2 实验：同样的优化器、同样的步数，8 层 vs 4 层
#
# 两个普通的全连接网络（没有残差连接），隐藏宽度 32，ReLU，PyTorch 默认初始化；带动量的 SGD，学习率 0.05，每步 128 条数据，共 1000 步。每种深度用两个随机种子，避免只看到一次运气。

# %% tags=["nbval-ignore-output"]
depth_runs = {}
with mu.cpu_threads(1):
    for seed, depth in mu.progress_bar([(0, 4), (0, 8), (1, 4), (1, 8)], desc="runs"):
        torch.manual_seed(seed)
        net = mu.mlp(40, 32, depth, 10)
        depth_runs[("default", depth, seed)] = train(
            net, x_pool, y_pool, steps=1000, lr=0.05, batch_size=128, eval_every=50,
            eval_sets={"test": (x_test, y_test)}, seed=seed,
        )  # fmt: skip
for (_, depth, seed), r in depth_runs.items():
    print(f"{depth} layers, seed {seed}: train loss {r['train_loss'][-1]:.2f}, test loss {r['test_loss'][-1]:.2f}")

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
for (_, depth, seed), r in depth_runs.items():
    ax.plot(r.steps_of("train_loss"), r["train_loss"], color="tab:blue" if depth == 4 else "tab:red",
            ls="-" if seed == 0 else "--", label=f"{depth} layers, seed {seed}")  # fmt: skip
ax.axhline(np.log(10), color="0.5", lw=0.8, ls=":", label="chance: ln 10")
ax.set(title="Plain ReLU MLPs, same SGD: training loss", xlabel="step", ylabel="training loss (cross-entropy)")
ax.legend(fontsize="small")
plt.show()

# %%
gaps = [depth_runs[("default", 8, s)]["train_loss"][-1] - depth_runs[("default", 4, s)]["train_loss"][-1] for s in (0, 1)]
print("train-loss gap (8 layers - 4 layers) per seed:", np.round(gaps, 2))
assert all(g > 0.2 for g in gaps), "the deeper plain net should be clearly worse on the TRAINING set"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 红线（8 层）在相当长的一段时间里停在 $\ln 10$ 附近，完全没有在学，之后才慢慢下降；在同样的步数内，它的**训练**损失一直高于蓝线（4 层）。两个种子的结论相同。它在测试集上也更差，但这不是过拟合：过拟合要求训练损失小。这就是讲义中 20 层 vs 56 层故事在我们规模上的重现（这里是 4 层 vs 8 层）。
#
# ### 2.3 为什么会这样：信号一层层变弱
#
# PyTorch 的 `nn.Linear` 默认把权重取自 $U(-1/\sqrt{n}, 1/\sqrt{n})$（$n$ 是输入维度），方差为 $\frac{1}{3n}$。若某层输入 $z$ 的各分量独立、均值为 0、方差为 $v$，经过 ReLU 后 $\mathbb E[h^2] = v/2$，下一层输出的方差约为
#
# $$\operatorname{Var}(z') \approx n \cdot \operatorname{Var}(w)\cdot \mathbb E[h^2] = n\cdot\frac{1}{3n}\cdot\frac{v}{2} = \frac{v}{6},$$
#
# 即每过一层标准差缩小到约 $1/\sqrt 6 \approx 0.41$ 倍。8 层之后，输出几乎不再依赖输入，梯度也跟着变得极小，优化器要花很多步才能走出这块平地。何恺明等人提出的初始化（He / Kaiming Initialization）取 $\operatorname{Var}(w) = 2/n$，让这个比例变成 1。先手写，再和 `torch.nn.init.kaiming_normal_` 对照：

# %% tags=["nbval-check-output"]
fan_in = 32
w_hand = torch.randn(32, fan_in, generator=torch.Generator().manual_seed(SEED)) * np.sqrt(2.0 / fan_in)
w_lib = torch.empty(32, fan_in)
torch.nn.init.kaiming_normal_(w_lib, nonlinearity="relu", generator=torch.Generator().manual_seed(SEED))
torch.testing.assert_close(w_hand, w_lib)
print("hand-written He init == torch.nn.init.kaiming_normal_: True")


def he_init_(net):
    """Re-initialise every Linear layer of ``net``: He-normal weights, zero bias."""
    for layer in net:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)
    return net


torch.manual_seed(SEED)
std_default = mu.initialization.layer_signal_std(mu.mlp(40, 32, 8, 10), x_pool[:1000])
std_he = mu.initialization.layer_signal_std(he_init_(mu.mlp(40, 32, 8, 10)), x_pool[:1000])
ratio_default = float(np.exp(np.mean(np.log(std_default[1:-1] / std_default[:-2]))))  # hidden -> hidden
ratio_he = float(np.exp(np.mean(np.log(std_he[1:-1] / std_he[:-2]))))
print(f"mean per-layer std ratio: default {ratio_default:.1f} (theory 0.41), He {ratio_he:.1f} (theory 1.0)")
print(f"std after the last layer / after the first: default {std_default[-1] / std_default[0]:.0e}, "
      f"He {std_he[-1] / std_he[0]:.1f}")  # fmt: skip
assert 0.25 < ratio_default < 0.6 and 0.7 < ratio_he < 1.2 and std_default[-1] < 1e-3 * std_default[0]

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(np.arange(1, len(std_default) + 1), std_default, "o-", label="PyTorch default init")
ax.semilogy(np.arange(1, len(std_he) + 1), std_he, "s-", label="He init")
ax.set(title="Input signal left after each layer (8-layer plain MLP)", xlabel="Linear layer", ylabel="std across batch")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 默认初始化下，每一层输出随输入变化的幅度大约缩小为上一层的 0.4 倍（与推导的 $1/\sqrt6$ 接近；推导假设了均值为 0，所以只是近似），到最后一层只剩第一层的万分之五左右；He 初始化下基本保持不变。**模型（能表示的函数集合）没变，只是起点不同。** 如果换个起点训练损失就明显下降，那就坐实了这是优化问题。

# %% tags=["nbval-ignore-output"]
with mu.cpu_threads(1):
    for seed, depth in mu.progress_bar([(0, 4), (0, 8), (1, 4), (1, 8)], desc="runs"):
        torch.manual_seed(seed)
        net = he_init_(mu.mlp(40, 32, depth, 10))
        depth_runs[("he", depth, seed)] = train(
            net, x_pool, y_pool, steps=1000, lr=0.05, batch_size=128, eval_every=50, seed=seed
        )
final = {key: r["train_loss"][-1] for key, r in depth_runs.items()}
print("final training loss      4 layers   8 layers")
for init in ("default", "he"):
    for seed in (0, 1):
        print(f"{init:>7s} init, seed {seed}:   {final[(init, 4, seed)]:.2f}       {final[(init, 8, seed)]:.2f}")

# %%
for seed in (0, 1):
    assert final[("he", 8, seed)] < final[("default", 8, seed)] - 0.2, "He init should help the 8-layer net a lot"
    assert final[("he", 8, seed)] > final[("he", 4, seed)] + 0.05, "at our scale the deeper net is still behind"
print("8 layers: He init lowers the training loss; the 4-layer net still trains to a lower loss.")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 只改初始化，8 层网络的训练损失就大幅下降，说明原来的问题确实出在优化。但即使用了 He 初始化，同样 1000 步内 8 层的普通网络仍比 4 层的训练损失高一些——这正是残差网络（ResNet）论文观察到的"退化"现象：更深的普通网络更难优化。后面的章节会讲更好的优化器（第 6 章）和批归一化（Batch Normalization，第 8 章）。
#
# **实用建议**：先训练一个简单、容易优化的模型（浅网络，甚至线性模型），记下它的训练损失作为基准；更有弹性的模型如果在训练集上还不如它，就先去修优化，而不是继续加大模型。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. 训练损失小、测试损失大：过拟合
#
# ### 3.1 一个极端的例子
#
# 过拟合指**训练损失小、测试损失大**。最极端的"模型"是一张查找表：见过的训练输入就背出答案，没见过的就随便猜。它在训练集上满分，却什么也没学到：

# %% tags=["nbval-check-output"]
memory = {row.tobytes(): label for row, label in zip(x_pool[:1000].numpy(), y_pool[:1000].tolist(), strict=True)}
rng = np.random.default_rng(SEED)


def lookup_model(x):
    """Return the memorised label for a training signal, a random class otherwise."""
    return np.array([memory.get(row.tobytes(), rng.integers(10)) for row in x.numpy()])


train_acc = float(np.mean(lookup_model(x_pool[:1000]) == y_pool[:1000].numpy()))
test_acc = float(np.mean(lookup_model(x_test) == y_test.numpy()))
print(f"lookup table: train accuracy {train_acc:.2f}, test accuracy {test_acc:.2f}")
assert train_acc == 1.0 and test_acc < 0.2

# %% [markdown] slideshow={"slide_type": "fragment"}
# 训练准确率 100%，测试准确率和瞎猜（10%）差不多。弹性很大的模型在训练数据之外"自由发挥"，离这种极端并不远。
#
# ### 3.2 模型弹性越大，越容易过拟合
#
# 只拿 1000 条信号训练，留出另外 1000 条作**验证集**（从手里的 4000 条中划出，模型训练时看不到）。模型是一个隐藏层的网络，隐藏宽度从 2 变到 64，宽度越大弹性越大。优化器用 Adam（学习率 0.003），每步 100 条，共 1500 步。

# %% tags=["nbval-ignore-output"]
x_small, y_small = x_pool[:1000], y_pool[:1000]
x_valid, y_valid = x_pool[3000:], y_pool[3000:]
x_drift, y_drift = mu.make_mnist1d_variant(1000, seed=1, shear_scale=4.0)  # used in section 4
train_kw = dict(steps=1500, lr=3e-3, batch_size=100, optimizer="adam")
eval_sets = {"valid": (x_valid, y_valid), "test": (x_test, y_test), "drift": (x_drift, y_drift)}
widths = [2, 4, 8, 16, 64]
width_runs, width_nets = {}, {}
with mu.cpu_threads(1):
    for width in mu.progress_bar(widths, desc="widths"):
        torch.manual_seed(SEED)
        width_nets[width] = mu.mlp(40, width, 1, 10)
        width_runs[width] = train(width_nets[width], x_small, y_small, eval_sets=eval_sets, **train_kw)
for width, r in width_runs.items():
    print(f"width {width:3d}: train loss {r['train_loss'][-1]:.2f}  valid loss {r['valid_loss'][-1]:.2f}  "
          f"train acc {r['train_acc'][-1]:.2f}  valid acc {r['valid_acc'][-1]:.2f}")  # fmt: skip

# %%
final_of = lambda runs, keys, name: np.array([runs[k][name][-1] for k in keys])  # noqa: E731
tr, va = final_of(width_runs, widths, "train_loss"), final_of(width_runs, widths, "valid_loss")
tr_acc, va_acc = final_of(width_runs, widths, "train_acc"), final_of(width_runs, widths, "valid_acc")
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for ax, (a, b), metric in zip(axes, [(tr, va), (tr_acc, va_acc)], ["cross-entropy loss", "accuracy"], strict=True):
    ax.plot(widths, a, "o-", label=f"training {metric.split()[-1]}")
    ax.plot(widths, b, "s-", label=f"validation {metric.split()[-1]}")
    ax.set_xscale("log", base=2)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.set(title=f"Flexibility vs {metric} (1000 training signals)", xlabel="hidden width (more = more flexible)", ylabel=metric)
    ax.legend()
fig.tight_layout()
plt.show()
i_min = int(np.argmin(va))
print("width with the lowest validation loss:    ", widths[i_min])
print("width with the highest validation accuracy:", widths[int(np.argmax(va_acc))])
print(f"width 64: train acc {tr_acc[-1]:.2f}, valid acc {va_acc[-1]:.2f}, train loss {tr[-1]:.2f}, valid loss {va[-1]:.2f}")

# %%
assert np.all(np.diff(tr) < 0), "training loss should fall at every step up in width (no rise at all)"
assert tr[-1] < 0.2, "almost 0 at width 64: below 0.2 (chance level is ln 10 = 2.30)"
assert 0 < i_min < len(widths) - 1, "the validation loss should be U-shaped: its minimum inside the range"
assert np.all(np.diff(va[: i_min + 1]) < 0) and np.all(np.diff(va[i_min:]) > 0), "down, then up at every step"
assert tr_acc[-1] > 0.97 and abs(va_acc[-1] - 0.40) < 0.03, "width 64: about 100 % training, about 40 % validation accuracy"
assert va[-1] > tr[-1] + 2, "width 64: validation loss far above training loss"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图是损失，右图是准确率。训练损失随宽度每增大一档都下降，宽度 64 时降到 0.2 以下（乱猜的水平是 2.30），训练准确率接近 100%；验证损失先降后升，呈 U 形，最低点在宽度 4。宽度 64 的网络验证准确率只有约 40%，验证损失比训练损失高出 2 以上：训练集和验证集之间的差距巨大，这就是过拟合，模型把训练数据背了下来，学到的东西只有一小部分能推广到新数据。
#
# 但是右图里，验证**准确率**并没有跟着验证损失一起变差：它大体随宽度上升（宽度 8 处略降），宽度 64 最高。两个指标给出了不同的答案：按验证损失该选宽度 4，按验证准确率该选宽度 64。该相信哪一个、为什么会分歧，在第 5.1 节用测量回答。窄网络的问题则相反：训练准确率本身就低（宽度 2 只有 0.34），那是模型偏差。
#
# ### 3.3 更多数据
#
# 把最有弹性的宽度 64 网络留下，训练数据从 250 条增加到 4000 条，其余设置不变（1500 步，所以数据多时每条数据被看的次数少）。

# %% tags=["nbval-ignore-output"]
sizes = [250, 500, 1000, 2000, 4000]
size_runs = {1000: width_runs[64]}  # same model, data and seed: reuse it
with mu.cpu_threads(1):
    for n in mu.progress_bar([n for n in sizes if n not in size_runs], desc="data sizes"):
        torch.manual_seed(SEED)
        size_runs[n] = train(mu.mlp(40, 64, 1, 10), x_pool[:n], y_pool[:n], eval_sets=eval_sets, **train_kw)
for n in sizes:
    r = size_runs[n]
    print(f"n = {n:4d}: train loss {r['train_loss'][-1]:.2f}  test loss {r['test_loss'][-1]:.2f}  "
          f"train acc {r['train_acc'][-1]:.2f}  test acc {r['test_acc'][-1]:.2f}")  # fmt: skip

# %%
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.plot(sizes, [size_runs[n]["train_loss"][-1] for n in sizes], "o-", label="training loss")
ax.plot(sizes, [size_runs[n]["test_loss"][-1] for n in sizes], "s-", label="test loss")
ax.set_xscale("log", base=2)
ax.set_xticks(sizes, [str(n) for n in sizes])
ax.set(title="More data shrinks the gap (width-64 MLP)", xlabel="number of training signals", ylabel="cross-entropy")
ax.legend()
plt.show()
test_loss_by_n = final_of(size_runs, sizes, "test_loss")
loss_gap = test_loss_by_n - final_of(size_runs, sizes, "train_loss")
acc_gap = final_of(size_runs, sizes, "train_acc") - final_of(size_runs, sizes, "test_acc")
print("test - train loss:    ", np.round(loss_gap, 2))
print("train - test accuracy:", np.round(acc_gap, 2))
assert np.all(np.diff(test_loss_by_n) < 0), "test loss should fall with every increase in data"
assert test_loss_by_n[-1] < 0.4 * test_loss_by_n[0]
assert np.all(np.diff(loss_gap) < 0) and np.all(np.diff(acc_gap) < 0), "the gap should shrink at every step"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 数据越多，模型越难把每条数据都"背"下来：训练损失上升，测试损失大幅下降，两者的差距（过拟合的程度）每多一档数据都在缩小，用损失量（测试减训练）和用准确率量（训练减测试）都是如此（上面打印的两行，断言逐档检查）。
#
# ### 3.4 数据增强
#
# 多收集数据往往很贵。数据增强是从已有数据"变"出新数据：对每条信号做一些**不改变标签**的变化。MNIST-1D 的生成器本身就会对模板做平移、缩放、加噪声，所以这三种变化是合理的。`mu.augmentation.augment_signals` 在每一步对当前批次随机做：循环平移至多 4 格、幅度乘以 0.8–1.2 之间的系数、加标准差 0.05 的噪声。

# %%
gen = torch.Generator().manual_seed(SEED)
fig, axes = plt.subplots(1, 3, figsize=(11, 2.8), sharey=True)
for ax, i in zip(axes, range(3), strict=True):
    ax.plot(x_pool[i].numpy(), "k-", lw=2, label="original")
    for _ in range(3):
        ax.plot(mu.augmentation.augment_signals(x_pool[i : i + 1], gen)[0].numpy(), lw=0.8, alpha=0.8)
    ax.set(title=f"label {int(y_pool[i])}", xlabel="position")
axes[0].set_ylabel("signal")
axes[0].legend(fontsize="small")
fig.suptitle("Original signal (black) and three augmented copies (thin lines)", y=1.02)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 黑线是原始信号，彩色细线是它的三个增强版本：形状稍有平移、伸缩和抖动，但一看仍是同一个数字。
#
# 注意不能"瞎增强"：讲义提醒图像一般不能上下颠倒。对我们的信号来说，"上下颠倒"就是乘以 $-1$，它会把一个数字变成生成器从不产生的形状。下面在 1000 条训练数据上比较三种做法：不增强、合理增强、合理增强再随机上下颠倒一半。
#
# 增强发生在训练的每一步里，所以这里自己写一步更新交给 `mu.fit`：先变换这一批输入，再照常走一步监督学习。随机性来自 `ctx.generator`（由 `mu.fit` 按种子创建、并随检查点保存），所以结果可以复现。

# %% tags=["nbval-ignore-output"]
def upside_down(xb, g):
    """The honest augmentation, then flip half of the signals upside down (label NOT preserved in spirit)."""
    xb = mu.augmentation.augment_signals(xb, g)
    return xb * torch.where(torch.rand(len(xb), 1, generator=g) < 0.5, -1.0, 1.0)


def augmented(transform):
    """A training step that transforms the batch's inputs first (a fresh random draw every step)."""

    def step(batch, ctx):
        x, y = batch
        return mu.supervised_step((transform(x, ctx.generator), y), ctx)

    return step


aug_runs = {"none": width_runs[64]}
with mu.cpu_threads(1):
    for name, fn in (("shift+scale+noise", mu.augmentation.augment_signals), ("+ upside down", upside_down)):
        torch.manual_seed(SEED)
        aug_runs[name] = train(mu.mlp(40, 64, 1, 10), x_small, y_small, step=augmented(fn), eval_sets=eval_sets, **train_kw)
for name, r in aug_runs.items():
    print(f"{name:>18s}: train loss {r['train_loss'][-1]:.2f}  test loss {r['test_loss'][-1]:.2f}  test acc {r['test_acc'][-1]:.2f}")

# %%
names = list(aug_runs)
fig, ax = plt.subplots(figsize=(6.5, 3.5))
pos = np.arange(len(names))
ax.bar(pos - 0.2, [aug_runs[k]["train_loss"][-1] for k in names], 0.4, label="training loss")
ax.bar(pos + 0.2, [aug_runs[k]["test_loss"][-1] for k in names], 0.4, label="test loss")
ax.set_xticks(pos, names)
ax.set(title="Augmentation on 1000 training signals (width 64)", xlabel="augmentation", ylabel="cross-entropy")
ax.legend()
plt.show()
acc = {k: r["test_acc"][-1] for k, r in aug_runs.items()}
assert aug_runs["shift+scale+noise"]["test_loss"][-1] < aug_runs["none"]["test_loss"][-1] - 0.5
assert acc["shift+scale+noise"] > acc["none"] + 0.05 and acc["+ upside down"] < acc["shift+scale+noise"] - 0.1
assert acc["shift+scale+noise"] > size_runs[2000]["test_acc"][-1] - 0.05, "about as good as twice the real data"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 合理的增强让训练损失上升（背不下来了）、测试损失明显下降，测试准确率提高，效果接近把真实数据翻一倍（对照 3.3 中 n = 2000 那一行）。而随机上下颠倒让测试准确率反而下降：增强必须符合数据真实的变化方式。
#
# 除了加数据，另一类办法是给模型加限制：更少的参数、共享参数（第 9 章的 CNN）、正则化（Regularization）、早停（Early Stopping）、Dropout 等。限制太多又会回到模型偏差，所以同样需要第 5 节的方法来挑。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. 失配：训练和测试来自不同的分布
#
# 假设测试数据来自另一台传感器，它的基线漂移（baseline drift）大得多。我们用 MNIST-1D 自己的生成器模拟：把控制线性漂移（shear）的参数 `shear_scale` 从默认的 0.75 调到 4.0，其余完全相同。

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 2.8), sharey=True)
panels = ((x_test, y_test, "usual test signals"), (x_drift, y_drift, "drifting sensor (shear_scale=4)"))
for ax, (xs, ys, title) in zip(axes, panels, strict=True):
    for label in range(3):
        ax.plot(xs[ys == label][0].numpy(), label=f"label {label}")
    ax.set(title=title, xlabel="position")
axes[0].set_ylabel("signal")
axes[0].legend(fontsize="small")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 右边的信号带着明显的倾斜。第 3.3 节训练的 5 个模型在训练时都额外记录了它们在这批"漂移"信号上的表现，下面把正常测试集和漂移测试集的准确率放在一起看：

# %%
acc_match = np.array([size_runs[n]["test_acc"][-1] for n in sizes])
acc_drift = np.array([size_runs[n]["drift_acc"][-1] for n in sizes])
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.plot(sizes, acc_match, "o-", label="test: same distribution")
ax.plot(sizes, acc_drift, "s-", label="test: drifting sensor")
ax.axhline(0.1, color="0.5", ls=":", lw=0.8, label="chance")
ax.set_xscale("log", base=2)
ax.set_xticks(sizes, [str(n) for n in sizes])
ax.set(title="More training data helps only the matching test set", xlabel="number of training signals", ylabel="test accuracy")
ax.legend()
plt.show()
print("same distribution:", np.round(acc_match, 2), "\ndrifting sensor:  ", np.round(acc_drift, 2))
assert np.all(np.diff(acc_match) > 0) and acc_match[-1] - acc_match[0] > 0.2, "more data helps at every step"
assert np.ptp(acc_drift) < 0.03 and abs(acc_drift.mean() - 0.15) < 0.02, "flat at about 15 %, whatever the data size"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 同分布测试集的准确率随数据量每增加一档都上升；漂移传感器的准确率始终停在 15% 左右（各数据量之间相差不到 0.03），几乎不随训练数据增加而改变。这就是失配：问题不在数据量，而在于训练数据没有覆盖测试时会遇到的情况。
#
# **怎样分辨过拟合和失配**（流程图里右下那个问题）。两者的共同点都是训练损失小、测试损失大，区别要靠测量：
#
# 1. 准备一份和训练数据**同分布**、但没有参与训练的留出数据（平时就是从训练数据里划出的验证集；这里用同一个生成器产生的测试集）。如果它和测试集一样差，是模型对训练分布本身推广得不好：过拟合。如果它明显比测试集好，差的只是测试集：失配。
# 2. 增加同分布的训练数据（或做合理的增强）：过拟合时测试成绩会随之变好；失配时几乎不动。上图正是第 2 条：同分布的那条线每一档都在上升，漂移的那条线不动。
#
# 下面把第 1 条在每个数据量上量出来：训练准确率与同分布留出数据之差是过拟合造成的落差，同分布留出数据与漂移测试集之差是失配造成的落差。

# %%
acc_train = final_of(size_runs, sizes, "train_acc")
print("    n | train acc | same-distribution acc | drift acc | overfitting gap | mismatch gap")
for n, a, b, c in zip(sizes, acc_train, acc_match, acc_drift, strict=True):
    print(f"{n:5d} | {a:9.2f} | {b:21.2f} | {c:9.2f} | {a - b:15.2f} | {b - c:12.2f}")
mismatch_gap = acc_match - acc_drift
assert np.all(mismatch_gap > 0.1), "at every size the drifting test set is far below held-out data of the training kind"
assert np.all(np.diff(mismatch_gap) > 0), "more training data widens the mismatch gap at every step"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 每个数据量上，漂移测试集都比同分布的留出数据差 0.1 以上，而且训练数据越多，这个失配落差越大（每一档都变大）；与此同时，过拟合的落差（训练减同分布）在一档档缩小。所以面对一个测试成绩差的模型，先在同分布的留出数据上量一下：差距出现在"训练 → 留出"之间就按过拟合处理（更多数据、增强、限制模型），出现在"留出 → 测试"之间就是失配，要了解测试数据是怎么产生的（例如收集新传感器的数据，或把漂移作为一种增强加进训练），再多同分布的数据也没用。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. 模型选择：怎样挑出在新数据上表现好的模型
#
# ### 5.1 验证集，以及按哪个指标选
#
# 第 3.2 节我们已经在用验证集了：在训练集上训练，在**验证集**上比较候选模型，选出最好的，最后只在测试集上看一次结果。测试集不参与挑选，它给出的才是对新数据的诚实估计。
#
# 还剩一个问题：3.2 节里验证损失和验证准确率意见不一，按哪个选？**按你最终被评判的那个指标选，也就是和目标一致的那个。**这里的任务是分类，目标是把信号分对，所以看验证准确率。交叉熵损失是准确率的平滑替身（proxy）：准确率不能求导，训练时只能优化损失；验证集很小时，准确率只能取少数几个值，损失变化更平滑，也常被用来比较模型。但两者分歧时，以目标指标为准。下表把两个指标都列出来，并看两种选法在测试集上的结果：

# %% tags=["nbval-ignore-output"]
print("width  valid loss  valid acc  test loss  test acc")
for w in widths:
    r = width_runs[w]
    print(f"{w:5d}  {r['valid_loss'][-1]:10.2f}  {r['valid_acc'][-1]:9.2f}  {r['test_loss'][-1]:9.2f}  {r['test_acc'][-1]:8.2f}")
by_acc = widths[int(np.argmax(va_acc))]
by_loss = widths[int(np.argmin(va))]
for rule, w in (("validation accuracy", by_acc), ("validation loss", by_loss)):
    r = width_runs[w]
    print(f"chosen by {rule:19s}: width {w:2d} -> test accuracy {r['test_acc'][-1]:.2f}, test loss {r['test_loss'][-1]:.2f}")
te_acc = final_of(width_runs, widths, "test_acc")
print("largest |valid acc - test acc| over the widths:", np.round(np.abs(va_acc - te_acc).max(), 3))
i_acc = widths.index(by_acc)
assert abs(va_acc[i_acc] - te_acc[i_acc]) < 0.02, "the chosen model: test accuracy within 0.02 of validation"
assert np.abs(va_acc - te_acc).max() < 0.05, "every width: validation accuracy within 0.05 of test accuracy"
assert te_acc[widths.index(by_acc)] > te_acc[widths.index(by_loss)], "the goal's metric picks the better model"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 按验证准确率选出宽度 64，它的测试准确率与验证准确率相差不到 0.02；按验证损失会选出宽度 4，测试准确率低得多（上面两行）。每个宽度的验证准确率与测试准确率都相差不到 0.05，所以验证集给出了可靠的估计。不过宽度 16 和宽度 64 的验证准确率只差一点点，单次划分里这么小的差距可能只是运气；5.2 节的交叉验证会在三折上分别比较它们。
#
# 为什么两个指标会分歧？交叉熵对"很自信地答错"惩罚极重：正确类别的概率是 $p$ 时，这一笔的损失是 $-\ln p$，$p$ 越接近 0 损失越大，没有上限。下面把验证集上答错的信号单独拿出来，看宽度 4 和宽度 64 的网络在这些信号上的平均损失：

# %%
with torch.no_grad():
    for w in (4, 64):
        logits = width_nets[w](x_valid.to(DEVICE)).cpu()
        wrong = logits.argmax(dim=1) != y_valid
        per_signal = F.cross_entropy(logits, y_valid, reduction="none")
        print(f"width {w:2d}: {int(wrong.sum())} of {len(y_valid)} validation signals wrong; mean loss on the wrong ones "
              f"{per_signal[wrong].mean():.2f}, on the right ones {per_signal[~wrong].mean():.2f}")  # fmt: skip
        if w == 4:
            wrong_loss_4, n_wrong_4 = float(per_signal[wrong].mean()), int(wrong.sum())
assert int(wrong.sum()) < n_wrong_4, "width 64 gets fewer validation signals wrong"
assert float(per_signal[wrong].mean()) > 2 * wrong_loss_4, "... but its mistakes cost over twice as much loss each"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 宽度 64 答错的信号更少，但每一个答错的信号平均贡献的损失是宽度 4 的两倍以上：它答错时非常自信（给正确类别的概率极小）。平均下来，它的验证损失反而最高。如果目标是"分对"，这些自信的错误并不比不自信的错误更糟，准确率才是该看的指标；如果目标本身要求可靠的概率（例如要根据概率做决策），那么损失（或其他衡量概率质量的指标）才是该看的指标。所以先想清楚目标，再决定按什么选。
#
# 另外要说明：宽度 64 虽然按准确率胜出，它仍然严重过拟合（训练准确率 0.99），第 3.3、3.4 节里更多的数据和合理的增强都让它在测试集上更好；"挑选"只是在给定的候选里选最好的，并不能消除过拟合。
#
# ### 5.2 k 折交叉验证（k-fold Cross Validation）
#
# 只划一次验证集，结果可能受这次划分的运气影响。k 折交叉验证把训练数据分成 $k$ 份，轮流拿其中一份做验证、其余 $k-1$ 份训练，对每个候选模型取 $k$ 次验证结果（按 5.1 的结论，看准确率；损失也一并记下）的平均，再选平均最好的那个，最后用全部训练数据重新训练它。先手写分折，再和 `sklearn.model_selection.KFold` 对照：

# %% tags=["nbval-check-output"]
from sklearn.model_selection import KFold

K = 3
folds = mu.model_selection.kfold_indices(1000, K, shuffle=True, seed=SEED)
sk_folds = KFold(K, shuffle=True, random_state=SEED).split(np.arange(1000))
for i, ((tr_hand, va_hand), (tr_sk, va_sk)) in enumerate(zip(folds, sk_folds, strict=True)):
    np.testing.assert_array_equal(va_hand, va_sk)
    np.testing.assert_array_equal(tr_hand, tr_sk)
    assert len(np.intersect1d(tr_hand, va_hand)) == 0 and len(tr_hand) + len(va_hand) == 1000
    print(f"fold {i}: train {len(tr_hand)}, valid {len(va_hand)}, first valid indices {va_hand[:4].tolist()}")
print("hand-made folds == sklearn KFold folds: True")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 手写的分折与 sklearn 完全一致（每个样本恰好当一次验证数据）。下面用 3 折交叉验证在宽度 {2, 4, 16, 64} 中选一个，每个候选训练 3 次（为节省时间，每次 1000 步）：

# %% tags=["nbval-ignore-output"]
cv_widths = [2, 4, 16, 64]
cv_loss, cv_acc = {w: [] for w in cv_widths}, {w: [] for w in cv_widths}
with mu.cpu_threads(1):
    for w, (tr_idx, va_idx) in mu.progress_bar([(w, f) for w in cv_widths for f in folds], desc="width x fold"):
        torch.manual_seed(SEED)
        r = train(mu.mlp(40, w, 1, 10), x_small[tr_idx], y_small[tr_idx],
                  eval_sets={"fold": (x_small[va_idx], y_small[va_idx])}, **{**train_kw, "steps": 1000})  # fmt: skip
        cv_loss[w].append(r["fold_loss"][-1])
        cv_acc[w].append(r["fold_acc"][-1])
for w in cv_widths:
    print(f"width {w:3d}: fold losses {np.round(cv_loss[w], 2)} mean {np.mean(cv_loss[w]):.2f} | "
          f"fold accuracies {np.round(cv_acc[w], 2)} mean {np.mean(cv_acc[w]):.3f}")  # fmt: skip
cv_by_acc = max(cv_widths, key=lambda w: np.mean(cv_acc[w]))
cv_by_loss = min(cv_widths, key=lambda w: np.mean(cv_loss[w]))
print(f"chosen by 3-fold CV: width {cv_by_acc} by accuracy, width {cv_by_loss} by loss")
others = [w for w in cv_widths if w != 64]
for f in range(K):  # every fold on its own, not only the means
    assert cv_loss[64][f] > max(cv_loss[w][f] for w in others) + 0.5, f"fold {f}: width 64 has the worst loss"
    assert cv_acc[64][f] > max(cv_acc[w][f] for w in others), f"fold {f}: width 64 has the best accuracy"
assert cv_by_acc == by_acc, "cross-validation by accuracy agrees with the single validation split"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 两个指标的分歧在每一折上都重复出现：宽度 64 在每一折上的验证损失都比其他每个宽度高出 0.5 以上，而它在每一折上的验证准确率也都是最高的（断言逐折检查）。按目标指标（准确率）做交叉验证，选出的仍是宽度 64，与 5.1 的单次验证集一致；按损失则选宽度 4。几个窄网络之间的准确率差距很小（几个百分点），单次划分时它们的排名可能因运气而变，k 折平均更稳。选定之后，用全部 1000 条训练数据重新训练这个宽度，它就是最终提交的模型（它在测试集上的表现可在 5.1 的表格中查到：同一宽度、同一数据）。
#
# ### 5.3 公开测试集的陷阱（public / private leaderboard）
#
# 比赛里常有公开（public）测试集，可以反复提交、看分数；最终排名却用私有（private）测试集。如果提交很多个模型、挑公开分数最高的那个，会发生什么？极端情况：每个"模型"都在瞎猜二分类（真实准确率 50%）。

# %% tags=["nbval-check-output"]
board = mu.model_selection.leaderboard_simulation(n_models=1000, n_public=100, n_private=100, true_accuracy=0.5, seed=SEED)
print(f"best public score of 1000 random guessers: {board['best_public']:.2f}")
print(f"the same model on the private set:       {board['best_private']:.2f}")
print(f"its true accuracy:                         {board['best_true']:.2f}")
assert board["best_public"] >= 0.6 and abs(board["best_private"] - 0.5) < 0.15

# %%
ax = mu.model_selection.plot_leaderboard(board)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 每个点是一个瞎猜的模型。公开分数最高的那个（红星）在公开集上看起来远超 50%，可它在私有集上又落回 50% 附近：它赢在运气，而不是本事。挑得越多、公开集越小，这种"幸运的赢家"就越夸张。用滑块试试：

# %% tags=["nbval-ignore-output"]
def draw_leaderboard(ax, n_models, n_public):
    """Thin: simulate one leaderboard of random guessers and draw it."""
    result = mu.model_selection.leaderboard_simulation(n_models, n_public, 1000, true_accuracy=0.5, seed=SEED)
    return mu.model_selection.plot_leaderboard(result, ax=ax)


leaderboard_widget = mu.interactive_figure(
    draw_leaderboard,
    figsize=(5.5, 4.5),
    n_models=mu.int_slider(200, 1, 2000, description="models"),
    n_public=mu.int_slider(100, 10, 1000, step=10, description="public n"),
)
leaderboard_widget

# %% [markdown] slideshow={"slide_type": "fragment"}
# 没有内核时，看下面这张静态图：对每种公开集大小和提交数量，重复 200 次模拟，画出"公开赢家"的公开分数比它的私有分数平均高出多少。

# %%
n_models_grid = [1, 3, 10, 30, 100, 300, 1000]
fig, ax = plt.subplots(figsize=(6, 3.8))
optimism = {}
for n_public in (50, 200, 1000):
    optimism[n_public] = [
        np.mean([(lambda b: b["best_public"] - b["best_private"])(
            mu.model_selection.leaderboard_simulation(m, n_public, 1000, seed=t)) for t in range(200)])
        for m in n_models_grid
    ]  # fmt: skip
    ax.plot(n_models_grid, optimism[n_public], "o-", label=f"public set: {n_public}")
ax.set_xscale("log")
ax.set(title="How much the public winner's score flatters it", xlabel="number of models tried", ylabel="public - private accuracy")
ax.legend()
plt.show()
assert abs(optimism[50][0]) < 0.02 and optimism[50][-1] > 0.15 and optimism[1000][-1] < optimism[50][-1] / 2

# %% [markdown] slideshow={"slide_type": "fragment"}
# 只试一个模型时，公开分数是无偏的（差距约为 0）；试得越多，赢家的公开分数越虚高。公开集越大，虚高越小，但不会消失。所以：用验证集（或交叉验证）挑模型，公开测试集只用来偶尔确认，不要拿它反复调参。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 小结
#
# - 诊断顺序：先看**训练**损失，再看**测试**（验证）损失。
# - 训练损失大：若更有弹性的模型在训练集上反而不如简单模型，是优化问题（我们的 8 层普通网络在训练集上输给 4 层网络；只换 He 初始化就大幅改善），否则是模型偏差，应加特征或加大模型。
# - 训练损失小、测试损失大：过拟合。弹性越大越容易过拟合；更多数据、合理的数据增强能缓解，不合理的增强（上下颠倒）反而有害。
# - 训练和测试分布不同（失配）时，增加同分布的训练数据几乎没用。分辨两者：在同分布的留出数据上量一下，落差在"训练 → 留出"之间是过拟合，在"留出 → 测试"之间是失配。
# - 用验证集或 k 折交叉验证挑模型，按最终被评判的指标（这里是准确率）挑；损失是它的平滑替身，两者分歧时以目标指标为准。
# - 反复拿公开测试集挑模型，会挑到"运气好"的模型，在私有测试集上露馅。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 练习
#
# **练习 1**：用 $k = 5$ 折划分 103 个样本（不打乱），每一折的验证集各有多少个样本？按折的顺序给出一个列表。

# %%
answer = None  # 你的答案，例如 [20, 20, 20, 20, 23]
ex.check_fold_sizes(answer)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_ref = [len(valid) for _, valid in mu.model_selection.kfold_indices(103, 5)]
assert ex.check_fold_sizes(answer_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2**：实现 `fold_ids(n, k)`：返回长度为 `n` 的整数数组，第 `i` 个元素是样本 `i`（不打乱）所在验证折的编号 0…k−1，规则与 `KFold` 相同（前 `n % k` 折多一个样本）。检查器在随机的 `n`、`k` 上把你的结果与参考实现比较，并指出第一个不同的样本。

# %%
def fold_ids(n, k):
    return None  # 你的实现


ex.check_fold_ids(fold_ids)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def fold_ids_ref(n, k):
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    return np.repeat(np.arange(k), sizes)


assert ex.check_fold_ids(fold_ids_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3**：一个 12 层的普通网络，训练 2000 步后**训练**损失为 1.4；同样设置下 4 层网络的训练损失为 0.7。最可能的问题是什么？从 `"model bias"`、`"optimization"`、`"overfitting"`、`"mismatch"` 中选一个。

# %%
answer = None  # 你的答案
ex.check_deep_net_diagnosis(answer)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_ref = "optimization"
assert ex.check_deep_net_diagnosis(answer_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 4**：用 `mu.model_selection.leaderboard_simulation(n_models=500, n_public=200, n_private=200, true_accuracy=0.7, seed=1)` 模拟一次排行榜，求公开赢家的"公开分数 − 私有分数"。

# %%
answer = None  # 你的答案（一个数）
ex.check_leaderboard_gap(answer)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
result_ref = mu.model_selection.leaderboard_simulation(n_models=500, n_public=200, n_private=200, true_accuracy=0.7, seed=1)
answer_ref = result_ref["best_public"] - result_ref["best_private"]
assert ex.check_leaderboard_gap(answer_ref)
print("参考答案已通过检查。")
