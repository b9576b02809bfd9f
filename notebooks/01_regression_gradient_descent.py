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
# # 第 1 章 回归与梯度下降（Regression & Gradient Descent）
#
# **学习目标**
#
# 1. 说清机器学习要找的"函数"有哪几类：回归（Regression）、分类（Classification）、结构化学习（Structured Learning）。
# 2. 用"三步走"搭一个最小的模型：带未知参数的函数 → 从训练数据定义损失（Loss）→ 最优化（Optimization）。
# 3. 亲手推导线性模型的梯度，并用自动微分（autograd）核对；看懂更新为什么总是逆着斜率走；用"沿一个方向的弯曲程度"（Hessian 的特征值）理解学习率（Learning Rate）为什么有上限。
# 4. 看到梯度下降可能停在局部最小值（Local Minimum）。
# 5. 用"过去更多天的数据"做特征，在周期性序列上把测试误差压低，并把剩下的误差与模型偏差（Model Bias）联系起来。
#
# **如何使用本笔记本**：从上到下依次运行（Run All 即可）。带滑块的单元需要一个正在运行的内核（kernel）；每个滑块旁边都有一张静态图，在 GitHub 或 HTML 里也能看到同样的结论。有 GPU 时会自动使用，设置环境变量 `MLNOTE_DEVICE=cpu` 可强制使用 CPU。整本在 2 核 CPU 上不到半分钟。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import mlnote_utils as mu
from mlnote_utils.exercises import ch01 as ex
from mlnote_utils.experiments import ch01 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 机器学习在找什么函数
#
# 机器学习的本质是**找一个函数**：输入一样东西，输出另一样东西。按输出的形式大致分三类：
#
# - **回归（Regression）**：输出一个数，例如根据过去几天的数据预测明天的浏览量或气温。
# - **分类（Classification）**：从事先给定的若干选项中挑一个，例如判断邮件是否为垃圾邮件；下围棋也可以看成从 19×19 个落子位置中选一个的分类问题（第 7 章）。
# - **结构化学习（Structured Learning）**：输出一个有结构的对象，例如一段文字、一张图（第 11、12 章）。
#
# 本章只做回归，并用一个贯穿全章的例子：某个频道的**每日浏览量**（单位：千次）。这是**生成的数据**（`mu.make_daily_views`，模仿"工作日多、周末少"的节奏，并非真实频道），好处是我们知道其中噪声的大小，最后能把误差拆开来看。第 6 节还会用一份真实的气温序列。

# %%
views = mu.make_daily_views(730, seed=SEED)  # two years, generated
fig, ax = plt.subplots(figsize=(9, 3))
ax.plot(np.arange(120), views[:120], ".-", lw=0.8)
ax.set(title="Generated daily views (first 120 days)", xlabel="day", ylabel="views (thousands)")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 图中能看到两个特点：以 7 天为周期的起伏（周末明显偏低），以及缓慢的整体上升。记住这两点，第 6 节会用到。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. 第一步：写出带未知参数的函数
#
# 先猜一个最简单的模型：明天的浏览量 $y$ 与今天的浏览量 $x_1$ 呈线性关系
#
# $$y = b + w\,x_1 .$$
#
# 其中 $x_1$ 是已知的输入，叫**特征（Feature）**；$w$ 叫**权重（Weight）**，$b$ 叫**偏置（Bias）**，二者都是要从数据中学出来的未知参数（Parameter）。这个"猜"要靠对问题的理解（领域知识，Domain Knowledge）。
#
# 我们用第一年（前 365 天）做训练数据，第二年留作测试。

# %% tags=["nbval-check-output"]
x_all = torch.tensor(views[:-1], dtype=torch.float64)  # today's views
y_all = torch.tensor(views[1:], dtype=torch.float64)  # tomorrow's views
x_train, y_train = x_all[:364], y_all[:364]  # targets are days 1..364 of year one
x_test, y_test = x_all[364:], y_all[364:]
print("train pairs:", len(x_train), " test pairs:", len(x_test))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. 第二步：从训练数据定义损失
#
# 损失 $L(w, b)$ 本身也是一个函数：输入一组参数，输出这组参数"有多差"。对每一天算出模型的预测 $y_n = b + w x_n$ 与真实值（标签，Label）$\hat y_n$ 之间的误差 $e_n$，再平均（全课程都用 $\hat y$ 表示标签、$y$ 表示模型输出，和笔记一致，见[术语表](GLOSSARY.md)）：
#
# $$\text{MAE: } L = \frac1N\sum_n |b + w x_n - \hat y_n|, \qquad
#   \text{MSE: } L = \frac1N\sum_n (b + w x_n - \hat y_n)^2 .$$
#
# 先手写，再和 PyTorch 自带的 `F.l1_loss`、`F.mse_loss` 对一对。

