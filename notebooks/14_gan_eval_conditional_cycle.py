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
# # 第 14 章 GAN 的评估、条件式生成与非配对翻译
#
# 第 12 章训练出了会画 8×8 手写数字的 GAN，但只能凭眼睛说“像不像”。这一章先回答“怎样给生成器打分”：用一个分类器去看生成的图片，算出 Inception Score（IS）和 Fréchet Inception Distance（FID），并看清它们看不见的两种毛病——模式丢失（Mode Dropping）和“背答案”（记忆训练集，Memorization）。然后让生成器按指定的条件（这里是数字的类别）生成，即条件式生成（Conditional Generation）；最后在没有成对数据的情况下学习两个领域之间的转换，即 CycleGAN 与循环一致性（Cycle Consistency）。
#
# **学习目标**
#
# - 写出 IS 与 FID 的公式，并在代码里核对它们的性质：分类器输出均匀时 IS = 1，$K$ 个类别被自信且均匀地覆盖时 IS = $K$；统计量相同时 FID = 0；一维、对角协方差时 FID 等于闭式解，一般情形与 `scipy.linalg.sqrtm` 的直接计算一致；
# - 用一个在 scikit-learn 手写数字上训练的小分类器代替 Inception-v3，量出 GAN 训练过程中 IS 与 FID 的变化，并与噪声、真实数字对照；
# - 用生成数字的类别直方图看出模式丢失，用“到最近训练图的距离”发现一个只会复制训练集的“生成器”——而 FID 反倒给它打了高分；
# - 训练条件 GAN（输入类别，输出该类别的数字），比较判别器看得见与看不见条件时，生成数字被分类器认成指定类别的比例；
# - 在两个没有配对的二维领域之间训练 CycleGAN，有无循环一致性损失各一次，量出它防止的失败：转过去再转回来，内容丢了。

# %% [markdown] slideshow={"slide_type": "skip"}
# ## 如何使用本笔记本
#
# 从上到下依次运行（JupyterLab 菜单 Kernel → Restart Kernel and Run All Cells…）。带滑块的单元需要运行中的内核；滑块旁有一张静态图，不运行也能看到同样的现象。所有训练都走课程统一的 `mu.fit`，检查点存在 `data/cache/checkpoints/`：内核重启后重新运行不会从头训练。有 GPU 时自动使用；想强制用 CPU，启动前设置 `MLNOTE_DEVICE=cpu`。练习的参考答案藏在折叠的单元里，点击单元左侧的占位符 “•••” 即可展开。

# %%
import matplotlib.pyplot as plt
import numpy as np
import scipy.linalg
import scipy.stats
import torch
import torch.nn.functional as F
from torch import nn

import mlnote_utils as mu
from mlnote_utils import gan
from mlnote_utils import gan_metrics as gm
from mlnote_utils.exercises import ch14 as ex
from mlnote_utils.experiments import ch12 as xp12
from mlnote_utils.experiments import ch14 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 评估用的“眼睛”：一个数字分类器
#
# 笔记里的做法：把生成的图片丢进一个图像分类器，看它输出的类别分布。IS 和 FID 的原始论文用的都是 Inception-v3：一个在 ImageNet（约 128 万张照片、1000 类）上训练好的网络，FID 取它最后一个池化层的 2048 维特征。大家都用同一个固定的网络，不同论文的分数才能互相比较；而且它见过足够多的自然图像，特征能区分“像真的照片”和“不像的”。本课程完全离线运行，下载不了 Inception-v3 的权重，而且它也不适合 8×8 的手写数字。所以我们在第 12 章用过的 scikit-learn 手写数字（1797 张，随包安装）上现场训练一个小分类器，让它扮演 Inception 的角色：它的 softmax 输出用来算 IS，最后一个隐藏层的 64 维激活（特征，Feature）用来算 FID。公式和真正的 IS、FID 完全一样，只是换了一双“眼睛”，所以这里的数值不能和论文里的数值相比。

# %% tags=["nbval-ignore-output"]
digits = mu.load_digits_split()
x_train, y_train = digits.x_train * 2 - 1, digits.y_train  # (1347, 64) pixels in [-1, 1], labels 0..9
x_test, y_test = digits.x_test * 2 - 1, digits.y_test  # (450, 64): held out, the reference set for FID

mu.seed_everything(SEED)
classifier = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
with mu.cpu_threads(1):
    mu.fit(classifier, torch.optim.Adam(classifier.parameters(), lr=1e-3), mu.ShuffledBatches(x_train, y_train, batch_size=64, seed=SEED),
           loss_fn=F.cross_entropy, epochs=20, device=DEVICE, checkpoint=mu.checkpoint_path("ch14_classifier"))
classifier = classifier.cpu().eval()


@torch.no_grad()
def look(images):
    """The classifier's view of flat images in [-1, 1]: (class probabilities (N, 10), features (N, 64))."""
    features = classifier[:4](images)  # activations of the last hidden layer
    return torch.softmax(classifier[4](features), dim=1), features


probs_test, feats_test = look(x_test)
clf_acc = (probs_test.argmax(dim=1) == y_test).float().mean().item()
print(f"digit classifier: test accuracy {clf_acc:.3f}")
assert clf_acc > 0.95

# %% [markdown] slideshow={"slide_type": "fragment"}
# 分类器在留出的测试数字上正确率超过 95%（上面打印的数值），足够当评估用的“眼睛”。
#
# ## 2. Inception Score：又清楚、又多样
#
# 对 $N$ 张生成图 $y^n$，分类器给出类别分布 $P(c\mid y^n)$。笔记里说了两件事：单张图的分布越集中，说明图越清楚（质量高）；把所有图的分布平均起来，$P(c)=\frac1N\sum_n P(c\mid y^n)$ 越平坦，说明种类越多（多样性高）。IS 把两者合成一个数：
#
# $$\mathrm{IS}=\exp\Big(\frac1N\sum_{n}\mathrm{KL}\big(P(c\mid y^n)\,\big\|\,P(c)\big)\Big)=\exp\big(H(P(c))-\tfrac1N\textstyle\sum_n H(P(c\mid y^n))\big),$$
#
# 其中 $H$ 是熵（Entropy）。第二个等号：$\mathrm{KL}(p\|q)=-H(p)-\sum_c p_c\log q_c$，对 $n$ 平均后 $-\frac1N\sum_n\sum_c P(c\mid y^n)\log P(c)=H(P(c))$。于是 IS 介于 1 和类别数 $K$ 之间：所有图的分布都一样（比如都是均匀分布）时两个熵相等，IS = 1；每张图都被自信地分到一类、$K$ 类各占 $1/K$ 时，单张的熵为 0、平均分布的熵为 $\log K$，IS = $K$。先手写这两个形式，再与 scipy 的 `entropy`（它算 KL）和 `gm.inception_score` 对照。

