package pshost

import (
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// FileSystem returns the cmdlets and .NET types through which a script reaches the machine's file
// system, registry and downloads. providers are other drives' providers (the certificate store's
// Cert:\), to which Test-Path, Get-Item, Get-ChildItem and Remove-Item hand their paths. Call it once
// per session: the types keep the session's open file streams.
func FileSystem(m *machine.Machine, providers ...Provider) ([]*engine.Cmdlet, []*engine.Type) {
	h := &fsHost{m: m, providers: providers, enums: newHostEnums(), open: map[string]*fileStream{}}
	cmdlets := []*engine.Cmdlet{
		h.testPath(), h.getItem(), h.getChildItem(), h.newItem(), h.removeItem(), h.copyItem(),
		h.getContent(), h.getFileHash(), h.getItemProperty(), h.newItemProperty(),
		h.invokeWebRequest(), h.expandArchive(),
	}
	types := []*engine.Type{
		h.fileType(), h.registryType(), h.environmentType(), h.dnsType(),
		enumType(h.enums.fileMode), enumType(h.enums.fileAccess), enumType(h.enums.seekOrigin),
		enumType(h.enums.valueKind), enumType(h.enums.valueOptions), enumType(h.enums.envTarget),
	}
	return cmdlets, types
}
