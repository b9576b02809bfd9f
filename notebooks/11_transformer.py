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
# # 第 11 章 Transformer：序列到序列（Seq2seq）
#
# 很多任务的输入是一串东西，输出也是一串东西，而且输出有多长要由模型自己决定：语音辨识、翻译、摘要、把“2026”读成“二千零二十六”。这类模型叫序列到序列（Sequence-to-Sequence, Seq2seq）模型，最常用的结构是 Transformer：一个编码器（Encoder）把输入读成一组向量，一个解码器（Decoder）根据这组向量一个字一个字地写出输出。本章在一个现场生成的小任务上，把 Transformer 从零件搭起来、训练好、再看它怎样解码。
#
# **学习目标**
#
# - 亲手写编码器的一个块（block）：自注意力 + 残差连接（Residual Connection）+ 层归一化（Layer Normalization）+ 前馈网络，并与 PyTorch 的 `nn.TransformerEncoderLayer` 逐位对照；说清楚层归一化和批量归一化归一化的是哪一个轴；
# - 理解自回归（Autoregressive）解码器：BEGIN/END 记号、掩码自注意力（Masked Self-attention）——用代码验证第 $i$ 个输出不受 $i$ 之后的输入影响——以及跨注意力（Cross-attention）；
# - 用教师强制（Teacher Forcing）和交叉熵训练一个完整的编码器–解码器，在从未见过的数字上做到 99% 以上的整句正确率，并画出跨注意力图（对齐）；
# - 比较贪心解码（Greedy Decoding）与束搜索（Beam Search）：对数概率、长度归一化，在小词表上与穷举搜索对照；
# - 看到曝光偏差（Exposure Bias）：在前缀里塞一个错字，看错误怎样传下去；
# - 量出非自回归（NAT）解码的速度与它的多模态问题，用复制机制照抄训练时没见过的名字；
# - 把“注意力应该从前往后走”写成损失函数的一项（引导注意力，Guided Attention），量它对对齐和训练速度的影响。

# %% [markdown] slideshow={"slide_type": "skip"}
# ## 如何使用本笔记本
#
# 从上到下依次运行（JupyterLab 4 菜单 Kernel → Restart Kernel and Run All Cells…）。带滑块的单元需要运行中的内核；每个滑块旁都有一张静态图，不运行也能看到同样的现象。训练单元用课程统一的 `mu.fit`，并把检查点存在 `data/cache/checkpoints/`：内核重启后重新运行不会从头训练。练习的参考答案藏在折叠的单元里，点击占位的 “•••” 展开。有 GPU 时自动使用；想强制用 CPU，启动前设置 `MLNOTE_DEVICE=cpu`。

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import mlnote_utils as mu
from mlnote_utils import alignment as al
from mlnote_utils import seq2seq as s2s
from mlnote_utils.exercises import ch11 as ex
from mlnote_utils.experiments import ch11 as xp

SEED = 0
mu.seed_everything(SEED)
DEVICE = mu.get_device()
print(mu.describe_device(DEVICE))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. 任务：把阿拉伯数字读成中文
#
# 输入是 0 到 9999 的一个数字串，输出是它的中文读法：`2026 → 二千零二十六`。输入 4 个记号（token），输出可能是 1 个（`7 → 七`）也可能是 7 个（`9999 → 九千九百九十九`）；中间的零要读一个“零”，末尾的零不读，10–19 读“十…”而不是“一十…”。输出长度由输入的内容决定，这正是 Seq2seq 要处理的事。全部 10000 个数字随机分成 9000 个训练、1000 个测试，测试数字在训练时一个也没见过。`xp` 里还有另外三个现场生成的任务：日期格式转换、每个输入有两种正确输出的任务（第 8 节用它）和复制人名，本章主要用数字任务。

# %% tags=["nbval-check-output"]
task = xp.number_task(n_test=1000, seed=SEED)
SRC = s2s.Vocab("0123456789")
TGT = s2s.Vocab("零一二三四五六七八九十百千")
src_train, tgt_train = s2s.encode_pairs(task["train"], SRC, TGT)  # (9000, 4), (9000, 9)
src_test, tgt_test = s2s.encode_pairs(task["test"], SRC, TGT)
train_numbers = {"".join(s) for s, _ in task["train"]}
assert not any("".join(s) in train_numbers for s, _ in task["test"]), "a test number leaked into training"
for n in (2026, 1010, 305, 15, 0):
    print(f"{n:>5} -> {xp.chinese_numeral(n)}")
print("source vocabulary:", SRC.itos)
print("target vocabulary:", TGT.itos)
print("train:", tuple(src_train.shape), tuple(tgt_train.shape), " test:", tuple(src_test.shape), tuple(tgt_test.shape))
print("one target row (BOS ... EOS, then PAD):", tgt_train[0].tolist(), "=", TGT.decode(tgt_train[0].tolist()))

# %% [markdown] slideshow={"slide_type": "fragment"}
# 每个目标序列前面加一个开始记号 BEGIN（这里叫 `<bos>`，id 1），后面加一个结束记号 END（`<eos>`，id 2），不足的位置补 `<pad>`（id 0）。END 和普通的字一样是词表里的一个记号：模型要学会在该停的时候输出它，否则会一直写下去。
#
# ## 2. 编码器的一个块，亲手写
#
# 编码器输入一组向量，输出同样多的一组向量。它由若干个相同的块叠成，一个块做四件事：
#
# 1. 自注意力：$\mathrm{Attn}(Q,K,V)=\mathrm{softmax}\!\left(QK^\top/\sqrt{d_k}\right)V$，$Q=XW_Q$、$K=XW_K$、$V=XW_V$，多头（multi-head）时每个头用 $d_k=d/h$ 维，最后拼起来乘 $W_O$（第 10 章手写过）；
# 2. 残差连接：把自注意力的输出 $a$ 加回它的输入 $x$，得到 $x+a$；
# 3. 层归一化：$\mathrm{LN}(z)=\gamma\odot\dfrac{z-\mu}{\sqrt{\sigma^2+\epsilon}}+\beta$，其中 $\mu=\frac1D\sum_{k}z_k$、$\sigma^2=\frac1D\sum_k (z_k-\mu)^2$ 是**同一个向量自己的** $D$ 个维度上的均值和方差；
# 4. 逐位置的前馈网络（Feed-forward Network, FFN）：$\mathrm{FFN}(z)=W_2\,\mathrm{ReLU}(W_1z+b_1)+b_2$，再做一次残差和层归一化。
#
# 先写层归一化，与 `nn.LayerNorm` 对照（包括训练过的 $\gamma,\beta$ 用随机值代替）：

# %% tags=["nbval-check-output"]
def layer_norm_by_hand(z, gamma, beta, eps=1e-5):
    mean = z.mean(-1, keepdim=True)  # (B, T, 1): one mean per token vector
    var = ((z - mean) ** 2).mean(-1, keepdim=True)  # biased variance, as nn.LayerNorm
    return gamma * (z - mean) / torch.sqrt(var + eps) + beta


g = torch.Generator().manual_seed(1)
z = 3 * torch.randn(4, 5, 8, generator=g, dtype=torch.float64) + 2  # (B=4 sequences, T=5 tokens, D=8 features)
ln = nn.LayerNorm(8, dtype=torch.float64)
with torch.no_grad():
    ln.weight.copy_(torch.randn(8, generator=g)), ln.bias.copy_(torch.randn(8, generator=g))
