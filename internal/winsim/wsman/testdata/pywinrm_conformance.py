# Conformance check with Debian's pywinrm (python3-winrm 0.3.0), run by server_test.go with /usr/bin/python3.
# Usage: pywinrm_conformance.py <endpoint> <user> <password>
import sys
import winrm
from winrm.protocol import Protocol

endpoint, user, password = sys.argv[1:4]
p = Protocol(endpoint=endpoint, transport="plaintext", username=user, password=password,
             read_timeout_sec=30, operation_timeout_sec=20)
shell = p.open_shell()

def run(cmd, args=()):
    cid = p.run_command(shell, cmd, list(args))
    out, err, code = p.get_command_output(shell, cid)
    p.cleanup_command(shell, cid)  # pywinrm asserts RelatesTo on the Signal response
    return out, err, code

out, err, code = run("echo", ["hello", "pywinrm"])
assert out == b"hello pywinrm\r\n" and code == 0, (out, err, code)
out, err, code = run("both")
assert out == b"out \r\n" and err == b"err \r\n" and code == 1, (out, err, code)
out, err, code = run("cmd", ["/c", "exit", "3010"])
assert code == 3010, code
out, err, code = run("long")
assert out.count(b"\r\n") == 20000, len(out)
p.close_shell(shell)  # asserts RelatesTo on Delete

s = winrm.Session(endpoint, auth=(user, password), transport="plaintext")
r = s.run_cmd("echo", ["session"])
assert r.std_out == b"session\r\n" and r.status_code == 0, r.std_out
print("pywinrm conformance: ok")
