"""Webhooks: tasks that enter through `POST /v1/hooks/{key}` (semantics.md section 6).

`definition` checks what a workspace asks for when it creates one, `signing` verifies a sender's
signature over the raw body, `delivery` turns an accepted body into task data with `$via`.
"""
