"""``labreview serve``: board members and remote attendees at their own devices, through personal links.

A small ASGI app (Starlette, served by uvicorn, Jinja2 templates) over the service layer (``labreview.portfolio``),
beside the terminal UI: it never imports Textual, Rich or the store. ``app.create_app`` builds it; ``serve.run``
serves it. Nothing is imported here: the package is loaded only by the command that needs it.
"""
