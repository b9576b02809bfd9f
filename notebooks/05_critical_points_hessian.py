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
# # 第 5 章 临界点与海森矩阵（Critical Points & the Hessian）
#
# **学习目标**
#
# 1. 明白"梯度为零"只说明到了一个临界点（Critical Point），它可能是局部最小值（Local Minimum）、局部最大值（Local Maximum），也可能是鞍点（Saddle Point）。
# 2. 写出二阶泰勒展开（Taylor Expansion），并用数值实验确认它在一个点附近有多准。
# 3. 用海森矩阵（Hessian）特征值的正负给临界点分类，并沿负特征值的特征向量（Eigenvector）走出鞍点。
# 4. 用 `torch.func` 求小网络的精确海森矩阵，亲手测一测"训练停下来的地方，鞍点和局部最小值哪个多"。
# 5. 对十万参数以上的网络，不构造海森矩阵，只用海森-向量积（Hessian-vector product, HVP）估计最大特征值和迹（Trace）。
#
# **如何使用本笔记本**：从上到下依次运行（Run All 即可）。带滑块的单元需要一个正在运行的内核（kernel）；每个滑块旁边都有一张静态图，在 GitHub 或 HTML 里也能看到同样的内容。有 GPU 时会自动使用，设置环境变量 `MLNOTE_DEVICE=cpu` 可强制使用 CPU。本章的小网络实验都用 float64 在 CPU 上做（精确的特征值需要它），整本在 2 核 CPU 上不到一分钟。

# %%
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from torch.func import grad, hessian, vmap

import mlnote_utils as mu
from mlnote_utils.exercises import ch05 as ex
from mlnote_utils.experiments import ch05 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 梯度为零，不一定是最小值
#
# 梯度下降（Gradient Descent）每一步都按 $-\nabla L$ 走，所以一旦 $\nabla L = 0$，参数就不再变化。我们把所有梯度为零的点统称为**临界点**。但"走不动了"并不等于"到谷底了"：
#
# - $f(x)=x^2$ 在 0 处是最小值；$f(x)=-x^2$ 在 0 处是最大值；
# - $f(x)=x^3$ 在 0 处导数也为 0，但左边更低、右边更高，它什么都不是；
# - 二维的 $f(w_1,w_2)=w_1^2-w_2^2$ 在原点沿 $w_1$ 方向是谷底、沿 $w_2$ 方向却是山顶，这就是**鞍点**。
#
# 一维时看二阶导数 $f''$ 的正负；多维时要看的是二阶导数组成的矩阵。先用自动微分把一维的情况算一遍。

# %% tags=["nbval-check-output"]
curves = {"x^2": lambda x: x**2, "-x^2": lambda x: -(x**2), "x^3": lambda x: x**3}
zero = torch.tensor(0.0, dtype=torch.float64)
for name, fn in curves.items():
    d1, d2 = grad(fn)(zero), grad(grad(fn))(zero)
    print(f"{name:5s}: f'(0) = {float(d1) + 0.0:+.1f}, f''(0) = {float(d2) + 0.0:+.1f}")  # + 0.0 turns -0.0 into 0.0
second = {name: float(grad(grad(fn))(zero)) for name, fn in curves.items()}
assert all(float(grad(fn)(zero)) == 0.0 for fn in curves.values())  # all three are critical points ...
assert second == {"x^2": 2.0, "-x^2": -2.0, "x^3": 0.0}  # ... told apart by the sign of f''(0)

# %%
xs1 = np.linspace(-1.5, 1.5, 200)
fig, axs = plt.subplots(2, 2, figsize=(10, 7))
axs = axs.ravel()
for ax, (name, fn) in zip(axs, curves.items(), strict=False):
    ax.plot(xs1, fn(torch.from_numpy(xs1)).numpy())
    ax.plot(0, 0, "o", color="tab:red")
    ax.set(title=f"f(x) = {name}", xlabel="x", ylabel="f(x)")
W1g, W2g = np.meshgrid(xs1, xs1)
cs = axs[3].contourf(W1g, W2g, W1g**2 - W2g**2, levels=20, cmap="viridis")
axs[3].plot(0, 0, "o", color="tab:red")
axs[3].set(title="f = w1^2 - w2^2 (saddle)", xlabel="w1", ylabel="w2")
fig.colorbar(cs, ax=axs[3])
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 红点处梯度都为零。前三幅里只有 $x^2$ 的红点是谷底；第四幅（右下）的等高线呈"X"形：左右两侧高、上下两侧低，原点在一个方向上是最低点，在另一个方向上却是最高点。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. 二阶泰勒展开：一个点附近的误差曲面长什么样
#
# 先看一维。函数 $f$ 在点 $x_0$ 附近可以用它在 $x_0$ 的值、斜率和弯曲程度来近似（泰勒展开，Taylor Expansion）：
#
# $$f(x_0+h)\approx f(x_0)+f'(x_0)\,h+\tfrac12 f''(x_0)\,h^2 .$$
#
# 只取前两项是切线（一阶近似）；第三项用二阶导数 $f''$ 把切线弯成抛物线（二阶近似）。在临界点 $f'(x_0)=0$，只剩 $\tfrac12f''(x_0)h^2$：$f''>0$ 时左右两边都更高（最小值），$f''<0$ 时都更低（最大值），$f''=0$ 时二阶项什么也说明不了（正是第 1 节的 $x^3$）。用 $f(x)=\sin 2x+0.3x^2$ 在 $x_0=0.5$ 处试一试，导数都由自动微分求出：

# %% tags=["nbval-check-output"]
def f_1d(x):
    return torch.sin(2 * x) + 0.3 * x**2


x0 = torch.tensor(0.5, dtype=torch.float64)
f0, df0, d2f0 = f_1d(x0), grad(f_1d)(x0), grad(grad(f_1d))(x0)
gaps_1d = {}
for h in (0.1, 0.01):
    true = f_1d(x0 + h)
    gaps_1d[h] = (abs(float(true - (f0 + df0 * h))), abs(float(true - (f0 + df0 * h + 0.5 * d2f0 * h**2))))
    print(f"h = {h}: |f - first order| = {gaps_1d[h][0]:.1e}, |f - second order| = {gaps_1d[h][1]:.1e}")
shrink1, shrink2 = gaps_1d[0.1][0] / gaps_1d[0.01][0], gaps_1d[0.1][1] / gaps_1d[0.01][1]
print(f"h 10x smaller: first-order error {shrink1:.0f}x smaller, second-order error {shrink2:.0f}x smaller")
assert 80 < shrink1 < 125 and 800 < shrink2 < 1250  # errors ~ h^2 and ~ h^3

# %%
hs = np.linspace(-1.2, 1.2, 200)
xs_t = float(x0) + hs
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(xs_t, f_1d(torch.from_numpy(xs_t)).numpy(), "k-", lw=2, label="f(x) = sin 2x + 0.3 x^2")
ax.plot(xs_t, float(f0) + float(df0) * hs, "--", label="first order (tangent)")
ax.plot(xs_t, float(f0) + float(df0) * hs + 0.5 * float(d2f0) * hs**2, ":", lw=2, label="second order (parabola)")
ax.plot(float(x0), float(f0), "o", color="tab:red")
ax.set(title="Taylor approximations around x0 = 0.5", xlabel="x", ylabel="f(x)", ylim=(-1.5, 2.0))
ax.legend(fontsize="small")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 在红点附近，抛物线几乎贴着真实曲线，切线则很快偏开；离得越远，两种近似都越不准。上面的数字说的是同一件事：步长缩小 10 倍，一阶近似的误差缩小约 100 倍（$\propto h^2$），二阶近似的误差缩小约 1000 倍（$\propto h^3$）。
#
# 多维时，参数是一个向量。设参数向量为 $\boldsymbol\theta$，在某个点 $\boldsymbol\theta'$ 附近，损失可以近似为
#
# $$L(\boldsymbol\theta) \approx L(\boldsymbol\theta') + (\boldsymbol\theta-\boldsymbol\theta')^\top \mathbf g
#   + \tfrac12 (\boldsymbol\theta-\boldsymbol\theta')^\top \mathbf H (\boldsymbol\theta-\boldsymbol\theta'),\qquad
#   g_i = \frac{\partial L}{\partial \theta_i}(\boldsymbol\theta'),\quad
#   H_{ij} = \frac{\partial^2 L}{\partial\theta_i\,\partial\theta_j}(\boldsymbol\theta').$$
#
# $\mathbf H$ 就是**海森矩阵**，它描述曲面在各个方向上的弯曲程度（曲率，Curvature）。全章的主角是笔记里的例子：只有一笔训练数据 $x=1,\ \hat y=1$，模型 $y=w_1 w_2 x$，损失用平方误差
#
# $$L(w_1,w_2) = (\hat y - w_1 w_2 x)^2 = (1-w_1w_2)^2 .$$
#
# 手算导数：$\mathbf g = \big(-2w_2(1-w_1w_2),\ -2w_1(1-w_1w_2)\big)$，
# $$\mathbf H = \begin{pmatrix} 2w_2^2 & 4w_1w_2-2 \\ 4w_1w_2-2 & 2w_1^2 \end{pmatrix}.$$
#
# 先"从零开始"：用手推公式、逐行二次反向传播（`mu.hessian.hessian_matrix_loop`）、`torch.func`（`mu.hessian.hessian_matrix`）和 PyTorch 自带的 `torch.autograd.functional.hessian` 四种方法算同一个 $\mathbf H$，确认一致。

# %% tags=["nbval-check-output"]
def loss_notes(w: torch.Tensor) -> torch.Tensor:
    """The notes' example: one pair (x=1, y_hat=1), model y = w1*w2*x, squared error."""
    return (1.0 - w[0] * w[1] * 1.0) ** 2


def hessian_by_hand(w: torch.Tensor) -> torch.Tensor:
    c = 4 * w[0] * w[1] - 2
    return torch.stack([torch.stack([2 * w[1] ** 2, c]), torch.stack([c, 2 * w[0] ** 2])])


