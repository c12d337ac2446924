// One winsim conformance case with the npm winrm-client 0.0.11, run by conformance_test.go with node.
// Usage: node conformance.js '<target JSON>' '<case JSON>'
// Prints one line, "ok <case>: <detail>" or "limit <case>: <why>", and exits 0; on failure it prints
// "FAIL <case>: <detail>" and exits 1. Over HTTPS the host's CA comes from NODE_EXTRA_CA_CERTS and
// certificates are verified (rejectUnauthorized true).
//
// What winrm-client 0.0.11 offers: runCommand (one Receive, resolves with trimmed stdout, or stderr when
// stdout is empty), runInteractiveCommand (polls Receive until the End streams, each Receive's text
// trimmed), and the lower Shell and Command modules (create/delete shell, execute, send input,
// receive). It reports no exit codes, cannot close stdin, sends OperationTimeout PT60S and rejects any
// non-2xx response without reading it; the cases below say where that limits them.
const { Shell, Command, runCommand, runInteractiveCommand } = require('winrm-client');

const target = JSON.parse(process.argv[2]);
const c = JSON.parse(process.argv[3]);

class Failure extends Error {}
function check(cond, what) {
  if (!cond) throw new Failure(what);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function params(password) {
  return {
    host: target.host,
    port: target.port,
    path: '/wsman',
    username: target.user,
    password: password || target.password,
    // basic, or ntlm: the client's own NTLMv2 (it picks NTLM for a DOMAIN\\user name, as runCommand does).
    authMethod: target.auth === 'ntlm' ? 'ntlm' : 'basic',
    useHttps: target.https,
    rejectUnauthorized: true,
  };
}

function run(command, password) {
  return runCommand(command, target.host, target.user, password || target.password, target.port, false, target.https, true);
}

// receiveAll polls the client's own non-blocking Receive until the End streams arrive.
async function receiveAll(p, deadlineMs) {
  let out = '';
  let err = '';
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = await Command.doReceiveOutputNonBlocking(p);
    out += r.output;
    err += r.stderr;
    if (r.isComplete) return { out, err };
    check(Date.now() < end, 'the command did not finish');
  }
}

const connectionError = /ECONNRESET|socket hang up|EPIPE|ECONNREFUSED|EOF/;

