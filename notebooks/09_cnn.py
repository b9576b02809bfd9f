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
# # 第 9 章 卷积神经网络（CNN）
#
# 前几章的网络都是全连接的：每个输入数字连到下一层的每个神经元。图像有成千上万个像素，这样连下去参数多得吓人，而且网络并不知道“相邻的像素有关系”。卷积神经网络（Convolutional Neural Network, CNN）把两条关于图像的常识写进了网络结构：一个图案只占图像的一小块，同一个图案可能出现在任何位置。
#
# **学习目标**
#
# - 算出全连接层和卷积层在同一张图上的参数量，说清楚为什么参数少在数据不多时是好事；
# - 推导卷积输出尺寸公式，并用 `nn.Conv2d` 在上百种配置上核对；算出感受野（Receptive Field）随深度怎样增长；
# - 亲手写卷积：先用循环，再用 im2col（`unfold` + 一次矩阵乘法），与 `F.conv2d` 逐位对照并比较速度；
# - 把卷积看成“共享参数、只连局部的全连接层”，并画出这个权重矩阵；
# - 在真实照片上看手工边缘滤波器，在手写数字上看训练出来的滤波器和特征图（Feature Map）；
# - 亲手写最大池化（Max Pooling）和按通道的批量归一化，与 PyTorch 对照；
# - 在 MNIST-1D 上复现“逻辑回归 ≪ MLP ≪ CNN”，并测量 CNN 对平移的容忍度；
# - 理解 AlphaGo 式的棋盘输入为什么不用池化，以及一维卷积怎样用在信号上。

# %% [markdown] slideshow={"slide_type": "skip"}
# ## 如何使用本笔记本
#
# 从上到下依次运行（JupyterLab 菜单 Kernel → Restart Kernel and Run All Cells…）。带滑块的单元需要运行中的内核；每个滑块旁都有一张静态图，不运行也能看到同样的现象。训练单元用课程统一的 `mu.fit`，并把检查点存在 `data/cache/checkpoints/`：内核重启后重新运行不会从头训练。有 GPU 时自动使用；想强制用 CPU，启动前设置 `MLNOTE_DEVICE=cpu`。

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import mlnote_utils as mu
from mlnote_utils.exercises import ch09 as ex
from mlnote_utils.experiments import ch09 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 为什么图像不直接用全连接层
#
# 一张 100×100 的彩色图有 3 个通道（channel，红绿蓝），拉直后是 30000 个数。若第一层有 1000 个神经元，全连接层（Fully Connected Layer）的每个神经元都要为这 30000 个数各配一个权重。卷积层（Convolutional Layer）的一个滤波器（filter，也叫卷积核 kernel）只看 3×3×3 的一小块，并在整张图上重复使用同一组权重，所以它的参数量与图的大小无关。下面用公式算，再用 PyTorch 的层数一遍。

# %% tags=["nbval-check-output"]
image_shape = (3, 100, 100)
fc = mu.cnn.linear_parameter_count(image_shape, 1000)
conv = mu.cnn.conv_parameter_count(3, 64, 3)
assert fc == sum(p.numel() for p in nn.Linear(30000, 1000).parameters())
assert conv == sum(p.numel() for p in nn.Conv2d(3, 64, 3).parameters())
print(f"fully connected, 30000 inputs -> 1000 neurons : {fc:>12,} parameters")
print(f"conv layer, 64 filters of 3x3x3              : {conv:>12,} parameters")
print(f"ratio                                         : {fc / conv:>12,.0f}x")
print(f"the same conv layer on a 1000x1000 image      : {mu.cnn.conv_parameter_count(3, 64, 3):>12,} parameters")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 全连接层有约三千万个参数，卷积层只有 1,792 个，相差一万六千多倍；图放大到 1000×1000，卷积层的参数量一个也不变。第 4 章讲过：模型越有弹性（参数越多、能表示的函数越多），训练数据不够时越容易过拟合（overfitting）。卷积层弹性小、模型偏差（model bias）大，但它的限制恰好符合图像的性质，所以在图像上反而表现更好。第 7 节会在真实数据上量出这一点。
#
# ## 2. 感受野、卷积核大小、步幅与填充
#
# 卷积层里的每个神经元只看输入的一小块，这一块叫它的感受野。描述这一块有三个数：卷积核大小（kernel size）$k$、相邻两块之间的步幅（stride）$s$、以及在边缘外补的填充（padding）宽度 $p$。
#
# **输出尺寸的推导（沿一个方向）。** 补边后输入长度是 $n+2p$。第 $i$ 个输出（从 0 数）看的是补边后坐标 $is, is+1, \dots, is+k-1$。最后一个合法的 $i$ 要满足 $is+k-1 \le n+2p-1$，即 $i \le (n+2p-k)/s$。$i$ 从 0 开始，所以输出个数是
#
# $$n_{\text{out}} = \left\lfloor \frac{n+2p-k}{s} \right\rfloor + 1 .$$
#
# 例如 $n=100$、$k=3$：不补边时输出 98，补 $p=1$ 时输出仍是 100（所谓 "same" 填充），步幅 2 时输出 49。下面把这个公式与 `nn.Conv2d` 实际输出的形状在很多种配置上对照。

# %% tags=["nbval-check-output"]
checked = 0
for n in (5, 8, 13, 28, 100):
    for k in (1, 2, 3, 5, 7):
        for s in (1, 2, 3):
            for p in (0, 1, 2, 3):
                if k > n + 2 * p:
                    continue
                out = nn.Conv2d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, n, n)).shape[-1]
                assert out == mu.cnn.conv_output_size(n, k, s, p), (n, k, s, p)
                checked += 1
print(f"formula == nn.Conv2d output size in all {checked} configurations")
print([mu.cnn.conv_output_size(100, 3), mu.cnn.conv_output_size(100, 3, padding=1), mu.cnn.conv_output_size(100, 3, stride=2)])