# %% tags=["nbval-check-output"]
def inception_score_by_hand(p):
    """IS = exp(H(mean p) - mean H(p_n)), with 0 log 0 = 0."""
    entropy = lambda q: -torch.xlogy(q, q).sum(dim=-1)  # noqa: E731
    return torch.exp(entropy(p.mean(dim=0)) - entropy(p).mean()).item()


g = torch.Generator().manual_seed(SEED)
p_random = torch.softmax(3 * torch.randn(200, 10, generator=g, dtype=torch.float64), dim=1)
kl_scipy = scipy.stats.entropy(p_random.numpy().T, p_random.mean(dim=0).numpy()[:, None])  # KL per sample
torch.testing.assert_close(inception_score_by_hand(p_random), float(np.exp(kl_scipy.mean())))
torch.testing.assert_close(gm.inception_score(p_random), float(np.exp(kl_scipy.mean())))
print(f"random outputs: IS by hand {inception_score_by_hand(p_random):.6f} = via scipy KL {np.exp(kl_scipy.mean()):.6f} "
      f"= gm.inception_score {gm.inception_score(p_random):.6f}")

uniform = torch.full((50, 10), 0.1)
torch.testing.assert_close(gm.inception_score(uniform), 1.0)
for k in (1, 3, 10):
    confident_balanced = torch.eye(k).repeat(20, 1)  # 20 samples per class, each with probability 1
    torch.testing.assert_close(gm.inception_score(confident_balanced), float(k))
    print(f"{k:>2} confident, balanced classes: IS = {gm.inception_score(confident_balanced):.6f}")
print(f"uniform classifier output      : IS = {gm.inception_score(uniform):.6f}")
print(f"IS of the real test digits     : {gm.inception_score(probs_test):.3f}  (at most 10)")
assert 8 < gm.inception_score(probs_test) < 10

# %% [markdown] slideshow={"slide_type": "fragment"}
# 手写的熵形式、用 scipy 的 KL 算的定义式与库函数到机器精度一致；均匀输出给出 1，$k$ 个自信且均匀的类别给出 $k$。真实测试数字的 IS 在 8 和 10 之间（最后一行）：分类器对一部分数字不够自信，各类的数量也不完全相等。
#
# 笔记里也指出了 IS 的局限：它只看分类器的类别。生成动漫人脸时，分类器可能把所有图都认成“人脸”这一类，多样性再好 IS 也很低；反过来，它也看不出图片和真实数据“像不像”，只看“像不像某一类”。
#
# ## 3. FID：两团特征之间的距离
#
# FID 不看类别，而是把真实图片和生成图片都送进网络，取特征，各自拟合一个高斯分布 $\mathcal N(\mu_r,\Sigma_r)$、$\mathcal N(\mu_g,\Sigma_g)$，再算两个高斯之间的 Fréchet 距离（也叫 2-Wasserstein 距离）的平方：
#
# $$\mathrm{FID}=\lVert\mu_r-\mu_g\rVert^2+\mathrm{tr}\big(\Sigma_r+\Sigma_g-2(\Sigma_r\Sigma_g)^{1/2}\big).$$
#
# 两个特例可以手算。一维时 $\Sigma=\sigma^2$，$(\sigma_r^2\sigma_g^2)^{1/2}=\sigma_r\sigma_g$，于是 $\mathrm{FID}=(\mu_r-\mu_g)^2+(\sigma_r-\sigma_g)^2$；协方差都是对角阵时，每个坐标各自是一维情形，FID 是各坐标之和。$\Sigma_r\Sigma_g$ 一般不对称，直接开方（`scipy.linalg.sqrtm`）会带出很小的虚部；`gm.frechet_distance` 用 $\mathrm{tr}(\Sigma_r\Sigma_g)^{1/2}=\mathrm{tr}(A\Sigma_gA)^{1/2}$（$A=\Sigma_r^{1/2}$，两者特征值相同）只对对称矩阵开方。下面逐条核对。

# %% tags=["nbval-check-output"]
def fid_direct_scipy(mu1, s1, mu2, s2):
    """The formula as written, with scipy's general matrix square root of the non-symmetric product."""
    covmean = np.real(scipy.linalg.sqrtm(s1 @ s2))
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


g = torch.Generator().manual_seed(SEED)
a, b = torch.randn(8, 11, generator=g, dtype=torch.float64), torch.randn(8, 11, generator=g, dtype=torch.float64)
sigma_a, sigma_b = a @ a.T / 11, 2 * b @ b.T / 11  # two random 8 x 8 covariances
mu_a, mu_b = torch.randn(8, generator=g, dtype=torch.float64), torch.randn(8, generator=g, dtype=torch.float64)
ours, direct = gm.frechet_distance(mu_a, sigma_a, mu_b, sigma_b), fid_direct_scipy(mu_a.numpy(), sigma_a.numpy(), mu_b.numpy(), sigma_b.numpy())
torch.testing.assert_close(ours, direct, rtol=1e-9, atol=0)
print(f"random 8-d Gaussians: gm.frechet_distance = {ours:.8f}, direct scipy sqrtm = {direct:.8f}")

torch.testing.assert_close(gm.frechet_distance(mu_a, sigma_a, mu_a, sigma_a), 0.0, atol=1e-9, rtol=0)
print(f"identical statistics: FID < 1e-9: {gm.frechet_distance(mu_a, sigma_a, mu_a, sigma_a) < 1e-9}")