const cases = {
  // stdout and stderr through the Command API (runCommand returns only one of them). Each Receive's
  // text comes back trimmed, so the CRLF and echo's trailing space are not visible here.
  'stdout-stderr': async () => {
    const p = { ...params() };
    p.shellId = await Shell.doCreateShell(p);
    try {
      p.commandId = await Command.doExecuteCommand({ ...p, command: c.command });
      const { out, err } = await receiveAll(p, 30000);
      check(out === c.stdout.trim() && err === c.stderr.trim(), `stdout ${JSON.stringify(out)} stderr ${JSON.stringify(err)}`);
      return ['ok', `stdout ${JSON.stringify(out)}, stderr ${JSON.stringify(err)} (trimmed by the client)`];
    } finally {
      await Shell.doDeleteShell(p);
    }
  },
  'exit-codes': async () => {
    for (const command of c.commands) {
      const out = await run(command);
      check(out === '', `${command}: ${JSON.stringify(out)}`);
    }
    return ['limit', `ran ${c.commands.join(', ')} to completion; winrm-client has no way to report their exit codes`];
  },
  // stdin through the client's Send; more echoes each line as it reads it. The client cannot send
  // End="true", so more never sees the end of its input: the lines are checked, then the shell deleted.
  stdin: async () => {
    const p = { ...params() };
    p.shellId = await Shell.doCreateShell(p);
    try {
      p.commandId = await Command.doExecuteCommand({ ...p, command: c.command });
      await Command.doSendInput({ ...p, input: c.stdin });
      const want = c.stdout.trim();
      let got = '';
      const end = Date.now() + 15000;
      while (got.replace(/\s+/g, ' ') !== want.replace(/\s+/g, ' ')) {
        const r = await Command.doReceiveOutputNonBlocking(p);
        check(!r.isComplete, `more ended without End="true": ${JSON.stringify(got.slice(-200))}`);
        got += (got && r.output ? '\r\n' : '') + r.output;
        check(Date.now() < end, `stdin came back as ${JSON.stringify(got.slice(0, 200))}...`);
      }
      return ['limit', `${c.stdin.length} bytes sent were echoed back, but stdin could not be closed; the shell was deleted instead`];
    } finally {
      await Shell.doDeleteShell(p);
    }
  },
  // Output over several Receives: runInteractiveCommand polls until the End streams. Each Receive's text
  // is trimmed, so line breaks at Receive boundaries are lost; the lines are counted by their numbers.
  'long-output': async () => {
    const out = await runInteractiveCommand(c.command, target.host, target.user, target.password, target.port, [], 60000,
      undefined, 10, target.https, true);
    const nums = [...out.matchAll(/line (\d+)/g)].map((m) => Number(m[1]));
    check(nums.length === c.lines && nums.every((n, i) => n === i + 1), `${nums.length} lines, last ${nums[nums.length - 1]}`);
    return ['ok', `${nums.length} lines in order, ${out.length} chars`];
  },
  // winrm-client hard-codes PT60S; to get a w:TimedOut at all the script lowers it to the case's
  // OperationTimeout through the client's own header builder. The client then fails the command on the
  // fault (HTTP 500) instead of receiving again.
  'operation-timeout': async () => {
    const br = require('winrm-client/dist/src/base-request');
    const original = br.getSoapHeaderRequest;
    br.getSoapHeaderRequest = (hp) => {
      const h = original(hp);
      h['s:Header']['wsman:OperationTimeout'] = `PT${c.operation_timeout}S`;
      return h;
    };
    const p = { ...params() };
    p.shellId = await Shell.doCreateShell(p);
    try {
      p.commandId = await Command.doExecuteCommand({ ...p, command: c.command });
      const start = Date.now();
      try {
        await Command.doReceiveOutput(p);
      } catch (e) {
        const took = (Date.now() - start) / 1000;
        check(/500/.test(e.message) && took >= c.operation_timeout * 0.9, `after ${took} s: ${e.message}`);
        return ['limit', `the Receive failed after ${took.toFixed(1)} s with "${e.message}" and the client does not retry it`];
      }
      throw new Failure('the Receive returned before the command finished, without w:TimedOut');
    } finally {
      await Shell.doDeleteShell(p);
    }
  },
  // Basic: the 500 is rejected unread. NTLM: its path reads every answer and reports a non-2xx one as
  // "NTLM authentication failed: <status> <body>", so the fault's code is there to check.
  fault: async () => {
    const p = { ...params() };
    p.shellId = await Shell.doCreateShell(p);
    await Shell.doDeleteShell(p);
    try {
      await Command.doExecuteCommand({ ...p, command: c.command });
    } catch (e) {
      if (target.auth === 'ntlm') {
        check(/^NTLM authentication failed: 500 /.test(e.message) && e.message.includes(`Code="${c.fault_code}"`) &&
          e.message.includes('w:InvalidSelectors'), e.message.slice(0, 300));
        return ['ok', `"${e.message.slice(0, 40)}...": the body carries w:InvalidSelectors, WSManFault ${c.fault_code}`];
      }
      check(/^Failed to process the request: 500/.test(e.message), e.message);
      return ['limit', `"${e.message}": the fault (WSManFault ${c.fault_code}) is not read`];
    }
    throw new Failure('a command on a deleted shell succeeded');
  },
  'auth-rejected': async () => {
    try {
      await run(c.command, target.wrong_password);
    } catch (e) {
      // Basic: the 401 is rejected unread. NTLM: the 401 that answers the AUTHENTICATE_MESSAGE.
      const refused = target.auth === 'ntlm' ? /^NTLM authentication failed: 401/ : /^Failed to process the request: 401/;
      check(refused.test(e.message), e.message);
      return ['ok', e.message];
    }
    throw new Failure('the wrong password was accepted');
  },
  'untrusted-ca': async () => {
    try {
      await run(c.command);
    } catch (e) {
      check(/CERT|SIGNATURE|self-signed/i.test(`${e.code} ${e.message}`), `${e.code}: ${e.message}`);
      return ['ok', `${e.code}: ${e.message}`];
    }
    throw new Failure("connected without trusting the host's CA");
  },
  reboot: async () => {
    const p = { ...params() };
    p.shellId = await Shell.doCreateShell(p);
    p.commandId = await Command.doExecuteCommand({ ...p, command: c.command });
    const inflight = Command.doReceiveOutput(p).then(
      (out) => ({ out }),
      (err) => ({ err }),
    );
    await sleep(1000); // the Receive is parked
    let restart = '';
    try {
      restart = await run(c.restart);
    } catch (e) {
      // The host may go down before the restart command's own Signal and Delete are answered.
      check(connectionError.test(`${e.code} ${e.message}`), `${c.restart}: ${e.code}: ${e.message}`);
    }
    check(restart === '', `${c.restart}: ${JSON.stringify(restart)}`);
    let timer;
    const hang = new Promise((resolve) => {
      timer = setTimeout(() => resolve({ hang: true }), 15000);
    });
    const r = await Promise.race([inflight, hang]);
    clearTimeout(timer);
    check(!r.hang, 'the in-flight Receive still hangs 15 s after the restart');
    check(r.err, `the in-flight Receive returned ${JSON.stringify(r.out)} across the restart`);
    check(connectionError.test(`${r.err.code} ${r.err.message}`), `the in-flight Receive failed with ${r.err.code}: ${r.err.message}`);
    const end = Date.now() + 30000;
    let back;
    for (;;) {
      try {
        back = await run(c.after);
        break;
      } catch (e) {
        check(Date.now() < end, `the host did not come back within 30 s: ${e.message}`);
        await sleep(200);
      }
    }
    check(back === c.stdout.trim(), `after the restart: ${JSON.stringify(back)}`);
    return ['ok', `in-flight Receive: ${r.err.code || ''} ${r.err.message}; then ${JSON.stringify(back)}`];
  },
};

(async () => {
  const [status, detail] = await cases[c.name]();
  console.log(`${status} ${c.name}: ${String(detail).replace(/\s+/g, ' ')}`);
  // winrm-client leaves the sockets of the responses it rejects unread and open: exit rather than wait.
  process.exit(0);
})().catch((e) => {
  console.log(`FAIL ${c.name}: ${(e && e.message) || e}`.replace(/\s+/g, ' '));
  process.exit(1);
});
