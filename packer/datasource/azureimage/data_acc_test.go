package azureimage

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/azure/azuretest"
)

// TestAccPackerBuild runs a real `packer build` with the installed plugin: the data source runs in the
// plugin process, reaches the loopback ARM endpoint (trusted through SSL_CERT_FILE), and a shell-local
// provisioner prints its outputs.
func TestAccPackerBuild(t *testing.T) {
	if os.Getenv("PACKER_ACC") == "" {
		t.Skip("acceptance test: set PACKER_ACC=1 (make testacc)")
	}
	packer := os.Getenv("PACKER_PATH")
	if packer == "" {
		t.Fatal("PACKER_PATH is not set: run `make testacc`, which finds or builds Packer (scripts/packer-cli)")
	}
	plugin := filepath.Join(os.Getenv("WINCONTAINERS_BIN_DIR"), "packer-plugin-wincontainers")
	if _, err := os.Stat(plugin); err != nil {
		t.Fatalf("plugin binary: %v (run `make build`)", err)
	}
	srv := azuretest.New(t)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"PACKER_PLUGIN_PATH="+filepath.Join(dir, "plugins"), "CHECKPOINT_DISABLE=1", "PACKER_CONFIG_DIR="+dir,
		"SSL_CERT_FILE="+ca, "ARM_CLIENT_SECRET="+azuretest.Secret)
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, packer, args...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("packer %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	run("plugins", "install", "--path", plugin, "github.com/wincontainers/wincontainers")

	template := fmt.Sprintf(`
packer {
  required_plugins {
    wincontainers = {
      source  = "github.com/wincontainers/wincontainers"
      version = ">= 0.1.0"
    }
  }
}

data "wincontainers-azure-image" "host" {
  location                  = "westeurope"
  release                   = "23H2"
  subscription_id           = %[1]q
  tenant_id                 = %[2]q
  client_id                 = %[3]q
  resource_manager_endpoint = %[4]q
  authority_host            = %[4]q
}

source "null" "image" {
  communicator = "none"
}

build {
  sources = ["source.null.image"]
  provisioner "shell-local" {
    inline = [
      "echo URN=${data.wincontainers-azure-image.host.urn}",
      "echo BASE=${data.wincontainers-azure-image.host.base_image}",
      "echo CHANNEL=${data.wincontainers-azure-image.host.channel}/${data.wincontainers-azure-image.host.build}",
    ]
  }
}
`, azuretest.Subscription, azuretest.Tenant, azuretest.ClientID, srv.URL)
	if err := os.WriteFile(filepath.Join(dir, "build.pkr.hcl"), []byte(template), 0o600); err != nil {
		t.Fatal(err)
	}
	out := run("build", "-color=false", "build.pkr.hcl")
	for _, want := range []string{
		"URN=MicrosoftWindowsServer:WindowsServer:23h2-datacenter-core-g2:25398.2207.260303",
		"BASE=mcr.microsoft.com/windows/servercore:ltsc2022",
		"CHANNEL=annual/25398",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("packer build output lacks %q:\n%s", want, out)
		}
	}
	if srv.SecretLeaked() || strings.Contains(out, azuretest.Secret) {
		t.Error("the client secret leaked")
	}
}
