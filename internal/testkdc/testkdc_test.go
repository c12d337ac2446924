package testkdc

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRealm starts the KDC, gets a TGT with kinit and a service ticket for HTTP/winsim.example.test with
// kvno, and lists the keytab: the realm is what the Kerberos tests rely on.
func TestRealm(t *testing.T) {
	k := Start(t, Options{})
	cc := k.Kinit(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k.env = append(k.env, "KRB5CCNAME=FILE:"+cc)
	out, err := k.run(ctx, nil, "kvno", "HTTP/winsim.example.test@"+Realm)
	if err != nil {
		t.Fatalf("kvno: %v\n%s", err, out)
	}
	out, err = k.run(ctx, nil, "klist", "-k", k.Keytab)
	if err != nil || !strings.Contains(string(out), "HTTP/localhost@"+Realm) {
		t.Fatalf("klist -k: %v\n%s", err, out)
	}
	// A principal that was never added is unknown to the KDC.
	if out, err := k.run(ctx, nil, "kvno", "HTTP/nowhere.example.test@"+Realm); err == nil || !strings.Contains(string(out), "not found") {
		t.Fatalf("kvno of an unknown service: %v\n%s", err, out)
	}
}
