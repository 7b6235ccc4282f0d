"""Charts drawn as SVG on the server: nothing loaded from elsewhere (the content security
policy and the GDPR exclude a third-party chart library), readable without JavaScript,
printed as they are. Each chart is an `img` for screen readers with a `title` and a
`desc`; its numbers are in the table under it. Series differ by pattern as well as by
colour (never colour alone), and the legend names them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 56
#: (fill colour, pattern) of each series: solid, hatched, dotted.
_STYLES = (("#1f4e79", None), ("#c55a11", "hatch"), ("#548235", "dots"))
_MAX_LABELS = 12


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _defs(key: str) -> str:
    parts = []
    for index, (colour, pattern) in enumerate(_STYLES):
        if pattern == "hatch":
            parts.append(
                f'<pattern id="{key}-p{index}" width="6" height="6" '
                f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                f'<rect width="6" height="6" fill="#ffffff"/>'
                f'<rect width="3" height="6" fill="{colour}"/></pattern>')
        elif pattern == "dots":
            parts.append(
                f'<pattern id="{key}-p{index}" width="5" height="5" '
                f'patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="{colour}"/>'
                f'<circle cx="2.5" cy="2.5" r="1.2" fill="#ffffff"/></pattern>')
    return f"<defs>{''.join(parts)}</defs>"


def _fill(key: str, index: int) -> str:
    colour, pattern = _STYLES[index % len(_STYLES)]
    return f"url(#{key}-p{index % len(_STYLES)})" if pattern else colour


def _open(key: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart" id="{key}-chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{key}-title {key}-desc">',
        f'<title id="{key}-title">{escape(title)}</title>',
        f'<desc id="{key}-desc">{escape(desc)}</desc>',
        _defs(key),
    ]


def _legend(key: str, names: Sequence[str]) -> list[str]:
    parts, x = [], LEFT
    for index, name in enumerate(names):
        parts.append(f'<rect x="{x}" y="10" width="14" height="14" fill="{_fill(key, index)}" '
                     f'stroke="#333333"/>')
        parts.append(f'<text x="{x + 20}" y="22" font-size="13">{escape(name)}</text>')
        x += 28 + 8 * len(name)
    return parts


def _axis(top: float, text: Callable[[float], str]) -> list[str]:
    parts, plot = [], HEIGHT - TOP - BOTTOM
    for step in range(5):
        value = top * step / 4
        y = HEIGHT - BOTTOM - plot * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d9d9d9"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{escape(text(value))}</text>')
    return parts


def bars(key: str, title: str, desc: str, labels: Sequence[str],
         series: Sequence[tuple[str, Sequence[float]]],
         text: Callable[[float], str] = lambda v: f"{v:g}".replace(".", ",")) -> Markup:
    """Grouped vertical bars: one group per label, one bar per series."""
    parts = _open(key, title, desc)
    numbers = [v for _, values in series for v in values]
    top = _nice_max(max([float(v) for v in numbers] or [0]))
    if all(isinstance(v, int) for v in numbers):
        top = -(-top // 4) * 4  # counts: whole ticks
    parts += _axis(top, text)
    parts += _legend(key, [name for name, _ in series])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_w / max(len(labels), 1)
    bar = max(group * 0.8 / max(len(series), 1), 1)
    every = max(1, -(-len(labels) // _MAX_LABELS))
    for i, label in enumerate(labels):
        x0 = LEFT + i * group + group * 0.1
        for s, (_name, values) in enumerate(series):
            height = plot_h * float(values[i]) / top
            parts.append(f'<rect x="{x0 + s * bar:.1f}" y="{HEIGHT - BOTTOM - height:.1f}" '
                         f'width="{bar:.1f}" height="{height:.1f}" fill="{_fill(key, s)}" '
                         f'stroke="#333333" stroke-width="0.5"/>')
        if i % every == 0:
            parts.append(f'<text x="{x0 + group * 0.4:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'font-size="11" text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" '
                 f'y2="{HEIGHT - BOTTOM}" stroke="#333333"/></svg>')
    return Markup("".join(parts))


def hbars(key: str, title: str, desc: str, labels: Sequence[str], values: Sequence[float],
          text: Callable[[float], str] = lambda v: f"{v:g}", top: float | None = None) -> Markup:
    """Horizontal bars, one per label, its value written at its end."""
    rows = max(len(labels), 1)
    height = TOP + 28 * rows + 16
    parts = _open(key, title, desc)
    parts[0] = parts[0].replace(f'0 0 {WIDTH} {HEIGHT}', f'0 0 {WIDTH} {height}')
    top = top or _nice_max(max([float(v) for v in values] or [0]))
    left, plot_w = 260, WIDTH - 260 - 90
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + 28 * i
        width = plot_w * min(float(value), top) / top
        parts.append(f'<text x="{left - 8}" y="{y + 15}" font-size="12" '
                     f'text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{width:.1f}" height="20" '
                     f'fill="{_fill(key, 0)}"/>')
        parts.append(f'<text x="{left + width + 6:.1f}" y="{y + 15}" font-size="12">'
                     f'{escape(text(float(value)))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