torch.testing.assert_close(layer_norm_by_hand(z, ln.weight, ln.bias), ln(z))
torch.testing.assert_close(s2s.layer_norm(z, ln.weight, ln.bias), ln(z))
plain = layer_norm_by_hand(z, 1.0, 0.0)
print("layer norm by hand == nn.LayerNorm")
print("per-token mean over D: max |.| =", f"{plain.mean(-1).abs().max():.1e}", "  per-token std over D:", f"{plain.std(-1, unbiased=False).mean():.4f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# **层归一化与批量归一化的区别只在“沿哪个轴求均值”。** 第 8 章的批量归一化（Batch Normalization, BN）对**每一个特征维度**，在一个批次的所有样本（序列任务里还有所有位置）上求均值和方差；层归一化对**每一个向量**，在它自己的 $D$ 个特征上求。把形状 $(B,T,D)$ 的张量交给 `nn.BatchNorm1d(D)`（它要求形状 $(B,D,T)$），手写的“沿 $(B,T)$ 轴”公式应该与它一致；再把批次里的其他序列换掉：层归一化的结果不变，批量归一化的结果变了。序列长短不一、批次又小，这是 Transformer 选层归一化的原因之一。

# %% tags=["nbval-check-output"]
bn = nn.BatchNorm1d(8, affine=False, dtype=torch.float64).train()
bn_out = bn(z.transpose(1, 2)).transpose(1, 2)  # BatchNorm1d wants (B, D, T)
mean_bt = z.mean(dim=(0, 1), keepdim=True)  # (1, 1, D): one mean per feature, over batch and time
var_bt = z.var(dim=(0, 1), unbiased=False, keepdim=True)
torch.testing.assert_close(bn_out, (z - mean_bt) / torch.sqrt(var_bt + 1e-5))
print("batch norm = normalise each feature over the (B, T) axes; layer norm = each token over D")

other = z.clone()
other[1:] = 10 * torch.randn(3, 5, 8, generator=g, dtype=torch.float64)  # replace the other three sequences
torch.testing.assert_close(layer_norm_by_hand(other, 1.0, 0.0)[0], plain[0])  # sequence 0 untouched by LN
bn_changed = (bn(other.transpose(1, 2)).transpose(1, 2)[0] - bn_out[0]).abs().max().item()
assert bn_changed > 0.1
print(f"sequence 0 after changing the rest of the batch: LN change 0, BN change up to {bn_changed:.2f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 再写整个编码器块。多头注意力按公式写：用 `nn.MultiheadAttention` 里存的投影矩阵，把 $Q,K,V$ 拆成 $h$ 个头，每个头做一次 softmax 注意力。然后把同一组权重拷进 PyTorch 的 `nn.TransformerEncoderLayer`（原论文的“先残差再归一化”，即 post-norm 结构，关掉 dropout），以及课程模块里的 `s2s.EncoderBlock`，三者应该逐位一致。

# %%
def attention_by_hand(x_q, x_kv, mha, mask=None):
    """Multi-head attention from the weights of an nn.MultiheadAttention; returns output and weights (B, h, Tq, Tk)."""
    (b, tq, d), tk, h = x_q.shape, x_kv.shape[1], mha.num_heads
    w_q, w_k, w_v = mha.in_proj_weight.chunk(3)
    b_q, b_k, b_v = mha.in_proj_bias.chunk(3)
    q = (x_q @ w_q.T + b_q).view(b, tq, h, d // h).transpose(1, 2)  # (B, h, Tq, dk)
    k = (x_kv @ w_k.T + b_k).view(b, tk, h, d // h).transpose(1, 2)  # (B, h, Tk, dk)
    v = (x_kv @ w_v.T + b_v).view(b, tk, h, d // h).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d // h)  # (B, h, Tq, Tk)
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))  # True = may not look
    alpha = scores.softmax(-1)
    out = (alpha @ v).transpose(1, 2).reshape(b, tq, d)  # concatenate the heads: (B, Tq, D)
    return mha.out_proj(out), alpha


def encoder_block_by_hand(x, block):
    a, _ = attention_by_hand(x, x, block.attn)
    x = layer_norm_by_hand(x + a, block.norm1.weight, block.norm1.bias)  # residual, then layer norm
    ffn = block.ffn[2](torch.relu(block.ffn[0](x)))  # W2 ReLU(W1 x + b1) + b2, the same at every position
    return layer_norm_by_hand(x + ffn, block.norm2.weight, block.norm2.bias)


# %% tags=["nbval-check-output"]
with mu.seeded(2):
    block = s2s.EncoderBlock(d_model=16, n_heads=4, d_ff=32).double()
    torch_block = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True, dtype=torch.float64)
names = {"attn.": "self_attn.", "ffn.0.": "linear1.", "ffn.2.": "linear2."}
state = {}
for key, value in block.state_dict().items():
    for ours, theirs in names.items():
        key = key.replace(ours, theirs)
    state[key] = value
torch_block.load_state_dict(state)  # every weight has a partner: load_state_dict is strict
x = torch.randn(3, 6, 16, generator=g, dtype=torch.float64)
with torch.no_grad():
    ours = encoder_block_by_hand(x, block)
    torch.testing.assert_close(ours, block(x))
    torch.testing.assert_close(ours, torch_block.eval()(x))
print("encoder block: by hand == s2s.EncoderBlock == nn.TransformerEncoderLayer (post-norm, no dropout)")
print("output shape", tuple(ours.shape), "= input shape", tuple(x.shape))

# %% [markdown] slideshow={"slide_type": "fragment"}
# 三种写法逐位一致，输出与输入同样形状。后面的模型就用 `s2s.EncoderBlock`（里面的注意力是 `nn.MultiheadAttention`，上面已经核对过它算的就是公式）：

# %%
mu.show_source(s2s.EncoderBlock)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. 解码器：自回归、掩码注意力与跨注意力
#
# 解码器一次输出一个字：先吃 BEGIN，输出第一个字的概率分布（softmax），取一个字；把这个字接到输入后面，再输出第二个字……直到输出 END。预测第 $i$ 个字时，它只能用 BEGIN 和前面已经写出的字；所以解码器的自注意力要加掩码：位置 $i$ 的查询（query）只能看位置 $j\le i$ 的键（key），把 $j>i$ 的分数设成 $-\infty$，softmax 之后权重正好是 0。这个掩码是一个上三角矩阵：

# %% tags=["nbval-check-output"]
print(s2s.causal_mask(5).int())

# %% [markdown] slideshow={"slide_type": "fragment"}
# 除了掩码自注意力，解码器的每个块还有一层**跨注意力**：查询来自解码器，键和值来自编码器的输出。解码器就是通过它读输入的。
#
# **验证因果性。** 拿一个（还没训练的）完整模型，固定输入序列，把解码器输入在位置 $i$ 之后的记号全部换掉：位置 $0\ldots i$ 的输出一个数都不应该变，$i$ 之后的应该变。把掩码去掉再做一次，前面的位置也会变——那样的模型在训练时“偷看”了答案。

# %% tags=["nbval-check-output"]
with mu.seeded(3):
    probe = s2s.Seq2SeqTransformer(len(SRC), len(TGT), d_model=32, n_heads=4, d_ff=64).eval()
src1, tgt1 = src_test[:1], tgt_test[:1, :7]  # (1, 4), (1, 7)
memory, pad = probe.encode(src1)
with mu.cpu_threads(1):  # tiny tensors: one thread avoids waiting on a busy second core
    for i in range(tgt1.shape[1] - 1):
        changed = tgt1.clone()
        changed[0, i + 1 :] = torch.randint(3, len(TGT), (tgt1.shape[1] - i - 1,), generator=g)
        with torch.no_grad():
            a, b = probe.decode(tgt1, memory, pad), probe.decode(changed, memory, pad)
            a_open, b_open = probe.decode(tgt1, memory, pad, causal=False), probe.decode(changed, memory, pad, causal=False)
        torch.testing.assert_close(a[:, : i + 1], b[:, : i + 1], rtol=0, atol=1e-6)  # the past is untouched
        assert (a[:, i + 1 :] - b[:, i + 1 :]).abs().max() > 1e-3  # the changed positions do change
        assert (a_open[:, : i + 1] - b_open[:, : i + 1]).abs().max() > 1e-3  # without the mask, the past peeks
print(f"masked decoder: outputs 0..i unchanged when inputs after i change, for every i < {tgt1.shape[1] - 1}")
print("without the mask: outputs before i change too")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. 训练：教师强制 + 交叉熵
#
# 训练时每个输出字都是一个分类问题：正确答案是一个独热向量（END 也是），损失是模型输出分布与它的交叉熵，对所有位置求平均（`<pad>` 位置不算）。解码器的输入用的是**正确答案**右移一位（`BOS y₁ … y_{n}`），而不是模型自己上一步的输出：这叫教师强制。有了掩码，整句的所有位置可以在一次前向计算里同时训练。
#
# 模型很小：编码器、解码器各 1 个块，$d=64$、4 个头、FFN 128 维，不到 9 万个参数（下面打印）。下面的 `teacher_forcing_step` 就是这一节要讲的更新，交给 `mu.fit` 跑 500 步（batch 128，Adam，学习率先升后降的 one-cycle 调度）：

# %%
def teacher_forcing_step(batch, ctx):
    src, tgt = batch  # tgt = BOS y1 ... yn EOS PAD ...
    model, opt = ctx.model, ctx.optimizer
    model.train()
    opt.zero_grad(set_to_none=True)
    logits = model(src, tgt[:, :-1])  # decoder input: the right answer shifted by one, (B, T, V)
    loss = F.cross_entropy(logits.flatten(0, 1), tgt[:, 1:].flatten(), ignore_index=s2s.PAD)
    loss.backward()
    opt.step()
    return {"loss": loss.detach()}


def new_number_model(seed=SEED):
    with mu.seeded(seed):
        return s2s.Seq2SeqTransformer(len(SRC), len(TGT), d_model=64, n_heads=4, d_ff=128, n_layers=1)


def train_seq2seq(model, step, name, src, tgt, steps=500, lr=3e-3, batch_size=128, seed=SEED):
    """Adam with a one-cycle schedule, through mu.fit with a checkpoint; returns model, history."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = mu.fit(
        model,
        opt,
        mu.ShuffledBatches(src, tgt, batch_size=batch_size, seed=seed),
        step=step,
        steps=steps,
        scheduler=torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1),
        device=DEVICE,
        checkpoint=mu.checkpoint_path(name),
        desc=name,
    )
    return model.eval(), history


def train_number_model(step, name):
    return train_seq2seq(new_number_model(), step, name, src_train, tgt_train)


print(f"parameters: {sum(p.numel() for p in new_number_model().parameters()):,}")

# %% tags=["nbval-ignore-output"]
with mu.cpu_threads(1):  # tiny matrices: one thread is as fast, and not slowed by other programs
    model_tf, history_tf = train_number_model(teacher_forcing_step, "ch11_numbers_teacher_forcing")
print(f"final training loss {history_tf.last('loss'):.4f} after {history_tf.steps_done} steps, {history_tf.seconds:.1f} s")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 训练好之后，测试时没有正确答案可以喂了：解码器只能吃自己的输出。下面用贪心解码（每一步取概率最大的字，`s2s.greedy_decode`）把 1000 个测试数字一次性并行解码，计算整句完全正确（exact match）的比例。

# %% tags=["nbval-ignore-output"]
def decode_all(model, src, max_len=10):
    with torch.no_grad():
        tokens, log_probs = s2s.greedy_decode(model.step_fn(src.to(DEVICE)), s2s.BOS, s2s.EOS, max_len, len(src))
    return [TGT.decode(t.tolist()) for t in tokens], log_probs


def exact_match(outputs, pairs):
    return float(np.mean([o == t for o, (_, t) in zip(outputs, pairs, strict=True)]))


with mu.cpu_threads(1):
    greedy_out, greedy_lp = decode_all(model_tf, src_test)
acc_tf = exact_match(greedy_out, task["test"])
wrong = [("".join(s), "".join(o), "".join(t)) for o, (s, t) in zip(greedy_out, task["test"], strict=True) if o != t]
print(f"exact match on 1000 unseen numbers (greedy): {acc_tf:.3f}")
print("mistakes (input, output, right answer):", wrong[:5])
fig, ax = plt.subplots(figsize=(6, 3.8))
mu.plot_history(history_tf, ["loss"], ax=ax, log=True, title="Teacher forcing: training loss", ylabel="cross-entropy per token (log scale)")
plt.show()
assert acc_tf >= 0.99, "the model should read at least 99% of the unseen numbers exactly right"
loss_start, loss_end = float(np.mean(history_tf["loss"][:10])), float(np.mean(history_tf["loss"][-50:]))
print(f"training loss: first 10 steps {loss_start:.3f}, last 50 steps {loss_end:.5f}")
assert loss_end < loss_start / 100, "the loss should fall by more than two orders of magnitude"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 训练损失从开始时的约 2.8 降到千分之几，下降了两个多数量级（断言检查前 10 步与最后 50 步的平均值相差 100 倍以上）；在 1000 个训练时没见过的数字上，贪心解码的整句正确率达到 99% 以上（上面的断言检查 ≥ 0.99，实际数值和剩下的错例打印在上面）。模型学到的是读法的规则，而不是背下了训练集。
#
# ## 5. 跨注意力图：解码器在读输入的哪一位
#
# 解码器写每一个字时，跨注意力给输入的每一位一个权重（这里是 4 个头的平均）。把它画成矩阵：行是解码器正在写的字，列是输入的数字。图里的中文数字用拼音标注（er = 二，qian = 千，ling = 零，shi = 十，bai = 百……），这样没有中文字体的电脑也能正常显示。

# %%
def cross_attention_map(model, number):
    src = torch.tensor([SRC.encode(list(str(number)))], device=DEVICE)
    tokens, _ = s2s.greedy_decode(model.step_fn(src), s2s.BOS, s2s.EOS, 10, 1)
    out = tokens[0].tolist()
    out = out[: out.index(s2s.EOS) + 1] if s2s.EOS in out else out
    tgt_in = torch.tensor([[s2s.BOS, *out[:-1]]], device=DEVICE)  # what the decoder read while writing `out`
    with torch.no_grad():
        memory, pad = model.encode(src)
        _, weights = model.decode(tgt_in, memory, pad, return_attention=True)  # (1, T, S)
    return weights[0].cpu().numpy(), list(str(number)), ["END" if t == s2s.EOS else TGT.itos[t] for t in out]


fig, axes = plt.subplots(1, 3, figsize=(12, 4.2), layout="constrained")
for ax, number in zip(axes, (2026, 9305, 1010), strict=True):
    weights, src_tokens, out_tokens = cross_attention_map(model_tf, number)
    im = ax.imshow(weights, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(src_tokens)), src_tokens)
    ax.set_yticks(range(len(out_tokens)), [xp.pinyin(t) for t in out_tokens])
    ax.set_xlabel("input digit")
    ax.set_ylabel("output token being written")
    ax.set_title(f"{number} -> {' '.join(xp.pinyin(t) for t in out_tokens[:-1])}", fontsize=10)
fig.colorbar(im, ax=axes, shrink=0.8, label="cross-attention weight (mean of 4 heads)")
fig.suptitle("Where the decoder looks while writing each token")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 写“数字字”（er、jiu、san、liu……）的那几行，注意力几乎全部落在对应的那一位输入上，而且随着输出往后走从左移到右：这就是对齐（alignment），没有人告诉模型哪个字对应哪一位，是它从数据里学出来的。写单位（qian、bai、shi）和 END 的行则分散在几位上——写单位时要知道的是“还剩几位”，不是某一位的值。下面在全部 1000 个测试数字上核对：每个数字字那一行注意力最大的输入位置，是不是它读的那一位（`xp.digit_word_sources` 给出正确的位置；`2026` 的 er、er、liu 读第 0、2、3 位）。

# %% tags=["nbval-ignore-output"]
with torch.no_grad(), mu.cpu_threads(1):
    memory, pad = model_tf.encode(src_test.to(DEVICE))
    _, cross = model_tf.decode(tgt_test[:, :-1].to(DEVICE), memory, pad, return_attention=True)  # (N, T, S)
digit_ids = {TGT.stoi[c] for c in "一二三四五六七八九"}
aligned = total_rows = 0
for i, (src_tokens, _) in enumerate(task["test"]):
    rows = [t for t in range(tgt_test.shape[1] - 1) if int(tgt_test[i, t + 1]) in digit_ids]  # rows writing a digit word
    for row, source in zip(rows, xp.digit_word_sources("".join(src_tokens)), strict=True):
        aligned += int(cross[i, row].argmax()) == source
        total_rows += 1
print(f"digit words whose strongest cross-attention is on the digit they read: {aligned}/{total_rows} = {aligned / total_rows:.3f}")
assert aligned / total_rows >= 0.95

# %% [markdown] slideshow={"slide_type": "fragment"}
# 至少 95% 的数字字（断言的下限；实际比例打印在上面）把最大的注意力放在它读的那一位上：图里看到的对齐不是挑出来的特例。
#
# ## 6. 解码：贪心与束搜索
#
# 自回归模型给出的是每一步的条件分布，一个输出序列 $y_1\ldots y_n$（含 END）的概率是它们的乘积，取对数就是和：
#
# $$\log p(y\mid x)=\sum_{t=1}^{n}\log p(y_t\mid x, y_{<t}).$$
#
# 贪心解码每一步只取当前最大的那个字，但“每一步最好”不等于“整句最好”。笔记里的例子：第一步 A 0.4、B 0.6；选了 A 之后下一步 A 的概率有 0.9，选了 B 之后下一步只有 0.6。下面把这棵树写成一个 `step_fn`（输入前缀，输出下一字的对数概率），三步后必然输出 END：

# %% tags=["nbval-check-output"]
BOS_T, END_T, A_T, B_T = 0, 1, 2, 3  # token ids of the toy tree


def lecture_tree(prefixes):
    """step_fn of the lecture's example: after A the model is sure (0.9), after B it is not (0.6)."""
    rows = []
    for prefix in prefixes.tolist():
        body = prefix[1:]
        if len(body) == 3:
            probs = {END_T: 1.0}
        elif body and body[0] == A_T:
            probs = {A_T: 0.9, B_T: 0.1}
        else:
            probs = {A_T: 0.4, B_T: 0.6}
        row = torch.full((4,), -math.inf, dtype=torch.float64)
        for token, p in probs.items():
            row[token] = math.log(p)
        rows.append(row)
    return torch.stack(rows)


def spell(tokens):
    return "".join({END_T: "E", A_T: "A", B_T: "B"}[t] for t in tokens)


greedy_tree = s2s.beam_search(lecture_tree, BOS_T, END_T, beam_size=1, max_len=5)[0]
beam_tree = s2s.beam_search(lecture_tree, BOS_T, END_T, beam_size=2, max_len=5)[0]
for name, h in (("greedy (beam 1)", greedy_tree), ("beam 2", beam_tree)):
    print(f"{name:<16} {spell(h.tokens)}  p = {math.exp(h.log_prob):.3f}  log p = {h.log_prob:.3f}")
assert spell(greedy_tree.tokens) == "BBBE" and spell(beam_tree.tokens) == "AAAE"
assert math.isclose(math.exp(beam_tree.log_prob), 0.4 * 0.9 * 0.9) and math.isclose(math.exp(greedy_tree.log_prob), 0.6**3)

# %% [markdown] slideshow={"slide_type": "fragment"}
# 贪心解码走 B-B-B，整句概率 $0.6^3=0.216$；束搜索每一步保留 2 条最好的前缀，第二步时 A-A（0.36）留了下来，最后找到概率 $0.4\times0.9\times0.9=0.324$ 的 A-A-A。束搜索（`s2s.beam_search`）的一步是：把每条前缀的对数概率加上下一个字的对数概率，在所有“前缀 × 下一个字”里取最大的 $k$ 个（$k$ 是束宽 beam size）；以 END 结尾的候选离开束，成为完成的假设。
#
# **长度归一化（length normalisation）。** 对数概率每多一个字就多加一个负数，所以只比 $\log p$ 时短句天然占便宜。常见的修正是用 $\mathrm{score}=\log p(y\mid x)/n^{\alpha}$ 比较完成的假设（$n$ 含 END，$\alpha=0$ 不归一化，$\alpha=1$ 是每个字的平均对数概率）。
#
# **与穷举搜索对照。** 在小词表上可以把所有可能的输出都列出来打分（`s2s.exhaustive_search`，它逐个序列调用 `step_fn`，与束搜索的代码完全独立）。下面用 40 个随机的小“语言模型”（3 个普通字 + END，最长 5 个记号，共 121 个可能的输出），看不同束宽找到全局最优的比例：

# %% tags=["nbval-check-output"]
BEAMS = (1, 2, 3, 5, 1000)
found = {(k, a): 0 for k in BEAMS for a in (0.0, 1.0)}
best_length = {0.0: [], 1.0: []}
for seed in range(40):
    lm = xp.toy_language_model(5, sharpness=2.0, seed=seed)
    for alpha in (0.0, 1.0):
        best = s2s.exhaustive_search(lm, 0, 1, 5, 5, length_penalty=alpha)[0]
        best_length[alpha].append(len(best.tokens))
        for k in BEAMS:
            found[k, alpha] += s2s.beam_search(lm, 0, 1, k, 5, length_penalty=alpha)[0].tokens == best.tokens
for alpha in (0.0, 1.0):
    print(f"alpha = {alpha:.0f}: beam size " + ", ".join(f"{k}: {found[k, alpha] / 40:.0%}" for k in BEAMS), f" | mean length of the best output {np.mean(best_length[alpha]):.2f}")
for alpha in (0.0, 1.0):
    assert found[1000, alpha] == 40, "a beam wider than the number of prefixes is exhaustive search"
    assert found[1, alpha] < 40, "greedy misses the best sequence on some of these models"
    assert found[3, alpha] >= found[1, alpha]
assert np.mean(best_length[1.0]) > np.mean(best_length[0.0]), "length normalisation favours longer outputs"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 束宽大到不剪掉任何前缀时（这里 1000），束搜索就是穷举搜索，40 个模型全部一致——这验证了 `beam_search` 的实现。贪心解码（束宽 1）在一部分模型上找不到最优的句子，束宽越大找到的比例越高（上面打印的百分比）。用 $\alpha=1$ 归一化后，最优输出的平均长度变长了：不归一化时模型偏爱早早输出 END。
#
# 下面的滑块选一个贪心解码会错过最优解、且最优解至少 3 个记号长的小模型（A、B、C 是三个普通字，E 是 END），拖动束宽和 $\alpha$，看束搜索返回的假设（绿色 = 与穷举搜索的最优解相同，虚线 = 最优分数）：

# %% tags=["nbval-check-output"]
def greedy_misses_a_long_best(seed):
    lm = xp.toy_language_model(5, seed=seed)
    best = s2s.exhaustive_search(lm, 0, 1, 5, 5)[0]
    greedy = s2s.beam_search(lm, 0, 1, 1, 5)[0].tokens
    return len(best.tokens) >= 3 and greedy[-1] == 1 and greedy != best.tokens  # greedy finishes, but worse


demo_seed = next(s for s in range(200) if greedy_misses_a_long_best(s))
demo_lm = xp.toy_language_model(5, seed=demo_seed)
demo_best = s2s.exhaustive_search(demo_lm, 0, 1, 5, 5)[0]
print(f"toy model with seed {demo_seed}: its best output has {len(demo_best.tokens)} tokens, greedy misses it")

# %% tags=["nbval-ignore-output"]
beam_widget = mu.interactive_figure(
    lambda ax, beam_size, alpha: xp.draw_beam_search(demo_lm, beam_size=beam_size, max_len=5, length_penalty=alpha, ax=ax),
    figsize=(6.5, 4.2),
    beam_size=mu.int_slider(1, 1, 8, description="beam size"),
    alpha=mu.float_slider(0.0, 0.0, 1.5, 0.25, description="alpha"),
)
beam_widget

# %% [markdown] slideshow={"slide_type": "fragment"}
# 静态版本：同一个小模型、$\alpha=0$，束宽 1、2、4。束宽 1（贪心）返回的句子不是绿色、分数在虚线之下：它错过了最优解；束宽 2 和 4 时最优的那句排在第一位（单元里的断言检查了这一点）。

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 4.2), layout="constrained")
for ax, k in zip(axes, (1, 2, 4), strict=True):
    xp.draw_beam_search(demo_lm, beam_size=k, max_len=5, ax=ax)
    found_k = s2s.beam_search(demo_lm, 0, 1, k, 5)[0].tokens == demo_best.tokens
    assert found_k == (k > 1), "greedy misses the best output here; beams of 2 and 4 find it"
