package hostconn

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/azure"
	"github.com/wincontainers/wincontainers/internal/azure/azurefake"
	"github.com/wincontainers/wincontainers/internal/azure/azuretest"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// An Azure VM's connection is retried here, as every transport's is: a run command Azure refuses
// with 429 (throttled, nothing ran) is tried again for an idempotent script (facts, whose first PUT is
// refused), up to RetryAttempts: with one attempt the 429 is the answer.
func TestAzureRetriedLikeEveryTransport(t *testing.T) {
	for _, tc := range []struct {
		name     string
		attempts int
		ok       bool
	}{
		{"retried", 3, true},
		{"one attempt", 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := azuretest.New(t)
			v := azurefake.New(t, winsim.Options{Profile: "ws2022"})
			var refused atomic.Int32
			v.RefuseCreate = func(string) (int, string) {
				if refused.Add(1) == 1 {
					return http.StatusTooManyRequests, "TooManyRequests"
				}
				return 0, ""
			}
			no := false
			vm := azure.VM{
				Auth: azure.Auth{SubscriptionID: azuretest.Subscription, TenantID: azuretest.Tenant, ClientID: azuretest.ClientID,
					ClientSecret: azuretest.Secret, UseCLI: &no, ResourceManagerEndpoint: f.URL, AuthorityHost: f.URL},
				Transport: v.WithEntra(f.Client()), ResourceGroup: "rg", Name: "vm1", PollFrequency: 1,
			}
			c, err := Open(Config{Azure: &vm, RetryAttempts: tc.attempts, RetryBackoff: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = c.Facts(context.Background())
			switch {
			case tc.ok && err != nil:
				t.Fatalf("facts after one throttled run command: %v", err)
			case !tc.ok && (err == nil || !strings.Contains(err.Error(), "TooManyRequests")):
				t.Fatalf("one attempt: got %v, want the 429", err)
			}
			if n := refused.Load(); !tc.ok && n != 1 {
				t.Errorf("%d run command PUTs with one attempt, want 1", n)
			}
		})
	}
}
