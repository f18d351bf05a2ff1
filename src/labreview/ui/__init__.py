"""Everything that imports Textual: the app, its screens, dialogs and widgets, the command palette.

Below this package nothing imports Textual or Rich; this package reaches the database only through
``labreview.portfolio`` (and ``labreview.portfolio.startup`` before the service layer has loaded).
"""
