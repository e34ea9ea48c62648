"""Charts of the city report (matplotlib, Agg, no pyplot state): PNG bytes, same input → same bytes.

Every chart carries its own title, so the PNGs stand alone as well as inside the Word report.
"""

from __future__ import annotations

import io
import subprocess
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

# Preferred faces, first available wins: Noto (Linux), WenQuanYi (older Linux), SimHei and
# Microsoft YaHei (Windows).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei")
# What the command tells its user when charts are drawn without a CJK font (see `font_note`) …
NO_FONT_NOTE = "未找到中文字体（请安装 fonts-noto-cjk），图表中的中文可能显示为方框"
# … and what the image itself says, in English on purpose: without the font its Chinese is boxes.
IMAGE_NOTE = "No CJK font found (install fonts-noto-cjk): Chinese text may show as boxes"
DPI = 200
FC_TIMEOUT_S = 10
WIDTH_IN = 6.3  # the type area of the report is 156 mm
GOOD, WARN, BAD, NONE, BAR = "#3B8C5A", "#E3A21A", "#C0392B", "#B8B8B8", "#3A6EA5"


@dataclass(frozen=True)
class Segment:
    label: str
    count: int
    color: str


@cache
def cjk_font() -> str | None:
    """The first installed CJK face, or None. matplotlib lists the fonts it found when it first
    built its cache; fonts installed since are only known to fontconfig, so they are added from there."""
    from matplotlib import font_manager

    found = _preferred(font_manager.fontManager.ttflist)
    if found is None:
        added = [_add_font(path) for path in fontconfig_cjk_files()]
        found = _preferred(font_manager.fontManager.ttflist) or next((name for name in added if name), None)
    return found


def _preferred(fonts) -> str | None:  # type: ignore[no-untyped-def]
    installed = {f.name for f in fonts}
    return next((name for name in CJK_FONTS if name in installed), None)


def fontconfig_cjk_files() -> list[str]:
    """The files of the Chinese fonts fontconfig knows; none where fontconfig is absent (Windows)."""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=FC_TIMEOUT_S,
                                check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted({line.rstrip().removesuffix(":").strip() for line in listed.splitlines() if line.strip()})


def _add_font(path: str) -> str | None:
    """The family name of the font file once matplotlib knows it; None for a file it cannot read."""
    from matplotlib import font_manager

    try:
        font_manager.fontManager.addfont(path)
        return font_manager.get_font(path).family_name
    except (OSError, RuntimeError, ValueError):
        return None


def font_note() -> str:
    """NO_FONT_NOTE when the charts are drawn without a CJK font, else "": for the caller to tell
    once, instead of matplotlib's warning for every missing glyph (which the charts silence)."""
    return NO_FONT_NOTE if cjk_font() is None else ""


def _figure(height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    if cjk_font() is None:
        fig.text(0.01, 0.005, IMAGE_NOTE, fontsize=7, color=BAD, fontfamily="DejaVu Sans")
    out = io.BytesIO()
    # No Software/date chunks: the PNG depends on the data alone.
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return out.getvalue()


@contextmanager
def _style() -> Iterator[None]:
    """The charts' look. Without a CJK font, matplotlib's warning per missing glyph (a hundred
    lines for one report) is silenced: `font_note` says it once."""
    import matplotlib

    font = cjk_font()
    with warnings.catch_warnings(), matplotlib.rc_context({
        "font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
        "axes.unicode_minus": False,  # CJK faces often lack U+2212
        "font.size": 9,
        "axes.spines.top": False, "axes.spines.right": False,
        "svg.hashsalt": "qtx-report", "path.simplify": True,
    }):
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        yield


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def bar_chart(title: str, items: Sequence[tuple[str, int]], *, whole: int | None = None, note: str = "",
              empty: str = "无数据") -> bytes:
    """Horizontal bars, first item on top, each labelled with its count and its share of `whole`
    (default: the sum of the items)."""
    with _style():
        fig = _figure(max(2.0, 0.8 + 0.27 * len(items) + (0.2 if note else 0)))
        ax = fig.add_subplot()
        ax.set_title(title, fontsize=11, fontweight="bold", loc="left")
        whole = sum(count for _, count in items) if whole is None else whole
        if not items or not any(count for _, count in items):
            ax.text(0.5, 0.5, empty, ha="center", va="center", fontsize=11, transform=ax.transAxes)
            ax.set_axis_off()
            return _png(fig)
        names = [name for name, _ in items][::-1]
        counts = [count for _, count in items][::-1]
        bars = ax.barh(names, counts, color=BAR, height=0.62)
        ax.bar_label(bars, labels=[f"{c}（{_share(c, whole)}）" for c in counts], padding=3, fontsize=8)
        ax.set_xlim(0, max(counts) * 1.3)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", length=0, labelbottom=False)
        ax.spines["bottom"].set_visible(False)
        if note:
            ax.set_xlabel(note, fontsize=8, color="#555555", loc="left")
        return _png(fig)


def share_chart(title: str, rows: Sequence[tuple[str, Sequence[Segment]]]) -> bytes:
    """One 100 % bar per row (e.g. 按时报送 / 勾稽平衡), each with its own legend giving every
    segment's count and share, so small segments stay readable."""
    with _style():
        fig = _figure(0.5 + 1.05 * len(rows))
        fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left")
        for ax, (name, segments) in zip(fig.subplots(len(rows), 1, squeeze=False)[:, 0], rows, strict=True):
            whole = sum(s.count for s in segments)
            left, handles = 0.0, []
            for segment in segments:
                width = segment.count / whole if whole else 0.0
                handles.append(ax.barh(0, width, left=left, color=segment.color, height=0.8,
                                       label=f"{segment.label} {segment.count}（{_share(segment.count, whole)}）"))
                if width >= 0.08:
                    ax.text(left + width / 2, 0, f"{width:.0%}", ha="center", va="center", fontsize=8,
                            color="black" if segment.color == NONE else "white")
                left += width
            ax.set_xlim(0, 1)
            ax.set_ylim(-0.5, 0.5)
            ax.set_yticks([0], [name])
            ax.tick_params(axis="y", length=0)
            ax.tick_params(axis="x", length=0, labelbottom=False)
            ax.spines["bottom"].set_visible(False)
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.05), ncol=len(handles),
                      frameon=False, fontsize=8, handlelength=1.0, columnspacing=1.2)
        return _png(fig)