# %% tags=["nbval-check-output"]
w0, b0 = 0.5, 1.0
pred = b0 + w0 * x_train
by_hand = {"MAE": (pred - y_train).abs().mean(), "MSE": ((pred - y_train) ** 2).mean()}
torch.testing.assert_close(by_hand["MAE"], F.l1_loss(pred, y_train))
torch.testing.assert_close(by_hand["MSE"], F.mse_loss(pred, y_train))
torch.testing.assert_close(by_hand["MSE"], mu.regression.mse(w0, b0, x_train, y_train))
print({k: round(float(v), 4) for k, v in by_hand.items()}, "— hand-written = torch built-in")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 把所有 $(w, b)$ 组合的损失画出来，就得到**误差曲面（Error Surface）**。下面同时画等高线图和三维图。损失从不到 1 到上百，跨好几个数量级，所以两张图画的都是 $\log_{10} L$（颜色条和竖轴的标签也这样写），否则谷底附近的细节全挤在一种颜色里。

# %%
ws, bs = np.linspace(-0.5, 2.8, 166), np.linspace(-1.5, 3.5, 161)  # wide enough for every path below
Z = mu.landscape.evaluate_grid(lambda W, B: mu.regression.mse(W, B, x_train, y_train), ws, bs)
w_star, b_star = mu.regression.least_squares(x_train.numpy()[:, None], y_train.numpy())
fig = plt.figure(figsize=(11, 4))
ax1 = fig.add_subplot(1, 2, 1)
mu.plot_contour(ws, bs, Z, ax=ax1, log=True, title="MSE error surface (colour: log10 L)")
ax1.plot(w_star[0], b_star, "r*", ms=14, label="minimum")
ax1.legend()
ax3d = mu.plot_surface3d(ws, bs, np.log10(Z), ax=fig.add_subplot(1, 2, 2, projection="3d"), title="log10 L(w, b)")
ax3d.set_zlabel("log10 L")  # the surface shows log10 L, not L
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 等高线是一条斜着的狭长山谷：$w$ 和 $b$ 可以互相"补偿"（$w$ 大一点、$b$ 小一点，损失差不多），所以谷底很平，而垂直于谷的方向很陡。红星是用正规方程（Normal Equations）精确求出的最低点。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. 第三步：最优化——梯度下降
#
# 目标是 $w^*, b^* = \arg\min_{w,b} L$。**梯度下降（Gradient Descent）**的做法：随便选一个起点，算出损失在该点对每个参数的偏导数，朝着让损失下降的方向走一小步：
#
# $$w \leftarrow w - \eta \frac{\partial L}{\partial w}, \qquad b \leftarrow b - \eta \frac{\partial L}{\partial b}.$$
#
# 步子的大小由**学习率** $\eta$ 决定；像 $\eta$ 这样需要我们自己设定的量叫**超参数（Hyperparameter）**。
#
# **为什么是减号**：偏导数 $\partial L/\partial w$ 是损失曲线在当前点的斜率。斜率为负（往右走损失变小）时，$-\eta\,\partial L/\partial w > 0$，$w$ 变大，向右走；斜率为正时 $w$ 变小，向左走。两种情况都是往低处走。下图把 $b$ 固定在最优值 $b^*$，画出 $L$ 随 $w$ 变化的一条切片，在谷底两侧各取一点，画出切线和梯度下降的一步：

# %%
b_fixed = torch.tensor(b_star, dtype=torch.float64)
L_slice = lambda w_: mu.regression.mse(w_, b_fixed, x_train, y_train)  # noqa: E731  L(w) at b = b*
dL_dw = torch.func.grad(L_slice)
eta_demo = 0.02
w_grid = torch.linspace(w_star[0] - 0.9, w_star[0] + 0.9, 200, dtype=torch.float64)
fig, ax = plt.subplots(figsize=(8, 3.8))
ax.plot(w_grid, [float(L_slice(v)) for v in w_grid], "k-", lw=1.2, label="L(w) with b = b*")
for w_here, colour in ((w_star[0] - 0.6, "tab:blue"), (w_star[0] + 0.6, "tab:orange")):
    w_here = torch.tensor(w_here, dtype=torch.float64)
    slope, height = dL_dw(w_here), L_slice(w_here)
    w_next = w_here - eta_demo * slope  # one gradient-descent step
    assert torch.sign(w_next - w_here) == -torch.sign(slope) and L_slice(w_next) < height  # against the slope, downhill
    t = torch.linspace(-0.25, 0.25, 2, dtype=torch.float64)
    ax.plot(w_here + t, height + slope * t, "--", color=colour, label=f"tangent at w = {float(w_here):.2f}, slope {float(slope):+.2f}")
    ax.annotate("", xy=(float(w_next), float(height)), xytext=(float(w_here), float(height)),
                arrowprops={"arrowstyle": "->", "color": colour, "lw": 2})  # fmt: skip
    ax.plot(float(w_here), float(height), "o", color=colour)
