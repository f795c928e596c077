package guest

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// maxProgramID returns the highest BPF program ID loaded now (0 when none
// or when the kernel does not say); programs the scheduler loads get
// higher IDs.
func maxProgramID() uint32 {
	var id, last ebpf.ProgramID
	for {
		next, err := ebpf.ProgramGetNextID(id)
		if err != nil {
			return uint32(last)
		}
		id, last = next, next
	}
}

// schedulerPrograms returns the scheduler's BPF programs, most verified
// instructions first: those the loader process (pid, 0 for none) holds
// open, or, when it holds none (or for the built-in scheduler), every
// program loaded after base, the highest ID before the load. Programs
// the kernel will not describe are left out.
func schedulerPrograms(pid int, base uint32) []spec.BPFProgram {
	ids := processProgramIDs(pid)
	if len(ids) == 0 {
		for id := ebpf.ProgramID(base); ; {
			next, err := ebpf.ProgramGetNextID(id)
			if err != nil {
				break
			}
			ids, id = append(ids, uint32(next)), next
		}
	}
	var out []spec.BPFProgram
	for _, id := range ids {
		p, err := ebpf.NewProgramFromID(ebpf.ProgramID(id))
		if err != nil {
			continue
		}
		info, err := p.Info()
		p.Close()
		if err != nil {
			continue
		}
		insns, _ := info.VerifiedInstructions()
		out = append(out, spec.BPFProgram{ID: id, Name: info.Name, Type: info.Type.String(), VerifiedInsns: insns})
	}
	sortPrograms(out)
	return out
}

// sortPrograms orders programs by verified instructions, most first,
// then by name and ID.
func sortPrograms(ps []spec.BPFProgram) {
	slices.SortFunc(ps, func(a, b spec.BPFProgram) int {
		return cmp.Or(cmp.Compare(b.VerifiedInsns, a.VerifiedInsns), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
}

// processProgramIDs returns the IDs of the BPF programs process pid holds
// file descriptors of (their fdinfo has a "prog_id:" line), each once.
func processProgramIDs(pid int) []uint32 {
	if pid <= 0 {
		return nil
	}
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fdinfo")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var ids []uint32
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if id, ok := fdinfoProgID(string(b)); ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// fdinfoProgID reads the "prog_id:" line of a BPF program fd's fdinfo.
func fdinfoProgID(fdinfo string) (uint32, bool) {
	for _, l := range strings.Split(fdinfo, "\n") {
		if v, ok := strings.CutPrefix(l, "prog_id:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
			return uint32(n), err == nil && n > 0
		}
	}
	return 0, false
}