one_d = gm.frechet_distance([1.0], [[4.0]], [-0.5], [[0.25]])  # sigma 2 vs sigma 0.5
torch.testing.assert_close(one_d, (1.0 + 0.5) ** 2 + (2.0 - 0.5) ** 2)
var_a, var_b = torch.rand(8, generator=g, dtype=torch.float64) + 0.1, torch.rand(8, generator=g, dtype=torch.float64) + 0.1
diagonal = gm.frechet_distance(mu_a, torch.diag(var_a), mu_b, torch.diag(var_b))
torch.testing.assert_close(diagonal, float(((mu_a - mu_b) ** 2 + (var_a.sqrt() - var_b.sqrt()) ** 2).sum()))
print(f"1-D: FID = {one_d:.6f} = (1 + 0.5)^2 + (2 - 0.5)^2 = 4.5;  diagonal 8-d: FID = {diagonal:.6f} = sum of 1-D terms")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 四项都对上了：与 scipy 的直接计算一致到 $10^{-9}$ 的相对误差，统计量相同时为 0，一维和对角情形等于闭式解。
#
# 在数字上，参考集合（Reference Set）是留出的 450 张真实测试数字；被评估的每组样本都取 1000 张（FID 的估计会随样本数变化，比较时要用同样多的样本）。`gm.fid_from_features` 先用 `gm.gaussian_stats` 算均值和协方差，再调用 `frechet_distance`。
#
# ## 4. 模式丢失时 IS 和 FID 怎么变：滑块
#
# 先不训练 GAN，用真实数字模拟一个“丢了模式”的生成器：只保留类别 $0,\dots,k-1$ 的测试数字。$k$ 越小，丢的类别越多。拖动滑块看分类器认出的类别直方图，以及这组图的 IS 和 FID（参考集合是全部 10 类的训练数字，所以 $k=10$ 时 FID 只剩测试集与训练集之间的小差别）。

# %%
probs_train, feats_train = look(x_train)
kept = {k: xp.kept_classes_metrics(probs_test, feats_test, y_test, feats_train, k) for k in range(1, 11)}


def draw_kept(ax, k):
    r = kept[k]
    xp.draw_class_histogram(ax, r["counts"], title=f"real digits of classes 0..{k - 1}: IS = {r['is']:.2f}, FID = {r['fid']:.1f}")
    ax.set_ylim(0, 1)


# %% tags=["nbval-ignore-output"]
kept_widget = mu.interactive_figure(draw_kept, figsize=(6.5, 3.8), k=mu.int_slider(4, 1, 10, description="classes kept"))
kept_widget

# %% [markdown] slideshow={"slide_type": "fragment"}
# 静态版本：IS 和 FID 随保留类别数 $k$ 的变化。

# %%
ks = np.arange(1, 11)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
axes[0].plot(ks, [kept[k]["is"] for k in ks], "o-", color="C0")
axes[0].plot(ks, ks, ":", color="gray", label="IS = k (perfectly confident)")
axes[0].set(title="Inception Score grows with the classes kept", xlabel="classes kept k", ylabel="IS")
axes[0].legend(fontsize=8)
axes[1].plot(ks, [kept[k]["fid"] for k in ks], "o-", color="C3")
axes[1].set(title="FID to all ten classes falls as classes return", xlabel="classes kept k", ylabel="FID (log scale)", yscale="log")
fig.tight_layout()
plt.show()

# %%
is_kept = np.array([kept[k]["is"] for k in ks])
fid_kept = np.array([kept[k]["fid"] for k in ks])
print("IS :", is_kept.round(2))
print("FID:", fid_kept.round(1))
assert (np.diff(is_kept) > 0).all() and (np.diff(fid_kept) < 0).all()
assert np.all(np.abs(is_kept - ks) < 0.15 * ks) and fid_kept[0] > 100 * fid_kept[-1]

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图：IS 紧跟着保留的类别数 $k$（每个 $k$ 都在 $k$ 的 15% 以内，上面打印的数值），因为真实数字大多被分类器自信地认出，而各类数量大致相等——这正是“IS = $K$”那条性质；$k$ 大时略低于 $k$，是因为分类器对一部分数字不够自信。右图：FID 随 $k$ 增加单调下降，只剩一类时比十类都在时大两个数量级以上。两种分数都能看出“丢了模式”，但只有 FID 是拿真实数据来比的。
#
# ## 5. GAN 训练过程中的 IS 与 FID
#
# 现在训练第 12 章那个数字 GAN（生成器：16 维噪声 → 两层 128 个神经元 → 64 个像素，tanh；判别器同样大小），交替更新的一步照抄第 12 章，交给 `mu.fit`。训练分三段（300、1000、1500 步），每段结束时用同一组 1000 个噪声向量生成样本，存下来评估。

# %% tags=["nbval-ignore-output"]
def d_update(G, D, opt_D, x_real, z):
    """Update D with G fixed: BCE(real -> 1, generated -> 0)."""
    with torch.no_grad():
        x_fake = G(z)
    loss_D = gan.discriminator_loss(D(x_real), D(x_fake))
    opt_D.zero_grad(set_to_none=True)
    loss_D.backward()
    opt_D.step()
    return loss_D.detach()


def g_update(G, D, opt_G, z):
    """Update G with D fixed: the non-saturating loss -log D(G(z))."""
    loss_G = gan.generator_loss(D(G(z)))
    opt_G.zero_grad(set_to_none=True)
    loss_G.backward()
    opt_G.step()
    return loss_G.detach()


def gan_step(batch, ctx):
    """One round of the alternating update on a batch (x_real,)."""
    (x_real,) = batch
    z_for_D = torch.randn(len(x_real), NOISE, generator=ctx.generator).to(ctx.device)
    z_for_G = torch.randn(len(x_real), NOISE, generator=ctx.generator).to(ctx.device)
    loss_D = d_update(ctx.models["G"], ctx.models["D"], ctx.optimizers["D"], x_real, z_for_D)
    loss_G = g_update(ctx.models["G"], ctx.models["D"], ctx.optimizers["G"], z_for_G)
    return {"loss_D": loss_D, "loss_G": loss_G}


