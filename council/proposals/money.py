"""A proposal's cost estimate: the exact money parser of the pure core (council.books.money),
whose messages say 费用 by default."""

from __future__ import annotations

from council.books.money import MAX_FEN, format_fen, input_fen, parse_fen

__all__ = ["MAX_FEN", "format_fen", "input_fen", "parse_fen"]
