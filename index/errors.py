"""Domain errors. Entry points translate them: the CLI prints and exits, the bot apologises."""


class HoidapError(Exception):
    """Base class for every expected hoidap error."""


class IngestError(HoidapError):
    """A file could not be read as an article (bad encoding, empty, binary, malformed).

    `vi` says the same to an admin in chat, in Vietnamese and without the file's path."""

    def __init__(self, message: str, vi: str = "") -> None:
        super().__init__(message)
        self.vi = vi


class IndexMissing(HoidapError):
    """No index has been published in the data directory yet."""


class IndexMismatch(HoidapError):
    """The index was built with another embedder than the one configured."""


class IndexCorrupt(HoidapError):
    """The published index cannot be loaded."""


class BadQuestion(HoidapError):
    """A question that cannot be searched (empty or too long)."""


class ModelFileError(HoidapError):
    """The embedding model's file is missing, unreadable or corrupt."""


class RuntimeUnavailable(HoidapError):
    """The embedding runtime asked for cannot run here (a package or CPU feature is missing)."""
