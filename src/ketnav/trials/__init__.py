"""ClinicalTrials.gov: study records, normalizers (API v2 JSON, legacy XML), loading, sync and search."""
