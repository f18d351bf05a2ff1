"""The minutes preview writes the HTML page too (W), beside the Markdown file (w)."""

from __future__ import annotations

from tests.ui.conftest import message, ready, settle

SIZE = (120, 40)


async def test_capital_w_writes_the_minutes_as_an_html_page(app_factory, tmp_path, monkeypatch):
    from labreview.ui.screens.minutes import MinutesScreen

    monkeypatch.chdir(tmp_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("o", "e")
        await settle(pilot)
        assert isinstance(app.screen, MinutesScreen)
        await pilot.press("W")
        await settle(pilot)
        await pilot.press("enter")
        for _ in range(20):
            await settle(pilot)
            if (tmp_path / "minutes-2026-Q4.html").exists():
                break
        page = (tmp_path / "minutes-2026-Q4.html").read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and "Minutes of the 2026-Q4 portfolio review" in page
        assert "Wrote" in message(app) and "minutes-2026-Q4.html" in message(app)
