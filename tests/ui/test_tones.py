"""Colours of meaning come from the theme: readable on light and dark, redrawn when the theme changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.color import Color

from labreview.ui.tones import paint, tone
from tests.ui.conftest import ready, settle

SRC = Path(__file__).resolve().parents[2] / "src" / "labreview" / "ui"
WORDS = ["good", "warn", "bad", "note", "muted"]


def contrast(a: Color, b: Color) -> float:
    def luminance(c: Color) -> float:
        def channel(v: int) -> float:
            v = v / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "solarized-light", "nord"])
async def test_every_tone_reads_on_the_surface(app_factory, theme):
    app = app_factory()
    async with app.run_test() as pilot:
        await ready(pilot)
        app.theme = theme
        await settle(pilot)
        surface = Color.parse(app.get_css_variables()["surface"])
        for word in WORDS:
            assert contrast(Color.parse(tone(app, word)), surface) >= 3.0, (theme, word, tone(app, word))
        alarm = paint(app, "alarm")
        fg, bg = re.match(r"bold (#\w+) on (#\w+)", alarm).groups()
        assert contrast(Color.parse(fg), Color.parse(bg)) >= 3.0


async def test_switching_theme_redraws_text_built_in_python(app_factory):
    """The scorecard's "AI-heavy" mark (Rich text) changes colour with the theme, without leaving the screen."""
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("enter")  # EXP-102, AI-heavy, on the scorecard
        await settle(pilot)

        def ai_colour() -> str:
            for widget in app.screen.query("Static"):
                content = widget.render()
                spans = getattr(content, "spans", [])
                text = getattr(content, "plain", "")
                for span in spans:
                    if "AI-heavy" in text[span.start : span.end]:
                        return str(span.style)
            raise AssertionError("no AI-heavy mark on the scorecard")

        def expected() -> str:
            return "rgb({},{},{})".format(*Color.parse(tone(app, "note")).rgb)

        dark = ai_colour()
        assert expected() in dark
        app.theme = "textual-light"
        await settle(pilot)
        light = ai_colour()
        assert light != dark
        assert expected() in light


def test_no_colour_names_in_the_ui():
    """Rich colour names bypass the theme (invisible on light backgrounds); the UI uses tones.paint instead."""
    names = r"red|green|yellow|magenta|cyan|blue|white|black|orange|gr[ae]y"
    pattern = re.compile(rf"""(style\s*=\s*|:\s*|\()["'](?:bold |italic )*(?:{names})\b""")
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert offenders == []
