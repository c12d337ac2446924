package pshost

import (
	"crypto/md5"  //nolint:gosec // Get-FileHash -Algorithm MD5 is what it is
	"crypto/sha1" //nolint:gosec // Get-FileHash -Algorithm SHA1 is what it is
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Get-FileHash (reference/5.1/Microsoft.PowerShell.Utility/Get-FileHash.md; a function of the
// Microsoft.PowerShell.Utility module in 5.1) writes [pscustomobject]@{Algorithm; Hash; Path} per file,
// the hash in upper-case hexadecimal, the algorithm upper-case, SHA256 by default. A path that does
// not exist is Resolve-Path's ItemNotFoundException (the function resolves its paths with it); a
// folder is skipped. Any algorithm is computed for files whose bytes winsim holds; for files known by
// size and hash only, SHA256 is their hash and other algorithms are not modelled. -InputStream is not
// modelled.
func (h *fsHost) getFileHash() *engine.Cmdlet {
	params := append(pathParams(), engine.Param{Name: "Algorithm", Type: "string", Position: -1},
		engine.Param{Name: "InputStream", Type: "object", Position: -1, Set: "Stream"})
	return &engine.Cmdlet{Name: "Get-FileHash", Module: "Microsoft.PowerShell.Utility", Params: params,
		Process: func(c *engine.Call) error {
			if has(c, "InputStream") {
				return notImpl("Get-FileHash -InputStream")
			}
			alg := "SHA256"
			if has(c, "Algorithm") {
				alg = strings.ToUpper(str(c, "Algorithm"))
			}
			newHash, ok := map[string]func() hash.Hash{"SHA1": sha1.New, "SHA256": sha256.New, "SHA384": sha512.New384,
				"SHA512": sha512.New, "MD5": md5.New}[alg]
			if !ok {
				if alg == "MACTRIPLEDES" || alg == "RIPEMD160" {
					return notImpl("Get-FileHash -Algorithm %s", alg)
				}
				// inferred: the ValidateSet refusal's text.
				return engine.NewError("System.Management.Automation.ParameterBindingValidationException",
					"Cannot validate argument on parameter 'Algorithm'. The argument \""+str(c, "Algorithm")+
						"\" does not belong to the set \"SHA1,SHA256,SHA384,SHA512,MACTripleDES,MD5,RIPEMD160\" specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command again.",
					"ParameterArgumentValidationError,Get-FileHash", "InvalidData", nil)
			}
			paths, err := boundPaths(c, "Get-FileHash")
			if err != nil {
				return err
			}
			for _, raw := range paths {
				p, err := h.resolve(raw)
				if err != nil {
					return err
				}
				if p.kind != provFileSystem {
					return notImpl("Get-FileHash on %s paths", p.kind)
				}
				e, ok := h.stat(p)
				if !ok {
					if err := report(c, errNotFound("ResolvePathCommand", raw)); err != nil {
						return err
					}
					continue
				}
				if e.Dir {
					continue
				}
				sum := strings.ToUpper(e.File.SHA256)
				if alg != "SHA256" || e.File.SHA256 == "" {
					b, err := fileBytes(e)
					if err != nil {
						return err
					}
					hh := newHash()
					hh.Write(b)
					sum = strings.ToUpper(hex.EncodeToString(hh.Sum(nil)))
				}
				obj := value.NewPSObject()
				obj.Set("Algorithm", alg)
				obj.Set("Hash", sum)
				obj.Set("Path", p.path)
				c.Out(obj)
			}
			return nil
		}}
}
