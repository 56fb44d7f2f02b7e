"""Candidate portal and office pages of applications (thin: parse, check, call a service)."""
