// Pinned Packer, built from the module proxy for the end-to-end tests (`go install` of Packer fails
// here: its go.mod has a replace directive and the proxy refuses its version list). Its own module
// keeps Packer's very large dependency graph away from the main module.
module github.com/wincontainers/wincontainers/tools/packer

go 1.26.8

replace github.com/zclconf/go-cty => github.com/nywilken/go-cty v1.13.3
