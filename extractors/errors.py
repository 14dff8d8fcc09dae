"""The one exception extraction raises: a readable, one-line reason for rejecting an input."""


class ExtractionError(ValueError):
    """Input that cannot become an Article; str(error) is a one-line reason fit for a failures row."""

    def __init__(self, reason: str, stage: str = "extract"):
        super().__init__(reason)
        self.reason = reason
        self.stage = stage
