package pshost

import (
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// fileSystem returns the cmdlets and .NET types through which a script reaches the machine's file
// system, registry and downloads. providers are other drives' providers (the certificate store's
// Cert:\), to which Test-Path, Get-Item, Get-ChildItem and Remove-Item hand their paths. Call it once
// per session: the types keep the session's open file streams.
func fileSystem(m *machine.Machine, providers ...Provider) ([]*engine.Cmdlet, []*engine.Type) {
	cmdlets, types, _ := FileSystemSession(m, providers...)
	return cmdlets, types
}

// FileSystemSession is FileSystem for one powershell.exe process: end, called when the process ends,
// closes the file handles the script left open (Windows closes a process's handles when it exits; what a
// FileStream had not flushed is lost).
func FileSystemSession(m *machine.Machine, providers ...Provider) (cmdlets []*engine.Cmdlet, types []*engine.Type, end func()) {
	h := &fsHost{m: m, providers: providers, enums: newHostEnums(), open: map[string]*fileStream{}}
	end = func() {
		for k, st := range h.open {
			st.closed = true
			st.release()
			delete(h.open, k)
		}
	}
	cmdlets = []*engine.Cmdlet{
		h.testPath(), h.getItem(), h.getChildItem(), h.newItem(), h.removeItem(), h.copyItem(),
		h.getContent(), h.getFileHash(), h.getItemProperty(), h.newItemProperty(),
		h.invokeWebRequest(), h.expandArchive(),
	}
	types = []*engine.Type{
		h.fileType(), h.registryType(), h.environmentType(), h.dnsType(),
		enumType(h.enums.fileMode), enumType(h.enums.fileAccess), enumType(h.enums.seekOrigin),
		enumType(h.enums.valueKind), enumType(h.enums.valueOptions), enumType(h.enums.envTarget),
	}
	return cmdlets, types, end
}
