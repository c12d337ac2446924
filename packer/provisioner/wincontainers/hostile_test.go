package wincontainers

import (
	"strings"
	"testing"
)

// Hostile strings in every string argument of the provisioner — quotes, $(), backticks, newlines, path
// traversal, NUL, invalid UTF-8, a huge value — are refused by Prepare (packer validate), naming the
// argument, without repeating a huge value.
func TestPrepareRefusesHostileStrings(t *testing.T) {
	hostile := []string{`'`, `"`, "$(Stop-Computer -Force)", "`$env:PATH", "a\nb", "a\r\nRemove-Item C:\\ -Recurse",
		`..\..\Windows`, `C:\docker\..\Windows`, "\x00", "\xff\xfe", "; calc.exe", "| calc.exe", strings.Repeat("A", 1<<20)}
	args := []struct {
		name string
		raw  func(v string) map[string]interface{}
	}{
		{"container_mode", func(v string) map[string]interface{} { return map[string]interface{}{"container_mode": v} }},
		{"channel", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "channel": v}
		}},
		{"os_version", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "os_version": v}
		}},
		{"engine", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "engine": map[string]interface{}{"type": v}}
		}},
		{"engine", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "engine": map[string]interface{}{"version": v}}
		}},
		{"engine", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "engine": map[string]interface{}{"sha256": v}}
		}},
		{"engine", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "engine": map[string]interface{}{"url": v}}
		}},
		{"engine", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "engine": map[string]interface{}{"archive": v}}
		}},
		{"lcow", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "lcow", "lcow": map[string]interface{}{"url": v}}
		}},
		{"lcow", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "lcow", "lcow": map[string]interface{}{"sha256": v}}
		}},
		{"daemon", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"data_root": v}}
		}},
		{"daemon", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"registry_mirrors": []string{v}}}
		}},
		{"daemon", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"insecure_registries": []string{v}}}
		}},
		{"daemon", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"dns": []string{v}}}
		}},
		{"daemon", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"hosts": []string{"npipe:////./pipe/docker_engine", v}}}
		}},
		{"daemon", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"tls_verify": true,
				"tls_ca_cert": v, "tls_cert": `C:\c\cert.pem`, "tls_key": `C:\c\key.pem`}}
		}},
		{"daemon", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"tls_verify": true,
				"tls_ca_cert": `C:\c\ca.pem`, "tls_cert": v, "tls_key": `C:\c\key.pem`}}
		}},
		{"daemon", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"tls_verify": true,
				"tls_ca_cert": `C:\c\ca.pem`, "tls_cert": `C:\c\cert.pem`, "tls_key": v}}
		}},
		{"pre_pull_images", func(v string) map[string]interface{} {
			return map[string]interface{}{"container_mode": "process", "pre_pull_images": []string{v}}
		}},
	}
	for _, a := range args {
		for _, v := range hostile {
			p := &Provisioner{now: fixedDay}
			err := p.Prepare(a.raw(v))
			if err == nil {
				t.Errorf("%s = %.40q was accepted", a.name, v)
				continue
			}
			if !strings.Contains(err.Error(), a.name) {
				t.Errorf("%s = %.40q: the error does not name the argument: %.300v", a.name, v, err)
			}
			if len(err.Error()) > 8192 {
				t.Errorf("%s = %.40q: the error repeats the huge value (%d bytes)", a.name, v, len(err.Error()))
			}
		}
	}
}
