# One winsim conformance case with Debian's pywinrm (python3-winrm 0.3.0), run by conformance_test.go
# with /usr/bin/python3.
# Usage: pywinrm_conformance.py '<target JSON>' '<case JSON>'
# Prints one line, "ok <case>: <detail>" or "limit <case>: <why>", and exits 0; on failure it prints
# "FAIL <case>: <detail>" and exits 1.
import base64
import json
import re
import sys
import threading
import time

import requests
import xmltodict
from winrm.exceptions import InvalidCredentialsError, WinRMError
from winrm.protocol import Protocol

target, case = json.loads(sys.argv[1]), json.loads(sys.argv[2])
name = case["name"]

if target["auth"] == "kerberos":
    import os

    # MIT's libraries read the realm's krb5.conf and the ticket cache kinit filled from the environment;
    # the auth-rejected case uses the cache of a principal the host does not admit.
    os.environ["KRB5_CONFIG"] = target["krb5_conf"]
    os.environ["KRB5CCNAME"] = "FILE:" + (target["wrong_ccache"] if name == "auth-rejected" else target["ccache"])
    if target["seal"]:
        import gssapi
        from gssapi.raw import IOV, IOVBufferType, unwrap_iov, wrap_iov
        import winrm.transport

        class GssapiWinRMAuth(requests.auth.AuthBase):
            """requests-kerberos' HTTPKerberosAuth with WinRM message encryption, over MIT GSS-API
            (python3-gssapi) instead of pykerberos: Debian's pykerberos 1.1.14 predates
            authGSSWinRMEncryptMessage (1.2.1), so requests-kerberos 0.12 reports
            winrm_encryption_available = False and pywinrm cannot seal. This class does what
            pykerberos 1.2's wrap does (gss_wrap_iov with a header, the data and a padding buffer) and
            hands the result to pywinrm's own Encryption class (its _build_kerberos_message and
            _decrypt_kerberos_message), with pywinrm's own transport around it."""

            winrm_encryption_available = True

            def __init__(self, mutual_authentication=None, service="HTTP", delegate=False, force_preemptive=False,
                         principal=None, hostname_override=None, sanitize_mutual_error_response=True, send_cbt=True):
                self.target = gssapi.Name("%s@%s" % (service, hostname_override), gssapi.NameType.hostbased_service)
                self.ctx = None

            def __call__(self, r):
                if self.ctx is None:
                    flags = gssapi.RequirementFlag
                    self.ctx = gssapi.SecurityContext(name=self.target, usage="initiate", mech=gssapi.MechType.kerberos,
                                                      flags=[flags.mutual_authentication, flags.replay_detection, flags.out_of_sequence_detection,
                                                             flags.confidentiality, flags.integrity])
                    r.headers["Authorization"] = "Negotiate " + base64.b64encode(self.ctx.step()).decode("ascii")
                    r.register_hook("response", self.handle_response)
                return r

            def handle_response(self, resp, **kwargs):
                if resp.status_code == 200 and not self.ctx.complete:
                    m = re.search(r"Negotiate\s+(\S+)", resp.headers.get("WWW-Authenticate", ""))
                    if m is None:
                        raise Failure("the host accepted the logon without an AP-REP (no mutual authentication)")
                    self.ctx.step(base64.b64decode(m.group(1)))  # MIT verifies the AP-REP
                    check(self.ctx.complete, "the context is not complete after the AP-REP")
                return resp

            def wrap_winrm(self, host, message):
                iov = IOV(IOVBufferType.header, message, IOVBufferType.padding, std_layout=False)
                wrap_iov(self.ctx, iov, confidential=True)
                return (iov[1].value or b"") + (iov[2].value or b""), iov[0].value

            def unwrap_winrm(self, host, message, header):
                iov = IOV((IOVBufferType.header, False, header), message, std_layout=False)
                unwrap_iov(self.ctx, iov)
                return iov[1].value

        winrm.transport.HTTPKerberosAuth = GssapiWinRMAuth


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def protocol(password=None, operation_timeout=20, ca=None):
    # Basic: "ssl" over HTTPS, "plaintext" over HTTP. NTLM: "ntlm" (requests_ntlm / ntlm-auth), without
    # message encryption, or sealed with pywinrm's default message_encryption='auto' (which seals over
    # HTTP). Over HTTPS the certificate is validated against the host's CA only.
    if target["auth"] == "ntlm":
        transport, extra = "ntlm", ({} if target["seal"] else {"message_encryption": "never"})
    elif target["auth"] == "kerberos":
        # Kerberos with the ticket cache (requests-kerberos over pykerberos: a raw Kerberos token in
        # Negotiate, mutual authentication REQUIRED), for HTTP/<spn_host>; sealed over HTTP with the
        # GSS-API class above.
        transport = "kerberos"
        extra = {"kerberos_hostname_override": target["spn_host"], "message_encryption": "auto" if target["seal"] else "never"}
    elif target["auth"] == "certificate":
        # transport='certificate': the TLS client certificate (cert_pem, cert_key_pem) and the header
        # Authorization: http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual. The
        # auth-rejected case presents a certificate from the same CA whose UPN no mapping names.
        wrong = password == target["wrong_password"]
        transport = "certificate"
        extra = {"cert_pem": target["wrong_cert"] if wrong else target["cert"],
                 "cert_key_pem": target["wrong_key"] if wrong else target["key"]}
    else:
        transport, extra = ("ssl" if target["https"] else "plaintext"), {}
    return Protocol(
        endpoint=target["endpoint"],
        transport=transport,
        **extra,
        username=None if target["auth"] == "kerberos" else target["user"],
        password=password or target["password"],
        server_cert_validation="validate",
        ca_trust_path=ca if ca is not None else (target["ca"] or None),
        operation_timeout_sec=operation_timeout,
        read_timeout_sec=operation_timeout + 10,
    )


