"""Charts as inline SVG, drawn in Python for the PDF (and any page that wants them).

Amounts come in as `Decimal`; only the drawing coordinates are floats. Every text
element names its font family: WeasyPrint falls back to a serif font otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
COLORS = ("#2f6fb3", "#d9822b", "#3a9a5b", "#b3413a", "#7d5ba6", "#8c6d46", "#c3519a", "#6b7b8c")
WIDTH = 680


def _text(
    x: float, y: float, text: str, size: int = 10, anchor: str = "start", fill: str = "#222"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
    )


def _svg(height: float, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{escape(title)}">'
        + "".join(body)
        + "</svg>"
    )


def _label(value: Decimal) -> str:
    return f"{value:,}"


def bar_chart(title: str, items: Sequence[tuple[str, Decimal]]) -> str:
    """Horizontal bars, one per item (negative values draw from zero to the left)."""
    rows = list(items)[:20]
    row_height, left, right = 22, 200, 110
    height = 30 + row_height * max(1, len(rows))
    largest = max((abs(v) for _, v in rows), default=Decimal(0)) or Decimal(1)
    span = WIDTH - left - right
    body = [_text(0, 16, title, 12)]
    for index, (name, value) in enumerate(rows):
        y = 28 + index * row_height
        length = float(abs(value) / largest) * span
        x = left if value >= 0 else left - length
        body.append(
            f'<rect x="{max(x, 0):.1f}" y="{y:.1f}" width="{length:.1f}" height="{row_height - 6}" '
            f'fill="{COLORS[index % len(COLORS)]}"/>'
        )
        body.append(_text(left - 6, y + 12, name[:32], 10, "end"))
        body.append(_text(left + length + 6, y + 12, _label(value), 10))
    return _svg(height, body, title)


def column_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal]]]
) -> str:
    """Grouped columns: one group per label, one column per series (with a legend)."""
    height, top, bottom, left = 260, 40, 40, 70
    plot_height = height - top - bottom
    values = [v for _, vs in series for v in vs]
    high = max([Decimal(0), *values]) or Decimal(1)
    low = min([Decimal(0), *values])
    scale = plot_height / float(high - low or 1)
    zero = top + float(high) * scale
    group = (WIDTH - left - 10) / max(1, len(labels))
    column = group * 0.8 / max(1, len(series))
    body = [_text(0, 16, title, 12)]
    for index, (name, _) in enumerate(series):
        x = left + index * 140
        body.append(f'<rect x="{x}" y="22" width="10" height="10" fill="{COLORS[index]}"/>')
        body.append(_text(x + 14, 31, name, 10))
    body.append(_text(left - 6, top + 4, _label(high), 9, "end"))
    body.append(_text(left - 6, zero + 4, "0", 9, "end"))
    body.append(
        f'<line x1="{left}" y1="{zero:.1f}" x2="{WIDTH - 10}" y2="{zero:.1f}" stroke="#999"/>'
    )
    for g, label in enumerate(labels):
        gx = left + g * group + group * 0.1
        for s, (_, vs) in enumerate(series):
            value = float(vs[g])
            bar = abs(value) * scale
            y = zero - bar if value >= 0 else zero
            body.append(
                f'<rect x="{gx + s * column:.1f}" y="{y:.1f}" width="{column:.1f}" '
                f'height="{bar:.1f}" fill="{COLORS[s % len(COLORS)]}"/>'
            )
        if len(labels) <= 24 or g % 3 == 0:
            body.append(_text(gx + group * 0.4, height - bottom + 14, label, 8, "middle"))
    return _svg(height, body, title)


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal]]]
) -> str:
    """Lines over time, one per series, with a legend and the zero line."""
    height, top, bottom, left = 260, 40, 40, 80
    plot_height = height - top - bottom
    values = [v for _, vs in series for v in vs]
    high = max([Decimal(0), *values]) or Decimal(1)
    low = min([Decimal(0), *values])
    scale = plot_height / float(high - low or 1)
    step = (WIDTH - left - 10) / max(1, len(labels) - 1)
    body = [_text(0, 16, title, 12)]
    zero = top + float(high) * scale
    body.append(
        f'<line x1="{left}" y1="{zero:.1f}" x2="{WIDTH - 10}" y2="{zero:.1f}" stroke="#999"/>'
    )
    body.append(_text(left - 6, top + 4, _label(high), 9, "end"))
    body.append(_text(left - 6, top + plot_height + 4, _label(low), 9, "end"))
    for index, (name, vs) in enumerate(series):
        color = COLORS[index % len(COLORS)]
        points = " ".join(
            f"{left + i * step:.1f},{zero - float(v) * scale:.1f}" for i, v in enumerate(vs)
        )
        body.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        body.append(
            f'<rect x="{left + index * 140}" y="22" width="10" height="10" fill="{color}"/>'
        )
        body.append(_text(left + index * 140 + 14, 31, name, 10))
    every = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(_text(left + i * step, height - bottom + 14, label, 8, "middle"))
    return _svg(height, body, title)


def sankey(
    title: str,
    nodes: Sequence[tuple[str, str, int]],
    links: Sequence[tuple[str, str, Decimal]],
) -> str:
    """A three-column Sankey: sources (column 0) into a hub (1) out to targets (2).

    ``nodes`` are (id, label, column); ``links`` (source, target, value)."""
    height, top, gap, node_width = 360, 30, 6, 14
    columns: dict[int, list[tuple[str, str]]] = {0: [], 1: [], 2: []}
    for node_id, label, column in nodes:
        columns[column].append((node_id, label))
    size: dict[str, Decimal] = {}
    for source, target, value in links:
        size[source] = size.get(source, Decimal(0)) + value
        size[target] = size.get(target, Decimal(0)) + value
    hub_total = max(
        sum((size.get(n, Decimal(0)) for n, _ in columns[c]), Decimal(0)) for c in (0, 2)
    )
    hub_total = hub_total or Decimal(1)
    usable = height - top - 10 - gap * max(len(columns[0]), len(columns[2]), 1)
    scale = usable / float(hub_total)
    xs = {0: 150.0, 1: WIDTH / 2 - node_width / 2, 2: WIDTH - 170.0}
    place: dict[str, tuple[float, float, float]] = {}
    body = [_text(0, 16, title, 12)]
    for column, members in columns.items():
        y = float(top)
        for index, (node_id, label) in enumerate(members):
            if column == 1:
                node_height = float(hub_total) * scale
            else:
                node_height = max(1.0, float(size.get(node_id, Decimal(0))) * scale)
            place[node_id] = (xs[column], y, node_height)
            color = "#555" if column == 1 else COLORS[index % len(COLORS)]
            body.append(
                f'<rect x="{xs[column]:.1f}" y="{y:.1f}" width="{node_width}" '
                f'height="{node_height:.1f}" fill="{color}"/>'
            )
            amount = _label(size.get(node_id, Decimal(0)))
            if column == 0:
                body.append(
                    _text(xs[0] - 6, y + node_height / 2 + 4, f"{label} {amount}", 9, "end")
                )
            elif column == 2:
                body.append(
                    _text(xs[2] + node_width + 6, y + node_height / 2 + 4, f"{label} {amount}", 9)
                )
            y += node_height + gap
    offsets = dict.fromkeys(place, 0.0)
    for index, (source, target, value) in enumerate(links):
        if source not in place or target not in place:
            continue
        thickness = float(value) * scale
        sx, sy, _ = place[source]
        tx, ty, _ = place[target]
        y0 = sy + offsets[source] + thickness / 2
        y1 = ty + offsets[target] + thickness / 2
        offsets[source] += thickness
        offsets[target] += thickness
        x0, x1 = sx + node_width, tx
        middle = (x0 + x1) / 2
        body.append(
            f'<path d="M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} '
            f'{x1:.1f},{y1:.1f}" stroke="{COLORS[index % len(COLORS)]}" stroke-opacity="0.45" '
            f'stroke-width="{max(thickness, 1):.1f}" fill="none"/>'
        )
    return _svg(height, body, title)
