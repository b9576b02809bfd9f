import pytest
import torch
import torch.nn.functional as F

from mlnote_utils.experiments import ch10 as xp


def test_n_frames_counts_unfolded_windows():
    rate = 16000
    for ms in [25, 26, 35, 1000, 2345]:
        samples = torch.arange(ms * rate // 1000)
        assert xp.n_frames(ms) == samples.unfold(0, 400, 160).shape[0], ms
    assert xp.n_frames(20) == 0
    with pytest.raises(ValueError, match="duration_ms"):
        xp.n_frames(-1)


def test_topic_labelling_labels_follow_the_topic():
    x, y = xp.make_topic_labelling(50, 12, 5, seed=3)
    assert x.shape == y.shape == (50, 12)
    is_topic = x >= 5
    assert (is_topic.sum(1) == 1).all()  # exactly one topic word per sentence
    topic = (x[is_topic] - 5)[:, None]  # (50, 1)
    torch.testing.assert_close(torch.where(is_topic, 10, 2 * x + topic), y)
    x2, _ = xp.make_topic_labelling(50, 12, 5, seed=3)
    assert torch.equal(x, x2)


def test_ideal_window_accuracy_matches_a_brute_force_count():
    L = 7
    for w in range(L):
        hits = [1.0 if abs(i - p) <= w else 0.5 for i in range(L) for p in range(L)]
        assert xp.ideal_window_accuracy(L, w) == pytest.approx(sum(hits) / len(hits))


def test_window_tagger_sees_exactly_its_window():
    torch.manual_seed(0)
    m = xp.WindowTagger(6, 3, window=2)
    x = torch.randint(0, 6, (1, 10))
    out = m(x)
    assert out.shape == (1, 10, 3)
    for j in [0, 4, 9]:  # change token j: exactly the positions i with |i - j| <= 2 must react
        x2 = x.clone()
        x2[0, j] = (x[0, j] + 1) % 6
        changed = (m(x2) - out).abs().amax(-1)[0] > 1e-6
        assert changed.tolist() == [abs(i - j) <= 2 for i in range(10)], j


def test_order_task_label_is_a_before_b():
    x, y = xp.make_order_task(100, 8, seed=1)
    assert ((x == 0).sum(1) == 1).all() and ((x == 1).sum(1) == 1).all()
    pos_a, pos_b = (x == 0).float().argmax(1), (x == 1).float().argmax(1)
    assert torch.equal(y, (pos_a < pos_b).long())
    assert 0.3 < y.float().mean() < 0.7


def test_recall_task_key_first():
    x, y = xp.make_recall_task(40, 9, n_keys=4, seed=0)
    assert x.shape == (40, 10)
    assert torch.equal(x[:, 0], y) and (x[:, 1:] >= 4).all()


def test_two_community_graph():
    adj, feat, labels = xp.make_two_community_graph(40, p_in=0.5, p_out=0.0, seed=0)
    assert torch.equal(adj, adj.T) and adj.diagonal().sum() == 0
    assert (adj[labels[:, None] != labels[None, :]] == 0).all()  # p_out = 0: no edge across
    assert feat.shape == (40, 1)


def test_attention_encoder_shapes_and_pe_breaks_permutation_symmetry():
    torch.manual_seed(0)
    x = torch.randint(0, 9, (2, 6))
    perm = torch.tensor([5, 4, 3, 2, 1, 0])
    no_pe = xp.AttentionEncoder(9, 4, d_model=8, n_heads=2, max_len=6, use_pe=False)
    torch.testing.assert_close(no_pe(x[:, perm]), no_pe(x)[:, perm])  # permutation-equivariant
    with_pe = xp.AttentionEncoder(9, 4, d_model=8, n_heads=2, max_len=6, use_pe=True)
    assert not torch.allclose(with_pe(x[:, perm]), with_pe(x)[:, perm])
    out, w = with_pe(x, return_weights=True)
    assert out.shape == (2, 6, 4) and w.shape == (2, 2, 6, 6)
    assert xp.AttentionEncoder(9, 4, d_model=8, pool="last")(x).shape == (2, 4)
    with pytest.raises(ValueError, match="pool"):
        xp.AttentionEncoder(9, 4, pool="max")


def test_mnist_models_and_rnn_shapes():
    x = torch.randn(3, 40)
    assert xp.SmallCNN1d()(x).shape == (3, 10)
    assert xp.PatchAttention1d()(x).shape == (3, 10)
    assert xp.RNNClassifier(12, 4)(torch.randint(0, 12, (3, 7))).shape == (3, 4)
    with pytest.raises(ValueError, match="patch"):
        xp.PatchAttention1d(patch=3)


def test_rnn_loop_matches_nn_rnn():
    torch.manual_seed(0)
    cell = torch.nn.RNNCell(5, 7)
    rnn = torch.nn.RNN(5, 7, batch_first=True)
    with torch.no_grad():
        for name in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]:
            getattr(rnn, f"{name}_l0").copy_(getattr(cell, name))
    x = torch.randn(2, 9, 5)
    torch.testing.assert_close(xp.rnn_loop(cell, x), rnn(x)[0])


def test_graph_attention_with_self_mask_ignores_neighbours():
    torch.manual_seed(0)
    m = xp.GraphAttention(1, 8, 2)
    feat = torch.randn(5, 1)
    eye = torch.eye(5, dtype=torch.bool)
    feat2 = feat.clone()
    feat2[4] += 3.0
    torch.testing.assert_close(m(feat, eye)[:4], m(feat2, eye)[:4])  # a node that sees only itself
    assert not torch.allclose(m(feat, None)[:4], m(feat2, None)[:4])
    assert F.softmax(m(feat, eye), -1).shape == (5, 2)


def test_min_time_returns_the_fastest_run():
    calls = []
    t = xp.min_time(lambda: calls.append(1), repeats=3, warmup=2)
    assert len(calls) == 5 and 0 <= t < 1


def test_min_times_interleaves_and_keeps_the_fastest():
    order = []
    best = xp.min_times({"a": lambda: order.append("a"), "b": lambda: order.append("b")}, repeats=2, warmup=1)
    assert order == ["a", "b"] * 3 and set(best) == {"a", "b"}
    with pytest.raises(ValueError, match="fns"):
        xp.min_times({})


def test_tasks_module_names_are_re_exported_by_ch10():
    from mlnote_utils.experiments import _ch10_tasks as tasks

    for name in tasks.__all__:
        assert getattr(xp, name) is getattr(tasks, name) and name in xp.__all__
