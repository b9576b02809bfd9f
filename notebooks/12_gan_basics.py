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
# # 第 12 章 生成式对抗网络（GAN）入门
#
# 到目前为止，网络都是输入一个 $x$、输出一个确定的 $y$。可有些任务的“正确答案”不止一个：同一帧游戏画面之后，小精灵可能向左转，也可能向右转。这一章让网络多吃一个从简单分布（Simple Distribution）里抽出来的随机向量 $z$，输出就变成了一个分布；再用一个判别器（Discriminator）去评判这个分布像不像真的，这就是生成式对抗网络（Generative Adversarial Network, GAN）。
#
# **学习目标**
#
# - 在一个“向左或向右”的两答案任务上量出：回归网络只会输出两个答案的平均（模糊的“分身”），而多吃一个噪声、用判别器训练的生成器（Generator）每次给出其中一个答案；
# - 把判别器写成二元分类器，手写它的损失并与 PyTorch 的二元交叉熵对照；推导最优判别器 $D^*(x)=\frac{p_{data}(x)}{p_{data}(x)+p_G(x)}$，并用一个训练出来的 $D$ 和数值积分核对；
# - 亲手写出交替训练的一步：先固定 $G$ 更新 $D$，再固定 $D$ 更新 $G$，交给课程统一的 `mu.fit`；
# - 在一维、二维高斯混合上看生成分布怎样一步步靠近目标，并用“覆盖了几个模式、多少样本是高质量的”来度量；
# - 在 scikit-learn 自带的 8×8 手写数字上训练一个小 GAN，看样本网格随训练的变化。

# %% [markdown] slideshow={"slide_type": "skip"}
# ## 如何使用本笔记本
#
# 从上到下依次运行（JupyterLab 菜单 Kernel → Restart Kernel and Run All Cells…）。带滑块的单元需要运行中的内核；滑块旁有一张静态图，不运行也能看到同样的现象。所有训练都走课程统一的 `mu.fit`，检查点存在 `data/cache/checkpoints/`：内核重启后重新运行不会从头训练。有 GPU 时自动使用；想强制用 CPU，启动前设置 `MLNOTE_DEVICE=cpu`。练习的参考答案藏在折叠的单元里，点击单元左侧的占位符 “•••” 即可展开。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from scipy.spatial.distance import jensenshannon
from torch import nn

import mlnote_utils as mu
from mlnote_utils import gan
from mlnote_utils.exercises import ch12 as ex
from mlnote_utils.experiments import ch12 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 为什么生成器需要随机输入：向左还是向右
#
# 笔记里的例子：用游戏的前几帧预测下一帧。训练数据里，小精灵走到同一个路口时有时向左转、有时向右转。我们把它缩成一个数字任务：输入是当前位置 $x\sim U(-1,1)$，答案是下一个位置 $y=x-1$（向左）或 $y=x+1$（向右），两者概率各半，与 $x$ 无关。先照常训练一个回归网络，用均方误差（MSE）。

# %% tags=["nbval-ignore-output"]
x_turn, y_turn = xp.two_answer_data(2000, generator=torch.Generator().manual_seed(SEED))
x_probe = torch.linspace(-1, 1, 41)[:, None]

mu.seed_everything(SEED)
regressor = mu.mlp(1, 32, 2, 1)
with mu.cpu_threads(1):
    mu.fit(regressor, torch.optim.Adam(regressor.parameters(), lr=1e-2), mu.RandomBatches(x_turn, y_turn, batch_size=128, seed=SEED),
           loss_fn=F.mse_loss, steps=500, device=DEVICE, checkpoint=mu.checkpoint_path("ch12_turn_regression"))
with torch.no_grad():
    y_reg = regressor.cpu()(x_probe)
gap_to_average = (y_reg - x_probe).abs().max().item()
gap_to_answer = (y_reg - x_probe).abs().sub(1).abs().min().item()
print(f"largest |prediction - average of the two answers| : {gap_to_average:.3f}")
print(f"smallest |prediction - nearest true answer|        : {gap_to_answer:.3f}")
assert gap_to_average < 0.15 and gap_to_answer > 0.85

# %% [markdown] slideshow={"slide_type": "fragment"}
# 回归网络的输出离“两个答案的平均” $x$ 不到 0.15，离任何一个真实答案都差 0.85 以上。MSE 的最优解就是条件平均：对“一半向左、一半向右”的数据，平均就是“原地不动”，这正是笔记里那个同时向左又向右的“分身”小精灵——一个从来不会出现的答案。
#
# 直接给网络多喂一个随机数 $z$ 行不行？如果还是用 MSE 训练，不行：$z$ 与答案无关，最小化 MSE 的网络会学会忽略 $z$，输出仍是平均。下面量一下。

# %% tags=["nbval-ignore-output"]
mu.seed_everything(SEED)
noisy_regressor = mu.mlp(1 + 2, 32, 2, 1)  # input: [x, z1, z2]


def mse_with_noise_step(batch, ctx):
    """Supervised MSE step on [x, z] -> y with fresh noise z every step (the noise carries no information)."""
    x, y = batch
    z = torch.randn(len(x), 2, generator=ctx.generator).to(ctx.device)
    return mu.supervised_step((torch.cat([x, z], dim=1), y), ctx)


