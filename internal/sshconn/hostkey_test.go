package sshconn

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Real public key lines, as ssh-keygen writes them (the .pub files under %ProgramData%\ssh) and as
// ssh-keyscan and ssh-keygen -H write known_hosts lines.
const (
	seedEd25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBOha90KCj/VMjFh0HYjQ/UPoPZBcl+DgidpblkZTLG0 root@WIN-HOST"
	seedRSA     = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC6pMZQtBd7S6EF8SQVY6GRfnkWHSkw0zaggodmPICe4QLI2iiZ6oOi8iDfmWZqGGK1l3AlzWGuQbJDgXU+" +
		"v8VSq10nSY64T/hxxyIGPbf2tdqh6VqZHrYQQ1J/KPwIOQw+5NBMTdk6+kiPiOpKMnWRue9t1yfVclR8WukliRNg4cH+C2lHt55ky1ExXF/hgK9ke2hiKCXNKPbZ" +
		"6jyKSrYxr8UVWFI/Geo8VNKY3x77+PkCd6b42iIBF+0gg/5PemAW2CoF3+cQMJM0aeftxbGxLtwPXcoT2iYEYd1GcJmEUfWaxf2cO08Y2xB/I+/2cWuxEG2Sm9IVVnhE" +
		"08hiS1gZ root@WIN-HOST"
	seedECDSA = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBOCBAvtR4jnLmt+WGj8ZdW52aBdY9wf3IjOkZ52FtQkMDVSu" +
		"6Tot8aIACgSD1q9v2Z93Yq2IocoBcrYZJ/YdyCg= root@WIN-HOST"
	seedHashed = "|1|hcQyxxOlrH+Va9ZBRMd6tDWchpQ=|sfhNInm19fTTOjraQ4Ql5xBPfac= ssh-ed25519 " +
		"AAAAC3NzaC1lZDI1NTE5AAAAIBOha90KCj/VMjFh0HYjQ/UPoPZBcl+DgidpblkZTLG0"
)

// keyOf is the base64 key of a seed line.
func keyOf(line string) string { return strings.Fields(line)[1] }

func TestParseHostKey(t *testing.T) {
	ed := keyOf(seedEd25519)
	for _, tc := range []struct {
		name, in, wantType, wantErr string
	}{
		{name: "ed25519 .pub", in: seedEd25519, wantType: ssh.KeyAlgoED25519},
		{name: "rsa .pub", in: seedRSA, wantType: ssh.KeyAlgoRSA},
		{name: "ecdsa .pub", in: seedECDSA, wantType: ssh.KeyAlgoECDSA256},
		{name: "no comment, padded", in: "  ssh-ed25519 " + ed + "\n", wantType: ssh.KeyAlgoED25519},
		{name: "authorized_keys options", in: `from="10.0.0.0/8",no-pty ssh-ed25519 ` + ed + " admin key", wantType: ssh.KeyAlgoED25519},
		{name: "known_hosts line", in: "[10.0.0.5]:2222,win-host ssh-ed25519 " + ed + " comment", wantType: ssh.KeyAlgoED25519},
		{name: "hashed known_hosts line", in: seedHashed, wantType: ssh.KeyAlgoED25519},
		{name: "known_hosts comment line first", in: "# win-host\nwin-host " + seedRSA, wantType: ssh.KeyAlgoRSA},
		{name: "revoked", in: "@revoked * ssh-ed25519 " + ed, wantErr: "marked @revoked"},
		{name: "revoked without hosts", in: "@revoked ssh-ed25519 " + ed, wantErr: "marked @revoked"},
		{name: "cert authority", in: "@cert-authority *.example.com ssh-ed25519 " + ed, wantErr: "marked @cert-authority"},
		{name: "empty", in: "", wantErr: "neither a public key"},
		{name: "type alone", in: "ssh-ed25519", wantErr: "neither a public key"},
		{name: "bad base64", in: "ssh-ed25519 AAAA!!!!", wantErr: "neither a public key"},
		{name: "type and key disagree", in: "ssh-rsa " + ed, wantErr: "neither a public key"},
		{name: "truncated key", in: "ssh-ed25519 " + ed[:40], wantErr: "neither a public key"},
		{name: "fingerprint", in: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", wantErr: "neither a public key"},
		{name: "private key", in: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n" +
			"-----END OPENSSH PRIVATE KEY-----", wantErr: "neither a public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := parseHostKey(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseHostKey(%q) = %v, %v; want an error with %q", tc.in, k, err, tc.wantErr)
				}
				if strings.Contains(tc.in, "PRIVATE KEY") && strings.Contains(err.Error(), "b3BlbnNz") {
					t.Fatalf("the error repeats the private key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseHostKey(%q): %v", tc.in, err)
			}
			if k.Type() != tc.wantType {
				t.Fatalf("key type %s, want %s", k.Type(), tc.wantType)
			}
			checkRoundTrip(t, tc.in, k)
		})
	}
}

// checkRoundTrip is the parser's contract for a key it accepted: written back as a .pub line and as a
// known_hosts line, it reads as the same key, whose algorithms the client can ask the server for.
func checkRoundTrip(t *testing.T, in string, k ssh.PublicKey) {
	t.Helper()
	want := k.Marshal()
	for _, line := range []string{string(ssh.MarshalAuthorizedKey(k)), knownhosts.Line([]string{"[win-host]:2222"}, k)} {
		again, err := parseHostKey(line)
		if err != nil {
			t.Fatalf("%q was accepted as %s, but its line %q is refused: %v", in, k.Type(), line, err)
		}
		if !bytes.Equal(again.Marshal(), want) {
			t.Fatalf("%q was accepted, but its line %q reads as another key", in, line)
		}
	}
	if len(algorithmsFor(k.Type())) == 0 {
		t.Fatalf("no host key algorithms for %s", k.Type())
	}
}

// maxErrLen bounds a refusal's length: the input is quoted (truncated to 40 bytes, each escaped to at
// most 4 characters) inside a fixed sentence, so a pasted secret never appears in full in an error.
const maxErrLen = 400 + 4*40

func FuzzParseHostKey(f *testing.F) {
	for _, s := range []string{seedEd25519, seedRSA, seedECDSA, seedHashed,
		"win-host,10.0.0.5 " + seedEd25519, `command="powershell",no-pty ` + seedRSA,
		"@revoked * " + seedECDSA, "@cert-authority *.example.com " + seedEd25519,
		"# comment only", "", "ssh-ed25519", "ssh-ed25519 AAAA", "not a key at all", "ssh-rsa " + keyOf(seedEd25519),
		"\x00\xff\xfe ssh-ed25519 " + keyOf(seedEd25519), seedEd25519 + "\n" + seedRSA} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		k, err := parseHostKey(in)
		if err != nil {
			if k != nil {
				t.Fatalf("parseHostKey(%q) returned a key and an error", in)
			}
			if n := len(err.Error()); n > maxErrLen {
				t.Fatalf("parseHostKey(%q): a %d-character error repeats too much of the input", in, n)
			}
			return
		}
		checkRoundTrip(t, in, k)
	})
}