for point in ([0.0, 0.0], [0.6, -0.4], [1.5, 2.0]):
    w = torch.tensor(point, dtype=torch.float64)
    H = mu.hessian.hessian_matrix(loss_notes, w)
    torch.testing.assert_close(H, hessian_by_hand(w))
    torch.testing.assert_close(H, mu.hessian.hessian_matrix_loop(loss_notes, w))
    torch.testing.assert_close(H, torch.autograd.functional.hessian(loss_notes, w))
    print(f"w = {point}: H = {(np.round(H.numpy(), 3) + 0.0).tolist()}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 四种算法在三个点上完全一致。接下来检验泰勒展开本身：在一个**不是**临界点的位置 $\boldsymbol\theta'=(0.6,-0.4)$，沿一个固定方向 $\mathbf d$ 走一小步 $\varepsilon\mathbf d$，比较真实损失与一阶、二阶近似。一阶近似的误差应按 $\varepsilon^2$ 缩小，二阶近似的误差应按 $\varepsilon^3$ 缩小（这里 $L$ 是四次多项式，所以二阶误差的主项恰好是三阶项）。

# %% tags=["nbval-check-output"]
theta0 = torch.tensor([0.6, -0.4], dtype=torch.float64)
d = torch.tensor([0.8, 0.6], dtype=torch.float64)
g0, H0, L0 = grad(loss_notes)(theta0), mu.hessian.hessian_matrix(loss_notes, theta0), loss_notes(theta0)
eps = np.logspace(-3, -1.5, 7)
err1, err2 = [], []
for e in eps:
    true = loss_notes(theta0 + e * d)
    first = L0 + e * d @ g0
    second = first + 0.5 * e**2 * d @ H0 @ d
    err1.append(abs(float(true - first)))
    err2.append(abs(float(true - second)))
slope1 = np.polyfit(np.log(eps), np.log(err1), 1)[0]
slope2 = np.polyfit(np.log(eps), np.log(err2), 1)[0]
print(f"log-log slope of the error: first order {slope1:.2f}, second order {slope2:.2f}")
assert abs(slope1 - 2) < 0.1 and abs(slope2 - 3) < 0.1

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.8))
ax.loglog(eps, err1, "o-", label="|L - first-order|")
ax.loglog(eps, err2, "s-", label="|L - second-order|")
ax.loglog(eps, eps**2 * err1[0] / eps[0] ** 2, ":", color="0.5", label="slope 2")
ax.loglog(eps, eps**3 * err2[0] / eps[0] ** 3, "--", color="0.5", label="slope 3")
ax.set(title="Taylor approximation error near theta' = (0.6, -0.4)", xlabel="step size eps", ylabel="abs. error")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 两条折线分别贴着斜率 2 和 3 的参考线：步子缩小 10 倍，二阶近似的误差缩小约 1000 倍。所以在一个点**很近**的地方，$\mathbf g$ 与 $\mathbf H$ 就决定了曲面的形状。
#
# ### 二次型：$\mathbf v^\top\mathbf H\mathbf v$ 是什么
#
# 展开式里的 $\mathbf v^\top\mathbf H\mathbf v$ 叫**二次型（Quadratic Form）**：把 $\mathbf v$ 的各个分量两两相乘，再用 $\mathbf H$ 的元素加权求和，
#
# $$\mathbf v^\top\mathbf H\mathbf v=\sum_i\sum_j H_{ij}v_iv_j\;\overset{\text{2 维}}{=}\;H_{11}v_1^2+2H_{12}v_1v_2+H_{22}v_2^2 .$$
#
# 它是一个数：沿方向 $\mathbf v$ 走时曲面弯曲了多少。把 $\mathbf H$ 写成特征分解 $\mathbf H=\mathbf U\boldsymbol\Lambda\mathbf U^\top$（$\mathbf U$ 的列是单位特征向量），令 $\mathbf c=\mathbf U^\top\mathbf v$（$\mathbf v$ 在特征向量上的坐标），就得到
#
# $$\mathbf v^\top\mathbf H\mathbf v=\sum_k\lambda_k c_k^2 .$$
#
# 每个 $c_k^2\ge0$，所以二次型的正负完全由特征值 $\lambda_k$ 的正负决定；对单位向量（$\sum_kc_k^2=1$），它是特征值的加权平均，一定落在 $[\lambda_{\min},\lambda_{\max}]$ 之间。用 $\boldsymbol\theta'=(0.6,-0.4)$ 的 $\mathbf H$ 核对三种写法，并在 2000 个随机单位向量上检查这个范围：

# %% tags=["nbval-check-output"]
lam0, U0 = torch.linalg.eigh(H0)
gen_v = torch.Generator().manual_seed(SEED)
v = torch.randn(2, generator=gen_v, dtype=torch.float64)
double_sum = sum(H0[i, j] * v[i] * v[j] for i in range(2) for j in range(2))
expanded = H0[0, 0] * v[0] ** 2 + 2 * H0[0, 1] * v[0] * v[1] + H0[1, 1] * v[1] ** 2
eigen_form = (lam0 * (U0.T @ v) ** 2).sum()
for other in (double_sum, expanded, eigen_form):
    torch.testing.assert_close(other, v @ H0 @ v)
V = torch.randn(2000, 2, generator=gen_v, dtype=torch.float64)
V = V / V.norm(dim=1, keepdim=True)  # (2000, 2) unit vectors
rayleigh = torch.einsum("ni,ij,nj->n", V, H0, V)  # (2000,)
print(f"eigenvalues of H: {lam0[0]:.3f}, {lam0[1]:.3f}")
print(f"v^T H v over 2000 unit vectors: from {rayleigh.min():.3f} to {rayleigh.max():.3f}")
assert lam0[0] - 1e-12 <= rayleigh.min() and rayleigh.max() <= lam0[1] + 1e-12
assert abs(rayleigh.min() - lam0[0]) < 1e-3 and abs(rayleigh.max() - lam0[1]) < 1e-3  # reached at the eigenvectors

# %% [markdown] slideshow={"slide_type": "fragment"}
# 三种写法给出同一个数；2000 个随机方向上的二次型都落在两个特征值之间，最小、最大值几乎正好等于 $\lambda_{\min}$、$\lambda_{\max}$（在对应的特征向量方向上取到）。这个点的两个特征值一正一负，所以有的方向向上弯、有的方向向下弯。
#
# 到了临界点，$\mathbf g=\mathbf 0$，只剩二次项 $\tfrac12\mathbf v^\top\mathbf H\mathbf v$（$\mathbf v=\boldsymbol\theta-\boldsymbol\theta'$）：
#
# | $\mathbf H$ 的特征值 | 对任意 $\mathbf v\neq 0$ | 结论 |
# |---|---|---|
# | 全部为正（正定，Positive Definite） | $\mathbf v^\top\mathbf H\mathbf v>0$ | 周围都比这里高：局部最小值 |
# | 全部为负（负定，Negative Definite） | $\mathbf v^\top\mathbf H\mathbf v<0$ | 周围都比这里低：局部最大值 |
# | 有正有负（不定，Indefinite） | 正负都有可能 | 鞍点 |
# | 有零、其余同号 | 二阶项在某些方向为 0 | 二阶检验无法判断（退化，Degenerate） |
#
# 最后一行笔记里没有，但在神经网络里非常常见，第 6、7 节会反复遇到。`mu.critical_points.classify_critical_point` 就按这张表分类（"零"用相对容差判断：$|\lambda|\le \text{tol}\cdot\max|\lambda|$）。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. 笔记的例子：原点是鞍点
#
# 在 $(w_1,w_2)=(0,0)$：$\mathbf g=\mathbf 0$，$\mathbf H=\begin{pmatrix}0&-2\\-2&0\end{pmatrix}$。它的特征值是 $\pm2$，对应的单位特征向量分别是 $\mathbf u_-=(1,1)/\sqrt2$（$\lambda=-2$）和 $\mathbf u_+=(1,-1)/\sqrt2$（$\lambda=+2$）。验证，并看看这个点被分成哪一类：

# %% tags=["nbval-check-output"]
origin = mu.critical_points.inspect_point(loss_notes, [0.0, 0.0])
print("gradient:", (np.round(origin.grad.numpy(), 6) + 0.0).tolist())  # + 0.0: no "-0.0"
print("Hessian:", (np.round(origin.hessian.numpy(), 6) + 0.0).tolist())
print("eigenvalues:", np.round(origin.eigenvalues.numpy(), 6).tolist())
u_minus = origin.eigenvectors[:, 0] * torch.sign(origin.eigenvectors[0, 0])  # fix the sign: (1, 1)/sqrt(2)
torch.testing.assert_close(u_minus, torch.tensor([1.0, 1.0], dtype=torch.float64) / 2**0.5)
torch.testing.assert_close(origin.hessian @ u_minus, -2.0 * u_minus)  # H u = lambda u
print("type:", origin.kind)
assert origin.kind == "saddle point"

# %%
xs = np.linspace(-2, 2, 121)
Z_notes = mu.landscape.evaluate_grid(lambda a, b: (1 - a * b) ** 2, xs, xs)
fig = plt.figure(figsize=(12, 4.5))
ax = fig.add_subplot(1, 2, 1)
xp.plot_log1p_contour(xs, xs, Z_notes, ax=ax, title="log(1 + L), L = (1 - w1 w2)^2")
for vec, col, lab in [(u_minus, "tab:red", "u- (lambda=-2)"), (origin.eigenvectors[:, 1], "tab:blue", "u+ (lambda=+2)")]:
    ax.plot([-1.5 * vec[0], 1.5 * vec[0]], [-1.5 * vec[1], 1.5 * vec[1]], color=col, lw=2.5, label=lab)
ax.plot(0, 0, "o", color="white", mec="black", ms=9)
ax.legend(loc="upper right", fontsize="small")
ax3 = fig.add_subplot(1, 2, 2, projection="3d")
mu.plot_surface3d(xs, xs, np.minimum(Z_notes, 4), ax=ax3, labels=("w1", "w2"), title="L clipped at 4 (3-D)")
t = np.linspace(-1.4, 1.4, 50)
for vec, col in [(u_minus, "tab:red"), (origin.eigenvectors[:, 1], "tab:blue")]:
    a, b = t * float(vec[0]), t * float(vec[1])
    ax3.plot(a, b, np.minimum((1 - a * b) ** 2, 4), color=col, lw=3, zorder=10)
