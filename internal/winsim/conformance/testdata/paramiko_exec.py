"""Runs one command on an SSH server with paramiko and prints what it saw as JSON.

Input (JSON on stdin): host, port, user, and password or key_file, known_hosts (a file, checked with
RejectPolicy: an unknown or changed host key is refused), command, stdin (text sent, then EOF).
Output (JSON on stdout): stdout, stderr, code (the exit-status, -1 when none came), error (the
exception's class and text when the connection or the logon failed, or the connection dropped).
"""
import json
import socket
import sys

import paramiko


def main():
    req = json.load(sys.stdin)
    out = {"stdout": "", "stderr": "", "code": -1, "error": ""}
    client = paramiko.SSHClient()
    client.load_host_keys(req["known_hosts"])
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        kwargs = dict(hostname=req["host"], port=req["port"], username=req["user"], timeout=30,
                      allow_agent=False, look_for_keys=False, banner_timeout=30, auth_timeout=30)
        if req.get("key_file"):
            kwargs["key_filename"] = req["key_file"]
        else:
            kwargs["password"] = req["password"]
        client.connect(**kwargs)
        chan = client.get_transport().open_session()
        chan.exec_command(req["command"])
        data = req.get("stdin", "").encode("utf-8")
        if data:
            chan.sendall(data)
        chan.shutdown_write()
        stdout, stderr = bytearray(), bytearray()
        while True:
            if chan.recv_ready():
                stdout += chan.recv(65536)
                continue
            if chan.recv_stderr_ready():
                stderr += chan.recv_stderr(65536)
                continue
            if chan.exit_status_ready() or chan.closed or client.get_transport() is None or not client.get_transport().is_active():
                # drain what is left
                while chan.recv_ready():
                    stdout += chan.recv(65536)
                while chan.recv_stderr_ready():
                    stderr += chan.recv_stderr(65536)
                break
            chan.status_event.wait(0.05)
        out["stdout"] = stdout.decode("utf-8", "replace")
        out["stderr"] = stderr.decode("utf-8", "replace")
        # paramiko reads the status as an unsigned 32-bit integer and reports -1 when none came (the
        # channel or the connection closed first).
        out["code"] = chan.recv_exit_status() if chan.exit_status_ready() else -1
        if out["code"] == -1:
            out["error"] = "ConnectionLost: the channel closed without an exit-status"
    except (paramiko.SSHException, socket.error, EOFError) as e:
        out["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        client.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