with mu.cpu_threads(1):
    mu.fit(noisy_regressor, torch.optim.Adam(noisy_regressor.parameters(), lr=1e-2),
           mu.RandomBatches(x_turn, y_turn, batch_size=128, seed=SEED), loss_fn=F.mse_loss, step=mse_with_noise_step,
           steps=500, device=DEVICE, checkpoint=mu.checkpoint_path("ch12_turn_noisy_regression"))
x_test_turn = torch.rand(2000, 1, generator=torch.Generator().manual_seed(1)) * 2 - 1
z_test_turn = torch.randn(2000, 2, generator=torch.Generator().manual_seed(2))
with torch.no_grad():
    y_noisy = noisy_regressor.cpu()(torch.cat([x_test_turn, z_test_turn], dim=1))
move_noisy = y_noisy - x_test_turn
print(f"MSE net fed noise: mean |y - x| = {move_noisy.abs().mean():.3f}, spread of y - x (std) = {move_noisy.std():.3f}")
assert move_noisy.abs().mean() < 0.2

# %% [markdown] slideshow={"slide_type": "fragment"}
# 即使吃了噪声，用 MSE 训练的网络平均也只移动不到 0.2——它仍然停在“原地”。问题不在输入，而在损失：MSE 只奖励“接近平均”，不奖励“像是真的某一个答案”。我们需要一个能判断“这个输出像不像从真实数据里来的”的评分者，这就是判别器。第 4 节会用它把一个同样结构、同样吃噪声的网络训练成“每次选一边”。
#
# ## 2. 判别器是一个二元分类器
#
# 判别器 $D$ 输入一个样本 $y$，输出它来自真实数据的概率 $D(y)\in(0,1)$。真实样本标签为 1，生成样本标签为 0，它要最大化
#
# $$V(G,D)=\mathbb{E}_{y\sim P_{data}}[\log D(y)]+\mathbb{E}_{y\sim P_G}[\log(1-D(y))] ,$$
#
# 也就是最小化二元交叉熵（Binary Cross-Entropy）$-V$。网络实际输出的是 logit $\ell$，$D=\sigma(\ell)$；用 $-\log\sigma(\ell)=\mathrm{softplus}(-\ell)$、$-\log(1-\sigma(\ell))=\mathrm{softplus}(\ell)$ 可以在 $\ell$ 很大时也不出现 $\log 0$。先按定义从概率手算 $-V$，再与 `gan.discriminator_loss`（softplus 写法）和 PyTorch 的 `F.binary_cross_entropy_with_logits` 对照。

# %% tags=["nbval-check-output"]
g = torch.Generator().manual_seed(SEED)
real_logits, fake_logits = torch.randn(64, 1, generator=g, dtype=torch.float64), torch.randn(48, 1, generator=g, dtype=torch.float64)
by_hand = -(torch.log(torch.sigmoid(real_logits)).mean() + torch.log(1 - torch.sigmoid(fake_logits)).mean())
library = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits)) + F.binary_cross_entropy_with_logits(
    fake_logits, torch.zeros_like(fake_logits))
torch.testing.assert_close(by_hand, library)
torch.testing.assert_close(gan.discriminator_loss(real_logits, fake_logits), library)
torch.testing.assert_close(-gan.value_function(torch.sigmoid(real_logits), torch.sigmoid(fake_logits)), library)
print(f"-V by hand = {by_hand:.6f}   softplus form = {gan.discriminator_loss(real_logits, fake_logits):.6f}   torch BCE = {library:.6f}")
print("with a logit of 200: softplus form =", gan.discriminator_loss(torch.tensor([-200.0]), torch.tensor([200.0])).item(),
      "| naive log form =", -(torch.log(torch.sigmoid(torch.tensor(-200.0))) + torch.log(1 - torch.sigmoid(torch.tensor(200.0)))).item())

# %% [markdown] slideshow={"slide_type": "fragment"}
# 按定义手算、softplus 写法、PyTorch 内置与 `gan.value_function` 的 $-V$ 到机器精度一致；而在 logit 为 ±200 的极端情形下，直接取 log 的写法得到 `inf`，softplus 写法给出正确的有限值 400。
#
# **最优判别器的推导。** 固定生成器，$V$ 是对每一点 $y$ 的积分 $\int \big[p_{data}(y)\log D(y)+p_G(y)\log(1-D(y))\big]\,dy$。每一点可以单独最大化：令 $a=p_{data}(y)$、$b=p_G(y)$，$f(D)=a\log D+b\log(1-D)$，
#
# $$f'(D)=\frac{a}{D}-\frac{b}{1-D}=0\;\Rightarrow\;D^*=\frac{a}{a+b},\qquad f''(D)=-\frac{a}{D^2}-\frac{b}{(1-D)^2}<0 .$$
#
# 代回去，$V(G,D^*)=-\log 4+2\,\mathrm{JS}(P_{data}\,\|\,P_G)$：最优判别器的目标值正好量出两个分布的 JS 散度（Jensen-Shannon Divergence），这就是“用判别器去估计散度”的来历（第 13 章细讲）。先用 autograd 核对导数为零、二阶导为负，再用 scipy 的 `jensenshannon` 核对这个等式。

