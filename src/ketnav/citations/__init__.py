"""The single bibliography shared by the guide, the safety rules, the PK models and the clinic checklist."""
