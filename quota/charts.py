"""Daily bar charts drawn as SVG on the server: a date axis, a value axis with gridlines and
units, one column per day, and per column the exact value that static/js/charts.js shows on
touch or hover (the table under each chart shows the same numbers without JavaScript).

Pure geometry in Decimal: coordinates are Decimals quantized for the SVG, values are never
rounded.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from math import ceil

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.money import format_cny

WIDTH = 480
HEIGHT = 228
LEFT = 60  # room for the value labels
RIGHT = 8
TOP = 24  # room for the axis title
BOTTOM = 36  # room for the date labels
X_LABELS = 6  # at most this many dates under the axis
Y_STEPS = 4  # about this many gridlines
SPAN = Decimal(HEIGHT - BOTTOM - TOP)  # the plot's height
BASE = Decimal(HEIGHT - BOTTOM)  # y of the value 0


def _at(value: Decimal, places: str = "0.01") -> Decimal:
    """A coordinate as written in the SVG."""
    return value.quantize(Decimal(places))


def _y(value: Decimal | int, top: Decimal) -> Decimal:
    """The y of a value on an axis that ends at `top`."""
    return BASE - Decimal(value) / top * SPAN


@dataclass(frozen=True)
class Gridline:
    y: Decimal
    label: str


@dataclass(frozen=True)
class DateLabel:
    x: Decimal
    label: str


@dataclass(frozen=True)
class Segment:
    y: Decimal
    height: Decimal
    css: str


@dataclass(frozen=True)
class Column:
    day: date
    x: Decimal
    width: Decimal
    slot_x: Decimal
    slot_width: Decimal
    segments: tuple[Segment, ...]
    cells: tuple[str, ...]  # the day's exact values, under the chart's `head`
    readout: str  # what a tap shows: "2026-05-01 · Used 45,000,000 · Charged 5,000,000"


@dataclass(frozen=True)
class Chart:
    title: str
    axis_title: str
    head: tuple[str, ...]
    columns: tuple[Column, ...]
    gridlines: tuple[Gridline, ...]
    dates: tuple[DateLabel, ...]
    line_points: str  # a step line (quota), or ""
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.plot_top

    @property
    def tick_x(self) -> int:
        return self.plot_left - 6

    @property
    def date_y(self) -> int:
        return self.plot_bottom + 22


def nice_step(top: Decimal | int, steps: int = Y_STEPS) -> Decimal:
    """The gridline step: 1, 2 or 5 times a power of ten, so that about `steps` lines cover top."""
    rough = Decimal(top) / steps if top else Decimal(1)
    power = Decimal(10) ** (rough.adjusted())
    for multiple in (1, 2, 5, 10):
        if power * multiple >= rough:
            return power * multiple
    return power * 10  # pragma: no cover - the loop always returns


def compact(value: Decimal | int) -> str:
    """A short axis label: 40M, 1.5k in English; 4000万, 1.5亿 in Chinese."""
    value = Decimal(value)
    if (get_language() or "").startswith("zh"):
        scales = [(Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万")]
    else:
        scales = [(Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k")]
    for scale, suffix in scales:
        if abs(value) >= scale:
            return f"{(value / scale).normalize():f}{suffix}"
    return f"{value.normalize():f}"


def _gridlines(top: Decimal, step: Decimal, prefix: str) -> tuple[Gridline, ...]:
    lines = []
    for index in range(int(top / step) + 1):
        value = step * index
        lines.append(Gridline(y=_at(_y(value, top), "0.1"), label=prefix + compact(value)))
    return tuple(lines)


def _dates(days: Sequence[date], slot: Decimal) -> tuple[DateLabel, ...]:
    every = max(1, ceil(len(days) / X_LABELS))
    return tuple(
        DateLabel(x=_at(LEFT + (index + Decimal("0.5")) * slot, "0.1"), label=f"{day:%m-%d}")
        for index, day in enumerate(days)
        if index % every == 0
    )


def _columns(days, stacks, classes, head, cells, top: Decimal) -> tuple[Column, ...]:
    slot = Decimal(WIDTH - LEFT - RIGHT) / max(len(days), 1)
    gap = min(Decimal(2), slot * Decimal("0.2"))
    columns = []
    for index, day in enumerate(days):
        values = tuple(cells(index))
        base = BASE
        segments = []
        for stack, css in zip(stacks, classes, strict=True):
            height = Decimal(stack[index]) / top * SPAN
            if height > 0:
                segments.append(Segment(y=_at(base - height), height=_at(height), css=css))
            base -= height
        readout = [f"{day:%Y-%m-%d}"]
        readout += [f"{name} {value}" for name, value in zip(head, values, strict=True)]
        columns.append(
            Column(
                day=day,
                x=_at(LEFT + index * slot + gap / 2),
                width=_at(slot - gap),
                slot_x=_at(LEFT + index * slot),
                slot_width=_at(slot),
                segments=tuple(segments),
                cells=values,
                readout=" · ".join(readout),
            )
        )
    return tuple(columns)


def _step_line(line: Sequence[int], slot: Decimal, top: Decimal) -> str:
    steps = []
    for index, value in enumerate(line):
        y = _at(_y(value, top), "0.1")
        left, right = _at(LEFT + index * slot, "0.1"), _at(LEFT + (index + 1) * slot, "0.1")
        steps.append(f"{left},{y} {right},{y}")
    return " ".join(steps)


def bar_chart(
    *,
    title: str,
    axis_title: str,
    days: Sequence[date],
    stacks: Sequence[Sequence[Decimal | int]],
    classes: Sequence[str],
    head: Sequence[str],
    cells: Callable[[int], Sequence[str]],
    line: Sequence[int] | None = None,
    prefix: str = "",
    whole: bool = False,
) -> Chart:
    """One column per day; stacks[k][i] is the k-th segment of day i (from the bottom up), drawn
    with classes[k]; cells(i) are day i's values as text, one per `head`.

    `line` draws a step line (a quota) over the bars; `prefix` goes before every value label
    ("¥"); `whole` keeps the gridlines on whole numbers (hosts, records).
    """
    tallest = max([sum(values) for values in zip(*stacks, strict=True)] + list(line or []) + [0])
    step = max(nice_step(tallest), Decimal(1)) if whole else nice_step(tallest)
    top = step * max(1, ceil(Decimal(tallest) / step))
    slot = Decimal(WIDTH - LEFT - RIGHT) / max(len(days), 1)
    return Chart(
        title=title,
        axis_title=axis_title,
        head=tuple(head),
        columns=_columns(days, stacks, classes, head, cells, top),
        gridlines=_gridlines(top, step, prefix),
        dates=_dates(days, slot),
        line_points=_step_line(line, slot, top) if line is not None else "",
    )


def cost_chart(days: Sequence) -> Chart:
    """What each day of the consumption page's range cost (days: totals with key, bills and
    amount_due)."""
    return bar_chart(
        title=_("What each day cost"),
        axis_title=_("CNY a day (amount due)"),
        days=[total.key for total in days],
        stacks=[[total.amount_due for total in days]],
        classes=["bar-cost"],
        head=[_("Amount due"), _("Bills")],
        cells=lambda index: [format_cny(days[index].amount_due), str(days[index].bills)],
        prefix="¥",
    )


def usage_chart(*, item, days: Sequence[date], used: dict, pools: dict) -> Chart:
    """A package's daily converted use of one item, covered and charged, under its pool (plan
    quota plus traffic packs). used: (day, code) → (converted, PAYG); pools: (day, code) → int."""
    code = item.code
    converted = [used.get((day, code), (0, 0))[0] for day in days]
    charged = [used.get((day, code), (0, 0))[1] for day in days]
    pool = [pools.get((day, code), 0) for day in days]
    return bar_chart(
        title=item.display_name,
        axis_title=_("%(item)s a day, converted") % {"item": item.display_name},
        days=days,
        stacks=[[c - p for c, p in zip(converted, charged, strict=True)], charged],
        classes=["bar-covered", "bar-overage"],
        head=[_("Used"), _("Covered"), _("Charged"), _("Quota + packs")],
        cells=lambda index: [
            f"{converted[index]:,}",
            f"{converted[index] - charged[index]:,}",
            f"{charged[index]:,}",
            f"{pool[index]:,}",
        ],
        line=pool,
        whole=True,
    )