# %% tags=["nbval-check-output"]
a = torch.rand(1000, generator=g, dtype=torch.float64) + 0.01
b = torch.rand(1000, generator=g, dtype=torch.float64) + 0.01
d_star = gan.optimal_discriminator(a, b).requires_grad_(True)
f = (a * torch.log(d_star) + b * torch.log(1 - d_star)).sum()
(grad,) = torch.autograd.grad(f, d_star, create_graph=True)
(curv,) = torch.autograd.grad(grad.sum(), d_star)
torch.testing.assert_close(grad, torch.zeros_like(grad), atol=1e-9, rtol=0)
assert (curv < 0).all()
print("f'(D*) = 0 and f''(D*) < 0 at all", len(a), "random (a, b) pairs")

# V(G, D*) = -log 4 + 2 JS, by numerical integration on a fine grid
data_centers, data_std, g_std = torch.tensor([-2.0, 2.0]), 0.5, 1.5
ys = torch.linspace(-9, 9, 9001, dtype=torch.float64)
dy = float(ys[1] - ys[0])
p_data = gan.mixture_density(ys, data_centers, data_std).double()
p_g = gan.gaussian_density(ys, 0.0, g_std).double()
D_opt = gan.optimal_discriminator(p_data, p_g)
v_star = (torch.xlogy(p_data, D_opt) + torch.xlogy(p_g, 1 - D_opt)).sum() * dy
js = jensenshannon(p_data.numpy(), p_g.numpy()) ** 2  # scipy returns the square root of JS (natural log)
torch.testing.assert_close(v_star.item(), -np.log(4) + 2 * js, atol=1e-4, rtol=0)
print(f"V(G, D*) = {v_star:.5f}   -log 4 + 2 JS = {-np.log(4) + 2 * js:.5f}   (JS = {js:.4f}, at most log 2 = {np.log(2):.4f})")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 下面把推导放到真实训练里检验。生成器先固定成一个不会学习的“坏”生成器：$G(z)=1.5z$，于是 $p_G=\mathcal N(0,1.5^2)$；真实数据是在 $\pm2$ 处的两个高斯（标准差 0.5）。只做交替训练的前一半——固定 $G$、训练 $D$——看训练出来的 $D$ 是否贴近公式给出的 $D^*$。这一步更新就是后面 GAN 循环里判别器的那一步，所以单独写成函数。

# %% tags=["nbval-ignore-output"]
def d_update(G, D, opt_D, x_real, z, cond=()):
    """Update D with G fixed: one step on -V = BCE(real -> 1, generated -> 0). `cond`: optional inputs both see."""
    with torch.no_grad():  # G is fixed: no graph through G, and G's parameters are not touched
        x_fake = G(torch.cat([*cond, z], dim=1))
    loss_D = gan.discriminator_loss(D(torch.cat([*cond, x_real], dim=1)), D(torch.cat([*cond, x_fake], dim=1)))
    opt_D.zero_grad(set_to_none=True)
    loss_D.backward()
    opt_D.step()
    return loss_D.detach()


def d_only_step(batch, ctx):
    (x_real,) = batch
    z = torch.randn(len(x_real), 1, generator=ctx.generator).to(ctx.device)
    return {"loss_D": d_update(ctx.models["G"], ctx.models["D"], ctx.optimizers["D"], x_real, z)}


fixed_G = nn.Linear(1, 1)
with torch.no_grad():
    fixed_G.weight.fill_(g_std)
    fixed_G.bias.zero_()
fixed_G.requires_grad_(False)
x_two = gan.sample_mixture(data_centers, data_std, 20000, generator=torch.Generator().manual_seed(SEED))
mu.seed_everything(SEED)
D_fit = gan.make_discriminator(1, width=32)
with mu.cpu_threads(1):
    d_history = mu.fit({"G": fixed_G, "D": D_fit}, {"D": torch.optim.Adam(D_fit.parameters(), lr=3e-3)},
                       mu.RandomBatches(x_two, batch_size=512, seed=SEED), step=d_only_step, steps=3000, device=DEVICE,
                       checkpoint=mu.checkpoint_path("ch12_optimal_d"))
with torch.no_grad():
    D_learned = torch.sigmoid(D_fit.cpu()(ys.float()[:, None]))[:, 0].double()
where = (p_data + p_g) > 0.02  # where there are samples to learn from
d_error = (D_learned - D_opt)[where].abs().max().item()
v_learned = (torch.xlogy(p_data, D_learned) + torch.xlogy(p_g, 1 - D_learned)).sum() * dy
print(f"max |D_learned - D*| where p_data + p_G > 0.02 : {d_error:.3f}")
print(f"V(G, D_learned) = {v_learned:.4f}  <=  V(G, D*) = {v_star:.4f}")


def at(y):
    """Index of the grid point nearest to y."""
    return int((ys - y).abs().argmin())


