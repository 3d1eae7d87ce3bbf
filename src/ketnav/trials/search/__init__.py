"""Search over the local registry (the query parser, synonyms and snippets are in ``ketnav.text``).

Pure (no Django, no I/O):
    filters.py    filters and sorts, validated at the boundary
    geo.py        distances and place names
    documents.py  what the text index holds for a study
    kernels.py    numpy: columns, filters, facets, per-term scores, site points, ordering
Django:
    backends/     all SQL, one module per database behind ``base.Backend``
    state.py      ``SearchIndex``: what is kept in memory, its invalidation, staleness and warming
    engine.py     ``search()``: one page of results
    index.py      keeping the text index, gazetteer and synonyms in step with every write
    places.py     resolving a place through the registry-built gazetteer
    serialize.py  results and records as JSON-ready dicts
"""
