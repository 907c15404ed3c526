"""The fake exchange as a standalone HTTP server: ``okx-fakes`` (also ``python -m okx_fakes``).

``okx-fakes [--host 127.0.0.1] [--port 8080] [--accounts FILE.json] [--no-control]
[--control-token TOKEN]``
(also ``python -m okx_fakes`` and ``okx-ext fake-server``, which run this same function)
serves the
fake OKX exchange for python-okx (``domain=URL``) or any client, with the control API
under ``/_fake/`` unless ``--no-control``. Without ``--accounts`` it serves the sample
account (:data:`okx_fakes.SAMPLE_ACCOUNTS`, documented on the CLI page of the docs).
The control token comes from ``--control-token`` or else ``OKX_FAKES_CONTROL_TOKEN``; off
a loopback ``--host`` the control API needs one, or the command refuses to start (exit 2).
The accounts file must be a regular file of at most 16 MiB
(:data:`MAX_ACCOUNTS_FILE_BYTES`); anything else (a directory, a FIFO, ``/dev/zero``) is
refused with exit 2 before any port is bound, and never read or waited on.
It prints its URL alone on stdout, one line per request on stderr (each one ``write()``
under a lock: never merged), and stops within a second on Ctrl-C or SIGTERM. Exit codes:
0 stopped cleanly, 2 bad arguments, accounts file or port, 1 anything else (waitress not
installed; running outside the main thread, where signals cannot be handled).
"""

from __future__ import annotations

import argparse
import os
import signal
import stat
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Final

from okx_fakes._accounts_file import (
    SAMPLE_ACCOUNTS,
    AccountsFileError,
    AccountSpec,
    parse_accounts,
    seed_exchange,
    specs_from_document,
)
from okx_fakes._control_guard import (
    CONTROL_TOKEN_ENV,
    check_control_exposure,
    check_control_token,
    is_loopback_host,
)
from okx_fakes._exchange import FakeExchange

__all__ = ["MAX_ACCOUNTS_FILE_BYTES", "MAX_RECORDED_REQUESTS", "main", "script_main"]

#: The standalone fake server keeps only this many latest request records: a server left
#: running for days must not grow without bound.
MAX_RECORDED_REQUESTS: Final = 1000

#: The largest accounts file ``okx-fakes --accounts`` reads. An assumption, not an OKX
#: figure: an account takes about 200 bytes of JSON, so this is some 80,000 accounts, and
#: /dev/zero or a runaway generator cannot fill the memory.
MAX_ACCOUNTS_FILE_BYTES: Final = 16 * 1024 * 1024

EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
# The main thread wakes this often to run signal handlers: a signal the kernel delivered to
# another thread only sets a flag that the main thread must come round to.
_SIGNAL_POLL_S: Final = 0.05
_STDERR_LOCK = threading.Lock()


class _CommandError(Exception):
    """A failure reported as one line on stderr with exit code 2."""


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m okx_fakes") -> int:
    """Serve the fake exchange until SIGINT or SIGTERM and return the exit code."""
    parser = _build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        # argparse has printed usage (exit 2) or help (exit 0) already.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _serve(args, prog)
    except KeyboardInterrupt:
        return 130
    except _CommandError as exc:
        _note(f"{prog}: error: {exc}")
        return EXIT_USAGE
    except ModuleNotFoundError as exc:
        _note(f"{prog}: error: {exc}")  # waitress missing: the message names the extra
        return 1
    except Exception as exc:
        # A bug or a misuse (signal handlers outside the main thread): still one line.
        _note(f"{prog}: error: internal error: {type(exc).__name__}: {exc}")
        return 1


def script_main() -> int:
    """Run the ``okx-fakes`` console script (:func:`main` under that name)."""
    return main(prog="okx-fakes")


