"""Clinics and costs: a transparent quality checklist and the exact total cost of a course."""
