"""Bar charts as plain geometry, drawn as inline SVG by the templates: nothing to download."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    caption: str = ""


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    maximum: int


def bar_chart(
    values: list[tuple[str, int]],
    *,
    width: int = 720,
    height: int = 200,
    gap: float = 0.2,
    captions: list[str] | None = None,
) -> Chart:
    """Vertical bars scaled to the largest value, left to right in the given order."""
    maximum = max((value for _, value in values), default=0)
    slot = width / max(len(values), 1)
    bars = []
    for index, (label, value) in enumerate(values):
        bar_height = height * value / maximum if maximum else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(index * slot + slot * gap / 2, 2),
                y=round(height - bar_height, 2),
                width=round(slot * (1 - gap), 2),
                height=round(bar_height, 2),
                caption=captions[index] if captions else "",
            )
        )
    return Chart(bars=bars, width=width, height=height, maximum=maximum)
