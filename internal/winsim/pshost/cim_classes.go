package pshost

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// The CIM classes of root/cimv2 the scripts read, with the properties of their Win32 class
// documentation (MicrosoftDocs/win32 Win32_OperatingSystem, Win32_ComputerSystem, Win32_Processor,
// Win32_Service, Win32_LogicalDisk). Every value is computed from the machine model
// document, so that facts.ps1 run through the engine gives the same document. UInt32 and UInt64
// properties are Int64 values here (the value model has no unsigned types beyond Byte).

// cimClass builds a class's instances; keys are its key properties (for ToString).
type cimClass struct {
	keys      []string
	instances func(h *host) []*object
}

func cimClasses() map[string]cimClass {
	return map[string]cimClass{
		"win32_operatingsystem": {keys: []string{"Name"}, instances: func(h *host) []*object { return []*object{h.win32OperatingSystem()} }},
		"win32_computersystem":  {keys: []string{"Name"}, instances: func(h *host) []*object { return []*object{h.win32ComputerSystem()} }},
		"win32_processor":       {keys: []string{"DeviceID"}, instances: func(h *host) []*object { return []*object{h.win32Processor()} }},
		"win32_service":         {keys: []string{"Name"}, instances: (*host).win32Services},
		"win32_logicaldisk":     {keys: []string{"DeviceID"}, instances: func(h *host) []*object { return []*object{h.win32LogicalDisk()} }},
	}
}

// cimInstance is a CimInstance of a class: its .NET type is Microsoft.Management.Infrastructure.
// CimInstance, its PowerShell type names name the class and its bases (namespace/class).
func cimInstance(class string, bases ...string) *object {
	types := []string{"Microsoft.Management.Infrastructure.CimInstance"}
	for _, c := range append([]string{class}, bases...) {
		types = append(types, "Microsoft.Management.Infrastructure.CimInstance#root/cimv2/"+c)
	}
	types = append(types, "Microsoft.Management.Infrastructure.CimInstance#"+class, "System.Object")
	o := newObject(types...)
	return o
}

// withKeys sets the instance's ToString: `Class (Key = "value", ...)` (inferred: CimInstance.ToString
// lists the key properties).
func withKeys(o *object, class string, keys []string) *object {
	o.str = func() string {
		var parts []string
		for _, k := range keys {
			v, _ := o.Property(k)
			parts = append(parts, fmt.Sprintf("%s = %q", k, fmt.Sprint(v)))
		}
		return class + " (" + strings.Join(parts, ", ") + ")"
	}
	o.set("PSComputerName", nil)
	return o
}

func (h *host) win32OperatingSystem() *object {
	info := h.w.OS()
	productType := int64(3) // server
	if info.Client {
		productType = 1
	}
	o := cimInstance("Win32_OperatingSystem", "CIM_OperatingSystem", "CIM_LogicalElement", "CIM_ManagedSystemElement")
	o.set("Caption", info.Caption).
		set("Name", info.Caption+`|C:\Windows|\Device\Harddisk0\Partition2`).
		set("Version", "10.0."+strconv.Itoa(info.BuildNumber)).
		set("BuildNumber", strconv.Itoa(info.BuildNumber)).
		set("CSName", info.ComputerName).
		set("OSArchitecture", "64-bit").
		set("OSType", int64(18)).
		set("ProductType", productType).
		set("SystemDrive", info.SystemDrive).
		set("WindowsDirectory", `C:\Windows`).
		set("SystemDirectory", `C:\Windows\system32`).
		set("LastBootUpTime", localTime(h.w.BootTime(), info.UTCOffset)).
		set("LocalDateTime", localTime(h.w.Now(), info.UTCOffset))
	return withKeys(o, "Win32_OperatingSystem", []string{"Name"})
}

