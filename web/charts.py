"""The weekly chart's geometry: grouped bars laid out here, drawn as SVG by the template.

Server-side, so the dashboard needs no chart library and no JavaScript.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from storage.report_weeks import Week
from web import texts as t

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 36
SERIES = (
    ("filed", t.CHART_FILED, "#1d4ed8"),
    ("resolved", t.CHART_RESOLVED, "#15803d"),
    ("overdue", t.CHART_OVERDUE, "#b91c1c"),
)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str  # what a pointer or a screen reader gets: "11/23 新收 5"


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[tuple[float, str]]  # (x, week label)
    series: tuple[tuple[str, str, str], ...]
    baseline: float


def _step(top: int) -> int:
    """A round tick step giving at most five ticks."""
    raw = max(top / 5, 1)
    magnitude: int = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def weekly_chart(weeks: list[Week]) -> Chart:
    """Bars for each week's filed, resolved and overdue counts (storage.report_weeks.Week)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max([1, *(getattr(w, key) for w in weeks for key, _, _ in SERIES)])
    step = _step(peak)
    top = step * math.ceil(peak / step)
    slot = plot_w / max(len(weeks), 1)
    bar_w = slot * 0.8 / len(SERIES)
    bars, labels = [], []
    for i, week in enumerate(weeks):
        label = t.CHART_WEEK.format(month=week.start.month, day=week.start.day)
        x0 = LEFT + i * slot + slot * 0.1
        for j, (key, name, color) in enumerate(SERIES):
            value = getattr(week, key)
            h = plot_h * value / top
            bars.append(
                Bar(
                    round(x0 + j * bar_w, 1),
                    round(TOP + plot_h - h, 1),
                    round(bar_w - 1, 1),
                    round(h, 1),
                    color,
                    f"{label} {name} {value}",
                )
            )
        labels.append((round(LEFT + i * slot + slot / 2, 1), label))
    ticks = [
        Tick(round(TOP + plot_h - plot_h * v / top, 1), str(v)) for v in range(0, top + 1, step)
    ]
    return Chart(WIDTH, HEIGHT, bars, ticks, labels, SERIES, TOP + plot_h)