def send_stdin(p, shell, command_id, data):
    # pywinrm 0.3.0's Protocol has no stdin helper (0.4 added send_command_input): the Send message is
    # built from its own header and sent with its own send_message, as 0.4's helper does.
    req = {"env:Envelope": p._get_soap_header(
        resource_uri="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
        action="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send",
        shell_id=shell)}
    stream = req["env:Envelope"].setdefault("env:Body", {}).setdefault("rsp:Send", {}).setdefault("rsp:Stream", {})
    stream["@Name"] = "stdin"
    stream["@CommandId"] = command_id
    stream["@End"] = "true"
    stream["#text"] = base64.b64encode(data).decode("ascii")
    p.send_message(xmltodict.unparse(req))


def run(p, command, stdin=None):
    shell = p.open_shell()
    try:
        cid = p.run_command(shell, command)
        if stdin is not None:
            send_stdin(p, shell, cid, stdin)
        out, err, code = p.get_command_output(shell, cid)
        p.cleanup_command(shell, cid)  # asserts RelatesTo on the Signal response
    finally:
        p.close_shell(shell)  # asserts RelatesTo on Delete
    return out, err, code


def simple():
    p = protocol(operation_timeout=case.get("operation_timeout") or 20)
    start = time.time()
    stdin = case["stdin"].encode("ascii") if case.get("stdin") else None
    out, err, code = run(p, case["command"], stdin)
    took = time.time() - start
    check(out == case.get("stdout", "").encode() and err == case.get("stderr", "").encode() and code == case["codes"][0],
          "%r: stdout %r stderr %r exit %d" % (case["command"], out[:200], err[:200], code))
    check(took >= case.get("min_seconds", 0), "%r finished after %.1f s" % (case["command"], took))
    return "ok", "%d bytes of stdout, %d of stderr, exit %d after %.1f s" % (len(out), len(err), code, took)


def exit_codes():
    p = protocol()
    got = []
    for command, want in zip(case["commands"], case["codes"]):
        _, _, code = run(p, command)
        check(code == want, "%r: exit %d, want %d" % (command, code, want))
        got.append(str(code))
    return "ok", "exit codes " + ", ".join(got)


def long_output():
    out, _, code = run(protocol(), case["command"])
    lines = out.decode("ascii").split("\r\n")
    check(lines[-1] == "" and lines[:-1] == ["line %d" % i for i in range(1, case["lines"] + 1)] and code == 0,
          "%d lines, %d bytes, exit %d" % (len(lines) - 1, len(out), code))
    return "ok", "%d lines, %d bytes" % (len(lines) - 1, len(out))


def fault():
    p = protocol()
    shell = p.open_shell()
    p.close_shell(shell)
    try:
        p.run_command(shell, case["command"])
    except WinRMError as e:
        msg = str(e)
        check("'wsmanfault_code': '%s'" % case["fault_code"] in msg and "w:InvalidSelectors" in msg, "fault: %s" % msg)
        return "ok", msg
    raise Failure("a command on a deleted shell succeeded")


def auth_rejected():
    try:
        run(protocol(password=target["wrong_password"]), case["command"])
    except InvalidCredentialsError as e:
        return "ok", "InvalidCredentialsError: %s" % e
    raise Failure("the wrong password was accepted")


def untrusted_ca():
    try:
        run(protocol(), case["command"])
    except requests.exceptions.SSLError as e:
        check("CERTIFICATE_VERIFY_FAILED" in str(e), "SSLError: %s" % e)
        return "ok", "SSLError: certificate verify failed"
    raise Failure("connected without trusting the host's CA")


def reboot():
    p = protocol()
    shell = p.open_shell()
    cid = p.run_command(shell, case["command"])
    result = {}

    def receive():
        try:
            result["output"] = p.get_command_output(shell, cid)
        except Exception as e:  # what the in-flight Receive ends with
            result["error"] = e

    t = threading.Thread(target=receive, daemon=True)
    t.start()
    time.sleep(1)  # the Receive is parked
    try:
        _, err, code = run(protocol(), case["restart"])
    except requests.exceptions.ConnectionError:
        # The host may go down before the restart command's own Signal and Delete are answered.
        err, code = b"", 0
    check(code == 0, "%r: exit %d, %r" % (case["restart"], code, err))
    t.join(15)
    check(not t.is_alive(), "the in-flight Receive still hangs 15 s after the restart")
    check("error" in result, "the in-flight command finished after the restart: %r" % (result.get("output"),))
    e = result["error"]
    check(isinstance(e, requests.exceptions.ConnectionError), "the in-flight Receive failed with %r, want a connection error" % e)
    deadline = time.time() + 30
    while True:
        try:
            out, _, code = run(protocol(), case["after"])
            break
        except (requests.exceptions.ConnectionError, WinRMError):
            check(time.time() < deadline, "the host did not come back within 30 s")
            time.sleep(0.2)
    check(out == case["stdout"].encode() and code == 0, "after the restart: %r exit %d" % (out, code))
    return "ok", "in-flight Receive: %s; then %r" % (type(e).__name__, out)


CASES = {
    "stdout-stderr": simple, "stdin": simple, "operation-timeout": simple, "exit-codes": exit_codes,
    "long-output": long_output, "fault": fault, "auth-rejected": auth_rejected, "untrusted-ca": untrusted_ca,
    "reboot": reboot,
}

try:
    status, detail = CASES[name]()
except Exception as e:
    print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
    sys.exit(1)
print("%s %s: %s" % (status, name, re.sub(r"\s+", " ", str(detail))))
