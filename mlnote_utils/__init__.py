"""mlnote_utils — the small helper package the MLNote chapter notebooks import.

One module per topic; every public name is listed in that module's ``__all__`` and re-exported here.
Chapter exercise checkers live in ``mlnote_utils.exercises.chNN``.
"""

from . import exercises
from .data import *  # noqa: F403
from .data import __all__ as _data_all
from .device import *  # noqa: F403
from .device import __all__ as _device_all
from .landscape import *  # noqa: F403
from .landscape import __all__ as _landscape_all
from .plot import *  # noqa: F403
from .plot import __all__ as _plot_all
from .train import *  # noqa: F403
from .train import __all__ as _train_all
from .widgets import *  # noqa: F403
from .widgets import __all__ as _widgets_all

__version__ = "0.1.0"

__all__ = [
    "exercises",
    *_data_all,
    *_device_all,
    *_landscape_all,
    *_plot_all,
    *_train_all,
    *_widgets_all,
]