# %% [markdown] slideshow={"slide_type": "fragment"}
# **感受野随深度增长。** 第二层的一个神经元看第一层的 $k$ 个神经元，而它们各自又看输入的一小块，所以越深的神经元看到的输入越大。记 $r_l$ 为第 $l$ 层一个神经元在输入上的感受野宽度，$j_l$ 为第 $l$ 层相邻两个神经元在输入上相隔的像素数（$r_0=j_0=1$），则
#
# $$r_l = r_{l-1} + (k_l-1)\,j_{l-1},\qquad j_l = j_{l-1}\,s_l .$$
#
# 步幅为 1 时每层只多看 $k-1$ 个像素，感受野线性增长；步幅为 2 时 $j$ 每层翻倍，感受野指数增长。`mu.cnn.receptive_field` 实现了这个递推。怎样核对它？让一个深层神经元对输入求梯度：梯度不为零的输入像素正好是它的感受野。

# %% tags=["nbval-check-output"]
def gradient_footprint(layers, n=200):
    """Width of the input region that reaches the centre unit of the last layer (all-ones 1-D kernels)."""
    convs = []
    for k, s in layers:
        conv = nn.Conv1d(1, 1, k, stride=s, bias=False)
        nn.init.ones_(conv.weight)
        convs.append(conv)
    x = torch.ones(1, 1, n, requires_grad=True)
    y = nn.Sequential(*convs)(x)
    y[0, 0, y.shape[-1] // 2].backward()
    touched = (x.grad[0, 0] != 0).nonzero().flatten()
    return int(touched.max() - touched.min() + 1)


depths = range(1, 7)
rf_stride1 = mu.cnn.receptive_field([(3, 1)] * 6)
rf_stride2 = mu.cnn.receptive_field([(3, 2)] * 6)
for d in depths:
    assert rf_stride1[d - 1] == gradient_footprint([(3, 1)] * d)
    assert rf_stride2[d - 1] == gradient_footprint([(3, 2)] * d)
print("3x3 kernels, stride 1:", rf_stride1)
print("3x3 kernels, stride 2:", rf_stride2)

# %%
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(list(depths), rf_stride1, "o-", label="kernel 3, stride 1")
ax.plot(list(depths), rf_stride2, "s-", label="kernel 3, stride 2")
ax.set_xlabel("number of conv layers")
ax.set_ylabel("receptive field (input pixels, one axis)")
ax.set_title("How much of the input one neuron sees")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 公式与梯度的“足迹”在每个深度都一致。步幅为 1 时六层 3×3 卷积只看到 13 个像素宽的一条；步幅为 2 时第六层已经看到 127 个像素。所以深层的神经元即使只用 3×3 的小卷积核，也能对很大的图案作出反应。
#
# 下面的滑块在一张 7×7 的输入上画出某个输出神经元的感受野（橙色）；灰色虚线格是填充。拖动卷积核大小、步幅、填充和输出位置，看输出的网格大小和它读到的像素怎样变化。

# %% tags=["nbval-ignore-output"]
rf_widget = mu.interactive_figure(
    lambda ax, k, s, p, row, col: xp.draw_receptive_window(
        ax, n=7, kernel_size=k, stride=s, padding=p, out_row=row, out_col=col
    ),
    figsize=(5, 5),
    k=mu.int_slider(3, 1, 5, description="kernel k"),
    s=mu.int_slider(1, 1, 3, description="stride s"),
    p=mu.int_slider(0, 0, 2, description="padding p"),
    row=mu.int_slider(0, 0, 8, description="output row"),
    col=mu.int_slider(1, 0, 8, description="output col"),
)
rf_widget

# %% [markdown] slideshow={"slide_type": "fragment"}
# 静态版本：同一个输出位置 (1, 1) 在三种设置下读到的输入。步幅从 1 变成 2，相邻输出读的区域就隔得更远；补一圈 0 后，边上的输出也能以边缘像素为中心。

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 4.4))
for ax, (k, s, p) in zip(axes, [(3, 1, 0), (3, 2, 0), (3, 2, 1)], strict=True):
    xp.draw_receptive_window(ax, n=7, kernel_size=k, stride=s, padding=p, out_row=1, out_col=1)
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. 参数共享：亲手写卷积
#
# 同一个滤波器在图上滑动，在每个位置用**同一组权重**与那一块做内积，这就是参数共享（Parameter Sharing）。深度学习里的“卷积”其实是互相关（cross-correlation）：卷积核不翻转。输入 $x$ 形状为 $(N, C, H, W)$，$O$ 个滤波器 $w$ 形状为 $(O, C, k_h, k_w)$，则
#
# $$y_{n,o,i,j} = b_o + \sum_{c}\sum_{a<k_h}\sum_{b<k_w} w_{o,c,a,b}\; x_{n,\,c,\,is+a,\,js+b}\quad(x\ \text{已补边}).$$
#
# 第一种写法照公式直接循环：对每个输出位置取出那一块，与所有滤波器做内积。

# %%
def conv2d_loops(x, weight, bias=None, stride=1, padding=0):
    """Convolution by the formula: one Python iteration per output position (batch and filters vectorised)."""
    x = F.pad(x, (padding, padding, padding, padding))
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    h_out, w_out = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = x.new_zeros(n, o, h_out, w_out)
    for i in range(h_out):
        for j in range(w_out):
            patch = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]  # (N, C, kh, kw)
            out[:, :, i, j] = torch.einsum("nchw,ochw->no", patch, weight)  # the same weights at every (i, j)
    if bias is not None:
        out += bias.reshape(1, o, 1, 1)
    return out


