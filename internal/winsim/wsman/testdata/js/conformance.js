// Conformance check with the npm winrm-client (pure JS; it reads response prefixes literally and sends wsa:).
// Usage: node conformance.js <host> <port> <user> <password>
const { runCommand } = require('winrm-client');

(async () => {
  const [host, port, user, pass] = process.argv.slice(2);
  const echo = await runCommand('echo hello js', host, user, pass, Number(port));
  if (!String(echo).includes('hello js')) throw new Error('echo: ' + JSON.stringify(echo));
  const name = await runCommand('hostname', host, user, pass, Number(port));
  if (!String(name).trim()) throw new Error('hostname: empty');
  // winrm-client 0.0.11 reads a single ReceiveResponse per command, so the output must fit one
  // response (about 110 KB at MaxEnvelopeSize 153600); masterzen and pywinrm cover multi-Receive output.
  const medium = await runCommand('medium', host, user, pass, Number(port));
  if (String(medium).split('\n').filter((l) => l.includes('of the long output')).length !== 2000) {
    throw new Error('medium output: ' + String(medium).length + ' chars');
  }
  console.log('winrm-client conformance: ok');
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
