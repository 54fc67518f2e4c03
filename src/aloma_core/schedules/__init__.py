"""Schedules: tasks created at the slots of a cron expression (semantics.md section 6).

`cron` reads an expression in a time zone and gives the next slot, `definition` checks what a
workspace asks for when it sets one, `firing` turns a due schedule into one task, never two.
"""
