package winsimtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"testing"

	"golang.org/x/crypto/ssh"
)

// NewSSHKey is a fresh Ed25519 key for an SSH logon: the private key as an OpenSSH PEM block (what
// ssh-keygen writes, and what a private_key argument takes) and the public key (for the host's
// administrators_authorized_keys, Options.SSHAuthorizedKeys, through ssh.MarshalAuthorizedKey).
func NewSSHKey(tb testing.TB) (privPEM []byte, pub ssh.PublicKey) {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(block), signer.PublicKey()
}