print(f"D* at y = 2: {D_opt[at(2.0)]:.3f}, at y = 0: {D_opt[at(0.0)]:.4f}")
assert d_error < 0.1 and v_learned <= v_star + 1e-6
assert 0.75 < D_opt[at(2.0)] < 0.85 and D_opt[at(0.0)] < 0.01

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.plot(ys, p_data, color="C0", label="$p_{data}$")
ax.plot(ys, p_g, color="C1", label="$p_G$ (fixed $G(z)=1.5z$)")
ax.plot(ys, D_opt, "k--", label="$D^* = p_{data}/(p_{data}+p_G)$")
ax.plot(ys, D_learned, color="C2", alpha=0.8, label="trained $D$ (sigmoid of its logit)")
ax.set(xlim=(-5, 5), xlabel="y", ylabel="density  /  probability of 'real'", title="A discriminator trained with G fixed approaches D*")
ax.legend(fontsize=8, loc="upper center")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 训练出来的 $D$（绿色）在有样本的区间里紧贴公式的 $D^*$（黑色虚线），最大相差不到 0.1：真实数据密度最高的 $\pm2$ 处 $D^*$ 约为 0.8（那里也有不少生成样本，所以不是 1），生成器独占的 0 附近跌到接近 0（上面打印的数值）。训练的 $D$ 的目标值也不超过 $V(G,D^*)$，符合“$D^*$ 是最大值”。$D$ 的这些“坡度”正是下一步要传给生成器的信号：把样本往 $D$ 大的方向推。
#
# ## 3. 交替训练：先更新 D，再更新 G
#
# 完整的一轮是两步：
#
# 1. **固定 $G$，更新 $D$**：从 $z\sim\mathcal N(0,I)$ 生成一批样本，和一批真实样本一起，按上面的 `d_update` 走一步；
# 2. **固定 $D$，更新 $G$**：再抽一批 $z$，把 $G(z)$ 送进 $D$，让 $D$ 认为它是真的：最小化 $-\mathbb E_z[\log D(G(z))]$。梯度穿过 $D$ 传回 $G$，但只调用 $G$ 的优化器，$D$ 的参数不动。
#
# 第 2 步用的是所谓“非饱和”（non-saturating）形式 $-\log D(G(z))$，而不是 min-max 式里的 $\log(1-D(G(z)))$：两者目标相同，但在训练初期 $D(G(z))\approx 0$ 时后者的梯度几乎为零（第 13 章会量这一点）。两步合起来就是交给 `mu.fit` 的 `step`：

# %%
def g_update(G, D, opt_G, z, cond=()):
    """Update G with D fixed: make D call G's samples real (non-saturating loss -log D(G(z)))."""
    loss_G = gan.generator_loss(D(torch.cat([*cond, G(torch.cat([*cond, z], dim=1))], dim=1)))
    opt_G.zero_grad(set_to_none=True)
    loss_G.backward()  # gradients also land in D's .grad, but opt_D.step() is not called: D stays fixed
    opt_G.step()
    return loss_G.detach()


def make_gan_step(noise_dim):
    """The GAN's alternating update as a step for mu.fit. A batch is (x_real,) or (condition, x_real)."""

    def gan_step(batch, ctx):
        *cond, x_real = batch
        G, D = ctx.models["G"], ctx.models["D"]
        z_for_D = torch.randn(len(x_real), noise_dim, generator=ctx.generator).to(ctx.device)
        z_for_G = torch.randn(len(x_real), noise_dim, generator=ctx.generator).to(ctx.device)
        loss_D = d_update(G, D, ctx.optimizers["D"], x_real, z_for_D, cond)  # 1. G fixed
        loss_G = g_update(G, D, ctx.optimizers["G"], z_for_G, cond)  # 2. D fixed
        return {"loss_D": loss_D, "loss_G": loss_G}

    return gan_step


def adam_pair(G, D, lr=1e-3):
    """One Adam per network (beta1 = 0.5, the usual GAN setting)."""
    return {"G": torch.optim.Adam(G.parameters(), lr, betas=(0.5, 0.999)), "D": torch.optim.Adam(D.parameters(), lr, betas=(0.5, 0.999))}


def train_in_stages(G, D, opts, x_real, *, noise_dim, stops, name, snapshot, batch_size=128):
    """Train G and D up to each step count in `stops`, one checkpoint per stage, calling snapshot() after each.

    Returns ({step: snapshot}, {"loss_D": array, "loss_G": array} over all stages). A re-run after a kernel
    restart loads each stage's own checkpoint, so every snapshot shows the model at its own step.
    """
    snaps, losses, done = {0: snapshot()}, {"loss_D": [], "loss_G": []}, 0
    for stop in stops:
        h = mu.fit({"G": G, "D": D}, opts, mu.RandomBatches(x_real, batch_size=batch_size, seed=SEED + stop),
                   step=make_gan_step(noise_dim), steps=stop - done, seed=SEED + stop, device=DEVICE,
                   checkpoint=mu.checkpoint_path(f"{name}_{stop}"), config={"stage": f"{done}-{stop}"})
        for key in losses:
            losses[key].append(h[key])
        snaps[stop], done = snapshot(), stop
    return snaps, {key: np.concatenate(parts) for key, parts in losses.items()}


# %% [markdown] slideshow={"slide_type": "fragment"}
# 先确认 `g_update` 真的只改了 $G$：拷贝 $D$ 的参数，走一次生成器更新，再比较。

# %% tags=["nbval-check-output"]
mu.seed_everything(SEED)
G_probe, D_probe = gan.make_generator(4, 1, 16), gan.make_discriminator(1, 16)
opt_probe = adam_pair(G_probe, D_probe)
D_before = [p.detach().clone() for p in D_probe.parameters()]
G_before = [p.detach().clone() for p in G_probe.parameters()]
g_update(G_probe, D_probe, opt_probe["G"], torch.randn(32, 4))
for before, p in zip(D_before, D_probe.parameters(), strict=True):
    torch.testing.assert_close(p.detach(), before, rtol=0, atol=0)
