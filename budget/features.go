package budget

import (
	"fmt"
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// The features are described in the package documentation.

// featureKind tells features apart.
type featureKind uint8

const (
	fCPU featureKind = iota
	fLLC
	fNUMA
	fSMT
	fOffline
	fMemNodes
	fFlag
	fDuration
	fKind
	fScheduler
	fTest
	fKernel
	pTestClass
	pTestProfile
	pClassProfile
	pTestKernel
	pKernelClass
)

// Feature weights: a single feature is worth more than all three pairwise
// features of one candidate together.
const (
	singleWeight = 4
	pairWeight   = 1
)

func (k featureKind) single() bool { return k < pTestClass }

// featKey identifies a feature: its kind and up to two interned values.
type featKey struct {
	kind featureKind
	a, b int32
}

// features holds every candidate's feature ids, interned to small ints.
type features struct {
	keys []featKey // by feature id
	off  []int32   // candidate i's ids are ids[off[i]:off[i+1]]
	ids  []int32

	index    map[featKey]int32
	tests    map[[2]string]int32
	profiles map[[2]string]int32
	flags    map[[2]string]int32
	names    map[string]int32 // schedulers and kernels
	strs     []string         // interned string values, for describe

	// small caches the ids of the features whose values are small ints
	// (buckets, SMT, base/gauntlet), +1 so that zero means unset.
	small [fKind + 1][8]int32
	// kernels is set when the candidates boot more than one kernel: only
	// then are kernels features.
	kernels bool
	// lastTest caches the previous candidate's test: candidates come
	// sorted, so runs of the same test are long.
	lastTest   [2]string
	lastTestID int32
}

// newFeatures extracts the features of cs.
func newFeatures(cs []Candidate) *features {
	f := &features{
		off:      make([]int32, 1, len(cs)+1),
		ids:      make([]int32, 0, len(cs)*13),
		index:    map[featKey]int32{},
		tests:    map[[2]string]int32{},
		profiles: map[[2]string]int32{},
		flags:    map[[2]string]int32{},
		names:    map[string]int32{},
		kernels:  severalKernels(cs),
	}
	for i := range cs {
		f.add(&cs[i])
		f.off = append(f.off, int32(len(f.ids)))
	}
	return f
}

// severalKernels reports whether cs name more than one kernel.
func severalKernels(cs []Candidate) bool {
	for i := range cs {
		if cs[i].Kernel != cs[0].Kernel {
			return true
		}
	}
	return false
}

// of returns candidate i's feature ids.
func (f *features) of(i int32) []int32 { return f.ids[f.off[i]:f.off[i+1]] }

// weight returns feature id's weight.
func (f *features) weight(id int32) float64 {
	if f.keys[id].kind.single() {
		return singleWeight
	}
	return pairWeight
}

func (f *features) add(c *Candidate) {
	t := c.Topology
	sched := c.Scheduler
	if sched == "" {
		sched = "eevdf"
	}
	test := f.testID(c)
	prof := f.intern2(f.profiles, sched, c.Profile)
	class := topologyClass(t)
	f.putSmall(fCPU, cpuBucket(t.CPUs()))
	f.putSmall(fLLC, llcBucket(t.LLCs))
	f.putSmall(fNUMA, numaBucket(t.NUMA))
	if t.SMT() {
		f.putSmall(fSMT, 0)
	}
	if t.Offline() > 0 {
		f.putSmall(fOffline, 0)
	}
	if t.MemoryNodes > 0 {
		f.putSmall(fMemNodes, 0)
	}
	for _, fl := range c.Flags {
		f.put(fFlag, f.intern2(f.flags, sched, fl), 0)
	}
	f.putSmall(fDuration, durationBucket(c.duration()))
	f.putSmall(fKind, boolInt(c.Base))
	f.put(fScheduler, f.intern(sched), 0)
	f.put(fTest, test, 0)
	f.put(pTestClass, test, class)
	f.put(pTestProfile, test, prof)
	f.put(pClassProfile, class, prof)
	if f.kernels {
		k := f.intern(c.Kernel)
		f.put(fKernel, k, 0)
		f.put(pTestKernel, test, k)
		f.put(pKernelClass, k, class)
	}
}

// testID interns the candidate's package and test.
func (f *features) testID(c *Candidate) int32 {
	k := [2]string{c.Package, c.Test}
	if len(f.off) == 1 || k != f.lastTest {
		f.lastTest, f.lastTestID = k, f.intern2(f.tests, c.Package, c.Test)
	}
	return f.lastTestID
}

// putSmall is put for the kinds with small values (a < 8), without the
// map.
func (f *features) putSmall(kind featureKind, a int32) {
	p := &f.small[kind][a]
	if *p == 0 {
		f.put(kind, a, 0)
		*p = f.ids[len(f.ids)-1] + 1
		return
	}
	f.ids = append(f.ids, *p-1)
}

// put appends the id of feature (kind, a, b) to the current candidate.
func (f *features) put(kind featureKind, a, b int32) {
	k := featKey{kind, a, b}
	id, ok := f.index[k]
	if !ok {
		id = int32(len(f.keys))
		f.index[k] = id
		f.keys = append(f.keys, k)
	}
	f.ids = append(f.ids, id)
}

func (f *features) intern(s string) int32 {
	id, ok := f.names[s]
	if !ok {
		id = int32(len(f.strs))
		f.names[s] = id
		f.strs = append(f.strs, s)
	}
	return id
}

func (f *features) intern2(m map[[2]string]int32, a, b string) int32 {
	k := [2]string{a, b}
	id, ok := m[k]
	if !ok {
		id = f.intern(a + "/" + b)
		m[k] = id
	}
	return id
}

// describe names feature id, for tests and debugging.
func (f *features) describe(id int32) string {
	k := f.keys[id]
	switch k.kind {
	case fCPU:
		return "cpus:" + cpuBucketNames[k.a]
	case fLLC:
		return "llcs:" + llcBucketNames[k.a]
	case fNUMA:
		return "numa:" + numaBucketNames[k.a]
	case fSMT:
		return "smt"
	case fOffline:
		return "offline-cpus"
	case fMemNodes:
		return "memory-only-nodes"
	case fDuration:
		return "duration:" + durationBucketNames[k.a]
	case fKind:
		return [2]string{"gauntlet", "base"}[k.a]
	case fFlag, fScheduler, fTest, fKernel:
		return [...]string{fFlag: "flag:", fScheduler: "sched:", fTest: "test:", fKernel: "kernel:"}[k.kind] + f.strs[k.a]
	case pTestClass:
		return fmt.Sprintf("test:%s x class:%s", f.strs[k.a], className(k.b))
	case pTestProfile:
		return fmt.Sprintf("test:%s x profile:%s", f.strs[k.a], f.strs[k.b])
	case pTestKernel:
		return fmt.Sprintf("test:%s x kernel:%s", f.strs[k.a], f.strs[k.b])
	case pKernelClass:
		return fmt.Sprintf("kernel:%s x class:%s", f.strs[k.a], className(k.b))
	}
	return fmt.Sprintf("class:%s x profile:%s", className(k.a), f.strs[k.b])
}

var (
	cpuBucketNames      = []string{"1-8", "9-16", "17-64", "65-128", "129+"}
	llcBucketNames      = []string{"1", "2", "3-4", "5-8", "9+"}
	numaBucketNames     = []string{"1", "2", "3-4", "5+"}
	durationBucketNames = []string{"0-2s", "3-10s", "11s+"}
)

func cpuBucket(n int) int32 { return bucket(n, 8, 16, 64, 128) }
func llcBucket(n int) int32 { return bucket(n, 1, 2, 4, 8) }
func numaBucket(n int) int32 {
	return bucket(n, 1, 2, 4)
}

// durationBucket buckets whole seconds, as ktstr does (2.9 s is "0-2s").
func durationBucket(d time.Duration) int32 { return bucket(int(d/time.Second), 2, 10) }

// bucket returns the index of the first upper bound n does not exceed, or
// len(bounds).
func bucket(n int, bounds ...int) int32 {
	for i, b := range bounds {
		if n <= b {
			return int32(i)
		}
	}
	return int32(len(bounds))
}

// topologyClass packs the CPU, LLC and NUMA buckets and SMT into one int.
func topologyClass(t topo.Topology) int32 {
	return ((cpuBucket(t.CPUs())*5+llcBucket(t.LLCs))*4+numaBucket(t.NUMA))*2 + boolInt(t.SMT())
}

// className prints a topology class, e.g. "cpus17-64/llcs3-4/numa1/smt".
func className(c int32) string {
	smt := "nosmt"
	if c%2 == 1 {
		smt = "smt"
	}
	c /= 2
	numa := numaBucketNames[c%4]
	c /= 4
	return fmt.Sprintf("cpus%s/llcs%s/numa%s/%s", cpuBucketNames[c/5], llcBucketNames[c%5], numa, smt)
}

func boolInt(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
