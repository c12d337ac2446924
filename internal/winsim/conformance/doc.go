// Package conformance is winsim's conformance suite: three independent WinRM clients — masterzen/winrm
// (Go), Debian's pywinrm 0.3.0 (python3-winrm, run with /usr/bin/python3) and the npm winrm-client
// 0.0.11 — each run the same list of cases against a full simulated host (winsim.New served on
// 127.0.0.1), over every transport: HTTPS with the host's certificate verified against its CA, and
// plain HTTP with AllowUnencrypted, each with Basic and with NTLM; and, for pywinrm, NTLM with message
// sealing (transport='ntlm' with its default message_encryption='auto', multipart/encrypted) over plain
// HTTP against a host that keeps Windows' out-of-box AllowUnencrypted=false (winsim --require-encryption),
// where every SOAP message must arrive sealed (the state document counts them). winrm-client cannot seal;
// masterzen's NewEncryption("ntlm") sends its second message with no signature and no sealed data (it
// re-runs its handshake with an anonymous empty POST, which an authenticated connection serves), which
// wsman's TestNTLMSealedMasterzenDefect documents, so it has no sealed run here.
//
// Certificate authentication (https-certificate) is run by masterzen's ClientAuthRequest and pywinrm's
// transport='certificate' (cert_pem, cert_key_pem): a client certificate with the Client Authentication
// EKU and the UPN administrator@localhost, issued by a CA the host trusts and mapped to its Administrator;
// Basic is off on that host, and auth-rejected presents a certificate of the same CA whose UPN no mapping
// names.
//
// NTLM runs use hosts whose service auth is Negotiate only (winsim --auth ntlm: Basic disabled), so a
// client that fell back to Basic would be refused, and log on as COMPUTER\user. They put three NTLM
// implementations that share no code against winsim's NTLMv2 acceptor: masterzen's ClientNTLM
// (Azure/go-ntlmssp), pywinrm's transport='ntlm' (requests_ntlm 1.1.0 over ntlm-auth 1.4.0, with
// message_encryption='never'; ntlm-auth needs OpenSSL's legacy provider for MD4, which
// testdata/openssl-legacy.cnf loads) and winrm-client's own NTLM (chosen from the DOMAIN\user name).
//
// The cases (conformance_test.go's caseList): stdout and stderr kept apart; exit codes 0, 1, 3010 and the
// DWORD of exit -1; stdin delivered through Send; output long enough to need several Receives; a command
// silent for longer than the OperationTimeout (the w:TimedOut fault, retried); a WinRM fault (a command
// sent to a deleted shell: w:InvalidSelectors 2150858843); credentials rejected (HTTP 401; with NTLM,
// the 401 that answers the AUTHENTICATE_MESSAGE after a full handshake); a restart while a command runs
// (the in-flight Receive fails with a connection error, and once the host is back with a new boot id a
// new shell works); and, over HTTPS, a client that does not trust the host's CA is refused. The commands
// are real cmd.exe command lines (echo, cmd /c exit, more, ping, for /L, shutdown) that would give the
// same results on Windows.
//
// What a pass proves: that winsim's WS-Management (envelopes, faults, timeouts, HTTP status codes,
// connection resets, TLS) and its Negotiate acceptor are read by three client implementations that share
// no code the way each reads Windows, and that the host's state document (request counts, 401 answers,
// boot id) agrees with what the clients saw. Where a client cannot express a case, the suite says so (a
// declared limit, checked both ways: the client must still hit the limit, so a fixed client makes the
// test fail until the declaration goes) and asserts what the client does instead; a client's limits may
// differ by auth (winrm-client reads fault bodies on its NTLM path only).
//
// The runs go concurrently, a few hosts at a time. The suite is test-only. In CI (CI set) a missing
// client fails it; elsewhere it is skipped with a loud message. pywinrm: apt-get install python3-winrm
// (which brings python3-requests-ntlm and python3-ntlm-auth). winrm-client: npm ci in testdata/js.
package conformance
