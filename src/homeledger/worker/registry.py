"""The task registry: `@job("type")` names a function the workers can run.

Each domain keeps its jobs in its own `tasks.py`; `load_tasks()` imports every such
module, so the web (which enqueues) and the worker (which runs) know the same types."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from homeledger.config import Settings

Payload = dict[str, Any]


class ProgressReporter(Protocol):
    def __call__(self, percent: int, message: str = "") -> None: ...


@dataclass
class JobContext:
    """What a task function gets besides its payload."""

    job_id: str
    type: str
    household_id: str | None
    attempt: int
    """1 on the first run; higher when a worker died and another took the job over."""
    session: Session
    """The job's unit of work: committed together with the job's result on success,
    rolled back on failure (`task_session`)."""
    settings: Settings
    report: ProgressReporter = field(repr=False)

    def progress(self, percent: int, message: str = "") -> None:
        """Publishes progress at once (its own short transaction), for pages that poll."""
        self.report(max(0, min(100, int(percent))), message[:200])


TaskFunction = Callable[[JobContext, Payload], Payload | None]

_TASKS: dict[str, TaskFunction] = {}


class UnknownJobType(LookupError):
    """No task function is registered under this type."""


def job(type_: str) -> Callable[[TaskFunction], TaskFunction]:
    """Registers the decorated function as the task of `type_`."""

    def register(function: TaskFunction) -> TaskFunction:
        existing = _TASKS.get(type_)
        if existing is not None and existing is not function:
            raise ValueError(f"job type {type_!r} is already registered by {existing!r}")
        _TASKS[type_] = function
        return function

    return register


def task_for(type_: str) -> TaskFunction:
    try:
        return _TASKS[type_]
    except KeyError:
        raise UnknownJobType(f"no task is registered for job type {type_!r}") from None


def registered_types() -> list[str]:
    return sorted(_TASKS)


def load_tasks() -> list[str]:
    """Imports `homeledger.<domain>.tasks` for every domain that has one."""
    import homeledger

    for module in pkgutil.iter_modules(homeledger.__path__):
        if module.ispkg and importlib.util.find_spec(f"homeledger.{module.name}.tasks"):
            importlib.import_module(f"homeledger.{module.name}.tasks")
    return registered_types()