fig.suptitle("Beam search on a toy model: the hypotheses it returns vs the exhaustive optimum")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# **在训练好的模型上。** 数字任务几乎没有歧义，训练好的模型每一步都很确定，贪心和束搜索应该给出几乎一样的结果。用束宽 4 解码前 100 个测试数字（束搜索一次只解一句，比较慢）：

# %% tags=["nbval-ignore-output"]
n_beam = 100
beam_out, beam_better = [], 0
with torch.no_grad(), mu.cpu_threads(1):
    for i in range(n_beam):
        best = s2s.beam_search(model_tf.step_fn(src_test[i : i + 1].to(DEVICE)), s2s.BOS, s2s.EOS, 4, 10, length_penalty=0.0)[0]
        beam_out.append(TGT.decode(best.tokens))
        beam_better += best.log_prob > float(greedy_lp[i]) + 1e-6
acc_beam, acc_greedy_200 = exact_match(beam_out, task["test"][:n_beam]), exact_match(greedy_out[:n_beam], task["test"][:n_beam])
print(f"first {n_beam} test numbers: exact match greedy {acc_greedy_200:.3f}, beam 4 {acc_beam:.3f}")
print(f"beam found a sequence with higher log-probability than greedy on {beam_better} of {n_beam}")
assert abs(acc_beam - acc_greedy_200) <= 0.01