# %% [markdown] slideshow={"slide_type": "fragment"}
# 第二种写法叫 im2col：先把所有位置的小块一次性展开成矩阵的列（`F.unfold`），每列长 $C k_h k_w$；卷积就变成**一次**矩阵乘法：$(O \times Ck_hk_w)$ 的权重矩阵乘以 $(Ck_hk_w \times L)$ 的块矩阵，$L$ 是输出位置数。这正是参数共享的样子：同一个权重矩阵乘每一列。课程的 `mu.cnn.conv2d` 就是这样写的：

# %%
mu.show_source(mu.cnn.conv2d)

# %% [markdown] slideshow={"slide_type": "fragment"}
# 两种写法都要与 `F.conv2d` 在随机形状、步幅、填充上逐位一致（用 float64，容差接近机器精度）：

# %% tags=["nbval-check-output"]
g = torch.Generator().manual_seed(1)
for _ in range(20):
    n, c, o = (int(v) for v in torch.randint(1, 5, (3,), generator=g))
    k = int(torch.randint(1, 6, (1,), generator=g))
    s, p = int(torch.randint(1, 4, (1,), generator=g)), int(torch.randint(0, 3, (1,), generator=g))
    h, w = k + int(torch.randint(0, 9, (1,), generator=g)), k + int(torch.randint(0, 9, (1,), generator=g))
    x = torch.randn(n, c, h, w, generator=g, dtype=torch.float64)
    weight = torch.randn(o, c, k, k, generator=g, dtype=torch.float64)
    bias = torch.randn(o, generator=g, dtype=torch.float64)
    ref = F.conv2d(x, weight, bias, stride=s, padding=p)
    torch.testing.assert_close(conv2d_loops(x, weight, bias, s, p), ref)
    torch.testing.assert_close(mu.cnn.conv2d(x, weight, bias, s, p), ref)
print("loops, im2col and F.conv2d agree on 20 random configurations")

# %% [markdown] slideshow={"slide_type": "fragment"}
# **速度。** 三种写法算的是同一个东西，快慢却差很多。先固定一个形状：一批 16 张 32×32 的 3 通道图、64 个 3×3 滤波器、填充 1（float32），像一个 CNN 的第一层。三种方法都只用一个 CPU 线程（比较的是算法，而不是谁更会用多核），交替运行多次，每种取最快的一次（最快的一次最少受到机器上其他程序的干扰）：

# %% tags=["nbval-ignore-output"]
def fastest_seconds(fns, repeats=9):
    """Best-of-`repeats` wall time of each function, the functions interleaved so that they share any slowdown."""
    for fn in fns:
        fn()  # warm-up
    times = [[] for _ in fns]
    for _ in range(repeats):
        for t, fn in zip(times, fns, strict=True):
            start = time.perf_counter()
            fn()
            t.append(time.perf_counter() - start)
    return [min(t) for t in times]


xb, wb = torch.randn(16, 3, 32, 32), torch.randn(64, 3, 3, 3)
with torch.no_grad(), mu.cpu_threads(1):  # one thread each: compare the algorithms, not how they use the cores
    t_builtin, t_unfold = fastest_seconds([lambda: F.conv2d(xb, wb, padding=1), lambda: mu.cnn.conv2d(xb, wb, padding=1)])
    (t_loops,) = fastest_seconds([lambda: conv2d_loops(xb, wb, padding=1)], repeats=2)
for name, t in [("F.conv2d", t_builtin), ("im2col (mu.cnn.conv2d)", t_unfold), ("loops", t_loops)]:
    print(f"{name:<24} {t * 1e3:8.2f} ms   {t / t_builtin:7.1f}x F.conv2d")
assert t_unfold < 3 * t_builtin, "im2col should be within 3x of the built-in convolution at this shape"
assert t_loops > 10 * t_unfold and t_loops > 10 * t_builtin, "the Python loop should be far slower than one big matrix multiplication"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 在这个形状上 im2col 与 `F.conv2d` 在同一个量级（3 倍以内，上面的断言检查了这一点）；循环版本比两者都慢十倍以上（通常是几十倍）。原因不是算术更多——三者做的乘加次数完全一样——而是循环版本把工作拆成一千多次（32×32 个输出位置）小运算，每次都要付 Python 和调度的开销，CPU 的向量单元和多核都用不满。im2col 把全部工作变成一次大矩阵乘法，这是硬件最擅长的事。
#
# 它的代价是内存：每个输入像素被复制进 $k_hk_w=9$ 列。通道多时这张展开的矩阵很大，读写它的时间就显出来了。换成网络中间一层的形状（16 通道进、32 通道出，一批 32 张）再比一次：

# %% tags=["nbval-ignore-output"]
xd, wd = torch.randn(32, 16, 32, 32), torch.randn(32, 16, 3, 3)
with torch.no_grad(), mu.cpu_threads(1):
    t_builtin_deep, t_unfold_deep = fastest_seconds([lambda: F.conv2d(xd, wd, padding=1), lambda: mu.cnn.conv2d(xd, wd, padding=1)])
unfolded_mb = F.unfold(xd, 3, padding=1).numel() * 4 / 2**20
print(f"input {xd.numel() * 4 / 2**20:.1f} MB, unfolded patches {unfolded_mb:.1f} MB")
print(f"im2col / F.conv2d: first-layer shape {t_unfold / t_builtin:.1f}x, middle-layer shape {t_unfold_deep / t_builtin_deep:.1f}x")
assert t_unfold_deep / t_builtin_deep > t_unfold / t_builtin

