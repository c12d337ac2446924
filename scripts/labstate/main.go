// Command labstate prints what winsim hosts say about themselves, one line per host, for scripts/demo.
// It reads GET /winsim/v1/state over HTTPS, trusting only the host's own CA (ca.pem), so the demo
// needs neither curl nor a JSON tool. The password comes from WINSIM_PASSWORD, never the command line.
//
//	labstate name=https://127.0.0.1:PORT,/path/to/ca.pem ...   one line per host
//	labstate -totals name=... ...                                 "<WS-Man requests> <reboots>" over all hosts
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/control"
)

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

func engine(st winsim.State) string {
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

func fetch(t target, user, password string) (winsim.State, error) {
	c, err := control.New(t.url, t.caFile, user, password)
	if err != nil {
		return winsim.State{}, fmt.Errorf("%s: %w", t.name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.State(ctx)
	if err != nil {
		return st, fmt.Errorf("%s: %w", t.name, err)
	}
	return st, nil
}
