"""The course's one multilayer-perceptron builder."""

from __future__ import annotations

from torch import nn

__all__ = ["mlp", "ACTIVATIONS"]

#: Activation functions by name.
ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def mlp(
    n_in: int, width: int, depth: int, n_out: int = 1, *, activation: str = "relu", batch_norm: bool = False
) -> nn.Sequential:
    """``depth`` hidden layers of ``width`` units — Linear → (BatchNorm1d) → activation — then a Linear output.

    ``depth=0`` is a linear model. PyTorch's default initialisation is kept, so after ``torch.manual_seed(s)``
    the same call builds the same weights.

    Args:
        n_in: input size. width: hidden size. depth: number of hidden layers (≥ 0). n_out: output size.
        activation: ``"relu"``, ``"sigmoid"`` or ``"tanh"``.
        batch_norm: put ``nn.BatchNorm1d`` between each hidden Linear layer and its activation (chapter 08).

    >>> mlp(7, 32, 2)
    Sequential(
      (0): Linear(in_features=7, out_features=32, bias=True)
      (1): ReLU()
      (2): Linear(in_features=32, out_features=32, bias=True)
      (3): ReLU()
      (4): Linear(in_features=32, out_features=1, bias=True)
    )
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation={activation!r}: expected one of {sorted(ACTIVATIONS)}")
    for name, value in (("n_in", n_in), ("width", width), ("n_out", n_out)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}={value!r}: expected a positive int")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth={depth!r}: expected an int ≥ 0 (0 = a linear model)")
    layers: list[nn.Module] = []
    k = n_in
    for _ in range(depth):
        layers.append(nn.Linear(k, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(ACTIVATIONS[activation]())
        k = width
    return nn.Sequential(*layers, nn.Linear(k, n_out))