# %% [markdown] slideshow={"slide_type": "fragment"}
# 通道变多后 im2col 落后得更多：展开的矩阵是输入的 9 倍大。`F.conv2d` 背后的库（CPU 上是 oneDNN）会按形状挑选不做完整展开的算法，所以实际训练都用内置的卷积；im2col 的价值在于把“卷积 = 共享权重的矩阵乘法”这件事写得一清二楚。
#
# ## 4. 第二种解释：卷积层 = 共享参数、只连局部的全连接层
#
# 把一维卷积写成矩阵：输出的每一行只在它的感受野上有非零权重（局部连接），而且每一行是**同一组** $k$ 个数平移过去（参数共享）。下面把一个 3 抽头的卷积核展开成 $n=12$ 的输入上的完整权重矩阵，并验证它乘以输入就等于 `F.conv1d`。

# %% tags=["nbval-check-output"]
kernel = torch.tensor([1.0, -2.0, 0.5])
M = mu.cnn.conv1d_as_matrix(kernel, n=12, stride=1, padding=1)
signal = torch.randn(12, generator=torch.Generator().manual_seed(2))
torch.testing.assert_close(M @ signal, F.conv1d(signal[None, None], kernel[None, None], padding=1).flatten())
print("matrix shape:", tuple(M.shape))
print("non-zero entries:", int((M != 0).sum()), "of", M.numel(), "| distinct non-zero values:", sorted(set(M[M != 0].tolist())))

# %%
fig, ax = plt.subplots(figsize=(6, 4.6))
im = ax.imshow(M, cmap="RdBu_r", vmin=-2, vmax=2)
ax.set_xticks(range(12))
ax.set_yticks(range(12))
ax.set_xlabel("input position j")
ax.set_ylabel("output position i")
ax.set_title("A 1-D convolution as a fully connected weight matrix")
fig.colorbar(im, ax=ax, label="weight from input j to output i")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 144 个格子里只有 34 个不为零，而且只用到卷积核的 3 个数：每一行都是同一条带子右移一格。全连接层可以学出任意的 144 个数；卷积层把其中 110 个固定为 0、把其余的绑在一起，只剩 3 个自由参数。所以卷积层是全连接层的一个特例——弹性更小，但恰好适合“图案到处出现、只看局部”的数据。笔记里的两种说法（神经元只看感受野并共享参数 / 滤波器在图上滑动）说的是同一件事。
#
# ## 5. 滤波器是图案探测器
#
# 先不训练，手工设几个 3×3 滤波器用在一张真实照片上。照片是 scikit-learn 随包附带的 `china.jpg`（不需要联网），转成灰度并缩小一半。Sobel 竖边滤波器左列为负、右列为正：在亮度从左到右变化的地方（竖直的边）输出大，在均匀区域输出 0；横边滤波器是它的转置。

# %%
photo = xp.load_photo()  # (213, 320) grey values in [0, 1]
maps = {name: F.conv2d(photo[None, None], f[None, None], padding=1)[0, 0] for name, f in xp.EDGE_FILTERS.items()}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
axes[0].imshow(photo, cmap="gray")
axes[0].set_title("photo (grey, 213x320)")
for ax, name in zip(axes[1:], ["vertical edge", "horizontal edge"], strict=True):
    ax.imshow(maps[name].abs(), cmap="magma", vmax=float(maps[name].abs().quantile(0.99)))
    ax.set_title(f"|{name} filter output|")
for ax in axes:
    ax.set_xlabel("column (pixels)")
    ax.set_ylabel("row (pixels)")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 中间的图里，屋檐的竖柱、栏杆的竖线亮；右边的图里，屋檐和台阶的横线亮。同一个 3×3 滤波器（9 个数）在全图每个位置都找同一种图案，这就是参数共享的好处：在左上角学会的“竖边探测器”在右下角也能用。
#
# 两个滤波器互为转置，所以“把照片转置后找竖边”应当等于“原照片上找横边”再转置。这是一个可以精确检查的事实：

# %% tags=["nbval-check-output"]
sobel_v, sobel_h = xp.EDGE_FILTERS["vertical edge"], xp.EDGE_FILTERS["horizontal edge"]
torch.testing.assert_close(sobel_h, sobel_v.T)
on_transposed = F.conv2d(photo.T[None, None].contiguous(), sobel_v[None, None], padding=1)[0, 0]
torch.testing.assert_close(on_transposed.T, maps["horizontal edge"])
stripes = torch.zeros(20, 20)
stripes[:, 10:] = 1.0  # one vertical edge
v = F.conv2d(stripes[None, None], sobel_v[None, None])[0, 0].abs().sum().item()
h = F.conv2d(stripes[None, None], sobel_h[None, None])[0, 0].abs().sum().item()
print(f"on a picture with one vertical edge: vertical filter {v:.0f}, horizontal filter {h:.0f}")
assert v > 0 and h == 0

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. 池化与 CNN 里的批量归一化
#
# **下采样不改变图里是什么。** 把照片每 $m\times m$ 块只留一个值，图小了 $m^2$ 倍，但内容仍然认得出来：

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
for ax, m in zip(axes, [1, 4, 8], strict=True):
    small = F.max_pool2d(photo[None, None], m)[0, 0] if m > 1 else photo
    ax.imshow(small, cmap="gray")
    ax.set_title(f"max-pooled {m}x{m}: {small.shape[0]}x{small.shape[1]} pixels")
    ax.set_xlabel("column")
    ax.set_ylabel("row")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 8×8 池化后只剩 26×40 个像素（原来的 1/64），建筑的轮廓还在。最大池化（Max Pooling）在每个窗口里留下最大的值；它没有参数，通常放在卷积层后面，把特征图缩小，减少后面的计算。下面用 `unfold` 亲手写（`mu.cnn.max_pool2d`），并与 `F.max_pool2d` 对照：

# %% tags=["nbval-check-output"]
mu.show_source(mu.cnn.max_pool2d)
x_pool = torch.randn(4, 3, 10, 9, generator=torch.Generator().manual_seed(3))
for k, s in [(2, None), (3, None), (2, 1), (3, 2)]:
    torch.testing.assert_close(mu.cnn.max_pool2d(x_pool, k, s), F.max_pool2d(x_pool, k, s))
