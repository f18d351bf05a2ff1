"""A QR code drawn in the terminal: two modules per character row, with Unicode half blocks.

``segno`` makes the matrix (pure Python); this module draws it. A terminal's text is light on dark in most
themes, and a QR code must be dark modules on a light ground to scan everywhere, so the drawing never
leaves the colours to the theme: the ink (the foreground) is white and draws the *light* modules, the
background is black and is what the *dark* modules show. ``█`` is a light module over a light one, ``▀``
light over dark, ``▄`` dark over light, a space dark over dark. The quiet zone around the code is light.

``matrix_of`` turns a drawing back into modules (the tests compare it with segno's own matrix).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

LIGHT_INK = Style(color="#ffffff", bgcolor="#000000")
"""Every cell of the code: white ink (light modules) on black (dark modules), whatever the theme."""

QUIET = 4
"""The quiet zone (in modules) that the QR standard asks for around the code."""

_CELL = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
"""(top light, bottom light) → the character that draws them."""
_BACK = {char: pair for pair, char in _CELL.items()}


def modules(data: str, *, border: int = QUIET) -> list[list[bool]]:
    """The code's modules for ``data`` (True: dark), with ``border`` light modules around it."""
    import segno  # deferred: only the seats screen draws codes, long after the first frame

    code = segno.make(data, error="l", micro=False)  # the smallest version; segno raises the error level if it fits
    return [[bool(bit) for bit in row] for row in code.matrix_iter(scale=1, border=border)]


def draw(matrix: list[list[bool]]) -> list[str]:
    """The lines that draw ``matrix`` (True: dark), two module rows per line; an odd last row gets a light one below."""
    rows = [list(row) for row in matrix]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    return [
        "".join(_CELL[(not top, not bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]


def matrix_of(lines: list[str]) -> list[list[bool]]:
    """The modules a drawing shows (True: dark): ``draw`` read back."""
    matrix: list[list[bool]] = []
    for line in lines:
        pairs = [_BACK[char] for char in line]
        matrix.append([not top for top, _bottom in pairs])
        matrix.append([not bottom for _top, bottom in pairs])
    return matrix


def qr_text(data: str, *, border: int = QUIET) -> Text:
    """``data`` as a QR code to put in a ``Static``: fixed colours, one line per two module rows."""
    return Text("\n".join(draw(modules(data, border=border))), style=LIGHT_INK, no_wrap=True, overflow="crop")
