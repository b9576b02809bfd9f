"""Chapter 04 experiment drawing: the diagnosis flow chart."""

from mlnote_utils.experiments import ch04 as xp


def test_plot_decision_flow_returns_axes():
    ax = xp.plot_decision_flow()
    assert "diagnose" in ax.get_title()
    assert any("Overfitting" in t.get_text() for t in ax.texts)