ax3.view_init(elev=35, azim=-60)
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图：两条深色"山谷"是 $w_1w_2=1$ 这条双曲线，损失在那里为 0；原点（白点）夹在两条山谷之间。红线是负特征值的方向 $\mathbf u_-$：沿它走，两端都通向山谷，损失下降；蓝线 $\mathbf u_+$ 沿它走两端都上升。右图是同一曲面的立体图，红、蓝曲线就是曲面沿这两个方向的截面：一条向下弯，一条向上弯——典型的马鞍形。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. 沿负特征值的特征向量逃离鞍点
#
# 在临界点沿单位特征向量 $\mathbf u$ 走一段距离 $\alpha$（本章用 $\alpha$ 表示沿某个方向走多远，$\eta$ 只留给学习率）：$\mathbf v=\alpha\mathbf u$，二次项变成 $\tfrac12\alpha^2\,\mathbf u^\top\mathbf H\mathbf u=\tfrac12\lambda\alpha^2$。只要 $\lambda<0$，泰勒展开就预言损失会下降：这里 $L\approx 1-\alpha^2$。真实值可以直接算：$w_1=w_2=\alpha/\sqrt2$，所以 $L=(1-\alpha^2/2)^2$。下表的泰勒预测用的是自动微分算出的 $\mathbf H$（$L(\mathbf 0)+\tfrac12\alpha^2\mathbf u_-^\top\mathbf H\mathbf u_-$），不是手写的 $1-\alpha^2$：

# %% tags=["nbval-check-output"]
u_plus = origin.eigenvectors[:, 1]
print("alpha | true L  | Taylor   | true - Taylor | along u+ (true)")
true_down, taylor_down = {}, {}
for alpha in (0.05, 0.2, 0.5, 1.0):
    true_down[alpha] = float(loss_notes(alpha * u_minus))
    taylor_down[alpha] = origin.loss + 0.5 * alpha**2 * float(u_minus @ origin.hessian @ u_minus)
    true_up = float(loss_notes(alpha * u_plus))
    gap = true_down[alpha] - taylor_down[alpha]
    print(f"{alpha:5.2f} | {true_down[alpha]:.5f} | {taylor_down[alpha]:+.5f} | {gap:.1e}       | {true_up:.5f}")
    assert true_down[alpha] < 1.0 < true_up
assert 1e-6 < true_down[0.05] - taylor_down[0.05] < 2e-6  # small step: the Taylor prediction is off by ~1e-6
assert abs(taylor_down[1.0]) < 1e-12 and abs(true_down[1.0] - 0.25) < 1e-12  # alpha = 1: predicts 0, truly 0.25

# %% [markdown] slideshow={"slide_type": "fragment"}
# 沿 $\mathbf u_-$ 走，损失每一次都低于原点的 1；沿 $\mathbf u_+$ 走则高于 1。步子小时泰勒预测几乎准确（$\alpha=0.05$ 时差距约 $1.6\times10^{-6}$），步子大了以后四次项开始起作用，预测就偏了（$\alpha=1$ 时预测 0、真实 0.25），但"下降"这个方向性结论依然成立。
#
# ### 为什么是"最负"的特征值对应的方向？
#
# 其实**任何** $\mathbf v^\top\mathbf H\mathbf v<0$ 的方向都让损失（在二阶近似下）下降，不必恰好是特征向量。第 2 节说过，单位向量的二次型是特征值的加权平均 $\sum_k\lambda_kc_k^2$，所以它最小只能到 $\lambda_{\min}$，并且只在 $\lambda_{\min}$ 的特征向量上取到：沿这个方向走同样远，二阶项下降得**最多**。
#
# 左图：笔记的例子，在原点沿角度为 $\varphi$ 的单位方向 $\mathbf v=(\cos\varphi,\sin\varphi)$ 走 $\alpha=0.3$，比较泰勒预测的变化 $\tfrac12\alpha^2\mathbf v^\top\mathbf H\mathbf v$ 与真实变化 $L(\alpha\mathbf v)-L(\mathbf 0)$。右图：一个有**两个**负特征值（$-2$ 和 $-0.5$）和一个正特征值（$+1$）的三参数损失 $L_3(\mathbf w)=\tfrac12\mathbf w^\top\mathbf A\mathbf w+0.1\|\mathbf w\|^4$（$\mathbf A$ 是随机旋转过的对角矩阵，原点是它的鞍点），3000 个随机单位方向上真实的变化与二次型的关系。

# %% tags=["nbval-check-output"]
ALPHA = 0.3
phi = np.linspace(0, np.pi, 361)[:-1]  # directions in degrees 0, 0.5, ..., 179.5 (v and -v give the same change)
dirs = torch.from_numpy(np.stack([np.cos(phi), np.sin(phi)], 1))  # (360, 2)
quad = torch.einsum("ni,ij,nj->n", dirs, origin.hessian, dirs).numpy()  # v^T H v, (360,)
change = np.array([float(loss_notes(ALPHA * v)) for v in dirs]) - origin.loss  # (360,)
clear = np.abs(quad) > 0.05  # away from the two directions where v^T H v = 0
assert np.all(np.sign(change[clear]) == np.sign(quad[clear]))  # v^T H v < 0  <=>  L goes down
best_deg = float(np.degrees(phi[np.argmin(change)]))
print(f"notes example: largest true decrease at phi = {best_deg:.1f} deg (u- is at 45 deg), min v^T H v = {quad.min():.4f}")
assert abs(best_deg - 45.0) < 0.6 and abs(quad.min() - float(origin.eigenvalues[0])) < 1e-3

gen3 = torch.Generator().manual_seed(SEED)
Q3, _ = torch.linalg.qr(torch.randn(3, 3, generator=gen3, dtype=torch.float64))  # random rotation
A3 = Q3 @ torch.diag(torch.tensor([-2.0, -0.5, 1.0], dtype=torch.float64)) @ Q3.T


def loss_3(w):
    return 0.5 * w @ A3 @ w + 0.1 * (w @ w) ** 2


info3 = mu.critical_points.inspect_point(loss_3, [0.0, 0.0, 0.0])
V3 = torch.randn(3000, 3, generator=gen3, dtype=torch.float64)
V3 = V3 / V3.norm(dim=1, keepdim=True)  # (3000, 3) unit directions
quad3 = torch.einsum("ni,ij,nj->n", V3, info3.hessian, V3).numpy()
change3 = torch.vmap(loss_3)(ALPHA * V3).numpy() - info3.loss
u_min3 = info3.eigenvectors[:, 0]
print(f"3-D example: eigenvalues {np.round(info3.eigenvalues.numpy(), 6).tolist()}, {(quad3 < 0).mean():.0%} of the directions go down")
print(f"best of 3000 random directions: change {change3.min():.5f}; along u_min: {float(loss_3(ALPHA * u_min3)) - info3.loss:.5f}")
clear3 = np.abs(quad3) > 0.05
assert np.all(np.sign(change3[clear3]) == np.sign(quad3[clear3]))
assert float(loss_3(ALPHA * u_min3)) - info3.loss <= change3.min()  # no random direction beats u_min

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12, 4))
ax0.plot(np.degrees(phi), 0.5 * ALPHA**2 * quad, "--", label="Taylor: 0.5 alpha^2 v^T H v")
ax0.plot(np.degrees(phi), change, "-", label="true: L(alpha v) - L(0)")
ax0.axhline(0, color="0.5", lw=0.8)
for deg, col, lab in [(45, "tab:red", "u- (lambda = -2)"), (135, "tab:blue", "u+ (lambda = +2)")]:
    ax0.axvline(deg, color=col, ls=":", lw=2, label=lab)
ax0.set(title=f"Notes example, step alpha = {ALPHA} from the saddle", xlabel="direction angle phi (degrees)", ylabel="change of L")
ax0.legend(fontsize="small")
ax1.scatter(quad3, change3, s=4, alpha=0.4, label="random unit directions")
for k, col in [(0, "tab:red"), (1, "tab:orange")]:
    u = info3.eigenvectors[:, k]
    ax1.plot(float(info3.eigenvalues[k]), float(loss_3(ALPHA * u)) - info3.loss, "*", ms=16, color=col, mec="k", label=f"eigenvector, lambda = {float(info3.eigenvalues[k]):+.1f}")
ax1.axhline(0, color="0.5", lw=0.8)
ax1.axvline(0, color="0.5", lw=0.8)
ax1.set(title=f"3-parameter saddle, step alpha = {ALPHA}", xlabel="v^T H v (curvature along v)", ylabel="change of L")
ax1.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图：凡是二次型为负的方向（$0^\circ$ 到 $90^\circ$ 之间）损失都下降，下降最多的正是 $\mathbf u_-$ 所在的 $45^\circ$；$90^\circ$ 到 $180^\circ$ 的方向都上升，$\mathbf u_+$（$135^\circ$）上升最多。右图：每个点是一个随机方向，横轴是它的二次型、纵轴是真实的变化，几乎排成一条直线；左半边（二次型为负）全部在 0 以下，最低的点是 $\lambda=-2$ 的特征向量（红星），$\lambda=-0.5$ 的特征向量（橙星）也下降，但少得多。所以只要有负特征值，就有路可走，而最负的那个特征向量是二阶意义下最快的出口。
#
# ### 梯度下降自己能走出来吗？
#
# 从**恰好**在原点出发，梯度为零（第 3 节的输出），它一步也不会动。更值得看的是附近的点。下面的函数 `escape_run` 从 $\alpha\mathbf u_-+\gamma\mathbf u_+$ 出发做普通梯度下降（学习率 $\eta=0.1$）：沿 $\mathbf u_-$ 偏一点，负曲率会把它慢慢推开；沿 $\mathbf u_+$ 偏，正曲率会把它**拉回**鞍点。滑块控制 $\alpha$ 和步数（需要内核）；后面的静态图并排放了几组取值。