# %% [markdown] slideshow={"slide_type": "fragment"}
# 两者的整句正确率相差不超过一个百分点（断言检查 ≤ 0.01）；上面还打印了束搜索找到比贪心概率更高的句子的次数。束搜索的好处在输出有很多合理选择、模型每一步都不太确定的时候才明显，例如翻译和摘要；而在需要多样性的任务（例如写故事、语音合成）里，人们常常在解码时加入随机性，而不是只找最可能的那一句。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. 曝光偏差：一步错，步步错？
#
# 教师强制训练时，解码器的输入永远是正确答案；测试时它吃的是自己的输出。只要自己写错一个字，它面对的就是训练时从没见过的前缀，这叫曝光偏差（Exposure Bias）。下面直接做实验：在前 500 个测试数字的前缀里，把第 $j$ 个字换成一个随机的错字，然后让模型贪心地接着写，看它后面的字（直到 END）是否仍与正确答案一致。作为对照，同样的流程但前缀不换字。

# %%
def continue_after(model, position, *, corrupt, n=500, seed=0):
    """Fraction of test numbers whose continuation after `position` is still right when that token is replaced."""
    keep = [i for i, (_, t) in enumerate(task["test"][:n]) if len(t) > position + 1]  # something left to write
    src, tgt = src_test[keep].to(DEVICE), tgt_test[keep].to(DEVICE)
    prefix = tgt[:, : position + 2].clone()  # BOS y_1 ... y_{position+1}
    if corrupt:
        g = torch.Generator().manual_seed(seed)
        shift = torch.randint(1, len(TGT) - 3, (len(keep),), generator=g).to(DEVICE)
        prefix[:, -1] = (prefix[:, -1] - 3 + shift) % (len(TGT) - 3) + 3  # a different ordinary token, never PAD/BOS/EOS
    step = model.step_fn(src)
    with torch.no_grad():
        for _ in range(10 - position):
            prefix = torch.cat([prefix, step(prefix).argmax(-1, keepdim=True)], 1)
    right = 0
    for row, target in zip(prefix.tolist(), tgt.tolist(), strict=True):
        want = target[position + 2 : target.index(s2s.EOS) + 1]
        right += row[position + 2 : position + 2 + len(want)] == want
    return right / len(keep)


POSITIONS = (0, 1, 2, 3)
with mu.cpu_threads(1):
    clean_tf = [continue_after(model_tf, j, corrupt=False) for j in POSITIONS]
    wrong_tf = [continue_after(model_tf, j, corrupt=True) for j in POSITIONS]
for j, c, w in zip(POSITIONS, clean_tf, wrong_tf, strict=True):
    print(f"token {j + 1} of the prefix: rest right {c:.3f} with a correct prefix, {w:.3f} after a wrong token")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 前缀正确时，后面几乎全对；换掉一个字之后，正确率明显下降（上面打印的数字），换掉第 2 个字（常常是“千”“百”这样的单位）时几乎全军覆没：模型从没见过“二五……”这样的前缀，不知道该怎么接。注意这里的“正确”要求模型无视错字、照原来的答案写下去，这是一个严格的标准。
#
# **计划采样（Scheduled Sampling）。** 笔记里提到的办法是训练时就给解码器一些错误的输入：每一步以概率 $p$ 把正确的输入字换成**模型自己采样出来的字**，$p$ 从 0 慢慢升到 0.5。Transformer 训练时所有位置是并行算的，所以这里用常见的两遍做法：第一遍用正确前缀算出每个位置的预测分布并采样，第二遍把采样结果按概率 $p$ 混进输入、计算损失（目标仍是正确答案）。这就是这一节的更新步骤：

# %%
SS_MAX, SS_RAMP = 0.5, 400


