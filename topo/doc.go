// Package topo models the CPU topology of a test VM: the [Topology] type and
// its text forms, the preset table, per-test constraints and host capacity
// filters, cpuset arithmetic, and the sysfs reader a guest uses to discover
// the topology it actually got.
//
// Everything here except the sysfs reader is pure: no I/O, no clock, no
// environment.
package topo
