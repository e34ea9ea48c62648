"""What a command does when something goes wrong: a located Chinese message and the exit code,
never a traceback. 2: the input cannot be used (or usage is wrong); 3: a bug; 130: interrupted."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from qtx_report.model.findings import InputError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> None:
    sys.stderr.write(message.rstrip() + "\n")
    raise typer.Exit(code)


def friendly(func: F) -> F:
    """Turn unusable input, and what the operating system refuses, into a located Chinese message
    and exit 2; a bug into exit 3; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as err:
            fail(f"错误：{err.describe()}")
        except KeyboardInterrupt:
            fail("已中断。", 130)
        except BrokenPipeError:
            # The reader (e.g. `| head`) went away: stop quietly, as other command-line tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(1) from None
        except OSError as err:  # an output folder that cannot be written, a disk that is full, …
            fail(f"错误：{InputError.from_os_error(err).describe()}")
        except typer.Exit:
            raise
        except Exception as err:
            fail(f"qtx-report 内部错误（请将本信息反馈给维护人员）：{type(err).__name__}: {err}", 3)

    return wrapper  # type: ignore[return-value]