def scheduled_sampling_step(batch, ctx):
    src, tgt = batch
    model, opt = ctx.model, ctx.optimizer
    model.train()
    tgt_in = tgt[:, :-1]  # BOS y1 ... (B, T)
    p = SS_MAX * min(1.0, ctx.step / SS_RAMP)  # the schedule: more of the model's own tokens as training goes on
    with torch.no_grad():  # pass 1: what the model would have written at every position
        probs = model(src, tgt_in).softmax(-1).flatten(0, 1).cpu()  # (B*T, V)
        guess = torch.multinomial(probs, 1, generator=ctx.generator).view(tgt_in.shape).to(tgt.device)
    swap = (torch.rand(tgt_in.shape, generator=ctx.generator) < p).to(tgt.device) & (tgt_in != s2s.PAD)
    swap[:, 0] = False  # BOS stays
    mixed = tgt_in.clone()
    mixed[:, 1:] = torch.where(swap[:, 1:], guess[:, :-1], tgt_in[:, 1:])  # guess[:, t-1] is the model's token t
    opt.zero_grad(set_to_none=True)
    logits = model(src, mixed)  # pass 2: train on the mixed prefix, against the right answer
    loss = F.cross_entropy(logits.flatten(0, 1), tgt[:, 1:].flatten(), ignore_index=s2s.PAD)
    loss.backward()
    opt.step()
    return {"loss": loss.detach(), "p": p}


# %% tags=["nbval-ignore-output"]
with mu.cpu_threads(1):
    model_ss, history_ss = train_number_model(scheduled_sampling_step, "ch11_numbers_scheduled_sampling")
    ss_out, _ = decode_all(model_ss, src_test)
    acc_ss = exact_match(ss_out, task["test"])
    clean_ss = [continue_after(model_ss, j, corrupt=False) for j in POSITIONS]
    wrong_ss = [continue_after(model_ss, j, corrupt=True) for j in POSITIONS]
print(f"exact match on the unseen numbers: teacher forcing {acc_tf:.3f}, scheduled sampling {acc_ss:.3f}")
for j in range(len(POSITIONS)):
    print(f"wrong token {j + 1}: rest right, teacher forcing {wrong_tf[j]:.3f}  scheduled sampling {wrong_ss[j]:.3f}")

fig, ax = plt.subplots(figsize=(6.5, 4))
w = 0.38
x = np.arange(len(POSITIONS))
ax.bar(x - w / 2, wrong_tf, w, label="teacher forcing")
ax.bar(x + w / 2, wrong_ss, w, label="scheduled sampling")
ax.set_xticks(x, [f"token {j + 1}" for j in POSITIONS])
ax.set_xlabel("which prefix token was replaced by a wrong one")
ax.set_ylabel("fraction with the rest still right")
ax.set_ylim(0, 1)
ax.set_title("Recovering from one wrong token in the prefix")
ax.legend()
plt.show()
assert acc_ss >= 0.99, "scheduled sampling should not cost the clean accuracy"
for j in range(len(POSITIONS)):
    assert wrong_ss[j] >= wrong_tf[j] - 0.02, "scheduled sampling should not recover worse than teacher forcing"
    assert wrong_ss[j] - wrong_tf[j] < 0.10, "at this scale the gain of scheduled sampling is small"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 结果如实报告：计划采样训练出的模型在干净输入上同样有 99% 以上的整句正确率；遇到前缀里的错字时，它在每个位置上的恢复率都不比教师强制差（差距在 2 个百分点的抽样误差之内或更好），但提高也不到 10 个百分点——曝光偏差基本还在。原因之一是：训练后期模型的采样几乎都是对的，混进输入的“错字”很少，而且和我们随机塞进去的错字不是一类。我们在这个小任务上没有看到计划采样的明显好处；它是否值得用，要在模型真的常出错的任务上量过才知道。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. 非自回归解码器（NAT）：快，但有多模态问题
#
# 自回归解码器写 $n$ 个字要跑 $n$ 次解码器。非自回归（Non-autoregressive, NAT）解码器一次写完：先用一个小分类器根据编码器的输出预测输出长度 $L$（这里把编码器输出取平均，接一个线性层），再给解码器 $L$ 个 BEGIN 作为输入（靠位置编码区分它们），去掉掩码，一次前向计算同时输出 $L$ 个字。训练时长度分类器和每个位置的字都用交叉熵，两个损失相加；解码器的输入长度用正确的长度。模型大小与第 4 节相同（多一个长度分类器），同样训练 500 步：

# %%
def nat_targets(tgt):
    """From BOS y1 ... yL EOS PAD... to y1 ... yL PAD... and the lengths L."""
    body = tgt[:, 1:].masked_fill(tgt[:, 1:] == s2s.EOS, s2s.PAD)  # (B, T-1)
    return body, (body != s2s.PAD).sum(1)


def nat_step(batch, ctx):
    src, tgt = batch
    model, opt = ctx.model, ctx.optimizer
    model.train()
    body, lengths = nat_targets(tgt)
    opt.zero_grad(set_to_none=True)
    logits, length_logits = model(src, model.queries(lengths, body.shape[1]))  # L BOS inputs, PAD after
    token_loss = F.cross_entropy(logits.flatten(0, 1), body.flatten(), ignore_index=s2s.PAD)
    length_loss = F.cross_entropy(length_logits, lengths)
    (token_loss + length_loss).backward()
    opt.step()
    return {"loss": token_loss.detach(), "length_loss": length_loss.detach()}


def nat_decode(model, src):
    lengths, tokens = model.generate(src.to(DEVICE))
    return [TGT.decode(t.tolist()) for t in tokens], lengths.cpu()


# %% tags=["nbval-ignore-output"]
with mu.seeded(SEED):
    nat = s2s.NonAutoregressiveTransformer(len(SRC), len(TGT), max_out=8, d_model=64, n_heads=4, d_ff=128)
with mu.cpu_threads(1):
    nat, history_nat = train_seq2seq(nat, nat_step, "ch11_numbers_nat", src_train, tgt_train)
    nat_out, nat_len = nat_decode(nat, src_test)