def _build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Serve the fake OKX exchange over HTTP for python-okx (domain=URL) or any client. "
            "Without --accounts it serves the documented sample account."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8080, help="port to bind; 0 picks a free one (default 8080)"
    )
    parser.add_argument("--accounts", metavar="FILE.json", help="accounts to serve (JSON)")
    parser.add_argument("--no-control", action="store_true",
                        help="turn off the control API under /_fake/")
    parser.add_argument("--control-token", metavar="TOKEN",
                        help="token every control request must send as 'Authorization: "
                             f"Bearer TOKEN' (default: ${CONTROL_TOKEN_ENV}); required "
                             "with the control API off loopback")
    return parser


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {value}")
    return value


def _note(text: str) -> None:
    """Write one whole line on stderr: one write() under a lock, so lines never merge."""
    with _STDERR_LOCK:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _control_token(args: argparse.Namespace) -> str | None:
    """Return the control token (the option, else the environment; empty: none), checked."""
    token = args.control_token or os.environ.get(CONTROL_TOKEN_ENV) or None
    try:
        return check_control_token(token)
    except ValueError as exc:
        raise _CommandError(str(exc)) from None


def _serve(args: argparse.Namespace, prog: str) -> int:
    control = not args.no_control
    token = _control_token(args) if control else None
    try:
        check_control_exposure(args.host, control=control, token=token)
    except ValueError as exc:
        raise _CommandError(str(exc)) from None
    exchange = FakeExchange(max_records=MAX_RECORDED_REQUESTS)
    if args.accounts is None:
        specs = specs_from_document(SAMPLE_ACCOUNTS)
        source = "the sample account (its credentials are on the CLI page of the docs)"
    else:
        specs = _read_accounts_file(args.accounts)
        source = f"{len(specs)} account(s) from {args.accounts}"
    try:
        seed_exchange(exchange, specs)
    except AccountsFileError as exc:
        raise _CommandError(f"accounts file {args.accounts}: {exc}") from None
    if not is_loopback_host(args.host):
        exposure = ("its control API (token required) can seed accounts, reset and read "
                    "records" if control else "its control API is off")
        _note(
            f"{prog}: warning: {args.host} is reachable from other machines, "
            f"the fake accepts every key of its accounts file, and {exposure}"
        )

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Handlers first: if they cannot be installed (not the main thread), no port is bound.
    previous = {
        signum: signal.signal(signum, request_stop) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        try:
            # FakeServer has escaped the client's target already (no terminal escapes).
            server = exchange.server(args.host, args.port, log=_note,
                                     control=control, control_token=token)
        except OSError as exc:
            raise _CommandError(
                f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
            ) from None
        with server:
            _note(f"{prog}: serving {source}; Ctrl-C or SIGTERM stops it")
            # The URL alone on stdout, flushed: scripts and tests read this first line.
            print(server.url, flush=True)
            while not stop.wait(_SIGNAL_POLL_S):
                pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    _note(f"{prog}: stopped")
    return EXIT_OK


def _file_kind(mode: int) -> str | None:
    """Return what a file of ``mode`` is when it is not a regular file, else None."""
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"))
    return next((kind for test, kind in kinds if test(mode)), "an unknown kind of file")


def _read_accounts_file(path: str) -> list[AccountSpec]:
    try:
        text = _read_regular_file(path, MAX_ACCOUNTS_FILE_BYTES)
    except OSError as exc:
        reason = exc.strerror or exc
        raise _CommandError(f"accounts file {path}: cannot read it: {reason}") from None
    try:
        return parse_accounts(text)
    except AccountsFileError as exc:
        raise _CommandError(f"accounts file {path}: {exc}") from None


def _read_regular_file(path: str, limit: int) -> bytes:
    """Return the bytes of the regular file ``path`` (_CommandError if not one or too big)."""
    kind = _file_kind(os.stat(path).st_mode)
    if kind is None:
        # O_NONBLOCK: had a FIFO replaced the file since the stat, open() would wait for a
        # writer; the fstat below then refuses it.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as opened:
            kind = _file_kind(os.fstat(opened.fileno()).st_mode)
            if kind is None:
                text = opened.read(limit + 1)
                if len(text) > limit:
                    raise _CommandError(f"accounts file {path}: larger than "
                                        f"{limit // (1024 * 1024)} MiB ({limit} bytes)")
                return text
    raise _CommandError(f"accounts file {path}: not a regular file ({kind})")