print("max pooling by hand == F.max_pool2d for kernel/stride (2,2), (3,3), (2,1), (3,2)")

# %% [markdown] slideshow={"slide_type": "fragment"}
# **CNN 里的批量归一化按通道做。** 第 8 章的 BN 对每个特征单独求均值和方差。在卷积层后面，同一个滤波器在所有位置上的输出是“同一个特征”，所以 `nn.BatchNorm2d` 对每个通道在 $(N, H, W)$ 三个轴上一起求统计量：一共只有 $C$ 组均值/方差和 $C$ 组 $\gamma,\beta$，而不是 $C\times H\times W$ 组。手写并核对（训练模式的输出，以及更新后的滑动平均）：

# %% tags=["nbval-check-output"]
feat = torch.randn(8, 5, 6, 7, generator=torch.Generator().manual_seed(4)) * 3 + 1
bn = nn.BatchNorm2d(5)
with torch.no_grad():
    bn.weight.copy_(torch.linspace(0.5, 2.0, 5))
    bn.bias.copy_(torch.linspace(-1.0, 1.0, 5))
mean = feat.mean(dim=(0, 2, 3))  # one mean per channel, over N, H and W
var = feat.var(dim=(0, 2, 3), unbiased=False)
by_hand = (feat - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + bn.eps)
by_hand = by_hand * bn.weight[None, :, None, None] + bn.bias[None, :, None, None]
torch.testing.assert_close(by_hand, bn(feat))
n_per_channel = feat.numel() // feat.shape[1]
torch.testing.assert_close(bn.running_var, 0.9 * 1.0 + 0.1 * var * n_per_channel / (n_per_channel - 1))
torch.testing.assert_close(bn.running_mean, 0.1 * mean)
print("statistics per BatchNorm2d layer:", tuple(bn.running_mean.shape), "means (one per channel)")
print("BatchNorm2d == normalise per channel over (N, H, W), then gamma/beta per channel")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 注意滑动方差用的是无偏估计（除以 $NHW-1$），而归一化本身用有偏方差——和第 8 章一维的情形一样。
#
# ## 7. 完整的 CNN：手写数字
#
# 把上面的零件接起来：卷积 → ReLU → 池化 → 卷积 → ReLU → 池化 → 拉平（flatten）→ 全连接 → softmax。数据是 scikit-learn 附带的 1797 张 8×8 手写数字（不需要联网），随机留出 25% 作测试。softmax 不写在网络里：`F.cross_entropy` 接收的是 logits，内部自己做 softmax（第 7 章）。每一层之后的形状由输出尺寸公式决定，先算出来再让网络验证：

# %% tags=["nbval-check-output"]
digits = mu.load_digits_split(flatten=False)  # (N, 1, 8, 8) images in [0, 1], stratified split
print(digits)
digit_cnn = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 8x8 -> 8x8 -> 4x4
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 4x4 -> 4x4 -> 2x2
    nn.Flatten(), nn.Linear(16 * 2 * 2, 10),
)
side = 8
for layer in digit_cnn:
    if isinstance(layer, nn.Conv2d):
        side = mu.cnn.conv_output_size(side, layer.kernel_size[0], layer.stride[0], layer.padding[0])
    elif isinstance(layer, nn.MaxPool2d):
        side = mu.cnn.conv_output_size(side, layer.kernel_size, layer.stride)
assert side == 2 and digit_cnn(torch.zeros(1, 1, 8, 8)).shape == (1, 10)
print("spatial size before flatten:", side, "| parameters:", sum(p.numel() for p in digit_cnn.parameters()))
print("receptive field of a unit before flatten:", mu.cnn.receptive_field([m for m in digit_cnn if hasattr(m, "kernel_size")])[-1], "pixels")

# %% tags=["nbval-ignore-output"]
mu.seed_everything(SEED)
digit_cnn = digit_cnn.apply(lambda m: m.reset_parameters() if hasattr(m, "reset_parameters") else None)
with mu.cpu_threads(1):  # tiny convolutions: one thread is as fast and is not slowed by other programs
    digit_history = mu.fit(
        digit_cnn,
        torch.optim.Adam(digit_cnn.parameters(), lr=1e-2),
        mu.make_loader(digits.train(), batch_size=64, seed=SEED),
        loss_fn=F.cross_entropy,
        epochs=15,
        valid=(digits.x_test, digits.y_test),
        metrics={"acc": mu.accuracy},
        device=DEVICE,
        checkpoint=mu.checkpoint_path("ch09_digit_cnn"),
    )
digit_acc = digit_history.last("valid_acc")
print(f"test accuracy after 15 epochs: {digit_acc:.3f}")
assert digit_acc > 0.95
mu.plot_history(digit_history, ["valid_acc"], x="epoch", title="Digit CNN: test accuracy per epoch", ylabel="accuracy")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 不到两千个参数的 CNN 在没见过的数字上达到 95% 以上的准确率。训练出来的第一层 8 个滤波器长什么样？它们对一张数字的输出（特征图）又是什么样？红色是正权重，蓝色是负权重：

# %%
digit_cnn.cpu().eval()
filters = digit_cnn[0].weight.detach()[:, 0]  # (8, 3, 3)
fig, axes = plt.subplots(2, 4, figsize=(9, 4.6), layout="constrained")
xp.plot_image_grid(axes, list(filters), [f"filter {i}" for i in range(8)], symmetric=True)
fig.colorbar(axes[0, 0].images[0], ax=axes, shrink=0.8, label="weight")
fig.suptitle("First-layer filters learned on the digits (3x3 weights; red > 0, blue < 0)")
plt.show()

# %%
sample = digits.x_test[:1]
with torch.no_grad():
    fmap = torch.relu(digit_cnn[0](sample))[0]  # (8, 8, 8): one map per filter