acc_nat = exact_match(nat_out, task["test"])
len_acc = float((nat_len == nat_targets(tgt_test)[1]).float().mean())
print(f"NAT on the unseen numbers: length right {len_acc:.3f}, exact match {acc_nat:.3f} (autoregressive: {acc_tf:.3f})")
nat_wrong = [(s, o, t) for o, (s, t) in zip(nat_out, task["test"], strict=True) if o != t]
length_errors = np.mean([len(o) != len(t) for _, o, t in nat_wrong]) if nat_wrong else 1.0
print("NAT mistakes (input, output, right answer):", [("".join(s), "".join(o), "".join(t)) for s, o, t in nat_wrong[:4]])
print(f"NAT mistakes with a wrong length: {length_errors:.2f} of {len(nat_wrong)}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 现在量速度：两个模型大小相同，都一次并行解码全部 1000 个测试数字，只用一个线程，各跑 3 次取最快的一次。自回归模型要一步一步地跑解码器（最长的输出 7 个字再加 END，共 8 步），而且我们的实现每次都重算整个前缀；NAT 只跑一次。

# %% tags=["nbval-ignore-output"]
def fastest(fn, repeats=3):
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


with mu.cpu_threads(1):
    t_at = fastest(lambda: decode_all(model_tf, src_test))
    t_nat = fastest(lambda: nat_decode(nat, src_test))
print(f"decode 1000 numbers: autoregressive {t_at * 1e3:.0f} ms, NAT {t_nat * 1e3:.0f} ms, ratio {t_at / t_nat:.1f}x")
assert t_at > 2 * t_nat, "one decoder pass should be several times faster than one per output token"
assert 0 < acc_tf - acc_nat < 0.05, "NAT is a little less accurate on this (single-answer) task"
assert length_errors >= 0.8, "most NAT mistakes come from the predicted length"

# %% [markdown] slideshow={"slide_type": "fragment"}
# NAT 快了好几倍（上面打印的比例；断言检查至少 2 倍）。在同样大小、同样 500 步的训练下，它的整句正确率比自回归模型低，但低不到 5 个百分点（断言检查了这两点，实际数字打印在上面），而且至少 80% 的错误来自长度预测：长度猜错了（例如 `8010` 猜成 4 个字），后面的字再对也没用；长度对了，各个位置的字几乎总是对的。数字的读法只有一种正确答案，每个位置该写什么由输入完全决定，所以“各写各的”问题不大。
#
# **多模态问题（Multi-modality）。** 当一个输入有几种都正确的输出时，这个弱点就变成了硬伤。`xp.two_spellings_task` 的每个输入是 4 个小写字母，目标随机地是原样照抄（小写）或全部写成大写——两种都对，就像一句话有两种正确的翻译（“这辆车很快” / “这辆汽车速度很快”）。自回归模型写第一个字时选定一种写法，后面的字以它为条件、顺着写；NAT 的每个位置单独选，可能第 1 个字是小写、第 2 个字是大写。下面用两个同样大小的小模型（$d=32$、1 层）各训练 300 步，在 500 个新输入上数一数“混合”的输出（既不是全小写也不是全大写的照抄）：

# %% tags=["nbval-ignore-output"]
LET = s2s.Vocab("abcdefghABCDEFGH")
two_train, two_test = xp.two_spellings_task(4000, seed=1), xp.two_spellings_task(500, seed=2)
src2, tgt2 = s2s.encode_pairs(two_train, LET, LET)
src2_test, _ = s2s.encode_pairs(two_test, LET, LET)
small = dict(d_model=32, n_heads=2, d_ff=64)
with mu.seeded(SEED):
    at2 = s2s.Seq2SeqTransformer(len(LET), len(LET), **small)
    nat2 = s2s.NonAutoregressiveTransformer(len(LET), len(LET), max_out=4, **small)
with mu.cpu_threads(1):
    at2, _ = train_seq2seq(at2, teacher_forcing_step, "ch11_two_spellings_at", src2, tgt2, steps=300)
    nat2, _ = train_seq2seq(nat2, nat_step, "ch11_two_spellings_nat", src2, tgt2, steps=300)
    with torch.no_grad():
        at2_tokens, _ = s2s.greedy_decode(at2.step_fn(src2_test.to(DEVICE)), s2s.BOS, s2s.EOS, 6, len(src2_test))
        _, nat2_tokens = nat2.generate(src2_test.to(DEVICE))
at2_out = [LET.decode(t.tolist()) for t in at2_tokens]
nat2_out = [LET.decode(t.tolist()) for t in nat2_tokens]
mixed_at = np.mean([xp.is_mixed(s, o) for (s, _), o in zip(two_test, at2_out, strict=True)])
mixed_nat = np.mean([xp.is_mixed(s, o) for (s, _), o in zip(two_test, nat2_out, strict=True)])
print(f"outputs that mix the two spellings: autoregressive {mixed_at:.3f}, NAT {mixed_nat:.3f}")
for (s, _), a, n in list(zip(two_test, at2_out, nat2_out, strict=True))[:5]:
    print(f"input {''.join(s)}   AT {''.join(a)}   NAT {''.join(n)}")
assert mixed_at <= 0.05, "the autoregressive model commits to one spelling"
assert mixed_nat >= 0.5, "most NAT outputs mix the two spellings"

# %% [markdown] slideshow={"slide_type": "fragment"}
# 自回归模型几乎从不混合（断言检查 ≤ 5%）：它的第一个字决定了用哪一种写法，后面的字都以它为条件。NAT 有一半以上的输出是“四不像”（断言检查 ≥ 50%）：每个位置上小写和大写的概率各占一半左右，各个位置独立地取最大，拼起来常常大小写混杂。这就是 NAT 不如 AT 准的主要原因；实际的 NAT 系统会用知识蒸馏（先用 AT 模型把训练目标变成单一模式）、迭代修改等办法缓解它。


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. 复制机制：照抄没见过的名字
#
# 聊天机器人听到“我叫 小明”要回答“你好 小明”；做摘要时很多词要从原文照抄。如果“小明”这个词在训练数据的输出里从没出现过，普通解码器的输出层从没被训练去给它概率，几乎不可能写出来。复制机制（Copy Mechanism，这里用 pointer–generator 的形式）给解码器第二条路：每一步算一个门 $g=\sigma(w^\top h+b)$，最后的分布是
#
# $$p(y)=g\,p_{\text{vocab}}(y)+(1-g)\sum_{j:\,x_j=y}\alpha_j ,$$
#
# 其中 $\alpha_j$ 就是跨注意力给第 $j$ 个输入词的权重：注意力指向哪个输入词，就可以把那个词原样抄出来。`xp.copy_task` 生成“我 叫 <名字> → 你 好 <名字>”，每个名字是一个记号，测试集里的 100 个名字在训练时一次也没出现过（连输入里也没有）。两个同样大小的小模型（$d=32$、1 层）用同一个教师强制步骤各训练 400 步：

# %%
mu.show_source(s2s.CopyTransformer.decode)

# %% tags=["nbval-ignore-output"]
copy_data = xp.copy_task(3000, 300, n_names=200, seed=SEED)
WORDS = s2s.Vocab(["我", "叫", "你", "好"] + [f"name{k}" for k in range(200)])  # one shared vocabulary
src_c, tgt_c = s2s.encode_pairs(copy_data["train"], WORDS, WORDS)
src_c_test, _ = s2s.encode_pairs(copy_data["test"], WORDS, WORDS)
with mu.seeded(SEED):
    plain = s2s.Seq2SeqTransformer(len(WORDS), len(WORDS), **small)
    pointer = s2s.CopyTransformer(len(WORDS), **small)
copy_acc, name_acc, stops_late = {}, {}, {}
with mu.cpu_threads(1):
    for name, model in (("without copy", plain), ("with copy", pointer)):
        model, _ = train_seq2seq(model, teacher_forcing_step, f"ch11_copy_{name.replace(' ', '_')}", src_c, tgt_c, steps=400)
        with torch.no_grad():
            tokens, _ = s2s.greedy_decode(model.step_fn(src_c_test.to(DEVICE)), s2s.BOS, s2s.EOS, 5, len(src_c_test))
        outputs = [WORDS.decode(t.tolist()) for t in tokens]
        copy_acc[name] = exact_match(outputs, copy_data["test"])
        name_acc[name] = float(np.mean([o[2:3] == t[2:3] for o, (_, t) in zip(outputs, copy_data["test"], strict=True)]))
        wrong = [(o, t) for o, (_, t) in zip(outputs, copy_data["test"], strict=True) if o != t]
        stops_late[name] = float(np.mean([o[:3] == t and len(o) > 3 for o, t in wrong])) if wrong else 0.0
        print(f"{name:<13} unseen name written right {name_acc[name]:.3f}, whole sentence right {copy_acc[name]:.3f}   e.g. {' '.join(copy_data['test'][0][0])} -> {' '.join(outputs[0])}")
print(f"wrong sentences of the copy model that are right up to the name but do not stop there: {stops_late['with copy']:.2f}")
assert name_acc["without copy"] <= 0.05, "a name never seen as an output cannot be generated"
assert name_acc["with copy"] >= 0.95, "the copy mechanism copies unseen names"
assert copy_acc["with copy"] > copy_acc["without copy"] + 0.5

# %% [markdown] slideshow={"slide_type": "fragment"}
# 没有复制机制的模型在训练集上学得很好，但测试时的名字一个都写不出来（≤ 5%，断言检查）：它只会写训练时见过的名字。加上复制机制后，同样大小、同样步数的模型几乎总能把名字抄对（≥ 95%，断言检查；实际数字打印在上面）：它学会了“第三个输出照抄第三个输入”，而不需要认识这个名字。整句正确率比名字正确率低一些，剩下的错句（上面打印了比例）都是名字抄对了却没有停：抄完名字后，解码器的下一个输入就是这个没见过的名字，它的词向量从没被训练过——这又是一次“测试时遇到训练时没见过的输入”。常见的补救是把这类词在解码器输入里换成一个统一的“未知词”记号，本章没有做。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10. 引导注意力：让注意力从前往后走
#
# 有些任务里，输出和输入是按同样的顺序对应的：语音合成（文字 → 声音）时，念到第几个字，声音就对应第几个字；把数字一位一位念出来也是这样。这时跨注意力图应该是一条从左上到右下的“对角线”，不该跳来跳去。引导注意力（Guided Attention）把这个先验知识直接写进损失函数：输出有 $T$ 个位置、输入有 $S$ 个位置时，给第 $i$ 个输出看第 $j$ 个输入定一个惩罚
#
# $$W_{ij}=1-\exp\!\left(-\frac{(i/T-j/S)^2}{2g^2}\right),\qquad \mathcal{L}_{\text{guide}}=\frac{1}{TS}\sum_{i,j}A_{ij}W_{ij},$$
#
# $A$ 是跨注意力的权重。对角线上（$i/T=j/S$）惩罚为 0，离对角线越远越接近 1，$g$ 决定“对角线”有多宽（这里用 Tachibana 等人 2018 年在语音合成里用的 $g=0.2$）。训练时最小化 $\mathcal{L}_{\text{CE}}+\lambda\,\mathcal{L}_{\text{guide}}$，本节取 $\lambda=5$。`al.guided_attention_weights` 为一个补齐过的批次构造 $W$（补齐的位置惩罚为 0）。
#
# 第 5 节的数字任务太短（输入只有 4 位），模型很快就自己学会了对齐。这里换一个更像语音合成的任务 `xp.spelling_task`：输入 3–5 位数字，输出它们拼音的字母（`207 → erlingqi`）。每一位变成 2–4 个字母，输出大约是输入的三倍长，对齐是单调的（单调对齐，Monotonic Alignment：输出往后走，看的输入位置只往后不往前），但不是一条均匀的直线：解码器要自己数出“现在念到第几位了”。

# %% tags=["nbval-check-output"]
spell_train = xp.spelling_task(4000, min_digits=3, max_digits=5, seed=1)
spell_test = xp.spelling_task(500, min_digits=3, max_digits=5, seed=2)
LETTERS = s2s.Vocab(sorted({c for _, t in spell_train for c in t}))
src_sp, tgt_sp = s2s.encode_pairs(spell_train, SRC, LETTERS)  # (4000, 5), (4000, 20)
src_sp_test, tgt_sp_test = s2s.encode_pairs(spell_test, SRC, LETTERS)
for digits, letters in spell_test[:3]:
    print("".join(digits), "->", "".join(letters), " letter i spells digit:", xp.spelling_sources(digits))
print("letters:", LETTERS.itos[3:], " train:", tuple(src_sp.shape), tuple(tgt_sp.shape))
w_demo = al.guided_attention_weights([8], [3])[0]  # 207 -> erlingqi: T = 8 letters, S = 3 digits
print("penalty W for T=8, S=3 (rows: output letters, columns: input digits):")
print(np.array2string(w_demo.numpy(), precision=2, suppress_small=True))

# %% [markdown] slideshow={"slide_type": "fragment"}
# 惩罚矩阵的每一行在“该看的那一位”附近最小。下面是这一节的训练步骤：与第 4 节的教师强制相同，只是多取出最后一个解码器块的跨注意力（4 个头的平均，形状 $(B,T,S)$），加上 $\lambda\,\mathcal{L}_{\text{guide}}$。`weight=0` 就是不加引导的普通训练，它照样记录 $\mathcal{L}_{\text{guide}}$，好让我们比较。步骤还记录这一批的逐字正确率（教师强制下，每个位置的预测是否等于正确答案）。

# %%
GUIDE_WEIGHT, GUIDE_G = 5.0, 0.2


def guided_step(batch, ctx, weight=GUIDE_WEIGHT):
    src, tgt = batch
    model, opt = ctx.model, ctx.optimizer
    model.train()
    opt.zero_grad(set_to_none=True)
    memory, pad = model.encode(src)
    logits, attn = model.decode(tgt[:, :-1], memory, pad, return_attention=True)  # (B, T, V), (B, T, S)
    target = tgt[:, 1:]  # y1 ... yn EOS PAD ...
    ce = F.cross_entropy(logits.flatten(0, 1), target.flatten(), ignore_index=s2s.PAD)
    out_len, in_len = (target != s2s.PAD).sum(1), (~pad).sum(1)  # T_b (with EOS) and S_b, (B,)
    w = al.guided_attention_weights(out_len.cpu(), in_len.cpu(), g=GUIDE_G, out_size=attn.shape[1], in_size=attn.shape[2])
    guide = (attn * w.to(attn.device)).sum() / (out_len * in_len).sum()  # mean of A * W over the real cells
    (ce + weight * guide).backward()
    opt.step()
    real = target != s2s.PAD
    acc = ((logits.argmax(-1) == target) & real).sum() / real.sum()  # teacher-forced accuracy per letter
    return {"loss": ce.detach(), "guide": guide.detach(), "acc": acc.detach()}


def plain_step(batch, ctx):
    return guided_step(batch, ctx, weight=0.0)


# %% [markdown] slideshow={"slide_type": "fragment"}
# 用 3 个随机种子，每个种子训练两个同样初始化的小模型（$d=32$、1 层，和第 8、9 节一样大），一个加引导、一个不加，各 300 步（batch 64）：

# %% tags=["nbval-ignore-output"]
GA_SEEDS, GA_STEPS = (0, 1, 2), 300
spelling_runs = {}
with mu.cpu_threads(1):
    for seed in GA_SEEDS:
        for name, step in (("plain", plain_step), ("guided", guided_step)):
            with mu.seeded(seed):
                model = s2s.Seq2SeqTransformer(len(SRC), len(LETTERS), max_len=24, **small)
            spelling_runs[name, seed] = train_seq2seq(
                model, step, f"ch11_spelling_{name}_{seed}", src_sp, tgt_sp, steps=GA_STEPS, batch_size=64, seed=seed
            )
print(f"trained {len(spelling_runs)} models in {sum(h.seconds for _, h in spelling_runs.values()):.1f} s")

# %% [markdown] slideshow={"slide_type": "fragment"}
# 对每个模型量四个数：
#
# - **对角线附近的注意力**：在 500 个测试输入上（教师强制），每个输出位置落在 $|i/T-j/S|\le 0.2$ 这条带子里的注意力之和的平均（`al.diagonal_mass`；完全在对角线上得 1，作为对照，也算一下把注意力平均分给所有输入位置的得分）；
# - **对齐正确率**：每个字母那一行注意力最大的输入位置，是不是它拼的那一位数字（`xp.spelling_sources` 给出正确答案）。这比上一项更严格：真正的对齐并不是直线；
# - **训练速度**：训练批次上的逐字正确率（20 步滑动平均）第一次达到 85% 的步数；
# - **整句正确率**：贪心解码 500 个测试输入，整句拼对的比例。

# %%
def alignment_scores(model):
    """Diagonal mass and the fraction of letters whose strongest cross-attention is on the digit they spell."""
    with torch.no_grad():
        memory, pad = model.encode(src_sp_test.to(DEVICE))
        _, attn = model.decode(tgt_sp_test[:, :-1].to(DEVICE), memory, pad, return_attention=True)  # (N, T, S)
    attn = attn.cpu()
    out_len, in_len = (tgt_sp_test[:, 1:] != s2s.PAD).sum(1), (src_sp_test != s2s.PAD).sum(1)
    diagonal = float(al.diagonal_mass(attn, out_len, in_len, width=0.2).mean())  # width: the band |i/T - j/S| <= 0.2
    hits = [int(attn[i, row].argmax()) == j for i, (s, _) in enumerate(spell_test) for row, j in enumerate(xp.spelling_sources(s))]
    return diagonal, float(np.mean(hits))


def steps_to_reach(history, target=0.85, window=20):
    acc = np.convolve(history["acc"], np.ones(window) / window, "valid")  # moving average of `window` steps
    return int(history.steps_of("acc")[window - 1 + np.argmax(acc >= target)]) if (acc >= target).any() else None


def spelling_exact_match(model):
    with torch.no_grad():
        tokens, _ = s2s.greedy_decode(model.step_fn(src_sp_test.to(DEVICE)), s2s.BOS, s2s.EOS, 22, len(src_sp_test))
    return float(np.mean([LETTERS.decode(t.tolist()) == y for t, (_, y) in zip(tokens, spell_test, strict=True)]))


# %% tags=["nbval-ignore-output"]
out_len_test, in_len_test = (tgt_sp_test[:, 1:] != s2s.PAD).sum(1), (src_sp_test != s2s.PAD).sum(1)
uniform = (src_sp_test != s2s.PAD).double()[:, None, :].expand(-1, tgt_sp_test.shape[1] - 1, -1)  # (N, T, S)
uniform_score = float(al.diagonal_mass(uniform / uniform.sum(-1, keepdim=True), out_len_test, in_len_test).mean())
ga = {}
with mu.cpu_threads(1):
    for (name, seed), (model, history) in spelling_runs.items():
        ga[name, seed] = (*alignment_scores(model), steps_to_reach(history), spelling_exact_match(model))
print("seed  model    near diagonal  aligned  steps to 85%  exact match")
for (name, seed), (diagonal, aligned, steps, em) in ga.items():
    print(f"{seed:>4}  {name:<7}  {diagonal:>13.3f}  {aligned:>7.3f}  {steps!s:>12}  {em:>11.3f}")
assert all(v[2] is not None for v in ga.values()), "every run reaches 85% letter accuracy within 300 steps"
mean = {name: np.mean([ga[name, s] for s in GA_SEEDS], axis=0) for name in ("plain", "guided")}
for name in ("plain", "guided"):
    print(f"mean  {name:<7}  {mean[name][0]:>13.3f}  {mean[name][1]:>7.3f}  {mean[name][2]:>12.1f}  {mean[name][3]:>11.3f}")
plain_steps = [ga["plain", s][2] for s in GA_SEEDS]
print(f"attention spread evenly over the input would score {uniform_score:.3f} near the diagonal")
print(f"steps to 85%: mean plain {mean['plain'][2]:.1f}, guided {mean['guided'][2]:.1f} (difference {1 - mean['guided'][2] / mean['plain'][2]:.1%}); plain runs range over {max(plain_steps) - min(plain_steps)} steps across seeds")
for seed in GA_SEEDS:
    (d0, a0, _, _), (d1, a1, _, _) = ga["plain", seed], ga["guided", seed]
    assert d1 > d0 + 0.1, "guided attention puts clearly more attention near the diagonal, on every seed"
    assert a1 > a0, "and more letters attend to the digit they spell, on every seed"
assert mean["plain"][0] > uniform_score + 0.1, "without guidance the model still learns part of the alignment"
assert abs(mean["guided"][2] - mean["plain"][2]) < 0.10 * mean["plain"][2], "the mean steps to 85% differ by < 10%"
assert abs(mean["guided"][2] - mean["plain"][2]) < max(plain_steps) - min(plain_steps), "less than the spread over seeds"
assert abs(mean["guided"][3] - mean["plain"][3]) < 0.05, "exact match differs by less than 5 points"
assert max(mean["plain"][3], mean["guided"][3]) < 0.9, "after 300 steps neither spells 90% of the numbers right"


# %% [markdown] slideshow={"slide_type": "fragment"}
# 先看一个例子：左边是惩罚矩阵 $W$，中间和右边是同一个种子、同样初始化的两个模型在写每个字母时的跨注意力（教师强制，输入正确的前缀），颜色条给出数值。

# %%
example_digits, example_letters = next(pair for pair in spell_test if len(pair[0]) == 4)


def spelling_attention(model, digits, letters):
    """Cross-attention (len(letters) + 1, S) while writing `letters` and END with the right prefix."""
    src = torch.tensor([SRC.encode(digits)], device=DEVICE)
    tgt_in = torch.tensor([[s2s.BOS, *LETTERS.encode(letters)]], device=DEVICE)  # BOS y1 ... yn
    with torch.no_grad():
        memory, pad = model.encode(src)
        _, attn = model.decode(tgt_in, memory, pad, return_attention=True)  # (1, n + 1, S)
    return attn[0].cpu().numpy()


panels = [
    ("penalty W (g = 0.2)", al.guided_attention_weights([len(example_letters) + 1], [len(example_digits)])[0].numpy(), "penalty W", "Reds"),
    ("without guidance (seed 0)", spelling_attention(spelling_runs["plain", 0][0], example_digits, example_letters), "cross-attention weight", "viridis"),
    ("with guidance (seed 0)", spelling_attention(spelling_runs["guided", 0][0], example_digits, example_letters), "cross-attention weight", "viridis"),
]
fig, axes = plt.subplots(1, 3, figsize=(12, 5.4), layout="constrained")
for ax, (title, matrix, label, cmap) in zip(axes, panels, strict=True):
    im = ax.imshow(matrix, cmap=cmap, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(example_digits)), example_digits)
    ax.set_yticks(range(len(example_letters) + 1), [*example_letters, "END"], fontsize=9)
    ax.set_xlabel("input digit")
    ax.set_title(title, fontsize=11)
    fig.colorbar(im, ax=ax, shrink=0.85, label=label)