def adam_pair(G, D, lr=1e-3):
    """One Adam per network (beta1 = 0.5, the usual GAN setting)."""
    return {"G": torch.optim.Adam(G.parameters(), lr, betas=(0.5, 0.999)), "D": torch.optim.Adam(D.parameters(), lr, betas=(0.5, 0.999))}


def digit_generator(n_in):
    return nn.Sequential(gan.make_generator(n_in, 64, width=128), nn.Tanh())


NOISE, N_EVAL = 16, 1000
z_eval = torch.randn(N_EVAL, NOISE, generator=torch.Generator().manual_seed(1))
mu.seed_everything(SEED)
G_img, D_img = digit_generator(NOISE), gan.make_discriminator(64, width=128)
opts_img = adam_pair(G_img, D_img)
stages = [300, 1000, 1500]
samples = {0: G_img(z_eval).detach()}
with mu.cpu_threads(1):
    done = 0
    for stop in stages:
        mu.fit({"G": G_img, "D": D_img}, opts_img, mu.RandomBatches(x_train, batch_size=64, seed=SEED + stop), step=gan_step,
               steps=stop - done, seed=SEED + stop, device=DEVICE, checkpoint=mu.checkpoint_path(f"ch14_gan_{stop}"),
               config={"stage": f"{done}-{stop}"})
        samples[stop], done = G_img(z_eval.to(DEVICE)).detach().cpu(), stop

# %% [markdown] slideshow={"slide_type": "fragment"}
# 对照组：1000 张均匀噪声图（每个像素独立地在 $[-1,1]$ 上均匀取值），以及 1000 张真实的训练数字。参考集合都是 450 张测试数字。

# %%
candidates = {
    "uniform noise": torch.rand(N_EVAL, 64, generator=torch.Generator().manual_seed(2)) * 2 - 1,
    **{f"GAN, step {s}": samples[s] for s in [0, *stages]},
    "real training digits": x_train[torch.randperm(len(x_train), generator=torch.Generator().manual_seed(3))[:N_EVAL]],
}
scores = {}
for name, images in candidates.items():
    p, f = look(images)
    scores[name] = {"IS": gm.inception_score(p), "FID": gm.fid_from_features(f, feats_test), "counts": xp.class_counts(p.argmax(dim=1))}
