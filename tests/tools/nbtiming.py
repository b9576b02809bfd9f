"""pytest plugin (``-p tests.tools.nbtiming``): wall time of each notebook under nbval, with a budget.

Prints a table at the end and fails the run if a notebook takes longer than ``MLNOTE_NB_BUDGET``
seconds (default 90) or all of them together longer than ``MLNOTE_COURSE_BUDGET`` (default 900).
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

_times: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _times[path] += report.duration


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _times:
        return
    budget = float(os.environ.get("MLNOTE_NB_BUDGET", "90"))
    course = float(os.environ.get("MLNOTE_COURSE_BUDGET", "900"))
    tr = terminalreporter
    tr.section("notebook wall time (kernel start + every cell)")
    for path, seconds in sorted(_times.items()):
        flag = "  OVER BUDGET" if seconds > budget else ""
        tr.write_line(f"{seconds:7.1f} s  {path}{flag}")
    total = sum(_times.values())
    tr.write_line(f"{total:7.1f} s  total (budget {budget:.0f} s per notebook, {course:.0f} s in all)")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus) -> None:
    budget = float(os.environ.get("MLNOTE_NB_BUDGET", "90"))
    course = float(os.environ.get("MLNOTE_COURSE_BUDGET", "900"))
    if any(s > budget for s in _times.values()) or sum(_times.values()) > course:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