fig, axes = plt.subplots(3, 3, figsize=(8.5, 8), layout="constrained")
xp.plot_image_grid(axes.flat[:1], [sample[0, 0]], [f"input: a {int(digits.y_test[0])} (grey, 0 to 1)"])
xp.plot_image_grid(axes.flat[1:], list(fmap), [f"map of filter {i}" for i in range(8)], cmap="magma")
fig.colorbar(axes.flat[1].images[0], ax=axes, shrink=0.6, label="filter output after ReLU (maps 0-7)")
fig.suptitle("Feature maps: where each learned filter responds (8x8 input, padding 1)")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 每张特征图和输入一样是 8×8（填充 1），亮的地方是那个滤波器找到了它的图案。不同的滤波器在笔画的不同部位亮起来：有的在笔画某一侧的边缘，有的在笔画本身；对照上一张图，它们的权重也多是一边正、一边负，和第 5 节手工设计的边缘滤波器是同一类东西——只是这次是梯度下降自己学出来的。
#
# ## 8. 复现 MNIST-1D 的基准：逻辑回归 ≪ MLP ≪ CNN
#
# MNIST-1D 是把 10 个数字的一维“模板”随机平移、缩放、加噪声得到的长 40 的信号，4000 条训练、1000 条测试，在本机上现场生成。它的作者发表过一张表：逻辑回归 32%、MLP 68%、CNN 94%；把 40 个位置用同一个固定排列打乱后，MLP 不变，CNN 掉到 56%。我们用同样的三类模型（CNN 是三层一维卷积、步幅 2、不池化，再接全连接），每个模型 3 个种子、1500 步 Adam（学习率 0.01，batch 100），训练都走 `mu.fit`。

# %% tags=["nbval-ignore-output"]
mnist1d = mu.load_mnist1d()
SEEDS = (0, 1, 2)
STEPS = 1500


def train_signal_model(kind, seed, x_train, tag):
    """One benchmark run through mu.fit; returns the trained model (checkpointed by kind, seed and data)."""
    with mu.seeded(seed):
        model = xp.benchmark_model(kind)
    name = f"ch09_{tag}_{kind.replace(' ', '_').replace('+', 'plus')}_seed{seed}"
    mu.fit(
        model,
        torch.optim.Adam(model.parameters(), lr=1e-2),
        mu.ShuffledBatches(x_train, mnist1d.y_train, batch_size=100, seed=seed),
        loss_fn=F.cross_entropy,
        steps=STEPS,
        device=DEVICE,
        checkpoint=mu.checkpoint_path(name),
        desc=f"{kind}, seed {seed}",
    )
    return model.cpu().eval()


def test_accuracy(model, x):
    with torch.no_grad():
        return (model(x).argmax(1) == mnist1d.y_test).float().mean().item()


models, acc = {}, {}
with mu.cpu_threads(1):
    for kind in ("logistic regression", "MLP", "CNN"):
        for seed in SEEDS:
            models[kind, seed] = train_signal_model(kind, seed, mnist1d.x_train, "mnist1d")
            acc[kind, seed] = test_accuracy(models[kind, seed], mnist1d.x_test)

# %% [markdown] slideshow={"slide_type": "fragment"}
# 再做发表表格里的第二行：用一个固定的排列打乱 40 个位置（训练和测试用同一个排列），每类模型训练一个种子。打乱不改变信息量——MLP 只是换了输入的顺序——但毁掉了“相邻位置有关系”这个 CNN 依赖的结构。

# %% tags=["nbval-ignore-output"]
perm = torch.randperm(40, generator=torch.Generator().manual_seed(123))
shuffled_acc = {}
with mu.cpu_threads(1):
    for kind in ("logistic regression", "MLP", "CNN"):
        model = train_signal_model(kind, 0, mnist1d.x_train[:, perm], "mnist1d_shuffled")
        shuffled_acc[kind] = test_accuracy(model, mnist1d.x_test[:, perm])

# %%
header = f"{'model':<21}{'ours (3 seeds: mean ± sd)':>27}{'published':>11}{'ours, shuffled':>16}{'published':>11}"
print(header)
for kind, published in xp.PUBLISHED_MNIST1D.items():
    a = np.array([acc[kind, s] for s in SEEDS])
    ours = f"{a.mean():.3f} ± {a.std():.3f}"
    print(f"{kind:<21}{ours:>27}{published['default']:>11.2f}{shuffled_acc[kind]:>16.3f}{published['shuffled']:>11.2f}")
n_params = {kind: sum(p.numel() for p in models[kind, 0].parameters()) for kind in xp.PUBLISHED_MNIST1D}
print("parameters:", n_params)

lr_acc, mlp_acc, cnn_acc = (np.array([acc[k, s] for s in SEEDS]) for k in ("logistic regression", "MLP", "CNN"))
assert np.all(lr_acc + 0.2 < mlp_acc), "logistic regression should trail the MLP by > 20 points on every seed"
assert np.all(mlp_acc + 0.2 < cnn_acc), "the MLP should trail the CNN by > 20 points on every seed"
assert abs(shuffled_acc["MLP"] - mlp_acc.mean()) < 0.05, "shuffling positions should barely matter to the MLP"
assert shuffled_acc["CNN"] < cnn_acc.mean() - 0.25, "shuffling positions should cost the CNN about 30 points"
assert n_params["CNN"] < n_params["MLP"]
assert all(abs(acc[k, s] - xp.PUBLISHED_MNIST1D[k]["default"]) < 0.06 for k in xp.PUBLISHED_MNIST1D for s in SEEDS)

