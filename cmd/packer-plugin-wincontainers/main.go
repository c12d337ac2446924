// Command packer-plugin-wincontainers is the Packer front door of wincontainers.
package main

import (
	"fmt"
	"os"

	"github.com/hashicorp/packer-plugin-sdk/plugin"

	"github.com/wincontainers/wincontainers/packer/datasource/azureimage"
	"github.com/wincontainers/wincontainers/packer/provisioner/wincontainers"
	"github.com/wincontainers/wincontainers/packer/version"
)

func main() {
	pps := plugin.NewSet()
	// In HCL: data "wincontainers-azure-image" "name" { ... }.
	pps.RegisterDatasource("azure-image", new(azureimage.Datasource))
	// In HCL: provisioner "wincontainers" { ... } (the plugin's default name).
	pps.RegisterProvisioner(plugin.DEFAULT_NAME, new(wincontainers.Provisioner))
	pps.SetVersion(version.PluginVersion)
	if err := pps.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		os.Exit(1)
	}
}
