"""Which AWS errors mean "over capacity for a moment": what is left when the SDK's own retries
(standard mode, 5 attempts) are spent. The API answers them 503 with `Retry-After` rather than
500, since the client only has to try again; the pipeline's functions need no such list, because
any failed item is delivered again by the stream or the queue."""

from botocore.exceptions import ClientError

OVER_CAPACITY_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "ServiceUnavailable",
    }
)


def is_over_capacity(error: Exception) -> bool:
    """True for an AWS client error whose code says the service is throttling or unavailable."""
    return (
        isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") in OVER_CAPACITY_CODES
    )