ax.set(title="Sign rule: the step -η·dL/dw points against the slope", xlabel="w", ylabel="L(w, b = b*)")
ax.legend(fontsize="small", loc="upper center")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左边（蓝）切线向下倾斜，斜率为负，箭头（一步梯度下降，$\eta = 0.02$）指向右、$w$ 增大；右边（橙）斜率为正，箭头指向左、$w$ 减小。代码里的 `assert` 核对了两点的步子都与斜率反号、走完一步后损失都变小。
#
# **推导**：对 MSE，令 $e_n = b + w x_n - \hat y_n$，由链式法则
#
# $$\frac{\partial L}{\partial w} = \frac2N\sum_n e_n x_n, \qquad \frac{\partial L}{\partial b} = \frac2N\sum_n e_n .$$
#
# 用自动微分核对这两个公式：

# %% tags=["nbval-check-output"]
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
mu.regression.mse(w, b, x_train, y_train).backward()
gw, gb = mu.regression.mse_gradient(w0, b0, x_train, y_train)
torch.testing.assert_close(gw, w.grad)
torch.testing.assert_close(gb, b.grad)
print(f"dL/dw = {float(gw):.4f}, dL/db = {float(gb):.4f} (hand-derived = autograd)")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 有了梯度，梯度下降本身只有几行：记下当前位置和损失，求梯度，沿负梯度走一步，重复。下面把它写出来（本章后面都用这个函数），并核对第一步正好是 $(w^0 - \eta\,\partial L/\partial w,\ b^0 - \eta\,\partial L/\partial b)$。

