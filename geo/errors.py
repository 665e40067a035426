"""Error classes. Each carries a Danish message for the user (`str(err)`) and an English one."""

from __future__ import annotations

from geo.i18n import choose


class KlyngestedError(Exception):
    """Base class: a problem the user can act on, told in Danish."""

    def __init__(self, message_da: str, message_en: str | None = None) -> None:
        super().__init__(message_da)
        self.message_da = message_da
        self.message_en = message_en or message_da

    def message(self, lang: str = "da") -> str:
        """The message in the requested language ('da' or 'en')."""
        return choose({"da": self.message_da, "en": self.message_en}, lang)


class InputFileError(KlyngestedError):
    """A file could not be read: wrong format, empty, corrupt or missing columns."""


class CoordinateError(KlyngestedError):
    """Coordinates are missing, outside Denmark, or look swapped."""


class SiteNameError(KlyngestedError):
    """Two sites share a name (everything computed per site is keyed by its name)."""


class ClusterError(KlyngestedError):
    """Unknown cluster or malformed industry codes."""


class SourceError(KlyngestedError):
    """An official source could not be reached or answered wrongly."""


class EmptyAnswerError(SourceError):
    """A source answered correctly but with nothing (e.g. no municipalities); a fallback may help."""


class ReportError(KlyngestedError):
    """An export could not be written (e.g. the board pack could not be laid out as PDF)."""
