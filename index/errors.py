"""Domain errors. Entry points translate them: the CLI prints and exits, the bot apologises."""


class Error(Exception):
    """Base class for every expected hoidap error."""


class IngestError(Error):
    """A file could not be read as an article (bad encoding, empty, binary, malformed)."""


class IndexMissing(Error):
    """No index has been published in the data directory yet."""


class IndexMismatch(Error):
    """The index was built with another embedder than the one configured."""


class IndexCorrupt(Error):
    """The published index cannot be loaded."""


class BadQuestion(Error):
    """A question that cannot be searched (empty or too long)."""


class ModelFileError(Error):
    """The embedding model's file is missing, unreadable or corrupt."""


class RuntimeUnavailable(Error):
    """The embedding runtime asked for cannot run here (a package or CPU feature is missing)."""
