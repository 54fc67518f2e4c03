"""Notifications: who hears of tasks that end in `error` or `incomplete` (settings.notify)."""