# %%
def escape_run(alpha: float, steps: int, lr: float = 0.1, gamma: float = 0.0) -> mu.landscape.Trajectory:
    """Start at alpha * u_minus + gamma * u_plus (near the saddle at the origin), then plain gradient descent."""
    start = alpha * u_minus + gamma * u_plus
    return mu.landscape.gradient_descent(loss_notes, start, lr=lr, steps=steps)


def draw_escape(ax, alpha, steps):
    traj = escape_run(alpha, steps)
    xp.plot_log1p_contour(xs, xs, Z_notes, ax=ax, title=f"start alpha={alpha:.3g} along u-: final L={traj.losses[-1]:.3g}")
    mu.plot_trajectory({f"GD, {steps} steps": traj}, ax=ax)
    return ax


# %% tags=["nbval-ignore-output"]
escape_widget = mu.interactive_figure(
    draw_escape,
    figsize=(6, 4.5),
    alpha=mu.float_slider(0.05, 0.0, 1.0, step=0.01, description="α"),
    steps=mu.int_slider(40, 0, 200, step=10, description="steps"),
)
escape_widget

# %%
runs = {alpha: escape_run(alpha, 120) for alpha in (1e-6, 1e-3, 0.3)}
pulled_back = escape_run(0.0, 120, gamma=0.5)  # exactly on the u+ line
pulled_then_out = escape_run(1e-6, 120, gamma=0.5)  # on the u+ line plus a tiny u- component
fig, axs = plt.subplots(1, 3, figsize=(12, 3.8))
draw_escape(axs[0], 0.3, 120)
xp.plot_log1p_contour(xs, xs, Z_notes, ax=axs[1], title="start 0.5 u+ (+ 1e-6 u-)")
mu.plot_trajectory({"0.5 u+": pulled_back, "0.5 u+ + 1e-6 u-": pulled_then_out}, ax=axs[1])
for alpha, traj in runs.items():
    axs[2].semilogy(traj.losses, label=f"alpha={alpha:g} along u-")
axs[2].semilogy(pulled_back.losses, "--", label="0.5 u+")
axs[2].semilogy(pulled_then_out.losses, ":", lw=2, label="0.5 u+ + 1e-6 u-")
axs[2].set(title="loss during GD (lr = 0.1)", xlabel="step", ylabel="L (log scale)")
axs[2].legend(fontsize="x-small")
fig.tight_layout()
plt.show()

# %% tags=["nbval-check-output"]
steps_to_escape = {alpha: int(np.argmax(t.losses < 0.5)) for alpha, t in runs.items()}
print("GD steps until L < 0.5:", steps_to_escape, "| predicted cost of starting 1000x closer:", round(np.log(1000) / np.log(1.2), 1))
print(f"start on the u+ line: final L - 1 = {pulled_back.losses[-1] - 1:.1e}, distance to the saddle {np.linalg.norm(pulled_back.points[-1]):.1e}")
closest = int(np.argmin(np.abs(pulled_then_out.losses - 1)))
print(f"with 1e-6 along u-: |L - 1| = {abs(pulled_then_out.losses[closest] - 1):.1e} at step {closest}, final L = {pulled_then_out.losses[-1]:.3f}")
assert abs((steps_to_escape[1e-6] - steps_to_escape[1e-3]) - np.log(1000) / np.log(1.2)) < 3
assert steps_to_escape[0.3] < 10
assert pulled_back.losses[-1] - 1 < 1e-9 and np.linalg.norm(pulled_back.points[-1]) < 1e-6  # GD converges to the saddle
assert abs(pulled_then_out.losses[closest] - 1) < 1e-4 and pulled_then_out.losses[-1] < 0.1  # ... unless nudged off the line

# %% [markdown] slideshow={"slide_type": "fragment"}
# - 从 $\mathbf u_+$ 这条线上（$0.5\,\mathbf u_+$）出发：梯度始终沿着这条线指向原点，梯度下降**收敛到鞍点**，损失停在 1——它看起来和"收敛到最小值"一模一样，只看损失曲线分辨不出来。
# - 同一点再沿 $\mathbf u_-$ 偏 $10^{-6}$：先被拉到鞍点旁边（损失与 1 只差 $10^{-4}$ 以内），在那里停留几十步，然后离开，滑进山谷。
# - $\alpha=10^{-6}$、$10^{-3}$（沿 $\mathbf u_-$）：它们确实会离开，但前面一大段损失几乎不动。原因是沿 $\mathbf u_-$ 的偏离每一步只被放大 $1+\eta|\lambda| = 1+0.1\times2=1.2$ 倍，所以起点每近 1000 倍，就要多走 $\ln 1000/\ln 1.2\approx 38$ 步——上面的测量与这个预测一致。这就是训练在鞍点附近"卡住一段时间、然后突然下降"的样子。
# - $\alpha=0.3$：先沿 $\mathbf u_-$ 跨出去，梯度下降几步就滑进 $w_1w_2=1$ 的山谷（左图）。
#
# 实际训练中几乎不会这么做：算海森矩阵太贵，而梯度的噪声和数值误差往往就够把参数推离鞍点。这里的价值在于看清：**鞍点不是死路，负特征值的特征向量就是出口**。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. 交互：在二维曲面上任选一点
#
# `mu.critical_points.inspect_point` 对任意一点算出梯度、精确海森矩阵、特征值与特征向量，并判断类型（梯度不为零时是 "not critical"）；`mu.critical_points.find_critical_point` 用牛顿法（Newton's Method，$\boldsymbol\theta\leftarrow\boldsymbol\theta-\mathbf H^{+}\mathbf g$）找到离起点最近的临界点。注意牛顿法只解方程 $\nabla L=0$，所以**鞍点和最大值对它和最小值一样有吸引力**——这正是二阶方法在神经网络里不能直接照搬的原因之一。
#
# 在滑块里选曲面、移动点；勾选"跳到最近的临界点"会用牛顿法跳过去。图中红色线段是负曲率方向，蓝色是正曲率方向，灰色是平坦方向（特征值为零），黑色箭头是 $-\mathbf g$（梯度下降会走的方向）。颜色表示 $\log(1+L-\min L)$。

# %%
GRID = np.linspace(-2, 2, 101)
SURFACE_GRIDS = {name: mu.landscape.evaluate_grid(fn, GRID, GRID) for name, fn in xp.TOY_SURFACES.items()}


def draw_point(ax, surface, w1, w2, snap):
    f = xp.flat_surface(surface)
    point = mu.critical_points.find_critical_point(f, [w1, w2]) if snap else [w1, w2]
    info = mu.critical_points.inspect_point(f, point)
    Z = SURFACE_GRIDS[surface]
    xp.plot_point_info(GRID, GRID, np.log1p(Z - Z.min()), info, ax=ax)
    ax.set_title(f"{surface}\n{info.kind}, eigenvalues {np.round(info.eigenvalues.numpy(), 2).tolist()}", fontsize=9)
    return ax


# %% tags=["nbval-ignore-output"]
point_widget = mu.interactive_figure(
    draw_point,
    figsize=(6, 5),
    surface=mu.choice(list(xp.TOY_SURFACES), description="surface"),
    w1=mu.float_slider(0.3, -2.0, 2.0, step=0.05, description="w1"),
    w2=mu.float_slider(0.4, -2.0, 2.0, step=0.05, description="w2"),
    snap=widgets.Checkbox(value=False, description="跳到最近的临界点"),
)
point_widget

# %%
cases = [
    ("two minima (w1^2-1)^2 + w2^2", [0.8, 0.3]),
    ("two minima (w1^2-1)^2 + w2^2", [0.1, 0.3]),
    ("peak and ring (w1^2+w2^2-1)^2", [0.2, -0.1]),
    ("notes (1 - w1*w2)^2", [0.8, 1.1]),
    ("monkey saddle w1^3 - 3 w1 w2^2", [0.0, 0.0]),
]
fig, axs = plt.subplots(2, 3, figsize=(12, 8.5))
kinds = []
for ax, (surface, start) in zip(axs.flat, cases, strict=False):
    draw_point(ax, surface, *start, snap=True)
    kinds.append(ax.get_title().split("\n")[1].split(",")[0])
axs.flat[-1].axis("off")
fig.tight_layout()
plt.show()
print(kinds)
assert kinds == ["local minimum", "saddle point", "local maximum", "degenerate", "degenerate"]

# %% [markdown] slideshow={"slide_type": "fragment"}
# 五幅图（按行从左到右）都是从一个普通点出发、用牛顿法"吸"到的临界点：(1) $(1,0)$ 是局部最小值（两个特征值都为正）；(2) 同一曲面的原点是鞍点；(3) 圆环曲面中心是局部最大值；(4) 笔记曲面的谷底 $w_1w_2=1$ 上任一点：一个特征值为正、另一个**恰好为零**（沿山谷方向完全平坦），二阶检验只能给出"degenerate"——尽管它其实是全局最小值；(5) 猴鞍（Monkey Saddle）在原点的海森矩阵全为零，二阶信息完全失效，它其实是鞍点（三个方向下降、三个方向上升）。在交互图里从别处勾选"跳到最近的临界点"试试：牛顿法在这种退化点附近收敛很慢，停在离原点约 $10^{-7}$ 的地方，那里的特征值约为 $\pm10^{-6}$，相对容差会把它判成鞍点——结论对了，但理由很脆弱。也就是说，**零特征值出现时，只看二阶导数可能得不出结论**。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. 小网络的精确海森矩阵
#
# 换成真正的神经网络：一个 1-32-1 的 tanh 网络（97 个参数），用来拟合 64 个点的带噪声正弦曲线（生成的数据，噪声标准差 0.1）。损失是 MSE。`mu.hessian.loss_function_of_params` 把"损失作为全部参数（拉平成一个向量）的函数"写出来（内部用 `torch.func.functional_call`，不会改动模型），于是第 2 节的工具可以原样用上。
#
# 先看一个可以手推的临界点：把所有权重设为 0，输出偏置设为 $\bar y$（目标的平均）。此时隐藏层输出 $\tanh(0)=0$，每个参数的梯度都带一个为零的因子，所以 $\mathbf g=\mathbf 0$。这正是笔记例子 $w_1w_2$ 的放大版：输入权重和输出权重相乘才影响输出。
#
# 从这里开始的计算由大量很小的张量运算组成，多线程的调度开销比收益还大（在 2 核机器上实测单线程快数倍），所以较重的单元都放在 `with mu.cpu_threads(1):` 里（离开代码块后线程数自动恢复）。

