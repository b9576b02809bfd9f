"""mlnote_utils — the small helper package the MLNote chapter notebooks import.

One module per topic; every public name is listed in that module's ``__all__`` and re-exported here.
Chapter exercise checkers live in ``mlnote_utils.exercises.chNN`` (``from mlnote_utils.exercises import ch01``).
"""

from . import exercises
from .batching import *  # noqa: F403
from .batching import __all__ as _batching_all
from .classification import *  # noqa: F403
from .classification import __all__ as _classification_all
from .data import *  # noqa: F403
from .data import __all__ as _data_all
from .device import *  # noqa: F403
from .device import __all__ as _device_all
from .diagnosis import *  # noqa: F403
from .diagnosis import __all__ as _diagnosis_all
from .hessian import *  # noqa: F403
from .hessian import __all__ as _hessian_all
from .landscape import *  # noqa: F403
from .landscape import __all__ as _landscape_all
from .networks import *  # noqa: F403
from .networks import __all__ as _networks_all
from .normalization import *  # noqa: F403
from .normalization import __all__ as _normalization_all
from .optim import *  # noqa: F403
from .optim import __all__ as _optim_all
from .plot import *  # noqa: F403
from .plot import __all__ as _plot_all
from .regression import *  # noqa: F403
from .regression import __all__ as _regression_all
from .train import *  # noqa: F403
from .train import __all__ as _train_all
from .widgets import *  # noqa: F403
from .widgets import __all__ as _widgets_all

__version__ = "0.1.0"

__all__ = [
    "exercises",
    *_batching_all,
    *_classification_all,
    *_data_all,
    *_device_all,
    *_diagnosis_all,
    *_hessian_all,
    *_landscape_all,
    *_networks_all,
    *_normalization_all,
    *_optim_all,
    *_plot_all,
    *_regression_all,
    *_train_all,
    *_widgets_all,
]
