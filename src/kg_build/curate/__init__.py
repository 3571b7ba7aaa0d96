"""Tools for curators: finding quotes in a source's text (quote.py)."""