# %% tags=["nbval-check-output"]
gen = torch.Generator().manual_seed(SEED)
x_toy = torch.linspace(-2, 2, 64, dtype=torch.float64).unsqueeze(1)  # (64, 1)
y_toy = torch.sin(2 * x_toy) + 0.1 * torch.randn(64, 1, generator=gen, dtype=torch.float64)  # (64, 1)
toy_batch, mse = (x_toy, y_toy), nn.MSELoss()


def make_net(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1)).double()


net = make_net(SEED)
with torch.no_grad():
    for p in net.parameters():
        p.zero_()
    net[2].bias.fill_(float(y_toy.mean()))
f_net, theta_zero = mu.hessian.loss_function_of_params(net, mse, toy_batch)
H_zero = mu.hessian.model_hessian(net, mse, toy_batch)  # (97, 97)
torch.testing.assert_close(H_zero, torch.autograd.functional.hessian(f_net, theta_zero))
torch.testing.assert_close(H_zero, mu.hessian.hessian_matrix_loop(f_net, theta_zero))
ev_zero = torch.linalg.eigvalsh(H_zero)
grad_zero = float(grad(f_net)(theta_zero).norm())
print("parameters:", theta_zero.numel(), "| |grad| < 1e-12:", grad_zero < 1e-12)
assert grad_zero < 1e-12
print("signs:", mu.critical_points.count_eigenvalue_signs(ev_zero), "->", mu.critical_points.classify_critical_point(ev_zero))
neg = ev_zero[ev_zero < -1e-9]
print(f"negative eigenvalues: {len(neg)} of them, all {float(neg.mean()):.4f} (spread < 1e-9: {float(neg.max() - neg.min()) < 1e-9})")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 三种算法给出同一个 97×97 矩阵。这个点是鞍点，而且结构与笔记例子一模一样：每个隐藏单元的"输入权重 $w$、输出权重 $v$"这一对参数构成一个 $\begin{pmatrix}0&c\\c&0\end{pmatrix}$ 块，给出一对 $\pm|c|$ 特征值（32 个 $-0.446$ 和 32 个 $+0.446$）；32 个隐藏层偏置方向完全平坦（输出权重为零时，改变它们连二阶都不影响输出）；剩下 1 个正特征值属于输出偏置。
#
# 精确海森矩阵要多少时间？"从零开始"的做法是先求一次带计算图的梯度，再对 97 个分量各做一次反向传播；`torch.func.hessian` 用前向模式套反向模式、再加向量化（vmap）一次算完。在 97 个参数和 481 个参数的网络上现场计时：

# %% tags=["nbval-ignore-output"]
def best_time(fn, repeat=2):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


