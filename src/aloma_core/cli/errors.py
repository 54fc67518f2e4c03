"""Failures the CLI reports as one line on stderr; each knows the exit code the shell sees."""


class CliError(Exception):
    """Something went wrong that a person can act on; never shown as a traceback."""

    exit_code = 1


class UsageProblem(CliError):
    """The command line or local input is wrong (bad JSON, missing file, no API key): exit 2."""

    exit_code = 2


class ApiError(CliError):
    """A 4xx/5xx answer, carrying the `{"error": {"code", "message"}}` envelope of api.md."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} ({code})")
        self.status = status
        self.code = code
        self.message = message


class Unreachable(CliError):
    """No HTTP answer at all; the message says where the CLI tried, the usual fix being the URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach the aloma server at {url}: {reason}")
        self.url = url
