// Command h1hash prints the "h1:" hash Terraform records in .terraform.lock.hcl for a provider zip: the
// dirhash Hash1 of the archive's files (golang.org/x/mod/sumdb/dirhash, which Terraform's getproviders
// package uses for PackageHashV1). scripts/release-check compares it with the lock file that terraform init
// wrote from a filesystem mirror of the release snapshot.
package main

import (
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/dirhash"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: h1hash <provider.zip>")
		os.Exit(2)
	}
	h, err := dirhash.HashZip(os.Args[1], dirhash.Hash1)
	if err != nil {
		fmt.Fprintln(os.Stderr, "h1hash:", err)
		os.Exit(1)
	}
	fmt.Println(h)
}
