package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gauntlet-sched/gauntlet/internal/table"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// maxProfile bounds the profile column of the verifier table (flag
// profiles can be long); the full name is in JUnit.
const maxProfile = 32

// WriteVerifier prints what the BPF verifier did for the schedulers under
// test, so a change that bloats its work shows up: one row per BPF
// program of each scheduler x profile, the most verified instructions
// first, and a total per scheduler x profile. A program's count is the
// largest over the variants (topologies, kernels) that loaded it, shown
// as "MIN-MAX" when they differ. The programs come from each case's guest
// result (a run's cases) or its "gauntlet.verifier.*" properties (cases
// read back from JUnit). It prints nothing when no case has any.
func WriteVerifier(w io.Writer, cases []Case) error {
	groups := verifierGroups(cases)
	if len(groups) == 0 {
		return nil
	}
	var rows [][]string
	for _, g := range groups {
		var total uint64
		for _, p := range g.progs {
			total += uint64(p.max)
			rows = append(rows, []string{g.sched, table.Truncate(g.profile, maxProfile), p.name, dash(p.typ), p.insns(), strconv.Itoa(p.variants)})
		}
		rows = append(rows, []string{g.sched, table.Truncate(g.profile, maxProfile), fmt.Sprintf("(total, %d programs)", len(g.progs)), "", strconv.FormatUint(total, 10), ""})
	}
	return table.Write(w, []string{"scheduler", "profile", "BPF program", "type", "verified insns", "variants"}, rows)
}

// verifierGroup is one scheduler x profile and its programs, most
// instructions first.
type verifierGroup struct {
	sched, profile string
	progs          []*verifierProg
}

// verifierProg is one program over the variants that loaded it.
type verifierProg struct {
	name, typ string
	min, max  uint32
	variants  int
}

func (p *verifierProg) insns() string {
	if p.min == p.max {
		return strconv.FormatUint(uint64(p.max), 10)
	}
	return fmt.Sprintf("%d-%d", p.min, p.max)
}

// verifierGroups collects the programs of cases by scheduler x profile,
// in the order the groups are first seen.
func verifierGroups(cases []Case) []*verifierGroup {
	var groups []*verifierGroup
	byKey := map[[2]string]*verifierGroup{}
	for _, c := range cases {
		sched, progs := caseVerifier(c)
		if len(progs) == 0 {
			continue
		}
		key := [2]string{sched, orDefault(c.Profile, "-")}
		g := byKey[key]
		if g == nil {
			g = &verifierGroup{sched: key[0], profile: key[1]}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.add(progs)
	}
	for _, g := range groups {
		slices.SortStableFunc(g.progs, func(a, b *verifierProg) int {
			return cmp.Or(cmp.Compare(b.max, a.max), cmp.Compare(a.name, b.name))
		})
	}
	return groups
}

// add counts one variant's programs into g.
func (g *verifierGroup) add(progs []spec.BPFProgram) {
	for _, p := range progs {
		i := slices.IndexFunc(g.progs, func(q *verifierProg) bool { return q.name == p.Name })
		if i < 0 {
			g.progs = append(g.progs, &verifierProg{name: p.Name, typ: p.Type, min: p.VerifiedInsns, max: p.VerifiedInsns})
			i = len(g.progs) - 1
		}
		q := g.progs[i]
		q.min, q.max, q.variants = min(q.min, p.VerifiedInsns), max(q.max, p.VerifiedInsns), q.variants+1
		if q.typ == "" {
			q.typ = p.Type
		}
	}
}

// caseVerifier returns the scheduler of c and its BPF programs, most
// instructions first: from the guest's result line in c's output, else
// from c's properties. A name seen before gets " [N]" for its Nth
// occurrence instead of the property's "#<id>" (IDs differ from boot to
// boot).
func caseVerifier(c Case) (string, []spec.BPFProgram) {
	sched, progs := caseVerifierRaw(c)
	seen := map[string]int{}
	for i := range progs {
		name, _, _ := strings.Cut(progs[i].Name, "#")
		seen[name]++
		if progs[i].Name = name; seen[name] > 1 {
			progs[i].Name = fmt.Sprintf("%s [%d]", name, seen[name])
		}
	}
	return sched, progs
}

func caseVerifierRaw(c Case) (string, []spec.BPFProgram) {
	if r, ok := guestResult(c.Output); ok {
		var progs []spec.BPFProgram
		vp := verifierProps(r.BPFPrograms)
		for i := 0; i < len(vp); i++ {
			name := strings.TrimSuffix(strings.TrimPrefix(vp[i][0], "verifier."), ".insns")
			n, _ := strconv.ParseUint(vp[i][1], 10, 32)
			p := spec.BPFProgram{Name: name, VerifiedInsns: uint32(n)}
			if i+1 < len(vp) && vp[i+1][0] == "verifier."+name+".type" {
				p.Type = vp[i+1][1]
				i++
			}
			progs = append(progs, p)
		}
		return r.Scheduler, progs
	}
	return propsVerifier(c.Properties)
}

// propsVerifier reads the scheduler and the programs back from the
// "gauntlet.scheduler" and "gauntlet.verifier.<prog>.insns|type"
// properties of a case read from JUnit.
func propsVerifier(props []Property) (string, []spec.BPFProgram) {
	const prefix = "gauntlet.verifier."
	var sched string
	var progs []spec.BPFProgram
	types := map[string]string{}
	for _, p := range props {
		switch rest, ok := strings.CutPrefix(p.Name, prefix); {
		case p.Name == "gauntlet.scheduler":
			sched = p.Value
		case ok && strings.HasSuffix(rest, ".insns"):
			if n, err := strconv.ParseUint(p.Value, 10, 32); err == nil {
				progs = append(progs, spec.BPFProgram{Name: strings.TrimSuffix(rest, ".insns"), VerifiedInsns: uint32(n)})
			}
		case ok && strings.HasSuffix(rest, ".type"):
			types[strings.TrimSuffix(rest, ".type")] = p.Value
		}
	}
	for i := range progs {
		progs[i].Type = types[progs[i].Name]
	}
	return sched, progs
}
