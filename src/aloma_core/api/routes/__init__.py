"""One router per resource of api.md; handlers only translate between HTTP and `Platform`."""
