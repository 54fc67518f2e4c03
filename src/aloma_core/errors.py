"""Domain errors. Each carries a stable snake_case code; the API maps classes to HTTP status once."""


class AlomaError(Exception):
    """Base of every error the platform reports to a person."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AlomaError):
    """Input that is well-formed JSON but breaks a rule of the contract (HTTP 422)."""

    code = "invalid_input"


class ConditionError(InvalidInput):
    """A condition that cannot be accepted; `path` is dotted from `condition`, e.g. `condition.v.$gt`."""

    code = "invalid_condition"

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class StepFileError(InvalidInput):
    """A step file that does not compile or lacks its exports; `line` is in the step file."""

    code = "invalid_step"

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line


class LibraryFileError(InvalidInput):
    """A library (`lib/NAME.js`) that cannot be used; the message names the file and the line."""

    code = "invalid_library"

    def __init__(self, name: str, message: str, line: int | None = None) -> None:
        where = f"lib/{name}.js" if line is None else f"lib/{name}.js line {line}"
        super().__init__(f"{where}: {message}")
        self.name = name
        self.line = line


class NotFound(AlomaError):
    """Unknown id, or an object of another workspace (never revealed as existing)."""

    code = "not_found"


class Unauthorized(AlomaError):
    code = "unauthorized"


class TooLarge(AlomaError):
    code = "too_large"


class BadSignature(Unauthorized):
    """A webhook delivery whose signature is missing or does not verify."""

    code = "bad_signature"


class RateLimited(AlomaError):
    """`retry_after_s`: when trying again may succeed (the HTTP `Retry-After`)."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ConflictingState(AlomaError):
    """An action that the object's current state does not allow (e.g. resume of a running task)."""

    code = "conflict"