# %% tags=["nbval-check-output"]
def gradient_descent(loss_fn, start, lr, steps):
    """Plain gradient descent from `start`; returns every point visited and its loss."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    points, losses = [], []
    for t in range(steps + 1):
        loss = loss_fn(p)
        points.append(p.detach().clone())
        losses.append(loss.item())
        if t == steps:
            break
        (g,) = torch.autograd.grad(loss, p)  # the gradient at the current point
        with torch.no_grad():
            p -= lr * g  # one step downhill
    return mu.landscape.Trajectory(torch.stack(points).numpy(), np.array(losses), lr)


loss_fn = lambda p: mu.regression.mse(p[0], p[1], x_train, y_train)  # noqa: E731  L as a function of p = (w, b)
one_step = gradient_descent(loss_fn, [w0, b0], lr=0.01, steps=1)
torch.testing.assert_close(torch.from_numpy(one_step.points[1]), torch.stack([w0 - 0.01 * gw, b0 - 0.01 * gb]))
ours, library = gradient_descent(loss_fn, [w0, b0], 0.01, 50), mu.landscape.gradient_descent(loss_fn, [w0, b0], 0.01, 50)
np.testing.assert_array_equal(ours.points, library.points)
print("first step = (w0 - eta dL/dw, b0 - eta dL/db); later chapters call mu.landscape.gradient_descent, the same loop")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 最后一行说明：后面各章直接调用 `mu.landscape.gradient_descent`（它让 `torch.optim.SGD` 走同样的一步），它和这几行给出的 50 步路径逐位相同。
#
# ### 学习率为什么有上限：沿一个方向的弯曲程度
#
# 先说清两个要用到的词。MSE 是参数 $p = (w, b)$ 的二次函数，它的二阶偏导数排成的矩阵叫**海森矩阵（Hessian）**，这里是常数：$H = \frac2N\begin{pmatrix}\sum x_n^2 & \sum x_n\\ \sum x_n & N\end{pmatrix}$。沿某个单位方向 $v$ 走 $t$，损失是 $t$ 的一元函数 $L(p + t v)$，它的二阶导数 $v^\top H v$ 就是曲面**沿 $v$ 方向的弯曲程度（曲率）**：数值大，这个方向又陡又窄；数值小，这个方向平缓。有两个特殊的方向满足 $H v = \lambda v$，叫 $H$ 的**特征向量（Eigenvector）**，$\lambda$ 叫**特征值（Eigenvalue）**；沿它们的曲率正好是 $\lambda$。最大的特征值 $\lambda_{\max}$ 对应最弯的方向（垂直于山谷），最小的对应最平的方向（顺着谷底）。
#
# 把当前点与最低点的差 $p - p^*$ 沿这两个方向分解，梯度下降的一步 $p \leftarrow p - \eta H (p - p^*)$ 让沿特征值 $\lambda$ 的分量乘上 $(1-\eta\lambda)$。只有 $|1-\eta\lambda|<1$ 对所有 $\lambda$ 成立，也就是 $\eta < 2/\lambda_{\max}$ 时才会收敛。下面先用 autograd 核对这几句话，再在上限两侧各跑一次梯度下降。Hessian 与特征值在[第 5 章](05_critical_points_hessian.ipynb)还会从泰勒展开（Taylor Expansion）出发系统地讲，那里它们用来判断临界点的类型。

# %% tags=["nbval-check-output"]
p_star = torch.tensor([w_star[0], b_star], dtype=torch.float64)
H = torch.autograd.functional.hessian(loss_fn, torch.tensor([w0, b0], dtype=torch.float64))
n = len(x_train)
H_formula = 2 / n * torch.tensor([[float((x_train**2).sum()), float(x_train.sum())], [float(x_train.sum()), n]])
torch.testing.assert_close(H, H_formula.double())
lam, V = torch.linalg.eigh(H)  # eigenvalues in ascending order, eigenvectors as columns
for k in range(2):
    along_v = lambda t, v=V[:, k]: loss_fn(p_star + t * v)  # noqa: E731  L on the line through p* along v
    curvature = torch.func.grad(torch.func.grad(along_v))(torch.tensor(0.7, dtype=torch.float64))
    torch.testing.assert_close(curvature, lam[k])  # second derivative along v = lambda
start, eta_try = [-0.3, -1.2], 0.03
p_now = torch.tensor(start, dtype=torch.float64)
p_next = p_now - eta_try * torch.func.grad(loss_fn)(p_now)  # one GD step
torch.testing.assert_close(V.T @ (p_next - p_star), (1 - eta_try * lam) * (V.T @ (p_now - p_star)))
print(f"eigenvalues of H: {lam[0]:.4f} (along the valley), {lam[1]:.4f} (across it)")
print("curvature of L along each eigenvector = its eigenvalue; one step multiplies each component by (1 - eta*lambda)")

# %% tags=["nbval-check-output"]
eta_max = mu.regression.gd_stability_limit(x_train)
torch.testing.assert_close(torch.tensor(eta_max, dtype=torch.float64), 2 / lam.max())
below = gradient_descent(loss_fn, start, lr=0.95 * eta_max, steps=300)
above = gradient_descent(loss_fn, start, lr=1.05 * eta_max, steps=300)
print(f"2/lambda_max = {eta_max:.4f}")
print(f"eta = 0.95 x limit: final loss {below.losses[-1]:.3g}  (start {below.losses[0]:.3g})")
print(f"eta = 1.05 x limit: final loss {above.losses[-1]:.3g}")
assert below.losses[-1] < below.losses[0] and above.losses[-1] > 100 * above.losses[0]

# %% [markdown] slideshow={"slide_type": "fragment"}
# 理论预测的上限与实验一致：比上限小 5% 时损失下降，大 5% 时损失一路爆炸。下面在误差曲面上比较三种学习率：太小、合适（$\eta\lambda_{\max} = 1$）、接近上限（在山谷两壁之间来回震荡）。

# %%
paths = {
    f"too small η={0.02 * eta_max:.3f}": gradient_descent(loss_fn, start, lr=0.02 * eta_max, steps=150),
    f"good η={0.5 * eta_max:.3f}": gradient_descent(loss_fn, start, lr=0.5 * eta_max, steps=150),
    f"near the limit η={0.97 * eta_max:.3f}": gradient_descent(loss_fn, start, lr=0.97 * eta_max, steps=150),
}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained", sharey=True)
for ax, (label, traj) in zip(axes, paths.items(), strict=True):
    mu.plot_contour(ws, bs, Z, ax=ax, log=True, title=label)
    mu.plot_trajectory({f"{len(traj.losses) - 1} steps": traj}, ax=ax)
    lo, hi = traj.points.min(0), traj.points.max(0)
    assert ws[0] <= lo[0] and hi[0] <= ws[-1] and bs[0] <= lo[1] and hi[1] <= bs[-1], "path leaves the frame"
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 三张图的起点相同（左下角的圆圈），叉号是 150 步后的位置，颜色是 $\log_{10} L$。下面这张图是同样三次运行的损失随步数的变化，表格把每条路径离最低点的差 $p - p^*$ 拆成"横跨山谷"（$\lambda_{\max}$ 方向）和"顺着谷底"（$\lambda_{\min}$ 方向）两个分量，列出 150 步后各剩下起点时的几成，并和 $|1-\eta\lambda|^{150}$ 对照。

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
for label, traj in paths.items():
    ax.semilogy(traj.losses, label=label)
ax.set(title="Training loss vs step for the three learning rates", xlabel="step", ylabel="MSE (log scale)")
ax.legend(fontsize="small")
plt.show()
print(f"{'run':>26} | final L | left across the valley | left along the valley | (1-eta*lambda_min)^150")
left = {}
for label, traj in paths.items():
    comp = (V.T @ (torch.from_numpy(traj.points).T - p_star[:, None])).abs()  # (2 directions, steps + 1)
    left[label] = (comp[:, -1] / comp[:, 0]).numpy()  # [along the valley, across it]
    predicted = float(abs(1 - traj.lr * lam[0]) ** 150)
    assert abs(left[label][0] - predicted) < 1e-9  # the eigen-analysis predicts the path exactly
    print(f"{label:>26} | {traj.losses[-1]:7.3f} | {left[label][1]:22.2%} | {left[label][0]:20.1%} | {predicted:.1%}")
small, good, near = (paths[k].losses[-1] for k in paths)
assert near < good < small  # after 150 steps: the larger the (stable) rate, the lower the loss
(small_left, good_left, near_left) = left.values()
assert small_left[1] < 0.01 and small_left[0] > 0.9  # too small: reached the valley floor, barely moved along it
assert near_left[0] < good_left[0] < small_left[0]  # the larger the rate, the farther along the valley

# %% [markdown] slideshow={"slide_type": "fragment"}
# 学习率太小时，路径先沿陡峭方向慢慢滑进谷底（横跨山谷的分量 150 步后剩下不到 1%），但顺着平坦的谷底几乎没动（这个分量还剩九成多），所以离最低点仍然很远、损失最高。合适的学习率让 $\eta\lambda_{\max} = 1$，第一步就正好落在谷底，再沿谷底慢慢前进。接近上限时，路径在山谷两壁之间来回横跳（陡峭方向上每步乘以 $1-\eta\lambda_{\max} \approx -0.94$），却因为步子大，沿平坦方向反而走得最远，150 步后损失最低。表中"顺着谷底"一列与 $(1-\eta\lambda_{\min})^{150}$ 一致，正是上面特征值分析的预言。再大一点（超过 $2/\lambda_{\max}$）就会像上面那样发散。问题的根源是曲面一个方向陡、一个方向平：一个学习率很难同时照顾两个方向——第 6 章的自适应学习率（Adaptive Learning Rate）和第 8 章的特征归一化（Feature Normalization）都在解决这个问题。
#
# **动手试试**：拖动滑块改变学习率（以上限 $2/\lambda_{\max}$ 的倍数表示）、起点和步数，观察路径。

# %% tags=["nbval-ignore-output"]
def draw_gd(ax, eta_ratio, w_start, b_start, steps):
    traj = gradient_descent(loss_fn, [w_start, b_start], lr=eta_ratio * eta_max, steps=steps)
    mu.plot_contour(ws, bs, Z, ax=ax, log=True, title=f"η = {eta_ratio:.2f} × 2/λmax, final L = {traj.losses[-1]:.3g}")
    return mu.plot_trajectory({f"{steps} steps": traj}, ax=ax)


gd_widget = mu.interactive_figure(
    draw_gd,
    eta_ratio=mu.log_slider(0.5, 0.01, 1.2, "η / limit"),
    w_start=mu.float_slider(-0.3, -0.5, 2.8, description="w start"),
    b_start=mu.float_slider(-1.2, -1.5, 3.5, description="b start"),
    steps=mu.int_slider(150, 1, 500, description="steps"),
)
gd_widget

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 先手写，再用库
#
# 同样的梯度下降，用 `nn.Linear` 和 `torch.optim.SGD` 实现，每一步都应与手写版本相同：

# %% tags=["nbval-check-output"]
model = nn.Linear(1, 1).double()
with torch.no_grad():
    model.weight.fill_(start[0])
    model.bias.fill_(start[1])
opt = torch.optim.SGD(model.parameters(), lr=0.5 * eta_max)
library_points = [[start[0], start[1]]]
for _ in range(150):
    opt.zero_grad()
    F.mse_loss(model(x_train[:, None]).squeeze(1), y_train).backward()
    opt.step()
    library_points.append([model.weight.item(), model.bias.item()])
by_hand = next(iter(p for k, p in paths.items() if k.startswith("good")))
torch.testing.assert_close(torch.tensor(library_points, dtype=torch.float64), torch.from_numpy(by_hand.points))
print("torch.optim.SGD reproduces the hand-written GD path for all 150 steps")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. 局部最小值
#
# 线性模型的 MSE 是"碗形"的（凸函数，Convex），只有一个最低点。一般的损失没这么友好：梯度下降在导数为 0 的地方就停了，而那里可能只是一个**局部最小值**，不是**全局最小值（Global Minimum）**。下面是一个一维的例子，从不同起点出发：

# %%
starts = [-2.5, -0.6, 0.2, 2.5]
runs = {s: gradient_descent(lambda p: xp.quartic_loss(p).sum(), [s], lr=0.05, steps=200) for s in starts}
grid = torch.linspace(-2.8, 2.8, 400)
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(grid, xp.quartic_loss(grid), "k-", lw=1, label="L(w)")
for s, t in runs.items():
    ax.plot(t.points[:, 0], t.losses, ".-", ms=3, label=f"start {s:+.1f} → w = {t.final[0]:+.2f}")
ax.set(title="Gradient descent on a non-convex loss", xlabel="w", ylabel="L(w)")
ax.legend(fontsize="small")
plt.show()

# %% tags=["nbval-check-output"]
ends = {s: (round(float(t.final[0]), 2), round(float(t.losses[-1]), 3)) for s, t in runs.items()}
print("start → (end w, end loss):", ends)
global_end, local_end = runs[-2.5], runs[2.5]
assert abs(global_end.final[0] - local_end.final[0]) > 2 and local_end.losses[-1] > global_end.losses[-1] + 1
for s_, t in runs.items():  # the two left starts end at the global minimum, the two right ones at the local one
    assert abs(t.final[0] - (global_end if s_ < 0 else local_end).final[0]) < 1e-3
dL = torch.func.grad(lambda p: xp.quartic_loss(p))
assert abs(float(dL(torch.tensor(local_end.final[0])))) < 1e-4  # GD stopped where the slope is zero

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左边两个起点滑进了全局最小值，右边两个停在了更高的局部最小值——那里的导数确实为 0，梯度下降没有理由再走。不过在神经网络的高维损失里，真正麻烦的往往不是局部最小值，而是鞍点（Saddle Point），这是第 5 章的主题。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. 周期性数据：用更多的过去做特征
#
# 只看"今天"来预测"明天"，模型看不见 7 天的周期：周五的浏览量拿来预测周六，一定偏高。更好的模型把过去 $k$ 天都当作特征：
#
# $$y = b + \sum_{j=1}^{k} w_j\, x_j, \qquad x_j = \text{第 } j \text{ 天前的浏览量}.$$
#
# 对每个 $k$ 求出最优的 $w, b$（线性模型有闭式解，结果与梯度下降跑到收敛一样），在训练年和测试年上分别算 MAE：

# %%
LAGS = [1, 7, 28, 56]
table = xp.lag_table(views, LAGS, split=365)
print(f"{'days used':>9} | {'train MAE':>9} | {'test MAE':>8}")
for row in table:
    print(f"{row['lags']:>9} | {row['train']:>9.3f} | {row['test']:>8.3f}")
test_mae = {r["lags"]: r["test"] for r in table}
train_mae = [r["train"] for r in table]
assert all(np.diff(train_mae) < 0)  # the training error keeps falling with every extra window
assert test_mae[7] < 0.5 * test_mae[1]  # seeing the whole week is the big step
assert test_mae[28] < test_mae[7]  # a month still helps a little
assert test_mae[56] > test_mae[28] - 0.01  # two months bring no further real gain

# %% [markdown] slideshow={"slide_type": "fragment"}
# 和课程里 1/7/28/56 天的表格同一个规律：从 1 天到 7 天，测试误差大幅下降（不到原来的一半）；再到 28 天只略有改善；56 天已不再变好（训练误差仍在下降，测试误差却没有——这是过拟合（Overfitting）的苗头，第 4 章细讲）。
#
# 学到的 7 个权重也很好解释：

# %%
X7, y7 = mu.lagged_features(views, 7)
w7, b7 = mu.regression.least_squares(X7[: 365 - 7], y7[: 365 - 7])
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(np.arange(7, 0, -1), w7)
ax.set(title="Weights of the 7-day model", xlabel="days ago", ylabel="weight w_j")
plt.show()
assert np.argmax(w7) == 0  # the value exactly one week ago (oldest feature) gets the largest weight

# %% [markdown] slideshow={"slide_type": "fragment"}
# 权重最大的是**恰好一周前**那一天：要预测周六，最有用的是上周六。
#
# ### 一份真实数据：西雅图逐小时气温
#
# `data/seattle_temps_2010.csv` 是 NOAA 的西雅图 2010 年逐小时气温（公共领域，来源与校验和见 `data/README.md`）。它非常平滑——更像气候平均值而非某天的实测天气——但有清楚的**日周期**。任务：用过去 $k$ 小时预测 **6 小时后**的气温，前 9 个月训练、后 3 个月测试。

# %%
hours, temps = mu.load_seattle_temps()
SPLIT = 273 * 24  # targets before October 1st are training data
temp_table = xp.lag_table(temps, [1, 6, 24, 48], split=SPLIT, horizon=6)
print(f"{'hours used':>10} | {'train MAE °C':>12} | {'test MAE °C':>11}")
for row in temp_table:
    print(f"{row['lags']:>10} | {row['train']:>12.3f} | {row['test']:>11.3f}")
temp_test = {r["lags"]: r["test"] for r in temp_table}
assert temp_test[24] < 0.2 * temp_test[1] and temp_test[48] <= temp_test[24]
assert temp_table[0]["train"] > temp_table[0]["test"]  # the 1-hour model: training error above test error
daily_range = np.ptp(temps[: len(temps) // 24 * 24].reshape(-1, 24), axis=1)  # max - min of each day, °C
range_train, range_test = daily_range[:273].mean(), daily_range[273:].mean()
print(f"mean day-night range: {range_train:.2f} °C in the training months, {range_test:.2f} °C in the test months")
assert range_train > 1.2 * range_test  # the training period swings more within a day

# %%
fig, ax = plt.subplots(figsize=(9, 3))
week = slice(SPLIT, SPLIT + 7 * 24)
ax.plot(hours[week] / 24, temps[week], "k.", ms=3, label="measured")
for k in (1, 24):
    X, y = mu.lagged_features(temps, k, 6)
    train = np.arange(len(y)) + k - 1 + 6 < SPLIT
    wk, bk = mu.regression.least_squares(X[train], y[train])
    pred = np.full(len(temps), np.nan)
    pred[np.arange(len(y)) + k - 1 + 6] = X @ wk + bk
    ax.plot(hours[week] / 24, pred[week], lw=1.2, label=f"prediction from last {k} h")
ax.set(title="Seattle, first test week: 6-hour-ahead forecasts", xlabel="day of 2010", ylabel="°C")
ax.legend(fontsize="small")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 只看 1 小时的模型不知道"现在是一天中的什么时候"，预测总是慢半拍；看过完整一天（24 小时）之后测试误差降到原来的零头（不到五分之一）。表中还有一个细节：1 小时模型的训练误差反而比测试误差大——训练期包含昼夜温差大的夏天，测试期是温差小的秋冬（上面打印的平均日温差，训练月份明显更大），训练集和测试集并不完全同分布（第 4 章会再遇到这种失配，mismatch）。
#
# ## 7. 模型偏差（Model Bias）
#
# 无论怎么调参数，一个模型家族（这里是"过去 $k$ 天的线性组合"）能表示的函数是有限的。如果真实规律不在这个家族里，误差就有一部分**永远消不掉**，这叫模型偏差。
#
# 生成数据的好处是我们能把它看清楚：把同样的序列**去掉噪声**再拟合，剩下的误差就只能来自模型本身。另一方面，噪声（标准差 0.12）带来的误差是谁也消不掉的下限：对高斯噪声，MAE 的下限是 $0.12\sqrt{2/\pi}$。

# %%
clean = mu.make_daily_views(730, seed=SEED, noise=0.0)
clean_table = {r["lags"]: r["test"] for r in xp.lag_table(clean, LAGS, split=365)}
noise_floor = 0.12 * np.sqrt(2 / np.pi)
print(f"{'days used':>9} | {'model bias (MAE on clean data)':>30} | {'test MAE on noisy data':>22}")
for k in LAGS:
    print(f"{k:>9} | {clean_table[k]:>30.4f} | {test_mae[k]:>22.3f}")
print(f"noise floor (MAE of the noise itself): {noise_floor:.3f}")
print(f"28 days: test MAE / noise floor = {test_mae[28] / noise_floor:.2f}")
assert clean_table[1] > 0.5 and clean_table[7] > 0.02  # too few days: a real model bias
assert clean_table[7] < 0.1 * clean_table[1]  # 7 days: far smaller than 1 day's
assert clean_table[28] < 1e-3  # 28 days: the linear family contains the clean rule
assert 1.2 < test_mae[28] / noise_floor < 1.4  # "about 30 % above the noise floor"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 读表：
#
# - 用 1 天或 7 天时，即使数据完全没有噪声，线性模型也做不好——这部分误差就是模型偏差。1 天的模型偏差很大；7 天的小得多（不到 1 天的十分之一），但仍看不见"缓慢变化的趋势乘以周节奏"这种结构。
# - 用 28 天时，这个（生成的）序列在无噪声情况下能被线性模型**完全**表示，模型偏差几乎为 0；此时测试误差比噪声下限高两到四成（上面打印了比值），这段差距来自输入里的噪声和有限的训练数据，而不是模型不够灵活。
# - 真实数据没有"去噪版本"，我们无法这样拆分。要减少模型偏差，只能换一个更有弹性的模型家族——第 2 章就用 sigmoid 和 ReLU 拼出任意形状的函数。
#
# ## 8. 用课程的训练循环训练同一个模型
#
# 后面各章训练网络都用同一个训练循环 `mu.fit`。它把"一步更新"交给一个小函数：默认的那一步就是上面的前向 → 损失 → 反向 → 优化器走一步；需要别的更新方式的章节（例如第 12 章的 GAN）会在笔记本里自己写这一步。其余的杂事由 `mu.fit` 负责：按 epoch 或步数（step）控制训练长度、定期在验证数据上评估、显示进度条、把每个数值连同它的步数记进 `History`，并保存检查点（checkpoint），内核重启后能接着训练。这里用它训练 7 天的线性模型（特征先标准化），结果应接近闭式解的测试 MAE。

# %% tags=["nbval-ignore-output"]
mean, std = X7[: 365 - 7].mean(0), X7[: 365 - 7].std(0)
X7n = torch.tensor((X7 - mean) / std)
data7 = mu.Split(X7n[: 365 - 7].float(), torch.tensor(y7[: 365 - 7]), X7n[365 - 7 :].float(), torch.tensor(y7[365 - 7 :]))
mu.seed_everything(SEED)
linear7 = nn.Sequential(nn.Linear(7, 1), nn.Flatten(0))  # (N, 7) -> (N,)
history = mu.fit(
    linear7,
    torch.optim.Adam(linear7.parameters(), lr=0.05),
    mu.make_loader(data7.train(), batch_size=32, seed=SEED),
    loss_fn=nn.L1Loss(),
    epochs=60,
    valid=mu.make_loader(data7.test(), batch_size=365, shuffle=False),
    device=DEVICE,
    checkpoint=mu.checkpoint_path("ch01_linear7"),
)
print(history)
print(f"last epoch: mean train MAE {history.per_epoch('loss')[-1]:.3f}, test MAE {history.last('valid_loss'):.3f}")
assert abs(history.last("valid_loss") - test_mae[7]) < 0.03
mu.plot_history(history, x="epoch", log=True, title="7-day linear model: MAE per epoch", ylabel="MAE (log scale)")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 蓝线是每个 epoch 里各个 batch 的训练 MAE 的平均，橙线是每个 epoch 结束时的测试 MAE。梯度下降（这里用 Adam 直接最小化 MAE）得到的测试误差与闭式解相差不到 0.03。若中途重启内核再运行这一格，`mu.fit` 会从 `data/cache/checkpoints/` 里的检查点接着训练，不会重跑已完成的步数；如果你改了学习率之类的设置，它会说明哪里不同，并重新开始训练，而不是悄悄接着旧的那次。
#
# ## 小结
#
# - 机器学习 = 找函数；回归输出数值，分类输出选项，结构化学习输出有结构的对象。
# - 三步走：写出带未知参数的函数 → 用训练数据定义损失（MAE/MSE）→ 用梯度下降找让损失最小的参数。
# - 梯度可以手推，也可以交给 autograd；二者在本章逐位一致。更新 $w \leftarrow w - \eta\,\partial L/\partial w$ 总是逆着斜率走：斜率为负时 $w$ 增大。
# - Hessian 的特征值是损失沿特征向量方向的弯曲程度；沿特征值 $\lambda$ 的方向，每步误差乘以 $(1-\eta\lambda)$。学习率太小，平缓的方向走不动；太大就震荡甚至发散；对二次损失，上限正好是 $2/\lambda_{\max}$。
# - 梯度下降在导数为 0 处停下，可能是局部最小值。
# - 周期性数据要让模型"看得到周期"：从 1 天到 7 天，测试误差大幅下降；再多就收益递减。
# - 在固定的模型家族里怎么调都消不掉的误差是模型偏差；要减少它，得换更有弹性的模型。
#
# ## 练习
#
# **练习 1**：在 $(w, b) = (1, 0)$ 处，对训练数据 `x_train, y_train` 手算 MSE 对 $b$ 的偏导数 $\partial L/\partial b$（只用 `x_train`、`y_train` 和张量运算，不要用 autograd）。

# %%
answer_1 = None  # your value of dL/db at (w, b) = (1, 0)
ex.check_grad_b(answer_1, x_train, y_train)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution (its own name, so your answer_1 stays as it is)
answer_1_ref = 2 * ((0.0 + 1.0 * x_train) - y_train).mean()
assert ex.check_grad_b(answer_1_ref, x_train, y_train)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2**：如果把输入放大 10 倍（`10 * x_train`），梯度下降能用的最大学习率 $2/\lambda_{\max}$ 是多少？提示：先想清楚 $H$ 怎样随 $x$ 变化，再用代码算出来。

# %%
answer_2 = None  # the largest stable learning rate for inputs 10 * x_train
ex.check_scaled_limit(answer_2, x_train, scale=10.0)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_2_ref = mu.regression.gd_stability_limit(10 * x_train)
assert ex.check_scaled_limit(answer_2_ref, x_train, scale=10.0)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3**：在第 7 节的表格里，用 28 天做特征时，测试误差（约 0.12）与 0 之间的差距主要来自什么？选项：`"model bias"`（模型偏差）、`"noise"`（数据中的噪声与有限的训练数据）、`"local minimum"`（梯度下降卡在局部最小值）。

# %%
answer_3 = None  # one of "model bias", "noise", "local minimum"
ex.check_gap_source(answer_3)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution: on clean data the 28-day linear model is exact, and least squares has no local minima.
answer_3_ref = "noise"
assert ex.check_gap_source(answer_3_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 4（写一个函数）**：不用 autograd、也不用 `torch.optim`，只用第 4 节推导的两个偏导数公式，写出梯度下降 `my_gd(x, y, w0, b0, lr, steps)`：从 $(w^0, b^0)$ 出发，对 MSE $L = \frac1N\sum_n (b + w x_n - \hat y_n)^2$ 走 `steps` 步，返回形状为 `(steps + 1, 2)` 的张量，第 $t$ 行是第 $t$ 步之后的 $(w, b)$（第 0 行是起点）。检查函数在几组随机数据上把你的路径和 `nn.Linear` + `torch.optim.SGD` 的路径逐行对照，并指出第一处不一致（行号就是步数）。


# %%
def my_gd(x, y, w0, b0, lr, steps):
    return None  # your implementation: a (steps + 1, 2) tensor of (w, b)


ex.check_gd_path(my_gd)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution (named my_gd_ref, so your my_gd is not replaced)
def my_gd_ref(x, y, w0, b0, lr, steps):
    w, b = torch.tensor(float(w0), dtype=x.dtype), torch.tensor(float(b0), dtype=x.dtype)
    path = [torch.stack([w, b])]
    for _ in range(steps):
        e = b + w * x - y  # (N,) errors
        w, b = w - lr * 2 * (e * x).mean(), b - lr * 2 * e.mean()  # both from the same point
        path.append(torch.stack([w, b]))
    return torch.stack(path)  # (steps + 1, 2)


assert ex.check_gd_path(my_gd_ref)
print("参考答案已通过检查。")
