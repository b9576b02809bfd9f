"""Boolean attention masks: causal, restricted (local) and a graph's adjacency.

They follow ``F.scaled_dot_product_attention``: ``True`` where query ``i`` *may* attend to key ``j``
(``nn.MultiheadAttention``'s boolean ``attn_mask`` means the opposite). The public names are also
reachable from :mod:`mlnote_utils.attention`.
"""

from __future__ import annotations

import torch

from ._checks import positive_int

__all__ = ["causal_mask", "local_mask", "adjacency_mask"]


def causal_mask(n: int) -> torch.Tensor:
    """``(n, n)`` boolean mask: query ``i`` may attend to keys ``j ≤ i``.

    >>> causal_mask(3).int().tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    positive_int(n, "n")
    return torch.ones(n, n, dtype=torch.bool).tril()


def local_mask(n: int, window: int) -> torch.Tensor:
    """``(n, n)`` boolean mask of restricted (local) attention: query ``i`` sees keys with ``|i − j| ≤ window``.

    >>> local_mask(4, 1).int().tolist()
    [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1]]
    """
    positive_int(n, "n")
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise ValueError(f"window={window!r}: expected an int ≥ 0 (how many neighbours on each side)")
    i = torch.arange(n)
    return (i[:, None] - i[None, :]).abs() <= window


def adjacency_mask(adjacency: torch.Tensor, *, self_loops: bool = True) -> torch.Tensor:
    """A graph's adjacency matrix as a boolean attention mask: a node attends only to its neighbours.

    Args:
        adjacency: ``(n, n)`` 0/1 (or boolean) matrix; entry ``[i, j]`` ≠ 0 when node ``i`` is linked to ``j``.
        self_loops: also let every node attend to itself (so no row is empty).

    >>> adjacency_mask(torch.tensor([[0, 1], [1, 0]])).int().tolist()
    [[1, 1], [1, 1]]
    """
    if (
        not isinstance(adjacency, torch.Tensor)
        or adjacency.ndim != 2
        or adjacency.shape[0] != adjacency.shape[1]
    ):
        got = tuple(adjacency.shape) if isinstance(adjacency, torch.Tensor) else type(adjacency).__name__
        raise ValueError(f"adjacency: expected a square (n, n) tensor, got {got}")
    mask = adjacency != 0
    if self_loops:
        mask = mask | torch.eye(len(mask), dtype=torch.bool, device=mask.device)
    return mask