# %% [markdown] slideshow={"slide_type": "fragment"}
# 三种模型在每个种子上的顺序都和发表的一样，而且差距很大：逻辑回归约三成，MLP 约三分之二，CNN 九成以上，每一档都比下一档低 20 个百分点以上；每个数都在发表值的 ±6 个百分点以内（我们只训练 1500 步，发表的 CNN 训练得更久）。打乱位置后 MLP 几乎不变（它本来就不知道哪两个位置相邻），CNN 却掉了约 30 个百分点，降到六成左右（发表值 56%）：CNN 的优势完全来自“局部 + 共享”这个关于数据的假设，假设不成立时优势就没了。注意 CNN 的参数（约八千个）比 MLP（约一万五千个）还少。
#
# **对平移的容忍度。** 把测试信号整体平移 $\pm 2, 4, 6, 8$ 个位置（空出来的位置用边缘值填），看准确率掉多少。除了 MLP 和上面的 CNN，再训练一个把最后的“拉平 + 全连接”换成**全局最大池化**（每个滤波器只报告它在所有位置上的最大反应）的 CNN：

# %% tags=["nbval-ignore-output"]
with mu.cpu_threads(1):
    models["CNN + global max pool", 0] = train_signal_model("CNN + global max pool", 0, mnist1d.x_train, "mnist1d")
shifts = list(range(-8, 9, 2))
shift_curves = {
    kind: xp.shifted_accuracy(models[kind, 0], mnist1d.x_test, mnist1d.y_test, shifts)
    for kind in ("MLP", "CNN", "CNN + global max pool")
}
fig, ax = plt.subplots(figsize=(7, 4.2))
for kind, curve in shift_curves.items():
    ax.plot(shifts, curve, "o-", label=kind)
ax.set_xlabel("shift of the test signals (positions; + is to the right)")
ax.set_ylabel("test accuracy")
ax.set_ylim(0, 1)
ax.set_title("Accuracy on shifted test signals (trained on unshifted ones)")
ax.legend()
plt.show()
retained = {kind: curve[[shifts.index(-4), shifts.index(4)]].mean() / curve[shifts.index(0)] for kind, curve in shift_curves.items()}
for kind, r in retained.items():
    print(f"{kind:<24} accuracy kept at a shift of ±4: {r:.0%}")
assert retained["MLP"] < retained["CNN"] < retained["CNN + global max pool"]
assert retained["CNN + global max pool"] > 0.95, "global max pooling should keep almost all of its accuracy"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 平移 4 个位置后，MLP 只剩原来准确率的约八成，CNN 约九成，带全局最大池化的 CNN 几乎没有损失。普通 CNN 的卷积层本身对平移是“等变”的（输入平移，特征图跟着平移），但最后的全连接层对每个位置有不同的权重，所以整体并不完全不变；全局最大池化丢掉了“在哪里”，只留下“有没有”，于是平移几乎不影响结果（移得再远一些，图案的一部分被推出边界，它也开始掉分）。
#
# ## 9. AlphaGo：为什么不用池化；一维卷积
#
# 围棋可以看成一个分类问题：输入是棋盘，输出是 19×19=361 个落子位置中的一个。AlphaGo 把棋盘表示成 48 张 19×19 的特征平面（黑子、白子、空点、气、能否提子……），也就是一张 48 个通道的 19×19 “图像”。它的策略网络（policy network）只用带填充的卷积：第一层 5×5，其后是 3×3，每层都补边，所以形状一直是 19×19，最后用 1×1 卷积给每个点一个分数。

# %% tags=["nbval-check-output"]
board = xp.go_board_planes()  # (48, 19, 19)
policy = xp.go_policy_net()
x_go = board[None]
print("input:", tuple(x_go.shape))
for layer in policy:
    x_go = layer(x_go)
    if isinstance(layer, (nn.Conv2d, nn.Flatten)):
        print(f"after {type(layer).__name__}{'' if isinstance(layer, nn.Flatten) else str(tuple(layer.kernel_size))}: {tuple(x_go.shape)}")
assert x_go.shape == (1, 361)
assert mu.cnn.conv_output_size(19, 5, 1, 2) == mu.cnn.conv_output_size(19, 3, 1, 1) == 19
print("receptive field of one output point:", mu.cnn.receptive_field([m for m in policy if isinstance(m, nn.Conv2d)])[-1], "points")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 为什么不池化？池化说的是“图案在这一小块里的某处出现过”，丢掉了确切位置；对图像分类这无所谓，但落子必须精确到一个交叉点，差一格就是另一步棋。下面构造两个局面，只差一颗棋子在同一个 2×2 池化窗口里挪了一格：池化之前两者不同，2×2 最大池化之后**完全相同**——后面的网络再聪明也分不出这两个局面。

# %% tags=["nbval-check-output"]
a = torch.zeros(1, 1, 19, 19)
b = torch.zeros(1, 1, 19, 19)
a[0, 0, 4, 6] = 1.0  # a stone at (4, 6)
b[0, 0, 5, 7] = 1.0  # the same stone one point down and to the right: same 2x2 window
print("different before pooling:", not torch.equal(a, b))
print("identical after 2x2 max pooling:", torch.equal(F.max_pool2d(a, 2), F.max_pool2d(b, 2)))
print("pooled board size:", tuple(F.max_pool2d(a, 2).shape[-2:]), "— fewer points than there are moves")
assert not torch.equal(a, b) and torch.equal(F.max_pool2d(a, 2), F.max_pool2d(b, 2))

# %% [markdown] slideshow={"slide_type": "fragment"}
# 池化后棋盘只剩 9×9=81 个格子，少于 361 个可能的落子点：信息已经丢了。CNN 用在围棋上，是因为围棋也有“局部图案到处出现”的性质（同样的棋形在棋盘各处意义相似），而不是因为它是图像——该用哪些部件，取决于数据的性质。
#
# **一维卷积。** 卷积核只在一个方向上滑动，就能用在声音、传感器读数这类一维信号上（第 8 节的 MNIST-1D CNN 用的就是 `nn.Conv1d`）。最简单的例子：在一段噪声里藏一个短的“啁啾”（频率逐渐升高的声音片段），用这段啁啾本身当卷积核（匹配滤波 matched filter），输出最大的位置就是它出现的地方。

