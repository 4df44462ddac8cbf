"""Turns articles into a searchable index (the admin side)."""
