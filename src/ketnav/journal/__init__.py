"""The treatment journal: sessions, scale scores, side effects, blood pressure, notes; response and
remission; charts; sharing with a clinician; exports (JSON, CSV, FHIR R4) and CSV import."""