# %% tags=["nbval-check-output"]
gen = torch.Generator().manual_seed(5)
t = torch.linspace(0, 1, 64)
chirp = torch.sin(2 * torch.pi * (4 * t + 10 * t**2))  # 64 samples whose frequency rises
audio = 0.6 * torch.randn(1000, generator=gen)
true_start = 613
audio[true_start : true_start + 64] += chirp
response = F.conv1d(audio[None, None], chirp[None, None])[0, 0]  # one score per start position
found = int(response.argmax())
elsewhere = torch.ones_like(response, dtype=torch.bool)
elsewhere[max(0, true_start - 63) : true_start + 64] = False  # start positions that do not overlap the chirp
peak_ratio = response[found] / response[elsewhere].abs().max()
print(f"chirp hidden at sample {true_start}, strongest filter response at sample {found}")
print(f"that peak is {peak_ratio:.1f}x the largest response anywhere the kernel does not overlap the chirp")
assert found == true_start and peak_ratio > 1.5

# %%
fig, axes = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
axes[0].plot(audio, lw=0.6)
axes[0].axvspan(true_start, true_start + 64, color="#f2b134", alpha=0.4, label="where the chirp is")
axes[0].set_ylabel("signal")
axes[0].set_title("A noisy signal with a hidden chirp, and a 1-D convolution with the chirp as kernel")
axes[0].legend(loc="upper left")
axes[1].plot(response, lw=0.8, color="C3")
axes[1].set_xlabel("sample (start position of the kernel)")
axes[1].set_ylabel("filter output")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 上图的噪声和啁啾一样大，肉眼很难看出啁啾在哪；下图卷积的输出在第 613 个样本处有一个尖峰，是其他任何位置（卷积核不碰到啁啾的地方）最大输出的两倍左右。语音模型的第一层常常就是一排这样的一维滤波器，只不过它们是学出来的。
#
# ## 小结
#
# - 全连接层的参数量随图像大小增长，100×100×3 的图接 1000 个神经元就有三千万个参数；卷积层只有 $O\cdot C\cdot k_h k_w + O$ 个，与图像大小无关。
# - 输出尺寸 $\lfloor (n+2p-k)/s \rfloor + 1$；感受野按 $r_l=r_{l-1}+(k_l-1)j_{l-1}$ 增长，步幅让它指数增长。
# - 卷积 = 局部连接 + 参数共享的全连接层；实现上用 im2col 变成一次大矩阵乘法，比逐位置循环快一两个数量级。
# - 滤波器是图案探测器：手工的边缘滤波器和训练出来的第一层滤波器是同一类东西。
# - 池化缩小特征图、丢掉确切位置；全局池化让网络对平移几乎不敏感，但在需要精确位置的任务（围棋落子）里不能用。CNN 里的 BN 每个通道一组统计量。
# - 在 MNIST-1D 上，逻辑回归 ≪ MLP ≪ CNN 的顺序在每个种子上都复现了；打乱位置后 CNN 的优势消失——它的力量来自对数据的假设。
#
# ## 练习
#
# 把 `None` 换成你的答案，运行检查单元。参考答案在折叠的单元里（点击单元左侧的 “•••” 展开）。

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 1.** 输入是 64×64 的图，经过一层卷积：卷积核 5×5、步幅 3、填充 2。输出的边长是多少？（只用公式，别建层。）

# %%
answer_size = None  # 你的答案：一个整数
ex.check_output_size(answer_size)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_size_ref = (64 + 2 * 2 - 5) // 3 + 1
assert ex.check_output_size(answer_size_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2.** 一个卷积层把 16 通道的特征图变成 32 通道，卷积核 5×5，带偏置。它有多少个参数？如果输入图从 32×32 变成 64×64，这个数会变吗？

# %%
answer_params = None  # 你的答案：一个整数
ex.check_conv_params(answer_params)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_params_ref = 32 * 16 * 5 * 5 + 32  # the image size never enters
assert ex.check_conv_params(answer_params_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3.** 一个网络依次是：3×3 卷积（步幅 1）、2×2 最大池化（步幅 2）、3×3 卷积（步幅 1）、2×2 最大池化（步幅 2）、3×3 卷积（步幅 1）。最后一层的一个神经元在输入上的感受野有多宽？（可以手算，也可以用第 2 节的递推。）

# %%
answer_rf = None  # 你的答案：一个整数
ex.check_receptive_field(answer_rf)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
answer_rf_ref = mu.cnn.receptive_field([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)])[-1]
assert ex.check_receptive_field(answer_rf_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 4.** 写一个函数 `my_max_pool(x, k)`：输入 `x` 形状为 $(H, W)$ 的二维张量，返回 $k\times k$ 窗口、步幅 $k$、不补边的最大池化结果，形状为 $(\lfloor H/k\rfloor, \lfloor W/k\rfloor)$。不许调用 `F.max_pool2d`、`nn.MaxPool2d` 或 `mu.cnn.max_pool2d`。检查函数会在随机输入上与 `F.max_pool2d` 比较（包括 $H$、$W$ 不是 $k$ 的倍数的情形）。

# %%
def my_max_pool(x, k):
    return None  # 你的实现


ex.check_max_pool(my_max_pool)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_max_pool_ref(x, k):
    h, w = x.shape[0] // k, x.shape[1] // k
    windows = x[: h * k, : w * k].reshape(h, k, w, k)  # drop the ragged edge, then split into k x k blocks
    return windows.amax(dim=(1, 3))


assert ex.check_max_pool(my_max_pool_ref)
print("参考答案已通过检查。")
