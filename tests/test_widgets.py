import ipywidgets as w
import pytest

import mlnote_utils as mu


def test_sliders_have_requested_ranges():
    s = mu.float_slider(0.5, 0.0, 1.0, description="x")
    assert isinstance(s, w.FloatSlider) and (s.min, s.max, s.value) == (0.0, 1.0, 0.5)
    ls = mu.log_slider(0.1, 1e-3, 1.0)
    assert isinstance(ls, w.FloatLogSlider) and ls.value == pytest.approx(0.1)
    assert mu.int_slider(3, 1, 5).value == 3
    assert mu.choice(["a", "b"]).value == "a"


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: mu.float_slider(2.0, 0.0, 1.0), "value="),
        (lambda: mu.float_slider(0.0, 1.0, 0.0), "lo < hi"),
        (lambda: mu.log_slider(0.1, 0.0, 1.0), "positive lower end"),
        (lambda: mu.choice([]), "at least one option"),
        (lambda: mu.choice(["a"], value="z"), "value="),
    ],
)
def test_bad_widget_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_interactive_figure_calls_draw_with_knobs():
    seen = []

    def draw(ax, lr, name):
        seen.append((lr, name))
        ax.plot([0, 1], [0, lr])
        return ax

    widget = mu.interactive_figure(draw, lr=mu.float_slider(0.3, 0.0, 1.0), name=mu.choice(["gd", "adam"]))
    assert isinstance(widget, w.interactive)
    widget.update()  # what a slider change triggers
    assert seen[-1] == (pytest.approx(0.3), "gd")
    widget.children[1].value = "adam"
    assert seen[-1][1] == "adam"


def test_interactive_figure_needs_controls():
    with pytest.raises(ValueError, match="controls"):
        mu.interactive_figure(lambda ax: ax)


def test_show_source_shows_what_runs():
    code = mu.show_source(mu.backprop.one_hidden_layer_backward)
    assert code.data.startswith("def one_hidden_layer_backward(") and "delta = " in code.data
    several = mu.show_source(mu.optimizers.RMS._update, mu.optimizers.Adam._update).data
    assert several.startswith("# mlnote_utils.optimizers.RMS._update\ndef _update(")
    assert "\n# mlnote_utils.optimizers.Adam._update\ndef _update(" in several
    with pytest.raises(TypeError, match="objects:"):
        mu.show_source(len)
    with pytest.raises(TypeError, match="at least one"):
        mu.show_source()