speed = {}
for width in (32, 160):
    big = nn.Sequential(nn.Linear(1, width), nn.Tanh(), nn.Linear(width, 1)).double()
    f_w, th_w = mu.hessian.loss_function_of_params(big, mse, toy_batch)
    with mu.cpu_threads(1):
        t_loop = best_time(lambda f_w=f_w, th_w=th_w: mu.hessian.hessian_matrix_loop(f_w, th_w))
        t_func = best_time(lambda f_w=f_w, th_w=th_w: mu.hessian.hessian_matrix(f_w, th_w))
    speed[th_w.numel()] = t_loop / t_func
    print(f"P = {th_w.numel():5d}: loop {t_loop * 1e3:7.1f} ms, torch.func {t_func * 1e3:7.1f} ms, speed-up x{t_loop / t_func:.1f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 结果可能出乎意料：在写作本章的机器上（单线程 CPU），只有参数很少时 `torch.func` 才更快；到了几百个参数，逐行循环（它已经复用了梯度的计算图）反而更快。向量化省掉的是 Python 循环和调度的开销，计算量并没有减少；在 GPU 上情况可能不同（本章没有测量）。
#
# 训练之后呢？用 Adam 训练 1500 步，再看同一张特征值"体检表"。顺便对比一下高斯-牛顿矩阵（Gauss–Newton, $\mathbf G=\tfrac{2}{N}\mathbf J^\top\mathbf J$，$\mathbf J$ 是网络输出对参数的雅可比矩阵，Jacobian）：一些作业和论文用它代替海森矩阵，但它按构造就是半正定的（$\mathbf v^\top\mathbf G\mathbf v=\tfrac2N\|\mathbf J\mathbf v\|^2\ge0$），**永远看不到负曲率**，因此不能用来数鞍点。

# %% tags=["nbval-ignore-output"]
net = make_net(SEED)
with mu.cpu_threads(1):
    mu.fit(net, torch.optim.Adam(net.parameters(), lr=0.01), toy_batch, loss_fn=mse, steps=1500, desc="toy net")
    f_net, theta_trained = mu.hessian.loss_function_of_params(net, mse, toy_batch)
    ev_trained = torch.linalg.eigvalsh(mu.hessian.model_hessian(net, mse, toy_batch))
names = [n for n, _ in net.named_parameters()]
sizes = [p.numel() for p in net.parameters()]


def outputs_of(theta):
    params = dict(zip(names, (t.view_as(p) for t, p in zip(theta.split(sizes), net.parameters(), strict=True)), strict=True))
    return torch.func.functional_call(net, params, (x_toy,)).squeeze(1)  # (64,)


J = torch.func.jacrev(outputs_of)(theta_trained)  # (64, 97)
ev_gn = torch.linalg.eigvalsh(2 / len(x_toy) * J.T @ J)
print(f"train loss {float(f_net(theta_trained)):.4f}, |grad| {float(grad(f_net)(theta_trained).norm()):.0e}")
print(f"exact Hessian:  min eig {float(ev_trained[0]):+.1e}, max eig {float(ev_trained[-1]):.2f}")
print(f"Gauss-Newton:   min eig {max(float(ev_gn[0]), 0.0):.1e} (negative part is rounding: {float(ev_gn[0]):+.0e}), max eig {float(ev_gn[-1]):.2f}")
assert float(ev_trained[0]) < 0 and float(ev_gn[0]) > -1e-10
assert abs(float(ev_gn[-1]) - float(ev_trained[-1])) / float(ev_trained[-1]) < 0.05

# %% [markdown] slideshow={"slide_type": "fragment"}
# 训练后损失已接近噪声水平（约 0.01），但梯度并不是严格的零，精确海森矩阵仍有（很小的）负特征值；高斯-牛顿矩阵的最大特征值与海森矩阵几乎相同（大曲率方向两者一致），最小特征值却只能是 0 附近的非负数。想要数鞍点，必须用精确的海森矩阵。

# %% [markdown] slideshow={"slide_type": "fragment"}
# 再大一点：MNIST-1D 上的 40-20-10 分类网络（tanh，交叉熵，1030 个参数），500 个训练样本作为一个批次。`mu.hessian.model_hessian` 在参数超过 300 个时自动改用逐行循环（依据上面的计时）。比较初始化时和训练 500 步之后的整个特征值谱：

# %% tags=["nbval-ignore-output"]
mnist = mu.load_mnist1d()
xm, ym = mnist.x_train[:500].double(), mnist.y_train[:500]  # (500, 40), (500,)
torch.manual_seed(SEED)
clf = nn.Sequential(nn.Linear(40, 20), nn.Tanh(), nn.Linear(20, 10)).double()
ce64 = nn.CrossEntropyLoss()
with mu.cpu_threads(1):
    spectra = {"init": torch.linalg.eigvalsh(mu.hessian.model_hessian(clf, ce64, (xm, ym)))}
    mu.fit(clf, torch.optim.Adam(clf.parameters(), lr=0.01), (xm, ym), loss_fn=ce64, steps=500, desc="classifier")
    spectra["500 Adam steps"] = torch.linalg.eigvalsh(mu.hessian.model_hessian(clf, ce64, (xm, ym)))
f_clf, th_clf = mu.hessian.loss_function_of_params(clf, ce64, (xm, ym))
print(f"P = {th_clf.numel()}, loss {float(f_clf(th_clf)):.3f}, |grad| {float(grad(f_clf)(th_clf).norm()):.1e}")
for name, ev in spectra.items():
    print(f"{name:15s}: {mu.critical_points.count_eigenvalue_signs(ev, 1e-4)}, min {float(ev[0]):+.2e}, max {float(ev[-1]):.3f} -> {mu.critical_points.classify_critical_point(ev, 1e-4)}")
fig, axs = plt.subplots(1, 2, figsize=(12, 3.6))
for ax, (name, ev) in zip(axs, spectra.items(), strict=True):
    ax.hist(ev.numpy(), bins=80, color="tab:purple")
    ax.set(title=f"Hessian spectrum, {name}", xlabel="eigenvalue", ylabel="count (log)", yscale="log")
fig.tight_layout()
plt.show()
n_neg = {k: mu.critical_points.count_eigenvalue_signs(ev, 1e-4)["negative"] for k, ev in spectra.items()}
assert n_neg["500 Adam steps"] < 0.3 * n_neg["init"]  # far fewer negative directions after training ...
assert n_neg["500 Adam steps"] >= 20  # ... but still dozens of them

# %% [markdown] slideshow={"slide_type": "fragment"}
# 初始化时的点根本不是临界点，正负曲率的方向数量相近；训练 500 步后，负特征值的个数大幅减少，谱变成"一大堆挤在 0 附近 + 少数几个明显为正的离群值"的形状——但仍有几十个小的负特征值（上面打印的 negative 一项），严格说它还是鞍点。这个形状（大部分方向几乎平坦、少数方向很陡）在更大的网络上也被反复观察到，下一节会更系统地数一数。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. 鞍点和局部最小值，哪个更常见？
#
# 讲义中的实验：训练很多网络直到梯度接近零，对每个停下来的点计算**最小值比例（Minimum Ratio）**
#
# $$\text{minimum ratio}=\frac{\text{正特征值的个数}}{\text{特征值的总数}},$$
#
# 再把它与训练损失画成散点图。比例为 1 是真正的局部最小值，明显小于 1 则是鞍点。
#
# 我们的版本：24 个 1-32-1 网络，不同初始化，分别在 Adam 的第 0～1200 步"停下"（让它们停在不同的损失高度），然后改为最小化 $\|\nabla L\|^2$（用 Adam，800 步），把每个点推向最近的临界点，最后对每个点算精确海森矩阵。为了在一分钟内跑完，24 个网络用一个批量化的损失函数同时训练：参数是一个 $(24, 97)$ 的矩阵，各网络互不影响。

# %%
HID, N_NETS = 32, 24


def batched_losses(theta):  # (B, 97) -> (B,): B independent 1-32-1 tanh nets, MSE on the toy data
    W1, b1, W2, b2 = theta[:, :HID], theta[:, HID : 2 * HID], theta[:, 2 * HID : 3 * HID], theta[:, 3 * HID]
    h = torch.tanh(x_toy.T[:, :, None] * W1[:, None, :] + b1[:, None, :])  # (B, 64, 32)
    out = (h * W2[:, None, :]).sum(-1) + b2[:, None]  # (B, 64)
    return ((out - y_toy.T) ** 2).mean(1)


# check against nn.Sequential with the same numbers
check_theta = torch.cat([p.detach().reshape(-1) for p in (net[0].weight.T, net[0].bias, net[2].weight, net[2].bias)])
torch.testing.assert_close(batched_losses(check_theta[None])[0], f_net(theta_trained))

torch.manual_seed(SEED)
u = lambda *shape, scale=1.0: (torch.rand(*shape, dtype=torch.float64) * 2 - 1) * scale  # PyTorch's default init
theta = torch.cat([u(N_NETS, HID), u(N_NETS, HID), u(N_NETS, HID, scale=HID**-0.5), u(N_NETS, 1, scale=HID**-0.5)], 1)
stop_at = torch.tensor([0, 5, 10, 20, 40, 80, 150, 250, 400, 600, 900, 1200] * 2)  # Adam steps per net

# %% [markdown] slideshow={"slide_type": "fragment"}
# 上面先确认批量版的损失与 `nn.Sequential` 的结果一致。下面是两个阶段，各是一次 `mu.fit`，每一步的更新写在这里：先训练（一个回调函数（callback）在每个网络自己的停止步保存快照），再最小化梯度范数 $\|\mathbf g\|^2$。梯度范数的梯度需要二次反向传播（`create_graph=True`），也就是第 2 节的海森-向量积。

# %% tags=["nbval-ignore-output"]
class NetStack(nn.Module):
    """The 24 networks' parameters as one (24, 97) matrix; row i is network i."""

    def __init__(self, theta):
        super().__init__()
        self.theta = nn.Parameter(theta.clone())


def loss_step(batch, ctx):  # phase 1: ordinary training, all 24 nets at once (their losses simply add up)
    ctx.optimizer.zero_grad()
    loss = batched_losses(ctx.model.theta).sum()
    loss.backward()
    ctx.optimizer.step()
    return {"loss": loss.detach()}


def keep_snapshots(ctx):  # after each step: keep the nets whose stopping step this is
    stopping = stop_at == ctx.step
    snapshot[stopping] = ctx.model.theta.detach()[stopping]


def grad_norm_step(batch, ctx):  # phase 2: walk downhill on |g|^2 instead of on L
    theta = ctx.model.theta
    ctx.optimizer.zero_grad()
    (g_all,) = torch.autograd.grad(batched_losses(theta).sum(), theta, create_graph=True)  # (B, 97)
    (g_all**2).sum().backward()  # double backward: Hessian-vector products
    ctx.optimizer.step()
    return {"grad_norm_sq": (g_all**2).sum().detach()}


t_start = time.perf_counter()
snapshot = theta.clone()  # nets that stop at step 0 keep their initial parameters
with mu.cpu_threads(1):
    stack = NetStack(theta)
    mu.fit(stack, torch.optim.Adam(stack.parameters(), lr=0.01), toy_batch, step=loss_step,
           steps=int(stop_at.max()), callbacks=[keep_snapshots], desc="train 24 nets")  # fmt: skip
    loss_before = batched_losses(snapshot).detach()
    stack = NetStack(snapshot)
    opt = torch.optim.Adam(stack.parameters(), lr=1e-3)
    mu.fit(stack, opt, toy_batch, step=grad_norm_step, steps=800,
           scheduler=torch.optim.lr_scheduler.CosineAnnealingLR(opt, 800), desc="minimise |g|^2")  # fmt: skip
theta_crit = stack.theta.detach()

def single_loss(th):
    return batched_losses(th[None])[0]


with mu.cpu_threads(1):
    H_all = vmap(hessian(single_loss))(theta_crit)  # (24, 97, 97)
    eig_all = torch.linalg.eigvalsh(H_all)  # (24, 97), ascending
    grad_norm = vmap(grad(single_loss))(theta_crit).norm(dim=1)
loss_crit = batched_losses(theta_crit)
torch.testing.assert_close(H_all[0], mu.hessian.hessian_matrix(single_loss, theta_crit[0]))
print(f"24 nets: {time.perf_counter() - t_start:.1f} s")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 把结果整理成表。"零"特征值怎么算是关键：这些点并不是严格的临界点（$\|\mathbf g\|$ 在 $10^{-4}$～$10^{-1}$ 之间），数值上 $|\lambda|$ 小于 $\|\mathbf g\|$ 量级的曲率都不可信。下面用两种相对容差各数一次：严格的 $10^{-6}\lambda_{\max}$（几乎只把数值噪声当零）和宽松的 $10^{-4}\lambda_{\max}$（约 $2\times10^{-3}$，与低损失点的 $\|\mathbf g\|$ 同量级）。

# %% tags=["nbval-ignore-output"]
rows = []
for i in range(N_NETS):
    strict, loose = mu.critical_points.count_eigenvalue_signs(eig_all[i], 1e-6), mu.critical_points.count_eigenvalue_signs(eig_all[i], 1e-4)
    rows.append(
        dict(
            stop=int(stop_at[i]), loss=float(loss_crit[i]), gnorm=float(grad_norm[i]),
            ratio_strict=mu.critical_points.minimum_ratio(eig_all[i], 1e-6), ratio_loose=mu.critical_points.minimum_ratio(eig_all[i], 1e-4),
            ratio_curved=mu.critical_points.minimum_ratio(eig_all[i], 1e-4, exclude_zero=True),
            neg_strict=strict["negative"], zero_loose=loose["zero"], neg_loose=loose["negative"],
        )
    )
print("stop | loss    | |grad|  | ratio(1e-6) | ratio(1e-4) | #neg(1e-6) | #zero(1e-4) | #neg(1e-4) | ratio among curved")
for r in sorted(rows, key=lambda r: -r["loss"]):
    print(f"{r['stop']:4d} | {r['loss']:.4f}  | {r['gnorm']:.1e} | {r['ratio_strict']:.2f}        | {r['ratio_loose']:.2f}        |"
          f" {r['neg_strict']:3d}        | {r['zero_loose']:3d}         | {r['neg_loose']:3d}        | {r['ratio_curved']:.2f}")

# %%
loss_arr = np.array([r["loss"] for r in rows])
fig, axs = plt.subplots(1, 3, figsize=(12, 4.2), layout="constrained")
for ax, key, title in [
    (axs[0], "ratio_strict", "positive / all\n(zero: |lambda| <= 1e-6 max)"),
    (axs[1], "ratio_loose", "positive / all\n(zero: |lambda| <= 1e-4 max)"),
    (axs[2], "ratio_curved", "positive / curved only\n(tol 1e-4)"),
]:
    ratio = np.array([r[key] for r in rows])
    sc = ax.scatter(ratio, loss_arr, c=[r["zero_loose"] for r in rows], cmap="plasma", s=45, edgecolor="k")
    ax.set(title=title, xlabel="minimum ratio", ylabel="training loss (log)", yscale="log", xlim=(0, 1.05))
fig.colorbar(sc, ax=axs, label="# flat eigenvalues (tol 1e-4)")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# "零"的容差应该取多大，没有唯一答案。下面的滑块（需要内核）直接改容差，看散点怎么移动；勾掉"只数有曲率的方向"就是讲义的原始定义（平坦方向也算进分母）。上面三幅静态图就是三个典型取值。

# %% tags=["nbval-ignore-output"]
def draw_ratio(ax, tol, curved_only):
    ratio = [mu.critical_points.minimum_ratio(ev, tol, exclude_zero=curved_only) for ev in eig_all]
    flat = [mu.critical_points.count_eigenvalue_signs(ev, tol)["zero"] for ev in eig_all]
    sc = ax.scatter(ratio, loss_arr, c=flat, cmap="plasma", vmin=0, vmax=97, s=45, edgecolor="k")
    ax.figure.colorbar(sc, ax=ax, label="# flat eigenvalues")
    ax.set(title=f"tol = {tol:.1e} x max|lambda|", xlabel="minimum ratio", ylabel="training loss (log)", yscale="log", xlim=(0, 1.05))
    return ax


ratio_widget = mu.interactive_figure(
    draw_ratio,
    figsize=(6, 4.2),
    tol=mu.log_slider(1e-4, 1e-8, 1e-1, "tol"),
    curved_only=widgets.Checkbox(value=True, description="只数有曲率的方向"),
)
ratio_widget

# %% [markdown] slideshow={"slide_type": "fragment"}
# 先检查几条能失败的结论（容差见代码），再解读图。

# %% tags=["nbval-ignore-output"]
high = [r for r in rows if r["loss"] > 0.1]  # stuck near the "fit a nearly constant function" level
low = [r for r in rows if r["loss"] < 0.015]
print(f"high-loss points: {len(high)}, low-loss points: {len(low)}, in between: {N_NETS - len(high) - len(low)}")


def span(group, key):
    return min(r[key] for r in group), max(r[key] for r in group)


(hl0, hl1), (hn0, hn1), (hc0, hc1) = span(high, "loss"), span(high, "neg_loose"), span(high, "ratio_curved")
(ll0, ll1), (lg0, lg1), (lz0, lz1), (lr0, lr1) = (span(low, k) for k in ("loss", "gnorm", "zero_loose", "ratio_loose"))
print(f"high loss: loss {hl0:.3f}..{hl1:.3f}, #neg(1e-4) {hn0}..{hn1}, ratio among curved {hc0:.2f}..{hc1:.2f}")
print(f"low loss:  loss {ll0:.4f}..{ll1:.4f}, |grad| {lg0:.1e}..{lg1:.1e}, #zero(1e-4) {lz0}..{lz1}, ratio(1e-4) {lr0:.2f}..{lr1:.2f}")
print("all points: ratio(1e-6) {:.2f}..{:.2f}".format(*span(rows, "ratio_strict")))
assert len(high) >= 4 and len(low) >= 10
assert 0.15 < span(high, "loss")[0] and span(high, "loss")[1] < 0.41  # the range the text quotes
assert sum(r["loss"] > 0.35 for r in high) > len(high) / 2  # most of them above 0.35
assert all(r["neg_loose"] >= 20 for r in high)  # clear saddles: dozens of clearly negative directions
assert all(0.45 < r["ratio_curved"] < 0.7 for r in high)  # "one half to two thirds"
assert 0.01 < span(low, "loss")[0] and np.median([r["ratio_curved"] for r in low]) > 0.9  # curved: nearly all positive
assert 70 <= np.median([r["zero_loose"] for r in low]) <= 90  # ... but most directions are flat
assert 0.05 <= span(low, "ratio_loose")[0] and span(low, "ratio_loose")[1] <= 0.25
assert 1.5e-4 < span(low, "gnorm")[0] < 3e-4 and span(low, "gnorm")[1] < 5e-3
assert 0.4 <= span(rows, "ratio_strict")[0] and span(rows, "ratio_strict")[1] < 0.7  # no clean local minimum
print("checks passed")

# %% [markdown] slideshow={"slide_type": "fragment"}
# **我们看到的（24 个 1-32-1 网络，数值见上表）：**
#
# - 高损失的点（损失 0.18～0.40，大多数在 0.35 以上，网络几乎只输出一条平线）都是**明确的鞍点**：几十个方向有明显的负曲率，在"有曲率的方向"里正的只占一半到三分之二（三幅图的上方）。
# - 低损失的点（约 0.011～0.013，已接近噪声水平 0.01）在宽松容差下，**有曲率的方向几乎全是正的**（右图比例接近 1），与讲义"损失越低、越像局部最小值"的趋势一致。
# - 但是**大多数方向是平的**：97 个特征值中通常有 70～90 个小于 $10^{-4}\lambda_{\max}$。若按讲义的定义把它们算进分母（中图），最小值比例只有 0.07～0.25，趋势甚至反过来了；改用严格容差，这些"平"方向里又有大量极小的负值，左图所有点都落在 0.4～0.7 之间，没有一个点是干净的局部最小值。
# - 只有右图（只数有曲率的方向）重现了讲义散点图的形状：损失越低，比例越接近 1。
# - 讲义说"从来没有真正到达局部最小值"。在我们的规模上，这句话成立，但原因主要不是"剩下少量负曲率方向"，而是点附近是一片几乎平坦的区域：梯度没有精确到零（低损失点的 $\|\mathbf g\|$ 在 $2\times10^{-4}$～$5\times10^{-3}$ 之间），许多方向的曲率比梯度还小，二阶检验本身就给不出明确的答案（还记得第 5 节的"degenerate"）。这也是为什么要把接近零的特征值单独计数。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. 放大规模：不写出海森矩阵
#
# 参数有 $P$ 个时，海森矩阵有 $P^2$ 个元素：$10^5$ 个参数就是 $10^{10}$ 个数（float32 要 40 GB），不可能直接构造。但很多问题只需要海森矩阵**乘一个向量**：$\mathbf H\mathbf v=\nabla_{\boldsymbol\theta}\big(\mathbf g^\top\mathbf v\big)$，即对"梯度与 $\mathbf v$ 的内积"再做一次反向传播，代价与一次梯度差不多。有了 HVP：
#
# - **幂迭代（Power Iteration）**：反复 $\mathbf v\leftarrow\mathbf H\mathbf v/\|\mathbf H\mathbf v\|$，收敛到绝对值最大的特征值；
# - **Lanczos 迭代**（`mu.hessian.top_eigenvalues`）：每次 HVP 扩充一个正交基，用一个小三对角矩阵的特征值逼近两端的特征值，同样精度通常比幂迭代少很多次 HVP；
# - **Hutchinson 估计**（`mu.hessian.hessian_trace`）：取随机 $\pm1$ 向量 $\mathbf v$，有 $\mathbb E[\mathbf v^\top\mathbf H\mathbf v]=\operatorname{tr}\mathbf H$，多取几个求平均，并给出标准误（Standard Error）。
#
# 先在第 6 节 97 个参数的网络上对照精确答案，确认它们可信：

# %% tags=["nbval-ignore-output"]
with mu.cpu_threads(1):
    H_small = mu.hessian.model_hessian(net, mse, toy_batch)
    exact_small = torch.linalg.eigvalsh(H_small)
    top_small = mu.hessian.top_eigenvalues(net, mse, toy_batch, k=3, tol=1e-8, max_iter=97)
    low_small = mu.hessian.top_eigenvalues(net, mse, toy_batch, k=1, tol=1e-6, max_iter=97, which="smallest")
    trace_small = mu.hessian.hessian_trace(net, mse, toy_batch, n_samples=200, seed=SEED)
torch.testing.assert_close(top_small.eigenvalues, exact_small.flip(0)[:3], rtol=1e-6, atol=1e-8)
print("top-3 (Lanczos):", np.round(top_small.eigenvalues.numpy(), 4).tolist(), "| exact:", np.round(exact_small.flip(0)[:3].numpy(), 4).tolist())
print(f"smallest (Lanczos) {float(low_small.eigenvalues[0]):+.2e}, exact {float(exact_small[0]):+.2e}")
exact_trace = float(torch.trace(H_small))
# the spread of one probe v^T H v with random +-1 entries, from the exact H: Var = 2 * sum_{i != j} H_ij^2
probe_sd = float(2 * ((H_small**2).sum() - (torch.diagonal(H_small) ** 2).sum())) ** 0.5
sd_of_mean = probe_sd / 200**0.5  # what the standard error of a 200-probe mean should be
print(f"trace: exact {exact_trace:.3f}, Hutchinson {trace_small.mean:.3f} ± {trace_small.stderr:.3f} (200 probes)")
print(f"standard error: reported {trace_small.stderr:.3f}, from the exact H {sd_of_mean:.3f}")
assert abs(trace_small.mean - exact_trace) < 3 * sd_of_mean  # the bound comes from H, not from the estimator
assert 0.8 < trace_small.stderr / sd_of_mean < 1.25
with mu.cpu_threads(1):
    est_30 = [mu.hessian.hessian_trace(net, mse, toy_batch, n_samples=30, seed=s) for s in range(40)]
means_30, se_30 = np.array([e.mean for e in est_30]), np.mean([e.stderr for e in est_30])
print(f"40 seeds x 30 probes: spread (std) of the estimates {means_30.std(ddof=1):.2f}, mean reported stderr {se_30:.2f}")
assert 0.7 < means_30.std(ddof=1) / se_30 < 1.4  # the reported stderr matches the spread actually seen

# %% [markdown] slideshow={"slide_type": "fragment"}
# 前三个特征值与精确值一致到 6 位有效数字（最小特征值很接近零，Lanczos 对它收敛得更慢，但符号与量级一致）。Hutchinson 估计要和两样东西对照：估计值与精确的迹相差不到 3 个"真正的"标准误——这个标准误由精确的 $\mathbf H$ 算出（$\pm1$ 探针的方差是 $2\sum_{i\ne j}H_{ij}^2$），不是估计器自己报的；估计器报告的标准误与它相差不到 25%，并且与 40 个种子上估计值实际的离散程度一致。这样，后面在大网络上（没有精确答案）读它报的标准误才有依据。
#
# 现在换成一个大网络：MNIST-1D（40 维的一维"手写数字"信号，10 类）上的 40-300-300-10 多层感知机，共 105,610 个参数。训练 3 个 epoch 后，在 500 个训练样本组成的批次上分析它的海森矩阵。

# %% tags=["nbval-ignore-output"]
data = mu.load_mnist1d()
torch.manual_seed(SEED)
mlp = nn.Sequential(nn.Linear(40, 300), nn.ReLU(), nn.Linear(300, 300), nn.ReLU(), nn.Linear(300, 10))
n_params = sum(p.numel() for p in mlp.parameters())
loader = mu.make_loader(data.train(), batch_size=128, seed=SEED)
with mu.cpu_threads(1):
    history = mu.fit(mlp, torch.optim.Adam(mlp.parameters(), lr=1e-3), loader, loss_fn=nn.CrossEntropyLoss(), epochs=3, device=DEVICE)
mlp.eval()
xb, yb = data.x_train[:500].to(DEVICE), data.y_train[:500].to(DEVICE)
ce = nn.CrossEntropyLoss()
print(f"parameters: {n_params}, mean training loss over the 3rd epoch: {history.per_epoch('loss')[-1]:.3f}")
assert n_params >= 100_000

# %% [markdown] slideshow={"slide_type": "fragment"}
# 先"从零开始"写 HVP 和幂迭代：求一次带计算图的梯度 $\mathbf g$（`create_graph=True`），之后每次 $\mathbf H\mathbf v$ 都是对 $\mathbf g^\top\mathbf v$ 再反向传播一次（计算图保留、重复使用）。再与 `mu.hessian.top_eigenvalues`（Lanczos）对比：

# %% tags=["nbval-ignore-output"]
params = [p for p in mlp.parameters()]
g_list = torch.autograd.grad(ce(mlp(xb), yb), params, create_graph=True)


def hvp_scratch(v: torch.Tensor) -> torch.Tensor:  # v: flat (P,)
    v_list = [t.view_as(p) for t, p in zip(v.split([p.numel() for p in params]), params, strict=True)]
    hv = torch.autograd.grad(g_list, params, grad_outputs=v_list, retain_graph=True)
    return torch.cat([h.reshape(-1) for h in hv])


def power_iteration(hvp_fn, n, iters=100, tol=1e-4, seed=0):
    v = torch.randn(n, generator=torch.Generator().manual_seed(seed)).to(DEVICE)
    v, lam = v / v.norm(), 0.0
    for i in range(1, iters + 1):
        hv = hvp_fn(v)
        new = float(v @ hv)  # Rayleigh quotient
        v = hv / hv.norm()
        if abs(new - lam) < tol * abs(new):
            return new, i
        lam = new
    return lam, iters


with mu.cpu_threads(1):
    t0 = time.perf_counter()
    lam_power, n_power = power_iteration(hvp_scratch, n_params)
    t_power = time.perf_counter() - t0
    t0 = time.perf_counter()
    top = mu.hessian.top_eigenvalues(mlp, ce, (xb, yb), k=3, tol=1e-4, max_iter=100)
    t_lanczos = time.perf_counter() - t0
print(f"power iteration: lambda_max = {lam_power:.3f} after {n_power} HVPs, {t_power:.2f} s")
print(f"Lanczos:         top-3 = {[round(v, 3) for v in top.eigenvalues.tolist()]} after {top.n_hvp} HVPs, {t_lanczos:.2f} s")
assert top.converged and abs(lam_power - float(top.eigenvalues[0])) < 2e-3 * abs(lam_power)

# %% [markdown] slideshow={"slide_type": "fragment"}
# 两种方法给出同一个最大特征值（相对差 < 0.2%），Lanczos 同时给出了前三个，所用 HVP 次数通常更少。再看最负的特征值和整个谱的"总曲率"——迹：

# %% tags=["nbval-ignore-output"]
with mu.cpu_threads(1):
    bottom = mu.hessian.top_eigenvalues(mlp, ce, (xb, yb), k=1, tol=1e-3, max_iter=30, which="smallest")
    trace_est = mu.hessian.hessian_trace(mlp, ce, (xb, yb), n_samples=30, seed=SEED)
print(f"smallest Ritz value: {float(bottom.eigenvalues[0]):+.4f} ({bottom.n_hvp} HVPs, converged={bottom.converged})")
print(f"trace: {trace_est.mean:.2f} ± {trace_est.stderr:.2f} (Hutchinson, 30 probes)")
running = trace_est.samples.cumsum(0) / torch.arange(1, 31)
fig, axs = plt.subplots(1, 2, figsize=(12, 3.8))
axs[0].plot(np.arange(1, 31), trace_est.samples.numpy(), ".", color="0.5", label="v^T H v per probe")
axs[0].plot(np.arange(1, 31), running.numpy(), "-", label="running mean")
n_probe = torch.arange(2, 31)
running_se = torch.stack([trace_est.samples[:n].std() / n**0.5 for n in n_probe])  # standard error after n probes
axs[0].fill_between(n_probe.numpy(), (running[1:] - running_se).numpy(), (running[1:] + running_se).numpy(), alpha=0.3, label="± 1 standard error")
axs[0].axhline(trace_est.mean, color="k", lw=0.8)
axs[0].set(title="Hutchinson trace estimate", xlabel="number of probes", ylabel="estimate")
axs[0].legend()
axs[1].bar(["Ritz min", "lambda_3", "lambda_2", "lambda_1"], [float(bottom.eigenvalues[0]), *top.eigenvalues.flip(0).tolist()])
axs[1].set(title=f"extreme eigenvalues, P = {n_params}", xlabel="eigenvalue", ylabel="value")
fig.tight_layout()
plt.show()
rel_se = trace_est.stderr / trace_est.mean
print(f"standard error / mean = {rel_se:.1%}; trace / |smallest Ritz value| = {trace_est.mean / abs(float(bottom.eigenvalues[0])):.0f}")
assert 0.07 < rel_se < 0.13  # "about 10 % of the mean"
assert float(bottom.eigenvalues[0]) < 0  # a negative Ritz value proves a negative eigenvalue
assert trace_est.mean > 100 * abs(float(bottom.eigenvalues[0]))  # trace far larger than |lambda_min|

# %% [markdown] slideshow={"slide_type": "fragment"}
# 左图：单个探针 $\mathbf v^\top\mathbf H\mathbf v$ 波动很大，平均值稳定得较快；阴影是 ±1 个标准误，它按 $1/\sqrt{n}$ 收窄，告诉我们估计还剩多少不确定性（30 个探针时约为均值的 10%）。最小的那个值是 30 次 Lanczos 迭代后的最小 Ritz 值（没有完全收敛：谱的这一端很密集），但 Ritz 值总是不小于真正的最小特征值，所以它为负就**证明**了海森矩阵确实有负特征值。右图：即使在训练了几轮的大网络上，海森矩阵仍有负特征值——这个点也是一个（或者说靠近一个）鞍点，只是负曲率远小于最大的正曲率。迹为正，且比最小 Ritz 值的绝对值大两个数量级以上，说明整体上"向上弯"的方向占主导，与第 7 节小网络的图景一致。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 小结
#
# - 梯度为零只说明到了**临界点**；要区分局部最小值、局部最大值和鞍点，需要二阶信息——**海森矩阵**。
# - 二阶泰勒展开在一点附近非常准（误差按步长的三次方缩小）；在临界点只剩 $\tfrac12\mathbf v^\top\mathbf H\mathbf v$，它的正负由特征值决定：全正→最小值，全负→最大值，有正有负→鞍点，有零→二阶检验可能失效。
# - 笔记的例子 $L=(1-w_1w_2)^2$ 在原点是鞍点（特征值 $\pm2$）；沿负特征值的特征向量 $(1,1)/\sqrt2$ 走，损失一定下降。离鞍点太近时，梯度下降会在那里"卡"很久。
# - 小网络的精确海森矩阵用 `torch.func` 一次算出（几百个参数以上，在 CPU 上逐行 HVP 反而更快）；高斯-牛顿矩阵是半正定的，看不到负曲率。训练会让负特征值大量减少，谱变成"大量近零 + 少数大的正值"。
# - 在我们的 24 个 1-32-1 网络上：高损失的停留点都是明确的鞍点；低损失点在有曲率的方向上几乎全为正，但绝大多数方向是平的，严格意义上没有一个点是局部最小值。
# - 大网络用 HVP：Lanczos 求两端特征值、Hutchinson 估计迹（附标准误），不需要 $P^2$ 的内存。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 练习
#
# 每道题先把 `None` 换成你的答案再运行检查单元；参考答案在折叠的单元里（点击折叠处的 ••• 展开），它用另外的变量名，不会改动你的答案。

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 1**：在笔记的损失 $L=(1-w_1w_2)^2$ 上，手算点 $(w_1,w_2)=(2,1)$ 处的海森矩阵（2×2），填入 `answer_1`。

# %%
answer_1 = None  # 你的答案，例如 [[a, b], [c, d]]
ex.check_hessian_at_point(answer_1)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_1_ref = hessian_by_hand(torch.tensor([2.0, 1.0], dtype=torch.float64)).tolist()  # [[2, 6], [6, 8]]
assert ex.check_hessian_at_point(answer_1_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2**：写一个函数 `my_classify(H)`：输入一个临界点的海森矩阵 `H`（对称的 float64 张量），返回 `"local minimum"`、`"local maximum"`、`"saddle point"`、`"degenerate"` 之一。特征值满足 $|\lambda|\le10^{-5}\max|\lambda|$ 时算作零（`ex.CLASSIFY_TOL`）。不要调用 `mu.critical_points.classify_critical_point`，自己按第 2 节的表来写。检查函数会在几个随机旋转过的（非对角）矩阵上把你的结果与 `torch.linalg.eigvalsh` 得出的答案比较，并指出第一个不一致的矩阵。

# %%
def my_classify(H):
    return None  # your code


ex.check_classify_hessian(my_classify)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_classify_ref(H):
    ev = torch.linalg.eigvalsh(H)
    cut = ex.CLASSIFY_TOL * ev.abs().max()
    pos, neg = bool((ev > cut).any()), bool((ev < -cut).any())
    if pos and neg:
        return "saddle point"
    if bool((ev.abs() <= cut).any()):
        return "degenerate"
    return "local minimum" if pos else "local maximum"


assert ex.check_classify_hessian(my_classify_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3**：自己实现最小值比例 `my_minimum_ratio(eigenvalues, tol)`：$|\lambda|\le \text{tol}\cdot\max|\lambda|$ 的特征值算作零（不算正），返回"正特征值个数 / 特征值总数"。

# %%
def my_minimum_ratio(eigenvalues, tol):
    return None  # 你的实现


ex.check_minimum_ratio(my_minimum_ratio)


# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_minimum_ratio_ref(eigenvalues, tol):
    ev = torch.as_tensor(eigenvalues, dtype=torch.float64)
    cut = tol * ev.abs().max()
    return float((ev > cut).sum()) / ev.numel()


assert ex.check_minimum_ratio(my_minimum_ratio_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 4**：从笔记例子的鞍点 $(0,0)$ 出发，沿负曲率方向 $\mathbf u_-=(1,1)/\sqrt2$ 走 $\alpha=1.2$，真实的损失 $L(\alpha\mathbf u_-)$ 是多少？（提示：比较它与二阶泰勒预测 $1-\alpha^2$。）

# %%
answer_4 = None  # 你的答案（一个数）
ex.check_escape_loss(answer_4)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_4_ref = float(loss_notes(1.2 * u_minus))  # (1 - 1.2**2 / 2)**2 = 0.0784; Taylor says -0.44 (impossible for a square)
assert ex.check_escape_loss(answer_4_ref)
print("参考答案已通过检查。")
