// okx-api's RestClient against the fake: run by tests/interop/test_node_okx_api.py.
//
// Reads OKX_BASE_URL, OKX_API_KEY, OKX_API_SECRET, OKX_API_PASS from the environment,
// makes each call in turn and prints one JSON object: for each call, {"ok": data} when
// the SDK resolved (it unwraps the body's `data`) or {"error": body} when it rejected
// (on code != "0" it throws the parsed body). The Python test asserts the values.
import { RestClient } from 'okx-api';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const client = new RestClient(
  {
    apiKey: env('OKX_API_KEY'),
    apiSecret: env('OKX_API_SECRET'),
    apiPass: env('OKX_API_PASS'),
    // baseUrl wins over `market` (requestUtils getRestBaseUrl); demoTrading sends
    // x-simulated-trading: 1, which the fake requires of a demo key.
    baseUrl: env('OKX_BASE_URL'),
    demoTrading: true,
  },
  // axios options: loopback only, never a proxy from the environment; a short timeout so
  // a hung fake fails the test instead of okx-api's 5-minute default.
  { proxy: false, timeout: 10000 },
);

const settle = async (promise) => {
  try {
    return { ok: await promise };
  } catch (error) {
    // okx-api throws the answer's body for an API error; anything else (an Error, a
    // string) is reported as text.
    return { error: error && typeof error === 'object' && 'code' in error
      ? error : String(error && error.message ? error.message : error) };
  }
};

const results = {};
results.balance = await settle(client.getBalance());
results.fundingBalances = await settle(client.getBalances());
results.maxWithdrawals = await settle(client.getMaxWithdrawals({ ccy: 'BTC,USDT' }));
results.transfer = await settle(client.fundsTransfer({
  ccy: 'USDT', amt: '12.5', from: '18', to: '6', clientId: 'interop1',
}));
results.transferState = await settle(client.getFundsTransferState({ clientId: 'interop1' }));
results.unknownClientId = await settle(client.getFundsTransferState({ clientId: 'fakeClientId' }));
results.fundingAfter = await settle(client.getBalances({ ccy: 'USDT' }));

// Withdrawals: the Python test leaves the next two waiting (pend_next_withdrawals(2)), so
// A and B wait and C leaves at once. A is canceled, B stays waiting.
const wdId = (result) => (result.ok ? result.ok[0].wdId : 'none');
const withdraw = (amt, clientId) => client.submitWithdraw({
  ccy: 'USDT', amt, dest: '4', toAddr: 'TTsY9uu2Y3aXXXXXscA4v', chain: 'USDT-TRC20',
  ...(clientId ? { clientId } : {}),
});
results.currencies = await settle(client.getCurrencies({ ccy: 'USDT' }));
results.withdrawA = await settle(withdraw('20', 'interopWdA'));
results.cancelA = await settle(client.cancelWithdrawal({ wdId: wdId(results.withdrawA) }));
results.cancelAAgain = await settle(client.cancelWithdrawal({ wdId: wdId(results.withdrawA) }));
results.withdrawB = await settle(withdraw('30', 'interopWdB'));
results.withdrawC = await settle(withdraw('10', 'interopWdC'));
results.cancelC = await settle(client.cancelWithdrawal({ wdId: wdId(results.withdrawC) }));
results.withdrawTooMuch = await settle(withdraw('70'));
results.withdrawalHistory = await settle(client.getWithdrawalHistory({ ccy: 'USDT' }));
results.withdrawalByClientId = await settle(
  client.getWithdrawalHistory({ clientId: 'interopWdB' }));
results.unknownWdId = await settle(client.getWithdrawalHistory({ wdId: '1' }));
results.withdrawStatus = await settle(
  client.getDepositWithdrawStatus({ wdId: wdId(results.withdrawB) }));
results.fundingAfterWithdrawals = await settle(client.getBalances({ ccy: 'USDT' }));
process.stdout.write(`${JSON.stringify(results)}\n`);
