"""Getting the portfolio in and out: Markdown minutes, CSV import and export. No Textual here.

Modules are imported by name (``labreview.exchange.minutes``, ``…csv_read``);
this package does no work at import time.
"""
