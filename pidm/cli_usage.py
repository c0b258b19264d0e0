"""Command-line mistakes (a missing option, an unknown command, a bad value) in pidm's one-line
form, ``error: USAGE_ERROR: ... (see 'pidm x --help')``, exit status 2, like every other
failure; click's own three-line usage block is kept for help only (a group run without a
command still prints its help)."""

from __future__ import annotations

from typing import IO, Any

import click
from click.exceptions import NoArgsIsHelpError

from pidm.errors import UsageError

__all__ = ["CodedUsageGroup"]


class _CodedUsage(click.ClickException):
    exit_code = 2

    def __init__(self, error: click.UsageError) -> None:
        super().__init__(error.format_message())
        self.ctx = error.ctx

    def show(self, file: IO[Any] | None = None) -> None:
        hint = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"error: {UsageError.code}: {self.format_message()}{hint}", file=file,
                   err=file is None)


class CodedUsageGroup(click.Group):
    """The root ``pidm`` group: usage errors anywhere below it are one coded line."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _CodedUsage(exc) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _CodedUsage(exc) from exc
