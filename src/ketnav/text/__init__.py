"""Text tools shared by the guide search and the trial search, so neither domain imports the other's.

Pure (no Django, no I/O):
    query.py      what a person types -> words, phrases, prefixes (rendered per engine, never raw)
    synonyms.py   curated and learned synonyms, widening a query into groups of alternatives
    snippets.py   the light stemmer, highlighted snippets and "why it matched"
"""
