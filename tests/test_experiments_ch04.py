"""Chapter 04 experiment drawing: the diagnosis flow chart."""

from mlnote_utils.experiments import ch04 as xp


def test_plot_decision_flow_returns_axes():
    ax = xp.plot_decision_flow()
    assert "diagnose" in ax.get_title()
    assert any("Overfitting" in t.get_text() for t in ax.texts)


def test_flow_chart_tells_overfitting_from_mismatch_with_a_criterion():
    # every box that is not an outcome has exactly the arrows it needs, and the two outcomes of a large
    # validation loss hang under one measurable question, not directly under "validation loss large?"
    parents = {end: start for start, end, _ in xp._FLOW_ARROWS}
    assert parents["over"] == parents["mismatch"] == "criterion"
    assert "TRAINING" in xp._FLOW_BOXES["criterion"][2] and "more" in xp._FLOW_BOXES["criterion"][2]
    labels = {(a, b): lab for a, b, lab in xp._FLOW_ARROWS}
    assert labels[("criterion", "over")].startswith("yes")
    assert labels[("criterion", "mismatch")].startswith("no")
    ax = xp.plot_decision_flow()
    texts = [t.get_text() for t in ax.texts]
    assert sum("Mismatch" in t for t in texts) == 1 and any("TRAINING" in t for t in texts)
