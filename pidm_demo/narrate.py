"""How the demo talks: numbered steps, what crossed the wire (abridged), and a check mark (or
a failure) for every fact the demo verifies."""

from __future__ import annotations

from typing import Any

from rich.console import Console, RenderableType
from rich.markup import escape

from pidm_demo.wire import Exchange, show


class StepFailed(Exception):
    """A step did not behave as described; the demo exits non-zero."""


class Narrator:
    """Prints the story to ``console`` and keeps every verified fact in :attr:`checked`."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.checked: list[str] = []
        self.step = 0

    def title(self, text: str) -> None:
        self.step += 1
        self.console.rule(f"[bold]{self.step}. {escape(text)}", align="left")

    def say(self, text: str) -> None:
        self.console.print(escape(text))

    def note(self, text: str) -> None:
        self.console.print(f"[dim]{escape(text)}[/dim]")

    def show(self, renderable: RenderableType) -> None:
        self.console.print(renderable)

    def wire(self, exchange: Exchange, *, client: str = "wallet", request: Any = None,
             response: Any = None, width: int = 48) -> None:
        """One exchange: ``client → service METHOD path`` then the (abridged) bodies.
        ``request`` / ``response`` replace the recorded bodies (pre-digested for the reader)."""
        self.console.print(f"  [cyan]{escape(client)} → {escape(exchange.service)}[/cyan] "
                           f"{exchange.method} {escape(exchange.path.split('?')[0])}")
        sent = request if request is not None else exchange.request_json()
        if sent not in (None, "", {}):
            self.console.print(f"      [dim]sent[/dim] {escape(show(sent, width))}",
                               soft_wrap=True)
        got = response if response is not None else exchange.response_json()
        self.console.print(f"  [cyan]← {exchange.status}[/cyan] {escape(show(got, width))}",
                           soft_wrap=True)

    def check(self, ok: bool, fact: str) -> None:
        """Record a verified fact, or stop the demo with :class:`StepFailed`."""
        if not ok:
            self.console.print(f"  [bold red]✗ {escape(fact)}[/bold red]")
            raise StepFailed(f"step {self.step}: expected {fact}")
        self.checked.append(fact)
        self.console.print(f"  [green]✓[/green] {escape(fact)}")