axes[0].set_ylabel("output letter being written")
fig.suptitle(f"{''.join(example_digits)} -> {''.join(example_letters)}: where the decoder looks while spelling")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# 再看训练过程：左图是每个模型训练批次上逐字正确率的 20 步滑动平均（每种 3 条线，一个种子一条），虚线是 85%；右图是训练中的 $\mathcal{L}_{\text{guide}}$，即落在对角线外的注意力有多少——不加引导的模型也记录了它，只是不拿它训练。

# %%
colors = {"plain": "tab:blue", "guided": "tab:orange"}
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
for (name, seed), (_, history) in spelling_runs.items():
    label = f"{name} (3 seeds)" if seed == GA_SEEDS[0] else None
    axes[0].plot(history.steps_of("acc")[19:], np.convolve(history["acc"], np.ones(20) / 20, "valid"), color=colors[name], label=label)
    axes[1].plot(history.steps_of("guide"), history["guide"], color=colors[name], alpha=0.7, label=label)
axes[0].axhline(0.85, color="k", ls="--", lw=1, label="85%")
axes[0].set(xlabel="training step", ylabel="letter accuracy on the batch (20-step mean)", title="Training speed", ylim=(0, 1))
axes[1].set(xlabel="training step", ylabel="guide loss: mean of A * W", title="Attention far from the diagonal")
for ax in axes:
    ax.legend()
