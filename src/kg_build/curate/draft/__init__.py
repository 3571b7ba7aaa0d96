"""`kg draft`: a first draft of every fact of an article's text, in the ordinary fact format,
each record marked `draft:` with what was guessed, for a curator to review.

text -> sentences -> dates, names of known things, gazetteer places, candidate things,
numbers -> records (draft/records.py) -> YAML (draft/render.py). Nothing here writes files.
"""
