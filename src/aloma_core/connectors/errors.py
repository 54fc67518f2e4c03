"""Failures a connector reports to the step: the message is for the person who wrote the step."""


class ConnectorError(Exception):
    """A call failed for a reason worth reading; the host prefixes it with the call's name.

    Never put a secret or a traceback in the message: it reaches the step as `error.message`.
    """


class UnknownMethod(ConnectorError):
    """`method` is not one the connector declares (`""` when its namespace was called directly)."""

    def __init__(self, method: str, known: frozenset[str]) -> None:
        super().__init__(method)
        self.method = method
        self.known = known
