"""The pytest11 entry point gives any test suite the fake's fixtures, no conftest needed."""

from __future__ import annotations

import pytest
from okx_fakes import FakeAccount, FakeAccountAPI, FakeExchange
from okx_fakes import pytest_plugin as plugin

pytest_plugins = ["pytester"]

DOWNSTREAM_TESTS = '''
import json

def test_exchange_starts_empty(okx_exchange):
    assert okx_exchange.accounts == []
    assert okx_exchange.requests == []

def test_funded_account(okx_account_api, okx_exchange):
    body = okx_account_api.get_max_withdrawal("BTC,ETH,USDT")
    assert body == {"code": "0", "msg": "", "data": [
        {"ccy": "BTC", "maxWd": "1.5", "maxWdEx": "2",
         "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""},
        {"ccy": "ETH", "maxWd": "10", "maxWdEx": "10",
         "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""},
        {"ccy": "USDT", "maxWd": "2500", "maxWdEx": "2500",
         "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""},
    ]}
    assert [r.code for r in okx_exchange.requests] == ["0"]

def test_account_is_on_the_same_exchange(okx_account, okx_exchange):
    assert okx_exchange.accounts == [okx_account]
    assert okx_account.mode == "multi_currency"

def test_state_does_not_leak_between_tests(okx_exchange):
    assert okx_exchange.requests == []
'''


def test_downstream_suite_gets_the_fixtures_without_a_conftest(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_downstream=DOWNSTREAM_TESTS)
    assert not (pytester.path / "conftest.py").exists()
    # A subprocess loads plugins only from installed entry points, as a downstream run does.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_disabling_the_plugin_removes_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_downstream=DOWNSTREAM_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:okx_ext_fakes", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines(["*fixture 'okx_exchange' not found*"])


# The fake's modules a suite that never asks for a fixture must not load (python-okx and
# okx_ext too). httpx is not among them: other installed plugins (respx, pytest-httpx)
# import it themselves.
HEAVY = ["okx_fakes._exchange", "okx_fakes._model", "okx_fakes._accounts",
         "okx_fakes._transport", "okx_fakes._server", "okx", "okx_ext"]

LAZY_TESTS = f'''
import sys

def test_start_up_loaded_the_plugin_and_nothing_heavy():
    assert "okx_fakes.pytest_plugin" in sys.modules  # the probe sees the plugin itself
    assert [name for name in {HEAVY!r} if name in sys.modules] == []

def test_a_fixture_loads_the_fake_on_first_use(okx_account_api):
    assert okx_account_api.get_max_withdrawal("BTC")["code"] == "0"
    assert "okx_fakes._exchange" in sys.modules
'''


def test_a_suite_that_does_not_use_the_fake_does_not_import_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_lazy=LAZY_TESTS)
    assert not (pytester.path / "conftest.py").exists()
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_fixtures_wire_public_objects(
    okx_exchange: FakeExchange, okx_account: FakeAccount, okx_account_api: FakeAccountAPI
) -> None:
    assert okx_account_api.exchange is okx_exchange
    assert okx_exchange.accounts == [okx_account]
    assert okx_account_api.flag == "1"
    answered = {
        entry["ccy"]: (entry["maxWd"], entry["maxWdEx"])
        for entry in okx_account_api.get_max_withdrawal()["data"]
    }
    assert answered == {"BTC": ("1.5", "2"), "ETH": ("10", "10"), "USDT": ("2500", "2500")}
    assert list(answered) == list(plugin.BALANCES)


def test_fixture_credentials_stay_out_of_reprs(
    okx_account: FakeAccount, okx_account_api: FakeAccountAPI
) -> None:
    for shown in (repr(okx_account), repr(okx_account_api)):
        assert plugin.SECRET_KEY not in shown
        assert plugin.PASSPHRASE not in shown
