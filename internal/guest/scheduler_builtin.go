package guest

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
)

// builtinDefaultName is the built-in scheduler's ops name when the Spec
// gives none.
const builtinDefaultName = "gauntlet"

// Layout of the hand-built sched_ext_ops value: cilium/ebpf copies members
// by name into the kernel's struct, so only the members set here matter.
const (
	opsNameLen   = 128
	opsFlagsOff  = 128
	opsTimeoutOf = 136
	opsSize      = 144
	// bpfFLink is BPF_F_LINK: the struct_ops map is attached with a link.
	bpfFLink = 1 << 13
	// scxOpsSwitchPartial is SCX_OPS_SWITCH_PARTIAL: only tasks with the
	// SCHED_EXT policy use the BPF scheduler.
	scxOpsSwitchPartial = 1 << 3
)

// builtinScheduler is the minimal sched_ext scheduler loaded from Go: a
// struct_ops map with no BPF programs, so every callback takes the
// kernel's default (one global FIFO queue).
type builtinScheduler struct {
	coll *ebpf.Collection
	link link.Link
}

// builtinOptions are the built-in scheduler's command-line options.
type builtinOptions struct {
	timeoutMS uint32
	partial   bool
}

// parseBuiltinArgs reads the built-in scheduler's args:
// --timeout-ms=N (the sched_ext watchdog timeout) and --switch-partial.
func parseBuiltinArgs(args []string) (builtinOptions, error) {
	var o builtinOptions
	for _, a := range args {
		switch {
		case a == "--switch-partial":
			o.partial = true
		case strings.HasPrefix(a, "--timeout-ms="):
			n, err := strconv.ParseUint(strings.TrimPrefix(a, "--timeout-ms="), 10, 32)
			if err != nil || n == 0 {
				return o, fmt.Errorf("built-in scheduler arg %q: want --timeout-ms=N with N above 0", a)
			}
			o.timeoutMS = uint32(n)
		default:
			return o, fmt.Errorf("built-in scheduler arg %q: it takes --timeout-ms=N and --switch-partial", a)
		}
	}
	return o, nil
}

// opsName is what bpf_obj_name_cpy accepts for sched_ext_ops.name.
var opsName = regexp.MustCompile(`^[A-Za-z0-9_.]{1,127}$`)

// builtinSpec returns the collection spec of the built-in scheduler.
func builtinSpec(name string, o builtinOptions) (*ebpf.CollectionSpec, error) {
	if !opsName.MatchString(name) {
		return nil, fmt.Errorf("scheduler name %q: the kernel takes 1-127 letters, digits, '_' or '.'", name)
	}
	char := &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	u32 := &btf.Int{Name: "u32", Size: 4}
	u64 := &btf.Int{Name: "u64", Size: 8}
	ops := &btf.Struct{Name: "sched_ext_ops", Size: opsSize, Members: []btf.Member{
		{Name: "name", Type: &btf.Array{Index: u32, Type: char, Nelems: opsNameLen}, Offset: 0},
		{Name: "flags", Type: u64, Offset: btf.Bits(opsFlagsOff * 8)},
		{Name: "timeout_ms", Type: u32, Offset: btf.Bits(opsTimeoutOf * 8)},
	}}
	val := make([]byte, opsSize)
	copy(val, name)
	if o.partial {
		binary.NativeEndian.PutUint64(val[opsFlagsOff:], scxOpsSwitchPartial)
	}
	binary.NativeEndian.PutUint32(val[opsTimeoutOf:], o.timeoutMS)
	return &ebpf.CollectionSpec{Maps: map[string]*ebpf.MapSpec{
		"gauntlet_ops": {
			Name: "gauntlet_ops", Type: ebpf.StructOpsMap, KeySize: 4, ValueSize: opsSize,
			MaxEntries: 1, Flags: bpfFLink, Value: ops,
			Contents: []ebpf.MapKV{{Key: uint32(0), Value: val}},
		},
	}}, nil
}

// loadBuiltin loads and attaches the built-in scheduler named name.
func loadBuiltin(name string, args []string) (*builtinScheduler, error) {
	o, err := parseBuiltinArgs(args)
	if err != nil {
		return nil, err
	}
	cs, err := builtinSpec(name, o)
	if err != nil {
		return nil, err
	}
	coll, err := ebpf.NewCollection(cs)
	if err != nil {
		return nil, fmt.Errorf("load built-in scheduler %s: %w", name, err)
	}
	l, err := link.AttachStructOps(link.StructOpsOptions{Map: coll.Maps["gauntlet_ops"]})
	if err != nil {
		coll.Close()
		return nil, fmt.Errorf("attach built-in scheduler %s: %w", name, err)
	}
	return &builtinScheduler{coll: coll, link: l}, nil
}

// close detaches (the kernel disables sched_ext) and frees the map.
func (b *builtinScheduler) close() error {
	err := b.link.Close()
	b.coll.Close()
	if err != nil {
		return fmt.Errorf("detach built-in scheduler: %w", err)
	}
	return nil
}