func (h *host) win32ComputerSystem() *object {
	info := h.w.OS()
	o := cimInstance("Win32_ComputerSystem", "CIM_UnitaryComputerSystem", "CIM_ComputerSystem", "CIM_System", "CIM_LogicalElement", "CIM_ManagedSystemElement")
	o.set("Name", info.ComputerName).
		set("Domain", "WORKGROUP").
		set("PartOfDomain", false).
		set("Workgroup", "WORKGROUP").
		// Every winsim host is a Hyper-V guest, so a hypervisor is always present.
		set("HypervisorPresent", !info.PhysicalHost).
		set("Manufacturer", info.Manufacturer).
		set("Model", info.Model).
		set("NumberOfLogicalProcessors", int64(2)).
		set("SystemType", "x64-based PC")
	return withKeys(o, "Win32_ComputerSystem", []string{"Name"})
}

// win32Processor: the virtualization properties are true exactly when the processor's extensions reach
// Windows (--virtualization exposed). (On real Windows they read false while
// the Windows hypervisor runs; winsim does not model that.)
func (h *host) win32Processor() *object {
	exposed := h.m.Config().Virtualization == "exposed"
	o := cimInstance("Win32_Processor", "CIM_Processor", "CIM_LogicalDevice", "CIM_LogicalElement", "CIM_ManagedSystemElement")
	o.set("DeviceID", "CPU0").
		set("Name", "Intel(R) Xeon(R) Platinum 8272CL CPU @ 2.60GHz"). // inferred: a typical Azure host CPU
		set("Manufacturer", "GenuineIntel").
		set("NumberOfCores", int64(2)).
		set("NumberOfLogicalProcessors", int64(2)).
		set("AddressWidth", int64(64)).
		set("VirtualizationFirmwareEnabled", exposed).
		set("SecondLevelAddressTranslationExtensions", exposed).
		set("VMMonitorModeExtensions", exposed)
	return withKeys(o, "Win32_Processor", []string{"DeviceID"})
}

// startMode is Win32_Service.StartMode's spelling of a start type.
func startMode(startType string) string {
	if startType == machine.Automatic {
		return "Auto"
	}
	return startType
}

func (h *host) win32Services() []*object {
	all := h.m.Services()
	var out []*object
	for _, name := range sortedNames(boolKeys(all)) {
		s := all[name]
		exit, specific := h.m.ServiceExitCodes(s.Name)
		serviceType := "Own Process"
		if strings.Contains(strings.ToLower(s.PathName), "svchost.exe") {
			serviceType = "Share Process"
		}
		pid := int64(0)
		if s.State == machine.Running {
			pid = int64(2000 + 4*len(out))
		}
		o := cimInstance("Win32_Service", "Win32_BaseService", "CIM_Service", "CIM_LogicalElement", "CIM_ManagedSystemElement")
		o.set("Name", s.Name).
			set("DisplayName", s.DisplayName).
			set("State", s.State).
			set("Status", "OK").
			set("Started", s.State == machine.Running).
			set("StartMode", startMode(s.StartType)).
			set("PathName", s.PathName).
			set("ProcessId", pid).
			set("ServiceType", serviceType).
			set("ExitCode", int64(exit)).
			set("ServiceSpecificExitCode", int64(specific)).
			set("StartName", "LocalSystem")
		out = append(out, withKeys(o, "Win32_Service", []string{"Name"}))
	}
	return out
}

func boolKeys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func (h *host) win32LogicalDisk() *object {
	info := h.w.OS()
	o := cimInstance("Win32_LogicalDisk", "CIM_LogicalDisk", "CIM_StorageExtent", "CIM_LogicalDevice", "CIM_LogicalElement", "CIM_ManagedSystemElement")
	o.set("DeviceID", info.SystemDrive).
		set("DriveType", int64(3)). // local disk
		set("FileSystem", "NTFS").
		set("FreeSpace", info.FreeSpace).
		set("Size", info.Size).
		set("VolumeName", "Windows")
	return withKeys(o, "Win32_LogicalDisk", []string{"DeviceID"})
}
