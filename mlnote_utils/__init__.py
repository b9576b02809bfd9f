"""mlnote_utils — the small helper package the MLNote chapter notebooks import (``import mlnote_utils as mu``).

The top level holds the core every chapter uses: device and seeding, data and batches, the one training
loop (``fit``, ``History``, ``evaluate``), the MLP builder, plotting and widgets. Concept modules are
reached by name — ``mu.hessian.top_eigenvalues``, ``mu.optimizers.Adam``, ``mu.normalization.HandBatchNorm1d``.
Chapter experiment drivers live in ``mlnote_utils.experiments.chNN`` and exercise checkers in
``mlnote_utils.exercises.chNN``.
"""

from . import (
    alignment,
    attention,
    attention_masks,
    augmentation,
    backprop,
    classification,
    cnn,
    critical_points,
    decoding,
    gan,
    gan_metrics,
    hessian,
    initialization,
    landscape,
    model_selection,
    normalization,
    optimizers,
    piecewise,
    positional_encoding,
    regression,
    schedules,
    seq2seq,
    sharpness,
    wgan,
)
from .data import *  # noqa: F403
from .data import __all__ as _data_all
from .device import *  # noqa: F403
from .device import __all__ as _device_all
from .evaluation import *  # noqa: F403
from .evaluation import __all__ as _evaluation_all
from .history import *  # noqa: F403
from .history import __all__ as _history_all
from .loaders import *  # noqa: F403
from .loaders import __all__ as _loaders_all
from .models import *  # noqa: F403
from .models import __all__ as _models_all
from .plot import *  # noqa: F403
from .plot import __all__ as _plot_all
from .timeseries import *  # noqa: F403
from .timeseries import __all__ as _timeseries_all
from .train import *  # noqa: F403
from .train import __all__ as _train_all
from .widgets import *  # noqa: F403
from .widgets import __all__ as _widgets_all

__version__ = "0.2.0"

#: Modules whose public names are re-exported at the top level (the core).
CORE_MODULES = (
    "data",
    "device",
    "evaluation",
    "history",
    "loaders",
    "models",
    "plot",
    "timeseries",
    "train",
    "widgets",
)

#: Concept modules, reached by name (``mu.hessian.top_eigenvalues``).
CONCEPT_MODULES = (
    "alignment",
    "attention",
    "attention_masks",
    "augmentation",
    "backprop",
    "classification",
    "cnn",
    "critical_points",
    "decoding",
    "gan",
    "gan_metrics",
    "hessian",
    "initialization",
    "landscape",
    "model_selection",
    "normalization",
    "optimizers",
    "piecewise",
    "positional_encoding",
    "regression",
    "schedules",
    "seq2seq",
    "sharpness",
    "wgan",
)

__all__ = [
    *_data_all,
    *_device_all,
    *_evaluation_all,
    *_history_all,
    *_loaders_all,
    *_models_all,
    *_plot_all,
    *_timeseries_all,
    *_train_all,
    *_widgets_all,
]