changed = sum(not torch.equal(before, p.detach()) for before, p in zip(G_before, G_probe.parameters(), strict=True))
print(f"after one generator update: D unchanged, {changed} of {len(G_before)} parameter tensors of G changed")
assert changed == len(G_before)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 3.1 一维：三个峰的混合
#
# 目标是 $-2$、$0$、$2$ 处三个等权高斯（标准差 0.2）。生成器把 4 维标准正态噪声映射成一个数，判别器把一个数映射成 logit，都是两层 64 个神经元的小 MLP。分几段训练，记录每段结束时的样本和 $D$ 的曲线。上面的 `train_in_stages` 每段调用一次 `mu.fit`、各存一个检查点，所以内核重启后重跑时，每张快照仍是它那一步的模型。

# %% tags=["nbval-ignore-output"]
centers_1d, std_1d, noise_1d = torch.tensor([-2.0, 0.0, 2.0]), 0.2, 4
x_1d = gan.sample_mixture(centers_1d, std_1d, 6000, generator=torch.Generator().manual_seed(SEED))
z_show_1d = torch.randn(3000, noise_1d, generator=torch.Generator().manual_seed(1))
grid_1d = torch.linspace(-4, 4, 401)[:, None]

mu.seed_everything(SEED)
G1, D1 = gan.make_generator(noise_1d, 1), gan.make_discriminator(1)
stages_1d = [0, 200, 600, 2000]


@torch.no_grad()
def snapshot_1d():
    """G's samples for fixed noise and D(x) on the grid."""
    return G1(z_show_1d.to(DEVICE)).cpu()[:, 0], torch.sigmoid(D1(grid_1d.to(DEVICE))).cpu()[:, 0]


with mu.cpu_threads(1):
    snaps_1d, losses_1d = train_in_stages(G1, D1, adam_pair(G1, D1), x_1d, noise_dim=noise_1d, stops=stages_1d[1:],
                                          name="ch12_gan_1d", snapshot=snapshot_1d)
