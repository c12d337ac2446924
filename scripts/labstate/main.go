// Command labstate prints what winsim hosts say about themselves, one line per host, for scripts/demo.
// It reads GET /winsim/v1/state over HTTPS, trusting only the host's own CA (ca.pem), so the demo
// needs neither curl nor a JSON tool. The password comes from WINSIM_PASSWORD, never the command line.
//
//	labstate name=https://127.0.0.1:PORT,/path/to/ca.pem ...   one line per host
//	labstate -totals name=... ...                                 "<WS-Man requests> <reboots>" over all hosts
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// state is the part of winsim's state document the demo shows.
type state struct {
	OS struct {
		Profile string `json:"profile"`
		Build   int    `json:"build"`
	} `json:"os"`
	Reboots  int `json:"reboots"`
	Services map[string]struct {
		State string `json:"state"`
	} `json:"services"`
	Engine struct {
		Type    string `json:"type"`
		Version string `json:"version"`
	} `json:"engine"`
	LCOWBootFiles []string `json:"lcow_boot_files"`
	Verified      string   `json:"verified_spec_hash"`
	Requests      struct {
		Total int `json:"total"`
	} `json:"requests"`
}

type target struct{ name, url, caFile string }

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "labstate:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("labstate", flag.ContinueOnError)
	totals := fs.Bool("totals", false, "print the WS-Man requests and reboots summed over all hosts")
	if err := fs.Parse(args); err != nil {
		return err //nolint:wrapcheck // flag already printed the usage
	}
	user, password := os.Getenv("WINSIM_USER"), os.Getenv("WINSIM_PASSWORD")
	if user == "" {
		user = "Administrator"
	}
	if password == "" {
		return errors.New("set WINSIM_PASSWORD")
	}
	var targets []target
	for _, a := range fs.Args() {
		name, rest, ok1 := strings.Cut(a, "=")
		url, ca, ok2 := strings.Cut(rest, ",")
		if !ok1 || !ok2 {
			return fmt.Errorf("%q: want name=https://host:port,ca.pem", a)
		}
		targets = append(targets, target{name, strings.TrimSuffix(url, "/"), ca})
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].name < targets[j].name }) // as Terraform orders a map
	var sumReq, sumReboots int
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, t := range targets {
		st, err := fetch(t, user, password)
		if err != nil {
			return err
		}
		sumReq += st.Requests.Total
		sumReboots += st.Reboots
		if !*totals {
			fmt.Fprintf(tw, "  %s\t%s (build %d)\treboots %d\tWS-Man requests %d\t%s\tverified %s\n",
				t.name, st.OS.Profile, st.OS.Build, st.Reboots, st.Requests.Total, engine(st), yesNo(st.Verified != ""))
		}
	}
	if *totals {
		fmt.Fprintf(out, "%d %d\n", sumReq, sumReboots)
		return nil
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing the table: %w", err)
	}
	return nil
}

func engine(st state) string {
	if st.Engine.Type == "" {
		return "no engine"
	}
	s := st.Engine.Type + " " + st.Engine.Version
	if svc, ok := st.Services[st.Engine.Type]; ok {
		s += " (" + strings.ToLower(svc.State) + ")"
	}
	if len(st.LCOWBootFiles) > 0 {
		s += " + LCOW boot files"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func fetch(t target, user, password string) (state, error) {
	var st state
	pem, err := os.ReadFile(t.caFile)
	if err != nil {
		return st, fmt.Errorf("%s: %w", t.name, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return st, fmt.Errorf("%s: no certificate in %s", t.name, t.caFile)
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url+"/winsim/v1/state", nil)
	if err != nil {
		return st, fmt.Errorf("%s: %w", t.name, err)
	}
	req.SetBasicAuth(user, password)
	resp, err := client.Do(req)
	if err != nil {
		return st, fmt.Errorf("%s: %w", t.name, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("%s: GET /winsim/v1/state: %s", t.name, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("%s: decoding the state document: %w", t.name, err)
	}
	return st, nil
}
