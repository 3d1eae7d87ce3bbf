"""Safety tools: pre-consultation screening, side-effect check and aftercare plans (rules as cited data)."""
