"""The guide: six cited topic pages and a references page, built from a knowledge base of facts."""
