// Package vmchan is the wire format of the channel between the host's VM
// runner (package vm) and the guest init (package internal/guest): a virtio-serial
// port named [PortName] that carries frames both ways, apart from the
// kernel console.
//
// A frame is one kind byte, a big-endian uint32 payload length, then the
// payload. The conversation is:
//
//	guest -> host  Hello     as soon as the init has opened the port
//	host  -> guest Request   what to run
//	guest -> host  Layout    the topology the guest observed
//	guest -> host  Output    the test's stdout and stderr, in chunks
//	guest -> host  Status    how the test process ended
//	host  -> guest Ack       the host has everything; the guest powers off
//
// InitError may replace Layout/Output/Status when the init itself fails.
//
// A Status with Reusable set (the test exited 0 and the guest is as clean
// as after its boot) may be answered with the next Request instead of
// the Ack: the guest runs it in the same boot, from Layout on, and the
// conversation goes on until the host sends an Ack or the guest reports a
// Status that is not reusable.
package vmchan
