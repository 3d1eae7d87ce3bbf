"""Validated self-report scales (GAD-7, PHQ-9, PCL-5) as data, with their exact published scoring.

Pure: no Django, no I/O beyond reading the packaged ``scales.yaml`` once.
"""
