"""The ``okx-ext`` command (also ``python -m okx_ext``).

``okx-ext max-withdrawal [CCY ...] [--json] [--live | --demo-trading] [--domain URL]
[--retries N] [--fake]``
    Print how much can move from the trading account to the funding account, as a table
    or (``--json``) an object keyed by currency holding OKX's own entries. It asks OKX
    through python-okx with ``OKX_API_KEY``, ``OKX_SECRET_KEY`` and ``OKX_PASSPHRASE``;
    none of them set is exit 2, never an answer made up. ``--fake`` answers from the
    built-in fake exchange's sample account instead, says so on stderr, and reads no
    ``OKX_*`` variable.

``okx-ext fake-server ...``
    Runs ``okx_fakes.cli.main`` (also ``python -m okx_fakes``), which documents it;
    ``okx_fakes`` is imported only then, as for ``--fake``.

Errors are one line on stderr, without a traceback and without any credential. Exit
codes (:data:`EXIT_CODE_TABLE`, the one table this list and ``--help`` are made from):
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Final, NamedTuple, TextIO

import httpx

from okx_ext._client import MaxWithdrawalClient, SupportsGetMaxWithdrawal
from okx_ext._currencies import normalize_currencies
from okx_ext._endpoint import MAX_CURRENCIES_PER_REQUEST
from okx_ext._models import MaxWithdrawal
from okx_ext._retry import Retry
from okx_ext.errors import (
    AuthenticationError,
    CurrencyValidationError,
    InvalidParameterError,
    OkxExtError,
    PermissionDeniedError,
    RateLimitError,
    ResponseFormatError,
    ServiceUnavailableError,
    TransportError,
)
from okx_ext.headers import is_sendable_header_value

__all__ = ["EXIT_CODES", "EXIT_CODE_TABLE", "ExitCode", "main"]

PROG: Final = "okx-ext"
CREDENTIAL_VARIABLES: Final = ("OKX_API_KEY", "OKX_SECRET_KEY", "OKX_PASSPHRASE")
DOMAIN_VARIABLE: Final = "OKX_DOMAIN"
DEFAULT_DOMAIN: Final = "https://www.okx.com"

EXIT_OK: Final = 0
EXIT_OTHER_FAILURE: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130
EXIT_BROKEN_PIPE: Final = 141  # 128 + SIGPIPE, what a shell reports for a killed writer



class ExitCode(NamedTuple):
    """One exit code of the command: what it means, and the okx_ext errors that exit with it."""

    code: int
    meaning: str
    errors: tuple[type[Exception], ...] = ()


#: Every exit code, in the order people read them; errors most specific first.
EXIT_CODE_TABLE: Final[tuple[ExitCode, ...]] = (
    ExitCode(EXIT_OK, "success"),
    ExitCode(EXIT_USAGE, "invalid arguments or currencies (the bad item is named), credentials "
                         "not set or incomplete, a --domain that is not an http(s) URL with a "
                         "host and a port from 1 to 65535, or an OKX parameter error",
             (CurrencyValidationError, InvalidParameterError)),
    ExitCode(3, "authentication, permission or a restricted account",
             (AuthenticationError, PermissionDeniedError)),
    ExitCode(4, "rate limit or service unavailable after retries",
             (RateLimitError, ServiceUnavailableError)),
    ExitCode(5, "transport failure or malformed response", (TransportError, ResponseFormatError)),
    ExitCode(EXIT_OTHER_FAILURE, "any other error"),
    ExitCode(EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
    ExitCode(EXIT_BROKEN_PIPE, "the reader of stdout went away (| head), quietly"),
)

#: Error class -> exit code, from :data:`EXIT_CODE_TABLE`; the first ``isinstance`` match wins.
EXIT_CODES: Final[tuple[tuple[type[Exception], int], ...]] = tuple(
    (error, row.code) for row in EXIT_CODE_TABLE for error in row.errors
)


def exit_codes_text(separator: str = "; ") -> str:
    """Return :data:`EXIT_CODE_TABLE` as text: ``0 success; 2 invalid arguments ...``."""
    return separator.join(f"{row.code} {row.meaning}" for row in EXIT_CODE_TABLE)


if __doc__ is not None:  # None under python -OO
    __doc__ += "".join(f"\n    {row.code}: {row.meaning}" for row in EXIT_CODE_TABLE) + "\n"

# A person is waiting at the terminal: retry transient faults a few times, quickly
# (the library's default policy waits up to 7.5 s). --retries changes the count.
DEFAULT_RETRIES: Final = 2
RETRY_BACKOFF_S: Final = 0.2
RETRY_MAX_DELAY_S: Final = 1.0
RETRY_BUDGET_S: Final = 5.0

_REDACTED: Final = "***"
#: Credentials shorter than this are not searched for in free text: masking every "p" or
#: "ab" garbles the message, and where the *** land would spell the credential out.
_MIN_MASKED_CREDENTIAL_CHARS: Final = 8
# A credential header or field, as an SDK or a dict repr may quote it: its value is masked
# whatever the credential's length ("OK-ACCESS-PASSPHRASE: p", "'passphrase': 'p'").
_CREDENTIAL_FIELD: Final = re.compile(
    r"""((?:ok-access-(?:key|passphrase|sign)|api_key|api_secret_key|secret_key|passphrase)"""
    r"""['"]?\s*[:=]\s*['"]?)([^'"\s,;}]+)""",
    re.IGNORECASE,
)


class _CommandError(Exception):
    """A failure the CLI reports as one line with a chosen exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class _Streams:
    """Results to stdout; notes and errors to stderr, with the credentials in use hidden.

    A closed stream is ``None`` in Python: a note or an error with no stderr is dropped
    (never sent to stdout, where ``print(file=None)`` would put it), and a result with
    no stdout is an error, not a silent exit 0.
    """

    def __init__(self, stdout: TextIO | None, stderr: TextIO | None) -> None:
        self._stdout = stdout
        self._stderr = stderr
        self.secrets: tuple[str, ...] = ()

    def _clean(self, text: str) -> str:
        # The library never puts credentials in its messages; this is the last line of
        # defence for text the CLI did not write itself (an SDK or network message),
        # which may quote a credential as a repr does (a backslash doubled, say).
        text = _CREDENTIAL_FIELD.sub(lambda match: match.group(1) + _REDACTED, text)
        for secret in self.secrets:
            if len(secret) < _MIN_MASKED_CREDENTIAL_CHARS:
                continue
            for form in dict.fromkeys((secret, repr(secret)[1:-1], json.dumps(secret)[1:-1])):
                if form:
                    text = text.replace(form, _REDACTED)
        return text

    def check_stdout(self) -> None:
        """Refuse to start when stdout is closed: the result would have nowhere to go."""
        if self._stdout is None:
            raise _CommandError(
                "stdout is closed: the result would be lost; nothing was asked",
                EXIT_OTHER_FAILURE,
            )

    def result(self, text: str) -> None:
        # Results are currency codes and amounts the CLI formatted itself: not redacted,
        # so that a one-character passphrase cannot corrupt an amount.
        self.check_stdout()
        try:
            print(text, file=self._stdout, flush=True)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _CommandError(
                f"could not write the result to stdout: {type(exc).__name__}: {exc.strerror}",
                EXIT_OTHER_FAILURE,
            ) from None

    def _to_stderr(self, text: str) -> None:
        if self._stderr is None:
            return
        # A failing stderr (its reader gone, a full disk) loses the note, never the result.
        with contextlib.suppress(OSError, ValueError):
            print(text, file=self._stderr, flush=True)

    def note(self, text: str) -> None:
        self._to_stderr(self._clean(text))

    def error(self, text: str) -> None:
        # One line: a message with newlines (an HTML error page, say) is folded. The
        # prefix is ours and stays readable even when a credential is one letter long.
        message = self._clean(" ".join(text.split()))
        self._to_stderr(f"{PROG}: error: {message}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``okx-ext`` command line and return its exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["fake-server"]:
        # The double's own command; the product imports it only when asked to run it.
        from okx_fakes.cli import main as fake_server_main

        if sys.stderr is not None:
            return fake_server_main(arguments[1:], prog=f"{PROG} fake-server")
        # stderr closed: the server's notes and request lines go nowhere, and it serves.
        with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
            return fake_server_main(arguments[1:], prog=f"{PROG} fake-server")
    streams = _Streams(sys.stdout, sys.stderr)
    parser = _build_parser()
    try:
        try:
            args = parser.parse_args(arguments)
        except SystemExit as exc:
            # argparse has printed usage (exit 2) or help (exit 0) already.
            return exc.code if isinstance(exc.code, int) else EXIT_USAGE
        if args.command is None:
            if sys.stderr is not None:
                parser.print_help(sys.stderr)
            return EXIT_USAGE
        streams.check_stdout()
        return _max_withdrawal(args, streams)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader left (`| head`): nothing to report, and the interpreter's own flush
        # at exit must not fail again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except _CommandError as exc:
        streams.error(str(exc))
        return exc.exit_code
    except OkxExtError as exc:
        streams.error(str(exc))
        return exit_code_for(exc)
    except Exception as exc:
        # A bug, not a user error; still one line and no secret (the streams redact).
        streams.error(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_OTHER_FAILURE


def exit_code_for(error: Exception) -> int:
    """Return the exit code for an okx_ext error from :data:`EXIT_CODES` (1 if none matches)."""
    for error_class, exit_code in EXIT_CODES:
        if isinstance(error, error_class):
            return exit_code
    return EXIT_OTHER_FAILURE


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Typed access to OKX's max-withdrawal endpoint, and a fake OKX exchange.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    query = commands.add_parser(
        "max-withdrawal",
        help="show how much can move from the trading to the funding account",
        description=(
            "Show the maximum withdrawal per currency. Credentials come from "
            f"{', '.join(CREDENTIAL_VARIABLES)}, all three required; --fake answers from "
            "the built-in fake exchange's sample account instead."
        ),
        epilog=f"exit codes: {exit_codes_text()}",
    )
    query.add_argument(
        "currencies",
        nargs="*",
        metavar="CCY",
        help=(
            "currency codes, space- or comma-separated, any number (asked "
            f"{MAX_CURRENCIES_PER_REQUEST} per request; default: every currency held)"
        ),
    )
    query.add_argument("--json", action="store_true", help="print JSON, amounts as strings")
    environment = query.add_mutually_exclusive_group()
    environment.add_argument(
        "--live", action="store_true", help='live trading (python-okx flag "0")'
    )
    environment.add_argument(
        "--demo-trading",
        action="store_true",
        help='demo trading (python-okx flag "1"; the default)',
    )
    query.add_argument(
        "--domain",
        metavar="URL",
        help=f"OKX host (default: ${DOMAIN_VARIABLE}, else {DEFAULT_DOMAIN})",
    )

    query.add_argument(
        "--retries",
        type=_non_negative_int,
        default=DEFAULT_RETRIES,
        metavar="N",
        help=(
            "retries of a rate-limited, unavailable or unreachable exchange, after "
            f"{RETRY_BACKOFF_S:g} s, then twice as long each time "
            f"(default {DEFAULT_RETRIES}; 0 turns retrying off)"
        ),
    )

    query.add_argument(
        "--fake",
        action="store_true",
        help=(
            "answer from the built-in fake exchange's sample account: no OKX_* variable "
            f"is read and nothing is sent; --live, --domain and {DOMAIN_VARIABLE} are ignored"
        ),
    )

    # Listed for --help only: main() hands "fake-server ..." to okx_fakes.cli before parsing.
    commands.add_parser(
        "fake-server",
        help="run the fake OKX exchange as a standalone HTTP server (python -m okx_fakes)",
        add_help=False,
    )
    return parser


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


# --- max-withdrawal -------------------------------------------------------------------


def _max_withdrawal(args: argparse.Namespace, streams: _Streams) -> int:
    # Split comma lists but keep every item, empty ones too: the validator names them.
    currencies = [item for arg in args.currencies for item in arg.split(",")]
    if args.fake:
        account_api = _builtin_fake_api()
    else:
        credentials = _credentials_from_environment(os.environ)
        streams.secrets = credentials
        account_api = _real_account_api(credentials, args)
    client = MaxWithdrawalClient(account_api, retry=_retry_policy(args.retries))
    try:
        # Validates every currency before any request (a bad one exits 2, named), then
        # asks in batches, so any number of currencies works; none means all.
        rows = client.get_max_withdrawals(currencies)
    finally:
        close = getattr(account_api, "close", None)
        if callable(close):
            close()
    if args.fake:
        streams.note(_fake_note(args, os.environ))
    # Every item is valid by now, so normalising one at a time cannot fail.
    asked = dict.fromkeys(ccy for item in currencies for ccy in normalize_currencies(item))
    missing = [ccy for ccy in asked if ccy not in rows]
    if missing:
        streams.note(f"{PROG}: note: OKX returned no row for {', '.join(missing)}")
    streams.result(render_json(rows.values()) if args.json else render_table(rows.values()))
    return EXIT_OK


def _credentials_from_environment(environ: Mapping[str, str]) -> tuple[str, str, str]:
    values = [environ.get(name, "") for name in CREDENTIAL_VARIABLES]
    missing = [name for name, value in zip(CREDENTIAL_VARIABLES, values, strict=True) if not value]
    if missing:
        # Name the variable, never a value: the others hold secrets.
        unset = (
            f"none of {', '.join(CREDENTIAL_VARIABLES)} is set: set them"
            if len(missing) == len(CREDENTIAL_VARIABLES)
            else f"{' and '.join(missing)} not set: set all of {', '.join(CREDENTIAL_VARIABLES)}"
        )
        raise _CommandError(
            f"{unset} to ask OKX, or pass --fake to answer from the built-in fake "
            "exchange's sample account",
            EXIT_USAGE,
        )
    for name, value in zip(CREDENTIAL_VARIABLES, values, strict=True):
        # python-okx sends the key and passphrase as header values: httpx and h11 refuse
        # control and non-ASCII characters there, quoting the value. Refused here, by
        # name only, as an environment error; the secret key is held to the same rule.
        if not is_sendable_header_value(value):
            raise _CommandError(
                f"{name} holds a character an HTTP header cannot carry (a control "
                "character such as a trailing newline, a non-ASCII character, or "
                "surrounding spaces): check how it was set",
                EXIT_USAGE,
            )
    api_key, secret_key, passphrase = values
    return api_key, secret_key, passphrase


def _domain(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    if args.domain is not None:
        domain, source = str(args.domain), "--domain"
    elif environ.get(DOMAIN_VARIABLE):
        domain, source = environ[DOMAIN_VARIABLE], DOMAIN_VARIABLE
    else:
        return DEFAULT_DOMAIN
    try:
        url = httpx.URL(domain)
    except (httpx.InvalidURL, TypeError):
        url = None
    # Refused here, not by httpx mid-request: a bad host is an argument error (2), not a
    # network failure (5).
    if (
        url is None
        or url.scheme not in ("http", "https")
        or not _is_host(url.raw_host.decode("ascii", "replace"))
        or (url.port is not None and not 0 < url.port < 65536)
    ):
        raise _CommandError(
            f"{source}: expected an http(s) URL such as {DEFAULT_DOMAIN}, got {domain!r}",
            EXIT_USAGE,
        )
    return domain


_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?"
_HOST_NAME: Final = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")


def _is_host(host: str) -> bool:
    """Tell whether ``host`` (httpx's raw host: IDNA-encoded, ASCII) names a host at all.

    httpx percent-encodes what a host cannot hold (``"a b"`` becomes ``"a%20b"``), which
    no resolver knows: a DNS name or an IP address only.
    """
    if _HOST_NAME.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _real_account_api(
    credentials: tuple[str, str, str], args: argparse.Namespace
) -> SupportsGetMaxWithdrawal:
    from okx.Account import AccountAPI

    api_key, secret_key, passphrase = credentials
    account_api: SupportsGetMaxWithdrawal = AccountAPI(
        api_key=api_key,
        api_secret_key=secret_key,
        passphrase=passphrase,
        flag="0" if args.live else "1",
        domain=_domain(args, os.environ),
        # python-okx logs request headers (key and passphrase) when debug is on.
        debug=False,
    )
    return account_api


def _builtin_fake_api() -> SupportsGetMaxWithdrawal:
    # Imported here: the product loads its test double only when asked to (--fake).
    from okx_fakes import FakeAccountAPI, sample_exchange

    exchange, account = sample_exchange()
    return FakeAccountAPI(
        account.api_key,
        account.secret_key,
        account.passphrase,
        flag=account.flag,
        exchange=exchange,
    )


def _fake_note(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    """Return the stderr note for ``--fake``, naming what it left unused (never a value)."""
    # Presence only: with --fake no credential value is ever read.
    unused = [name for name in CREDENTIAL_VARIABLES if name in environ]
    ignored = [
        option
        for option, given in (
            ("--live", args.live),
            ("--domain", args.domain is not None),
            (DOMAIN_VARIABLE, DOMAIN_VARIABLE in environ),
        )
        if given
    ]
    note = f"{PROG}: note: --fake: answered from the built-in fake exchange's sample account"
    if unused:
        note += f"; {', '.join(unused)} set but not used"
    if ignored:
        note += f"; {', '.join(ignored)} ignored"
    return note


def _retry_policy(retries: int) -> Retry | None:
    if retries == 0:
        return None
    return Retry(
        attempts=retries + 1,
        backoff=RETRY_BACKOFF_S,
        max_delay=RETRY_MAX_DELAY_S,
        max_elapsed_s=RETRY_BUDGET_S,
    )


# --- output ---------------------------------------------------------------------------

_AMOUNT_COLUMNS: Final = (
    ("MAX WITHDRAWAL", "max_wd"),
    ("INCL. BORROWED", "max_wd_ex"),
)
_SPOT_OFFSET_COLUMNS: Final = (
    ("SPOT OFFSET", "spot_offset_max_wd"),
    ("SPOT OFFSET INCL. BORROWED", "spot_offset_max_wd_ex"),
)
_ABSENT: Final = "-"


def _amount_text(amount: Decimal | None) -> str:
    # format "f": exactly the digits OKX sent, never an exponent, never through float.
    return _ABSENT if amount is None else format(amount, "f")


def render_table(rows: Iterable[MaxWithdrawal]) -> str:
    """Render rows as an aligned table; spot-offset columns only if some row has them."""
    rows = list(rows)
    columns = list(_AMOUNT_COLUMNS)
    if any(
        getattr(row, attribute) is not None
        for row in rows
        for _, attribute in _SPOT_OFFSET_COLUMNS
    ):
        columns += _SPOT_OFFSET_COLUMNS
    header = ["CCY", *(title for title, _ in columns)]
    body = [
        [row.ccy, *(_amount_text(getattr(row, attribute)) for _, attribute in columns)]
        for row in rows
    ]
    widths = [max(len(line[index]) for line in [header, *body]) for index in range(len(header))]
    lines = [
        "  ".join(
            # Currency left, amounts right: digits line up by their last place.
            cell.ljust(width) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in [header, *body]
    ]
    return "\n".join(lines)


def render_json(rows: Iterable[MaxWithdrawal]) -> str:
    """Render rows as a JSON object keyed by currency, each value OKX's own entry shape.

    Amounts are strings exactly as OKX sent them; a field that does not apply is ``""``,
    as in OKX's answer.
    """
    return json.dumps({row.ccy: row.to_okx() for row in rows}, indent=2)