cover_1d = gan.mode_coverage(snaps_1d[stages_1d[-1]][0], centers_1d, std_1d)
print(f"after {stages_1d[-1]} steps: modes captured {cover_1d['modes']}/3, high-quality samples {cover_1d['high_quality']:.1%}, "
      f"per mode {cover_1d['counts'].tolist()}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True)
density_1d = gan.mixture_density(grid_1d, centers_1d, std_1d)
for ax, stop in zip(axes, stages_1d[1:], strict=True):
    samples, d_curve = snaps_1d[stop]
    ax.hist(samples.clamp(-4, 4).numpy(), bins=80, range=(-4, 4), density=True, color="C1", alpha=0.6, label="G(z) samples")
    ax.plot(grid_1d[:, 0], density_1d, color="C0", label="$p_{data}$")
    ax.plot(grid_1d[:, 0], d_curve, "k--", label="D(x)")
    ax.set(title=f"after {stop} steps", xlabel="x", xlim=(-4, 4))
axes[0].set_ylabel("density  /  D(x)")
axes[0].legend(fontsize=8, loc="upper left")
fig.suptitle("1-D GAN: generated histogram (orange) moves onto the three target peaks (blue)")
fig.tight_layout()
plt.show()
fig, ax = plt.subplots(figsize=(7, 3))
for key in ("loss_D", "loss_G"):
    ax.plot(np.arange(1, len(losses_1d[key]) + 1), losses_1d[key], lw=0.9, label=key)
ax.axhline(2 * np.log(2), color="gray", lw=0.8, ls=":", label="2 log 2")
ax.set(title="1-D GAN: losses per step", xlabel="step", ylabel="loss")
ax.legend(fontsize=8)
plt.show()

# %%
late_loss_D = np.mean(losses_1d["loss_D"][-500:])
d_at_centers = snaps_1d[stages_1d[-1]][1][[100, 200, 300]]  # grid_1d[100], [200], [300] = -2, 0, 2
print(f"mean loss_D over the last 500 steps: {late_loss_D:.3f}   (2 log 2 = {2 * np.log(2):.3f})")
print("D at the three centres -2, 0, 2:", [round(v, 2) for v in d_at_centers.tolist()])
counts_1d = cover_1d["counts"]
assert cover_1d["modes"] == 3 and cover_1d["high_quality"] > 0.8
assert 1.0 < late_loss_D < 2 * np.log(2)
assert counts_1d.min() < counts_1d.max() / 2 and d_at_centers[counts_1d.argmin()] > 0.5

# %% [markdown] slideshow={"slide_type": "fragment"}
# 训练早期生成的直方图（橙色）摊得很开，$D$（虚线）在真实峰处高、在峰与峰之间低；随着交替训练，样本被推向 $D$ 高的地方，最后三个峰都有样本，且八成以上样本落在某个峰的 3 个标准差以内（上面打印的数字）。但三个峰分到的样本并不均匀：这次运行里有一个峰分到的样本不到最多那个的一半（打印的 per mode，图中是中间的峰），而 $D$ 在这个峰的中心仍大于 0.5——$D$ 看到那里真实样本多于生成样本，正在把 $G$ 往那里拉。GAN 的目标并不直接奖励“均匀地覆盖每个峰”，生成的峰也比目标更窄。
#
# 损失曲线不像监督学习那样一路下降：$D$ 和 $G$ 互相拉扯，$D$ 的损失在最初的剧烈摆动后稳定在略低于 $2\log 2\approx1.39$ 的地方（灰色点线，“$D$ 完全分不清”时的值）：$D$ 只能分出一点点。GAN 的损失不能当作“学得多好”的指标，所以我们用模式覆盖（mode coverage）来评估。
#
# ## 4. 回到“向左还是向右”：带条件的生成器
#
# 现在用同样的 `gan_step` 训练第 1 节那种“吃 $x$ 和噪声 $z$”的网络：生成器输入 $[x, z]$，判别器看一对 $[x, y]$，判断这对“当前位置—下一位置”是否来自真实数据。批次是 `(x, y)`，`gan_step` 把 $x$ 当作条件，交给 $G$ 和 $D$。

# %% tags=["nbval-ignore-output"]
noise_turn = 2
mu.seed_everything(SEED)
G_turn, D_turn = gan.make_generator(1 + noise_turn, 1, width=32), gan.make_discriminator(2, width=32)
with mu.cpu_threads(1):
    turn_history = mu.fit({"G": G_turn, "D": D_turn}, adam_pair(G_turn, D_turn), mu.RandomBatches(x_turn, y_turn, batch_size=128, seed=SEED),
                          step=make_gan_step(noise_turn), steps=2000, device=DEVICE, checkpoint=mu.checkpoint_path("ch12_turn_gan"))
with torch.no_grad():
    y_gan = G_turn.cpu()(torch.cat([x_test_turn, z_test_turn], dim=1))
move_gan = y_gan - x_test_turn
on_an_answer = ((move_gan.abs() - 1).abs() < 0.25).float().mean().item()
right_share = (move_gan > 0).float().mean().item()
print(f"GAN samples within 0.25 of one of the two answers: {on_an_answer:.1%}  (MSE net fed noise: "
      f"{((move_noisy.abs() - 1).abs() < 0.25).float().mean().item():.1%})")
print(f"share that turn right: {right_share:.1%}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
show = slice(0, 600)
axes[0].scatter(x_turn[show], y_turn[show], s=4, color="C0")
axes[0].set_title("training data: y = x - 1 or x + 1")
axes[1].scatter(x_test_turn[show], y_noisy[show], s=4, color="C3", label="MSE net fed noise")
axes[1].plot(x_probe, y_reg, color="k", label="MSE regression")
axes[1].set_title("MSE: the blurry average y = x")
axes[1].legend(fontsize=8, loc="upper left")
axes[2].scatter(x_test_turn[show], y_gan[show], s=4, color="C2")
axes[2].set_title("GAN generator G(x, z): one answer each time")
for ax in axes:
    ax.set(xlabel="position x", xlim=(-1.1, 1.1), ylim=(-2.5, 2.5))
axes[0].set_ylabel("next position y")
fig.tight_layout()
plt.show()
assert on_an_answer > 0.9 and 0.3 < right_share < 0.7

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图是训练数据：两条平行线。中图：回归网络（黑线）和吃了噪声的 MSE 网络（红点）都落在两条线中间的 $y=x$，也就是从不出现的“平均答案”。右图：用判别器训练的生成器每次给出一个答案，九成以上的样本离某条真实的线不到 0.25，向右转的比例在 30%–70% 之间（上面打印的数字），两个答案都会出现。同一个网络结构、同样的噪声输入，差别只在训练它的损失。
#
# ## 5. 二维：八个高斯围成的环
#
# 一个更难的目标：半径 2 的圆上等距的 8 个高斯（标准差 0.05）。GAN 的常见毛病是模式崩塌（mode collapse）：生成器只学会其中几个峰。用 VEEGAN / PacGAN 论文的度量：一个生成样本如果离最近的中心不超过 3 个标准差，就算“高质量”；某个模式分到至少 20 个（共 2000 个样本中的 1%）高质量样本，就算“被覆盖”。训练分段进行，每段结束记一张快照：固定噪声下的样本，以及 $D$ 在平面上的输出。

# %% tags=["nbval-ignore-output"]
ring, ring_std, noise_2d = gan.ring_centers(8, 2.0), 0.05, 8
x_ring = gan.sample_mixture(ring, ring_std, 4000, generator=torch.Generator().manual_seed(SEED))
z_show_2d = torch.randn(2000, noise_2d, generator=torch.Generator().manual_seed(1))

mu.seed_everything(SEED)
G2, D2 = gan.make_generator(noise_2d, 2), gan.make_discriminator(2)
with mu.cpu_threads(1):
    ring_snaps, _ = train_in_stages(G2, D2, adam_pair(G2, D2), x_ring, noise_dim=noise_2d, stops=[250, 500, 1000, 2000, 3000, 4000],
                                    name="ch12_gan_ring", snapshot=lambda: xp.take_snapshot(G2, D2, z_show_2d, lim=3.0))
ring_cover = {stop: gan.mode_coverage(torch.from_numpy(s["samples"]), ring, ring_std, min_count=20) for stop, s in ring_snaps.items()}
for stop, c in ring_cover.items():
    print(f"step {stop:>4}: modes captured {c['modes']}/8, high-quality samples {c['high_quality']:.1%}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 拖动滑块看训练过程：背景是 $D(x)$（红 = 判为真实，蓝 = 判为生成），黑点是生成样本，黄叉是 8 个目标中心。

# %% tags=["nbval-ignore-output"]
ring_widget = mu.interactive_figure(
    lambda ax, step: xp.draw_snapshot(ax, ring_snaps[step], ring, title=f"ring of 8 after {step} steps"),
    figsize=(5.5, 4.6),
    step=mu.choice(list(ring_snaps), value=1000, description="step"),
)
ring_widget

# %% [markdown] slideshow={"slide_type": "fragment"}
# 静态版本：训练开始、中途和结束时的三张快照。

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, stop in zip(axes, [0, 1000, 4000], strict=True):
    xp.draw_snapshot(ax, ring_snaps[stop], ring, title=f"after {stop} steps: {ring_cover[stop]['modes']}/8 modes")
axes[0].legend(fontsize=7, loc="lower left")
fig.suptitle("2-D GAN on a ring of 8 Gaussians: D's output (colour) and G's samples (dots)")
fig.tight_layout()
plt.show()

# %%
final_ring = ring_cover[4000]
missing = [i for i, n in enumerate(final_ring["counts"].tolist()) if n < 20]
print(f"after 4000 steps: {final_ring['modes']}/8 modes, {final_ring['high_quality']:.1%} high quality; modes missed: {missing}")
snap = ring_snaps[4000]


def d_at(point):
    """D's stored value at the grid cell nearest to a 2-D point (rows are x2, columns x1)."""
    return snap["d"][np.abs(snap["axis"] - point[1]).argmin(), np.abs(snap["axis"] - point[0]).argmin()]


d_modes = np.array([d_at(c) for c in ring.numpy()])
covered = final_ring["counts"].numpy() >= 20
print("D at the centres of covered modes:", d_modes[covered].round(2), "| of missed modes:", d_modes[~covered].round(2))
assert ring_cover[0]["high_quality"] < 0.1 and final_ring["modes"] >= 5 and final_ring["high_quality"] > 0.5
assert (~covered).any() and d_modes[~covered].min() > d_modes[covered].max()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 一开始生成样本挤成一小团，几乎不落在任何一个峰上，$D$ 还没训练、到处输出差不多的值；训练开始后 $D$ 很快学会在真实样本处给高分、在那团生成样本处给低分，生成器便顺着 $D$ 的坡度往外推。拖动滑块还能看到，中途样本成片地被 $D$ 的坡度推着走：生成器追着 $D$ 的高分区跑，$D$ 又把那里改成低分。训练结束时（种子 0、4000 步）大部分模式被覆盖（断言：至少 5 个），过半样本是高质量的；但在这次运行里仍有模式分到的高质量样本不足 20 个、算作没被覆盖（上面打印的 modes missed）——这就是模式丢失（mode dropping），普通 GAN 的常见毛病。右图里被漏掉的模式处 $D$ 是红色的，而且比任何被覆盖的模式处都红（打印的 D 值）：$D$ 知道那里缺生成样本，只是 $G$ 还没被拉过去。写这一章时我们用其他种子和设置（2000–4000 步）试过，覆盖的模式数从 0 到 8 都出现过：普通 GAN 在这个任务上对种子很敏感。第 13 章会在多个种子上用表格比较普通 GAN 与 WGAN 的模式覆盖。
#
# ## 6. 真实图像：8×8 手写数字
#
# scikit-learn 自带 1797 张 8×8 手写数字（随包安装，不需下载）。取 75% 作训练集，像素缩放到 $[-1,1]$；生成器把 16 维噪声经过两层 128 个神经元映射成 64 个像素，最后一层用 tanh 压到 $[-1,1]$；判别器同样是两层 128 个神经元的 MLP。交替训练的 `gan_step` 一个字都不改。怎么判断生成得好不好？一个简单的度量：每张生成图到最近一张训练图的欧氏距离，和留出的真实测试图到最近训练图的距离相比。

# %% tags=["nbval-ignore-output"]
digits = mu.load_digits_split()
x_digits = digits.x_train * 2 - 1  # (1347, 64) in [-1, 1]
x_digits_test = digits.x_test * 2 - 1
noise_img = 16
z_show_img = torch.randn(500, noise_img, generator=torch.Generator().manual_seed(1))

mu.seed_everything(SEED)
G_img = nn.Sequential(gan.make_generator(noise_img, 64, width=128), nn.Tanh())
D_img = gan.make_discriminator(64, width=128)
with mu.cpu_threads(1):
    digit_snaps, _ = train_in_stages(G_img, D_img, adam_pair(G_img, D_img), x_digits, noise_dim=noise_img, stops=[300, 1000, 3000],
                                     name="ch12_gan_digits", snapshot=lambda: G_img(z_show_img.to(DEVICE)).detach().cpu(), batch_size=64)
digit_dist = {stop: xp.nearest_distance(s, x_digits).mean().item() for stop, s in digit_snaps.items()}
real_dist = xp.nearest_distance(x_digits_test, x_digits).mean().item()
for stop, d in digit_dist.items():
    print(f"step {stop:>4}: mean distance of a generated digit to its nearest training digit = {d:.2f}")
print(f"held-out real digits to their nearest training digit            = {real_dist:.2f}")

# %%
digit_cmap = plt.get_cmap("gray_r").copy()
digit_cmap.set_bad("lightsteelblue")  # the gaps between tiles
fig, axes = plt.subplots(1, 3, figsize=(12, 4.6), layout="constrained")
for ax, stop in zip(axes, [300, 1000, 3000], strict=True):
    ax.imshow(xp.tile_images(digit_snaps[stop][:36].numpy(), nrow=6), cmap=digit_cmap, vmin=-1, vmax=1)
    ax.set_title(f"G(z) after {stop} steps")
    ax.set(xlabel="6 x 6 samples (same z in every panel)", xticks=[], yticks=[])
fig.suptitle("GAN on 8x8 digits: the same 36 noise vectors over training")
plt.show()
fig, ax = plt.subplots(figsize=(4.4, 4.4))
ax.imshow(xp.tile_images(x_digits[:36].numpy(), nrow=6), cmap=digit_cmap, vmin=-1, vmax=1)
ax.set(title="real training digits", xlabel="6 x 6 samples", xticks=[], yticks=[])
plt.show()

# %%
assert digit_dist[3000] < 0.6 * digit_dist[0]
assert real_dist < digit_dist[3000] < 1.5 * real_dist

# %% [markdown] slideshow={"slide_type": "fragment"}
# 同一组噪声在训练中逐渐变成数字的形状：300 步时同几个模糊的形状在许多格子里反复出现（不同的 $z$ 给出几乎一样的图，是模式崩塌的样子）；1000 步时样子多了起来；3000 步时能认出不少数字（0、2、3、5、9……），但笔画仍比真实数字（下图）粗糙、带噪点。数字上也是如此：生成图到最近训练图的平均距离从训练前的数值下降到不足它的 60%，但仍比留出的真实数字到训练图的距离大，不过已在它的 1.5 倍以内（上面打印的数字）。这个度量很粗：一个把训练图原样背下来的生成器距离为 0，反而“最好”。第 14 章会介绍更像样的评估（IS、FID）以及怎样发现“背答案”。
#
# ## 小结
#
# - 同一个输入有多个正确答案时，MSE 训练出来的网络只会输出它们的平均（“分身”的小精灵）；即使多吃噪声，MSE 也会教网络忽略噪声。
# - 生成器把简单分布的噪声 $z$ 映射成复杂分布；判别器是一个二元分类器，损失是二元交叉熵 $-V(G,D)$。
# - 固定 $G$ 时最优判别器 $D^*=\frac{p_{data}}{p_{data}+p_G}$，此时 $V(G,D^*)=-\log4+2\,\mathrm{JS}$：判别器在“测量”两个分布的散度。
# - 训练是交替的：固定 $G$ 更新 $D$，再固定 $D$ 更新 $G$（梯度穿过 $D$，但只走 $G$ 的优化器）。这一步写成 `step(batch, ctx)` 交给 `mu.fit`，一维、二维、带条件和图像的例子用的是同一个函数。
# - GAN 的损失曲线不表示“学得多好”；在玩具分布上用模式覆盖与高质量样本比例来评估。普通 GAN 对随机种子敏感，可能只学会部分模式。
#
# ## 练习
#
# 把 `None` 换成你的答案，运行检查单元。参考答案在折叠的单元里（点击单元左侧的 “•••” 展开）。

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 1.** 在某一点 $x$，真实数据的密度 $p_{data}(x)=0.3$，生成器的密度 $p_G(x)=0.1$。最优判别器在这一点的输出 $D^*(x)$ 是多少？

# %%
answer_d_star = None  # 你的答案：一个数
ex.check_optimal_d(answer_d_star)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_d_star_ref = 0.3 / (0.3 + 0.1)
assert ex.check_optimal_d(answer_d_star_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2.** 写出判别器的损失 `my_d_loss(real_logits, fake_logits)`：输入是判别器对一批真实样本和一批生成样本输出的 logit（两批的大小可以不同），返回标量 $-V$。不许调用 `gan.discriminator_loss`。检查函数会在随机 logit（包括 ±40 这样的大值）上与 PyTorch 的 `F.binary_cross_entropy_with_logits` 比较，并指出第一个不一致的测试用例。

# %%
def my_d_loss(real_logits, fake_logits):
    return None  # 你的实现


ex.check_discriminator_loss(my_d_loss)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_d_loss_ref(real_logits, fake_logits):
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()  # -log sigma(l) = softplus(-l)


assert ex.check_discriminator_loss(my_d_loss_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3.** 在交替训练的第 2 步（更新生成器）里，`loss_G.backward()` 之后，哪个网络的参数会被这一步改变？从 `"G"`、`"D"`、`"both"`、`"neither"` 中选一个。

# %%
answer_frozen = None  # 你的答案："G"、"D"、"both" 或 "neither"
ex.check_frozen_network(answer_frozen)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_frozen_ref = "G"  # only opt_G.step() is called; D's .grad is filled but never applied (and zeroed next time)
assert ex.check_frozen_network(answer_frozen_ref)
print("参考答案已通过检查。")
