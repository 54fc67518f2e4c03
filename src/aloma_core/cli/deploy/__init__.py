"""Workspace as code: a deploy file <-> a live workspace (`aloma deploy`, `aloma pull`)."""
