"""Notifications: the pass, its messages, channels, schedule and proof of notice."""