plt.show()


# %% [markdown] slideshow={"slide_type": "fragment"}
# **结果（如实报告，数字在上面的表里）。**
#
# - **对齐：** 加引导后，每个种子上落在对角线附近的注意力都多了 0.1 以上，注意力最大处正好是所拼那一位数字的字母也都更多（断言逐个种子检查）。注意力图里，加引导的模型写每个字母时，注意力大多集中在一位数字上，整体从左上走到右下；不加引导的模型大致也是从左往右，但注意力散在相邻的几位上。不加引导的模型并不是没有学到对齐：它的对角线得分比把注意力平均分给所有输入高出 0.1 以上（断言检查），右图里它的 $\mathcal{L}_{\text{guide}}$ 也在下降，只是降得慢、停得高。
# - **训练速度：** 两种训练达到 85% 逐字正确率的平均步数相差不到 10%，也小于不同种子之间的差别（断言检查）；300 步后的整句正确率两者相差不到 5 个百分点，而且都不到 90%（断言检查）。在这个小任务上，我们没有看到引导注意力让训练明显变快：它改变的是注意力的样子，而不是损失下降的速度。
# - **和语音合成的经验为什么不同：** Tachibana 等人在语音合成里报告，引导注意力让模型快得多地学会对齐；那里输入有几十个字、输出有几百帧，学不会对齐模型就什么也学不会。我们的输入只有 3–5 位，不加引导的模型在一两百步里就自己找到了大致的位置。这是一个推测，本节没有在更长的序列上验证它。

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 小结
#
# - Seq2seq 模型由编码器和解码器组成，输出长度由模型自己决定：解码器从 BEGIN 开始一个字一个字地写，写出 END 就停。
# - 编码器块 = 自注意力 + 残差 + 层归一化 + 逐位置 FFN + 残差 + 层归一化；手写版本与 `nn.TransformerEncoderLayer` 逐位一致。层归一化在每个向量自己的特征维上归一化，与批次里的其他序列无关；批量归一化在批次（和位置）上对每个特征归一化。
# - 掩码自注意力让第 $i$ 个输出只依赖前 $i$ 个输入（代码里验证过）；跨注意力让解码器读编码器的输出，训练后的注意力图显示出输出字和输入数字的对齐。
# - 教师强制 + 交叉熵把所有位置放在一次前向计算里训练；一个约 9 万参数的模型在从未见过的数字上整句正确率 ≥ 99%。
# - 贪心解码每步取最大，可能错过整句最优；束搜索保留 $k$ 条前缀，束宽足够大时等于穷举搜索。长度归一化 $\log p/n^\alpha$ 抵消对短句的偏爱。在几乎没有歧义的数字任务上，束搜索和贪心的结果几乎一样。
# - 曝光偏差：前缀里一个错字会让后面大量出错；计划采样在这个小任务上没有明显的效果（与教师强制的差别不到 10 个百分点）。
# - 复制机制把跨注意力当作“从输入里抄一个词”的分布，与生成分布按门 $g$ 混合；训练时从没出现过的名字，没有它一个也写不出来，有了它几乎都能抄对（但抄完后不一定会停）。
# - NAT 先预测长度、再一次写出所有字，解码快好几倍；在只有一种正确答案的数字任务上，它只比自回归模型差一点，错误几乎都来自长度预测；一个输入有两种正确输出时，它的大部分输出把两种混在一起（多模态问题），自回归模型则几乎不会。
# - 引导注意力把“注意力应该从前往后走”写成损失 $\operatorname{mean}(A\odot W)$；在拼读数字的任务上，它让跨注意力明显更集中在对角线附近、对齐更准，但在我们的规模上没有让训练明显变快，整句正确率也几乎一样。
#
# 本章没有做的内容（留给后续）：日期格式转换任务（`xp.date_task` 已经能生成数据）。
#
# ## 练习
#
# 把 `None` 换成你的答案，运行检查单元。参考答案在折叠的单元里（点击单元左侧的 “•••” 展开）。

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 1.** 写一个函数 `my_causal_mask(n)`，返回形状 $(n, n)$ 的布尔张量：第 $i$ 行第 $j$ 列为 `True` 表示位置 $i$ **不能**看位置 $j$（与 `nn.MultiheadAttention` 的 `attn_mask` 约定相同）。不许调用 `s2s.causal_mask`。检查函数会在几个不同的 $n$ 上与参考实现比较，并指出第一个不一致的用例。

# %%
def my_causal_mask(n):
    return None  # 你的实现


ex.check_causal_mask(my_causal_mask)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_causal_mask_ref(n):
    return torch.ones(n, n, dtype=torch.bool).triu(diagonal=1)  # j > i: the future


assert ex.check_causal_mask(my_causal_mask_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 2.** 写束搜索的一步 `my_beam_step(beam_log_probs, next_log_probs, beam_size)`：`beam_log_probs` 形状 $(k,)$ 是当前 $k$ 条前缀的对数概率，`next_log_probs` 形状 $(k, V)$ 是每条前缀之后下一个字的对数概率。返回三个长度为 `beam_size` 的序列 `(scores, parents, tokens)`，按分数从大到小：新前缀的对数概率、它来自第几条旧前缀、接上的是哪个字。检查函数在随机输入上与参考实现比较。

# %%
def my_beam_step(beam_log_probs, next_log_probs, beam_size):
    return None  # 你的实现


ex.check_beam_step(my_beam_step)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_beam_step_ref(beam_log_probs, next_log_probs, beam_size):
    total = beam_log_probs[:, None] + next_log_probs  # (k, V): log-probs add along a path
    scores, flat = total.flatten().topk(beam_size)
    vocab = next_log_probs.shape[1]
    return scores, flat // vocab, flat % vocab


assert ex.check_beam_step(my_beam_step_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 3.** 两个完成的假设：A 的对数概率 −2.0、共 2 个记号（含 END）；B 的对数概率 −3.0、共 5 个记号（含 END）。不做长度归一化时 A 胜出。用 $\alpha=1$ 的长度归一化 $\log p/n^{\alpha}$，B 的分数是多少？（算完想一想：现在谁胜出？）

# %%
answer_score_b = None  # 你的答案：一个数
ex.check_normalised_score(answer_score_b)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
log_p_b_ref, length_b_ref = ex.LENGTH_CASE["B"]
answer_score_b_ref = log_p_b_ref / length_b_ref ** ex.LENGTH_CASE["length_penalty"]  # -0.6 > -2.0 / 2 = -1.0: B wins
assert ex.check_normalised_score(answer_score_b_ref)
print("参考答案已通过检查。")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **练习 4.** 写第 10 节的惩罚矩阵 `my_guided_weights(T, S, g)`：返回形状 $(T, S)$ 的张量，$W_{ij}=1-\exp\!\left(-(i/T-j/S)^2/(2g^2)\right)$，$i=0,\dots,T-1$ 是输出位置，$j=0,\dots,S-1$ 是输入位置。不许调用 `al.guided_attention_weights`。检查函数在几组 $(T, S, g)$ 上与参考实现比较。

# %%
def my_guided_weights(T, S, g):
    return None  # 你的实现


ex.check_guided_weights(my_guided_weights)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"}
# Reference solution
def my_guided_weights_ref(T, S, g):
    i = torch.arange(T, dtype=torch.float64)[:, None] / T  # (T, 1): output positions
    j = torch.arange(S, dtype=torch.float64)[None, :] / S  # (1, S): input positions
    return 1 - torch.exp(-((i - j) ** 2) / (2 * g**2))


assert ex.check_guided_weights(my_guided_weights_ref)
print("参考答案已通过检查。")