print(f"{'samples (1000 each)':<22} {'IS':>6} {'FID to test digits':>20}")
for name, s in scores.items():
    print(f"{name:<22} {s['IS']:>6.2f} {s['FID']:>20.1f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
steps_axis = [0, *stages]
for ax, key in zip(axes, ["IS", "FID"], strict=True):
    ax.plot(steps_axis, [scores[f"GAN, step {s}"][key] for s in steps_axis], "o-", color="C1", label="GAN samples")
    ax.axhline(scores["real training digits"][key], color="C0", ls="--", label="real training digits")
    ax.axhline(scores["uniform noise"][key], color="gray", ls=":", label="uniform noise")
    ax.set(xlabel="training step", ylabel=key, title=f"{key} of 1000 GAN samples over training")
axes[1].set_yscale("log")
axes[1].set_ylabel("FID to the test digits (log scale)")
axes[0].legend(fontsize=8)
fig.tight_layout()
plt.show()
fig, axes = plt.subplots(1, 3, figsize=(12, 4.4), layout="constrained")
digit_cmap = plt.get_cmap("gray_r").copy()
digit_cmap.set_bad("lightsteelblue")  # the gaps between tiles
for ax, stop in zip(axes, stages, strict=True):
    ax.imshow(xp12.tile_images(samples[stop][:36].numpy(), nrow=6), cmap=digit_cmap, vmin=-1, vmax=1)
    ax.set(title=f"step {stop}: IS {scores[f'GAN, step {stop}']['IS']:.1f}, FID {scores[f'GAN, step {stop}']['FID']:.0f}",
           xlabel="6 x 6 samples (same z in every panel)", xticks=[], yticks=[])
fig.suptitle("GAN samples at the three stages")
plt.show()

# %%
fid_steps = [scores[f"GAN, step {s}"]["FID"] for s in steps_axis]
is_final, fid_final = scores["GAN, step 1500"]["IS"], scores["GAN, step 1500"]["FID"]
is_steps = [scores[f"GAN, step {s}"]["IS"] for s in steps_axis]
assert all(later < earlier for earlier, later in zip(fid_steps[:-1], fid_steps[1:], strict=True))
assert all(later > earlier for earlier, later in zip(is_steps[:-1], is_steps[1:], strict=True))
assert 1 / 3 < fid_steps[0] / scores["uniform noise"]["FID"] < 3
assert fid_final < scores["uniform noise"]["FID"] / 10 and scores["real training digits"]["FID"] < fid_final / 3
assert is_final > scores["GAN, step 300"]["IS"] and is_final < scores["real training digits"]["IS"] - 1

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图：IS 每一段都在上升，但 1500 步时仍比真实数字低 1 以上；右图：FID 每一段都在下降（对数坐标），从未训练时和均匀噪声同一个量级，降到 1500 步时比噪声小一个数量级以上，但仍是真实训练数字的 3 倍以上（上面表格里的数值）。样本网格也是这个顺序：300 步时许多格子是同一个模糊的形状（多是 6 和像 3 的形状），1500 步时已能认出不少不同的数字（6、5、9、3……），但仍有不少模糊、带噪点的格子。两种分数讲的故事和眼睛看到的一致，而且都能写成一个数，用来比较不同的模型或训练阶段。
#
# ## 6. 模式丢失：生成数字的类别直方图
#
# 把每张生成图交给分类器，数一数每类有几张。真实数字每类约占 10%；一个丢了模式的生成器，某些类会很少甚至没有。

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
for ax, stop in zip(axes, [300, 1500], strict=True):
    xp.draw_class_histogram(ax, scores["real training digits"]["counts"], color="C0", label="real training digits", offset=-0.2, width=0.4)
    xp.draw_class_histogram(ax, scores[f"GAN, step {stop}"]["counts"], color="C1", label=f"GAN, step {stop}", offset=0.2, width=0.4,
                            title=f"classes of 1000 samples: GAN after {stop} steps vs real")
    ax.axhline(0.1, color="gray", lw=0.8, ls=":")
for ax in axes:
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

share = {stop: scores[f"GAN, step {stop}"]["counts"].double() / N_EVAL for stop in stages}
real_share = scores["real training digits"]["counts"].double() / N_EVAL
for stop in stages:
    print(f"GAN step {stop:>4}: classes with < 2 % of the samples: {(share[stop] < 0.02).nonzero().flatten().tolist()}, "
          f"largest share {share[stop].max():.1%}")
print(f"real digits     : smallest share {real_share.min():.1%}, largest {real_share.max():.1%}")
assert (share[300] < 0.02).sum() >= 5 and share[300].max() > 0.4
assert (share[1500] < 0.02).sum() <= 3 and share[1500].max() > real_share.max()
assert real_share.min() > 0.07 and real_share.max() < 0.13

# %% [markdown] slideshow={"slide_type": "fragment"}
# 300 步时，至少一半的类分到的样本不到 2%，最大的一类占了四成以上：生成器只会画少数几种数字，这就是模式崩塌 / 模式丢失。1500 步时至少七类回来了（上面打印的列表是仍不到 2% 的类），但比例仍不如真实数字均匀：最多的一类比真实数字里最多的一类还多。真实数字每类都在 7%–13% 之间。直方图比 IS 的一个数字说得更具体：丢的是哪几类。
#
# ## 7. “背答案”：FID 看不出，最近邻距离看得出
#
# 笔记里的担心：如果 GAN 把训练集原样背下来输出，FID 也会很小。上面的表格已经说明了这一点：“真实训练数字”那一行就是一个完美的背诵者——它输出的就是训练图，FID 比 GAN 好得多，IS 也更高。看出背诵的一个简单办法是量每张样本到**最近一张训练图**的欧氏距离：真实的新数字（留出的测试集）离训练集有一段距离；背诵者的距离是 0；一个真正在“生成”的模型应该和测试集差不多。

# %%
mirrored = candidates["real training digits"].reshape(-1, 8, 8).flip(2).reshape(-1, 64)  # left-right flipped copies
nearest = {
    "copies of training digits": xp12.nearest_distance(candidates["real training digits"], x_train),
    "mirrored copies": xp12.nearest_distance(mirrored, x_train),
    "held-out real digits": xp12.nearest_distance(x_test, x_train),
    "GAN, step 1500": xp12.nearest_distance(samples[1500], x_train),
}
fig, ax = plt.subplots(figsize=(7, 3.6))
for (name, d), color in zip(nearest.items(), ["C0", "C4", "C2", "C1"], strict=True):
    ax.hist(d.numpy(), bins=40, range=(0, 8), alpha=0.6, color=color, label=f"{name} (median {d.median():.2f})")
ax.set(title="Distance of each sample to its nearest training digit", xlabel="Euclidean distance in pixel space", ylabel="number of samples")
ax.legend(fontsize=8)
plt.show()
for name, d in nearest.items():
    print(f"{name:<27}: median nearest-training distance {d.median():.2f}")
fid_mirrored = gm.fid_from_features(look(mirrored)[1], feats_test)
print(f"FID to the test digits: copies {scores['real training digits']['FID']:.1f}, mirrored copies {fid_mirrored:.1f}, GAN {fid_final:.1f}")
assert nearest["copies of training digits"].max() == 0
assert nearest["held-out real digits"].min() > 0.5 and nearest["GAN, step 1500"].median() > nearest["held-out real digits"].median()
assert nearest["mirrored copies"].min() > 0.5 and nearest["mirrored copies"].median() > nearest["held-out real digits"].median()
assert scores["real training digits"]["FID"] < fid_mirrored

# %% [markdown] slideshow={"slide_type": "fragment"}
# 复制训练集的“生成器”距离全部是 0（蓝色，挤在最左边），一眼就露馅，尽管它的 FID 最好；留出的真实数字离最近的训练图至少 0.5（绿色）；GAN 的样本离训练图比真实新数字还远一点（橙色）——它没有在背答案，只是画得还不够像。笔记也提到这个检查能被绕过：把训练图左右翻转再输出（紫色），像素距离就不再是 0，最近的也在 0.5 以外，中位数甚至比真实新数字还大。这种最粗糙的“背诵加变换”FID 倒是看得出来（上面打印的 FID 比原样复制差，因为镜像的 2、3、7 已不像数字），但更巧妙、不破坏外观的变换就未必了。所以评估生成模型至今没有一个单一的完美指标，通常要几个一起看。
#
# ## 8. 条件式生成：输入类别，输出那一类的数字
#
# 条件 GAN（Conditional GAN）的生成器多吃一个条件 $c$（这里是数字类别的 one-hot 向量）：$x=G(c,z)$，同一个 $c$、不同的 $z$ 给出同一类的不同写法。笔记的关键一句：判别器也必须看到条件。如果 $D$ 只看图片，它只会检查“像不像数字”，生成器画出任何一个像样的数字都能过关，于是会忽略 $c$。只有 $D$ 看的是一对 $(c,x)$，“图清楚但与条件不符”的对才会被打低分。
#
# 下面的 `make_cgan_step` 把这一点写成一个开关：`d_sees_label=True` 时 $D$ 的输入是 $[c, x]$，否则只有 $x$。生成器两种情况下都拿到 $c$。其余与上面的 GAN 相同，各训练 1200 步。

# %% tags=["nbval-ignore-output"]
def make_cgan_step(d_sees_label):
    """Alternating update of a conditional GAN on batches (labels, x_real); G always gets the one-hot label."""

    def cgan_step(batch, ctx):
        labels, x_real = batch
        c = F.one_hot(labels, 10).float()  # (B, 10)
        z_for_D = torch.randn(len(x_real), NOISE, generator=ctx.generator).to(ctx.device)
        z_for_G = torch.randn(len(x_real), NOISE, generator=ctx.generator).to(ctx.device)
        G, D = ctx.models["G"], ctx.models["D"]
        with torch.no_grad():
            x_fake = G(torch.cat([c, z_for_D], dim=1))
        d_in = (lambda x: torch.cat([c, x], dim=1)) if d_sees_label else (lambda x: x)  # noqa: E731
        loss_D = gan.discriminator_loss(D(d_in(x_real)), D(d_in(x_fake)))  # a real pair (c, x) -> 1, (c, G(c, z)) -> 0
        ctx.optimizers["D"].zero_grad(set_to_none=True)
        loss_D.backward()
        ctx.optimizers["D"].step()
        loss_G = gan.generator_loss(D(d_in(G(torch.cat([c, z_for_G], dim=1)))))
        ctx.optimizers["G"].zero_grad(set_to_none=True)
        loss_G.backward()
        ctx.optimizers["G"].step()
        return {"loss_D": loss_D.detach(), "loss_G": loss_G.detach()}

    return cgan_step


label_eval = torch.arange(10).repeat_interleave(N_EVAL // 10)  # 100 requests per class
c_eval = F.one_hot(label_eval, 10).float()
cgans = {}
for d_sees_label in (True, False):
    mu.seed_everything(SEED)
    G_c, D_c = digit_generator(10 + NOISE), gan.make_discriminator(64 + (10 if d_sees_label else 0), width=128)
    with mu.cpu_threads(1):
        mu.fit({"G": G_c, "D": D_c}, adam_pair(G_c, D_c), mu.RandomBatches(y_train, x_train, batch_size=64, seed=SEED),
               step=make_cgan_step(d_sees_label), steps=1200, device=DEVICE,
               checkpoint=mu.checkpoint_path(f"ch14_cgan_d_sees_label_{d_sees_label}"))
    cgans[d_sees_label] = G_c(torch.cat([c_eval, z_eval], dim=1).to(DEVICE)).detach().cpu()

# %%
cond_acc, cond_scores = {}, {}
for d_sees_label, images in cgans.items():
    p, f = look(images)
    cond_acc[d_sees_label] = xp.per_label_accuracy(p.argmax(dim=1), label_eval)
    cond_scores[d_sees_label] = (gm.inception_score(p), gm.fid_from_features(f, feats_test))
print("share of samples the classifier reads as the requested class:")
print(f"{'requested class':<24}" + "".join(f"{c:>6}" for c in range(10)) + f"{'all':>7}{'IS':>6}{'FID':>7}")
for d_sees_label in (True, False):
    row = cond_acc[d_sees_label]
    print(f"{'D sees the label' if d_sees_label else 'D sees the image only':<24}" + "".join(f"{v:>6.2f}" for v in row.tolist())
          + f"{row.mean():>7.2f}{cond_scores[d_sees_label][0]:>6.2f}{cond_scores[d_sees_label][1]:>7.1f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 5.4), layout="constrained")
pick = torch.cat([torch.arange(c * 100, c * 100 + 8) for c in range(10)])  # 8 samples per requested class
for ax, d_sees_label in zip(axes, (True, False), strict=True):
    ax.imshow(xp12.tile_images(cgans[d_sees_label][pick].numpy(), nrow=10), cmap=digit_cmap, vmin=-1, vmax=1)
    ax.set(title=f"{'D sees (label, image)' if d_sees_label else 'D sees the image only'}: "
           f"{cond_acc[d_sees_label].mean():.0%} on label", xlabel="8 samples (different z)", xticks=[],
           yticks=np.arange(10) * 9 + 3.5, yticklabels=range(10), ylabel="requested class c")
fig.suptitle("Conditional GAN: one row per requested digit")
plt.show()
assert cond_acc[True].mean() > 0.8 and cond_acc[True].min() > 0.5
assert cond_acc[False].mean() < 0.25 and cond_scores[False][1] > cond_scores[True][1]

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图每一行就是请求的那个数字：判别器看得见条件时，分类器把八成以上的生成图认成了请求的类别，每一类都超过一半（上面表格的第一行）。右图：判别器只看图片时，生成器画出的仍然是像样的数字，但与请求的类别几乎无关——总体命中率低于 25%，接近瞎猜的 10%。这正是笔记所说的：判别器不检查条件，生成器就学会忽略条件。表格右边的 FID 还显示，只看图片的判别器训练出的图整体反而离真实数字更远：检查条件并没有牺牲图的质量。
#
# ## 9. 非配对数据：CycleGAN 与循环一致性
#
# 风格转换（比如真人照片 → 动漫头像）通常没有成对的数据：有一堆领域 $X$ 的图、一堆领域 $Y$ 的图，但不知道哪张对应哪张。只用一个生成器 $G_{X\to Y}$ 加一个判别器 $D_Y$ 训练时，$D_Y$ 只要求输出“像 $Y$”，并不要求它和输入有关；笔记指出，生成器完全可以无视输入。CycleGAN 再加一个反方向的生成器 $G_{Y\to X}$ 和判别器 $D_X$，并要求转过去再转回来要回到原处（循环一致性损失）：
#
# $$\mathcal L_{cyc}=\mathbb E_x\lVert G_{Y\to X}(G_{X\to Y}(x))-x\rVert_1+\mathbb E_y\lVert G_{X\to Y}(G_{Y\to X}(y))-y\rVert_1 ,\qquad \mathcal L_G=\mathcal L_{adv}+\lambda\,\mathcal L_{cyc}.$$
#
# 为了让失败看得见、量得出，我们用两个二维的领域：$X$ 是半径 2 的圆上 8 个高斯（标准差 0.1），$Y$ 是把 $X$ 旋转 22.5° 再缩小一半得到的分布。两个领域分别抽样，互不配对；但我们自己知道“正确答案”：$X$ 的第 $i$ 个模式对应 $Y$ 的第 $i$ 个模式。同一个 `cycle_step` 训练两次：$\lambda=0$（只有对抗损失）和 $\lambda=10$。

# %% tags=["nbval-ignore-output"]
K_MODES, MODE_STD = 8, 0.1
angle = np.pi / K_MODES
rotation = torch.tensor([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], dtype=torch.float32)


def to_domain_y(points):
    """The hidden ground-truth translation X -> Y: rotate by 22.5 degrees, then halve."""
    return 0.5 * points @ rotation.T


centers_x = gan.ring_centers(K_MODES, 2.0)
centers_y = to_domain_y(centers_x)
x_dom = gan.sample_mixture(centers_x, MODE_STD, 4000, generator=torch.Generator().manual_seed(SEED))
y_dom = to_domain_y(gan.sample_mixture(centers_x, MODE_STD, 4000, generator=torch.Generator().manual_seed(SEED + 1)))  # unpaired


def make_cycle_step(lam):
    """One CycleGAN update on a batch (x, y) of unpaired samples: both D's, then both G's (adversarial + lam * cycle)."""

    def cycle_step(batch, ctx):
        x, y = batch
        G_xy, G_yx, D_x, D_y = (ctx.models[k] for k in ("G_xy", "G_yx", "D_x", "D_y"))
        with torch.no_grad():
            fake_y, fake_x = G_xy(x), G_yx(y)
        loss_D = gan.discriminator_loss(D_y(y), D_y(fake_y)) + gan.discriminator_loss(D_x(x), D_x(fake_x))
        ctx.optimizers["D"].zero_grad(set_to_none=True)
        loss_D.backward()
        ctx.optimizers["D"].step()
        fake_y, fake_x = G_xy(x), G_yx(y)
        adversarial = gan.generator_loss(D_y(fake_y)) + gan.generator_loss(D_x(fake_x))
        cycle = (G_yx(fake_y) - x).abs().sum(dim=1).mean() + (G_xy(fake_x) - y).abs().sum(dim=1).mean()  # L1 per point
        ctx.optimizers["G"].zero_grad(set_to_none=True)
        (adversarial + lam * cycle).backward()
        ctx.optimizers["G"].step()
        return {"loss_D": loss_D.detach(), "adversarial": adversarial.detach(), "cycle": cycle.detach()}

    return cycle_step


cycle_models = {}
for lam in (0.0, 10.0):
    mu.seed_everything(SEED)
    nets = {"G_xy": gan.make_generator(2, 2, width=32), "G_yx": gan.make_generator(2, 2, width=32),
            "D_x": gan.make_discriminator(2, width=32), "D_y": gan.make_discriminator(2, width=32)}
    opts = {"G": torch.optim.Adam([*nets["G_xy"].parameters(), *nets["G_yx"].parameters()], 1e-3, betas=(0.5, 0.999)),
            "D": torch.optim.Adam([*nets["D_x"].parameters(), *nets["D_y"].parameters()], 1e-3, betas=(0.5, 0.999))}
    with mu.cpu_threads(1):
        mu.fit(nets, opts, mu.RandomBatches(x_dom, y_dom, batch_size=128, seed=SEED), step=make_cycle_step(lam), steps=1000,
               device=DEVICE, checkpoint=mu.checkpoint_path(f"ch14_cycle_lambda_{lam:g}"))
    cycle_models[lam] = {k: m.cpu().eval() for k, m in nets.items()}

# %% [markdown] slideshow={"slide_type": "fragment"}
# 评估：每个 $X$ 模式取 200 个新点 $x$，看 $G_{X\to Y}(x)$：(1) 最近的 $Y$ 模式分到至少 20 个点的有几个（到达的模式数）；(2) 离某个 $Y$ 模式中心不超过 3 个标准差（$3\times0.05$）的比例；(3) 落到的 $Y$ 模式是不是正确答案 $i$；再看往返 $G_{Y\to X}(G_{X\to Y}(x))$：(4) 最近的 $X$ 模式是不是 $x$ 自己的模式 $i$，(5) 离 $x$ 平均多远。

# %%
mode_of_test = torch.arange(K_MODES).repeat_interleave(200)
x_eval = centers_x[mode_of_test] + MODE_STD * torch.randn(len(mode_of_test), 2, generator=torch.Generator().manual_seed(5))
cycle_eval = {}
for lam, nets in cycle_models.items():
    with torch.no_grad():
        out = nets["G_xy"](x_eval)
        back = nets["G_yx"](out)
    nearest_y = torch.cdist(out, centers_y).argmin(dim=1)
    cycle_eval[lam] = {
        "out": out, "back": back,
        "modes_reached": int((xp.class_counts(nearest_y, K_MODES) >= 20).sum()),
        "on_a_mode": gan.mode_coverage(out, centers_y, MODE_STD / 2)["high_quality"],  # Y's modes have std 0.05
        "true_pair": (nearest_y == mode_of_test).float().mean().item(),
        "round_trip_mode": (torch.cdist(back, centers_x).argmin(dim=1) == mode_of_test).float().mean().item(),
        "round_trip_error": (back - x_eval).norm(dim=1).mean().item(),
    }
print(f"{'':<13}{'Y modes reached':>16}{'on a Y mode':>13}{'right Y mode':>14}{'back to own mode':>18}{'|G_yx(G_xy(x)) - x|':>21}")
for lam, r in cycle_eval.items():
    print(f"{f'lambda = {lam:g}':<13}{r['modes_reached']:>14}/8{r['on_a_mode']:>13.0%}{r['true_pair']:>14.0%}{r['round_trip_mode']:>18.0%}"
          f"{r['round_trip_error']:>21.3f}")

# %%
fig, axes = plt.subplots(2, 2, figsize=(9, 8.4))
colors = plt.get_cmap("tab10")(mode_of_test.numpy())
for row, (lam, r) in enumerate(cycle_eval.items()):
    ax = axes[row, 0]
    ax.scatter(*y_dom[:1000].T, s=2, color="lightgray", label="domain Y samples")
    ax.scatter(*r["out"].T, s=3, c=colors)
    ax.scatter(*centers_y.T, marker="x", color="k", s=30, label="Y mode centres")
    ax.set(title=f"lambda = {lam:g}: G_xy(x), coloured by x's mode", xlabel="$y_1$", ylabel="$y_2$", xlim=(-1.4, 1.4), ylim=(-1.4, 1.4), aspect="equal")
    ax = axes[row, 1]
    ax.scatter(*x_eval.T, s=2, color="lightgray", label="x (input)")
    ax.scatter(*r["back"].clamp(-3, 3).T, s=3, c=colors)
    ax.set(title=f"lambda = {lam:g}: G_yx(G_xy(x)), same colours", xlabel="$x_1$", ylabel="$x_2$", xlim=(-3, 3), ylim=(-3, 3), aspect="equal")
axes[0, 0].legend(fontsize=7, loc="lower left")
axes[0, 1].legend(fontsize=7, loc="lower left")
fig.suptitle("CycleGAN on two unpaired 2-D domains: without (top) and with (bottom) the cycle loss")
fig.tight_layout()
plt.show()
no_cycle, with_cycle = cycle_eval[0.0], cycle_eval[10.0]
assert with_cycle["modes_reached"] == 8 and with_cycle["on_a_mode"] > 0.6 and no_cycle["modes_reached"] <= 4
assert no_cycle["round_trip_mode"] < 0.5 and with_cycle["round_trip_mode"] > 0.95 and no_cycle["on_a_mode"] < 0.5
assert with_cycle["round_trip_error"] < 0.1 < 1.0 < no_cycle["round_trip_error"]
assert max(no_cycle["true_pair"], with_cycle["true_pair"]) < 0.5

# %% [markdown] slideshow={"slide_type": "fragment"}
# 没有循环损失时（上排），$G_{X\to Y}$ 把 8 个输入模式挤到了最多 4 个 $Y$ 模式上（左上，几种颜色叠在同一个模式里，上面表格的“Y modes reached”），而且多数点落在模式之间：不同的输入被送到同一个输出，这正是笔记里“任何真人照片都变成同一个动漫角色”的问题。既然多个输入共用一个输出，就无法再分辨它们，往返回不到原处（右上：颜色错位，回到自己模式的比例不到一半，平均偏离超过 1）。加上循环损失后（下排），$G_{X\to Y}$ 必须可逆：8 个模式一一对应地到达 8 个 $Y$ 模式，六成以上的点落在模式中心 3 个标准差以内，往返几乎回到原点（平均偏离小于 0.1）。只有对抗损失时的结果对随机种子敏感：写这一章时我们在另一组样本上看到 $\lambda=0$ 也到达了全部 8 个模式，但两个方向选的对应关系互不相干，往返同样回到了别的模式。
#
# 但也要如实看表格里的“right Y mode”：两次训练落到正确 $Y$ 模式的比例都不到一半，都没有找到我们心里的那个对应（第 $i$ 个模式 → 第 $i$ 个模式）。8 个模式围成的环是对称的，把整个对应关系转几格或者镜像一下，两个领域的分布完全不变，非配对数据根本无从区分；循环一致性只保证“可逆”，不保证“是我们想要的那个映射”。这就是笔记末尾提到的问题：生成器把图“反转”过去再“反转”回来，一致性同样满足。真实的 CycleGAN 之所以通常学到有意义的转换，靠的是网络结构（卷积只在局部改动像素）带来的偏好：最简单的可逆映射往往就是保留内容、只改风格的那个。
#
# ## 小结
#
# - 评估生成器要借一双固定的“眼睛”：IS 看分类器输出——单张图分类越自信、所有图的类别越均匀，IS 越高，介于 1 和类别数之间；FID 比较真实与生成图片特征的两个高斯，越小越好。论文里用 Inception-v3，本章离线用自己训练的数字分类器，公式相同、数值不能互比。
# - 性质在代码里核对过：均匀输出 IS = 1，$K$ 个自信均匀的类别 IS = $K$；统计量相同 FID = 0，一维 FID $=(\mu_1-\mu_2)^2+(\sigma_1-\sigma_2)^2$，一般情形与 `scipy.linalg.sqrtm` 一致。
# - GAN 训练中 FID 一路下降、IS 一路上升，但仍未达到真实数据的水平；类别直方图能指出丢了哪几类（模式丢失）。
# - 一个原样复制训练集的“生成器”FID 最好，却是最没用的；到最近训练图的距离为 0 会把它揭穿。没有单一完美的指标。
# - 条件 GAN 的判别器必须看条件：看不到时，生成器画的数字与请求的类别几乎无关。
# - 非配对翻译里，只有对抗损失时两个方向各行其是、往返丢失内容；循环一致性让转换可逆，但选哪一个可逆映射，非配对数据本身决定不了。
#
# ## 练习
#
# 把 `None` 换成你的答案，运行检查单元。参考答案在折叠的单元里（点击单元左侧的 “•••” 展开）。

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 1.** 分类器对 4 张生成图都非常自信：两张是类别 0，一张是类别 1，一张是类别 2（三类问题）。也就是 `probs = [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]`。这组图的 Inception Score 是多少？（提示：单张图的熵都是 0。）

# %%
answer_is = None  # 你的答案：一个数
ex.check_inception_score(answer_is)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution: IS = exp(H(p(c))) with p(c) = (1/2, 1/4, 1/4)
answer_is_ref = float(np.exp(-(0.5 * np.log(0.5) + 2 * 0.25 * np.log(0.25))))
assert ex.check_inception_score(answer_is_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2.** 写出一维高斯之间的 FID：`my_fid_1d(mu1, var1, mu2, var2)`，参数是两个均值和两个**方差**（不是标准差），返回一个数。不许调用 `gm.frechet_distance`。检查函数会在几组数值上与库函数比较。

# %%
def my_fid_1d(mu1, var1, mu2, var2):
    return None  # 你的实现


ex.check_fid_1d(my_fid_1d)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_fid_1d_ref(mu1, var1, mu2, var2):
    return (mu1 - mu2) ** 2 + var1 + var2 - 2 * (var1 * var2) ** 0.5  # = (mu1 - mu2)^2 + (sigma1 - sigma2)^2


assert ex.check_fid_1d(my_fid_1d_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3.** 一个“生成器”只是从训练集里随机挑图输出。下面哪个量能揭穿它？从 `"IS"`、`"FID"`、`"nearest-train-distance"`、`"loss_D"` 中选一个。

# %%
answer_memorize = None  # 你的答案：四个字符串之一
ex.check_memorization_detector(answer_memorize)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_memorize_ref = "nearest-train-distance"  # copies sit at distance 0 from the training set; IS and FID even improve
assert ex.check_memorization_detector(answer_memorize_ref)
print("参考答案已通过检查。")
