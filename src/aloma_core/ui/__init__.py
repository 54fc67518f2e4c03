"""The dashboard at /ui: server-rendered pages over the same `Platform` as the HTTP API.

The domain never imports this package; only the app factory mounts it (`routes.mount`).
"""
