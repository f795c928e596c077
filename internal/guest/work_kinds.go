package guest

import "fmt"

// Work type kinds, as [WorkSpec.Kind] holds them and worker
// configurations spell them (the seed's spelling).
const (
	KindCPUSpin         = "CpuSpin"
	KindYieldHeavy      = "YieldHeavy"
	KindMixed           = "Mixed"
	KindIOSync          = "IoSync"
	KindBursty          = "Bursty"
	KindPipeIO          = "PipeIo"
	KindFutexPingPong   = "FutexPingPong"
	KindCachePressure   = "CachePressure"
	KindForkExit        = "ForkExit"
	KindNiceSweep       = "NiceSweep"
	KindAffinityChurn   = "AffinityChurn"
	KindPolicyChurn     = "PolicyChurn"
	KindMutexContention = "MutexContention"
	KindFutexFanOut     = "FutexFanOut"
	KindCacheYield      = "CacheYield"
	KindCachePipe       = "CachePipe"
	KindFanOutCompute   = "FanOutCompute"
	KindPageFaultChurn  = "PageFaultChurn"
	KindSequence        = "Sequence"
	KindCustom          = "Custom"
)

// workKind is what the runtime knows about one work type. Adding a work
// type takes a Kind constant and an entry here, its iteration (in
// work_run.go), and its constructor in the gauntlet package.
type workKind struct {
	// fair: every worker asks for the CPU the same way, so the fairness
	// check compares them.
	fair bool
	// paired: workers pair up (0 with 1, ...), so counts must be even.
	paired bool
	// shared: the workers started together share state (a lock, a
	// fan-out group's words).
	shared bool
	// group returns the group size of a fan-out type (workers form
	// groups of that many, so counts must be multiples); nil for none.
	group func(WorkSpec) int
	// pipes: each pair gets two pipes (fdPipeRead, fdPipeSend).
	pipes bool
	// describe is String for kinds with parameters; nil for the name.
	describe func(WorkSpec) string
	// check validates the parameters; nil for none.
	check func(WorkSpec) error
	// prepare sets up a worker's resources and returns its iteration.
	prepare func(w *worker, s WorkSpec) (iterFunc, error)
}

// workKinds holds every work type but Sequence, which the runtime
// handles itself (its phases are work types).
var workKinds = map[string]workKind{
	KindCPUSpin:         {fair: true, prepare: always(iterSpin)},
	KindYieldHeavy:      {fair: true, prepare: always(iterYield)},
	KindMixed:           {fair: true, prepare: always(iterMixed)},
	KindIOSync:          {fair: true, prepare: prepareIOSync},
	KindBursty:          {fair: true, check: checkBursty, prepare: prepareBursty},
	KindPipeIO:          {fair: true, paired: true, pipes: true, prepare: func(w *worker, _ WorkSpec) (iterFunc, error) { return w.preparePipe(KindPipeIO, pipeSpin) }},
	KindFutexPingPong:   {fair: true, paired: true, prepare: always(iterFutex)},
	KindCachePressure:   {fair: true, check: checkCache, prepare: prepareCache},
	KindForkExit:        {prepare: always(iterForkExit)},
	KindNiceSweep:       {prepare: always(iterNiceSweep)},
	KindAffinityChurn:   {prepare: prepareAffinityChurn},
	KindPolicyChurn:     {prepare: always(iterPolicyChurn)},
	KindMutexContention: {fair: true, shared: true, prepare: always(iterMutex)},
	KindCustom:          {check: checkCustom, prepare: prepareCustom},
	KindFutexFanOut:     {shared: true, group: fanOutGroup, check: checkFanOut, describe: describeFanOut, prepare: prepareFutexFanOut},
	KindCacheYield:      {fair: true, check: checkCache, describe: describeCache, prepare: prepareCacheYield},
	KindCachePipe:       {fair: true, paired: true, pipes: true, check: checkCache, describe: describeCache, prepare: prepareCachePipe},
	KindFanOutCompute:   {shared: true, group: fanOutGroup, check: checkFanOutCompute, describe: describeFanOutCompute, prepare: prepareFanOutCompute},
	KindPageFaultChurn:  {fair: true, check: checkFaultChurn, describe: describeFaultChurn, prepare: prepareFaultChurn},
}

// always prepares nothing and returns it.
func always(it iterFunc) func(*worker, WorkSpec) (iterFunc, error) {
	return func(*worker, WorkSpec) (iterFunc, error) { return it, nil }
}

// prepare sets up spec's resources and returns its iteration.
func (w *worker) prepare(spec WorkSpec) (iterFunc, error) {
	w.state.rng = w.cfg.Seed | 1
	if spec.Kind == KindSequence {
		return w.prepareSequence(spec)
	}
	k, ok := spec.kind()
	if !ok {
		return nil, fmt.Errorf("unknown work type %q", spec.Kind)
	}
	return k.prepare(w, spec.orDefault())
}

func checkBursty(s WorkSpec) error {
	if s.Burst <= 0 || s.Sleep < 0 {
		return fmt.Errorf("work %s: want a burst above 0 and a sleep of 0 or more", s)
	}
	return nil
}

func prepareBursty(_ *worker, s WorkSpec) (iterFunc, error) {
	return func(w *worker) error { return iterBursty(w, s.Burst, s.Sleep) }, nil
}

func prepareIOSync(w *worker, _ WorkSpec) (iterFunc, error) {
	if w.state.tmp != nil {
		return iterIOSync, nil
	}
	return iterIOSync, w.openTemp()
}

func checkCache(s WorkSpec) error {
	if s.SizeKiB < 0 || s.SizeKiB > 1<<20 {
		return fmt.Errorf("work %s: want a size from 1 KiB to 1 GiB (0 for the default)", s)
	}
	return nil
}

func prepareCache(w *worker, s WorkSpec) (iterFunc, error) {
	w.state.cache = make([]byte, s.cacheKiB()*1024)
	return iterCache, nil
}

func prepareAffinityChurn(w *worker, _ WorkSpec) (iterFunc, error) {
	a, err := affinity(0)
	w.state.allowed = a
	return iterAffinityChurn, err
}

func checkCustom(s WorkSpec) error {
	if s.Name == "" {
		return fmt.Errorf("custom work without a name: give gauntlet.Custom a name")
	}
	return nil
}

func prepareCustom(_ *worker, s WorkSpec) (iterFunc, error) {
	fn, err := lookupCustom(s.Name)
	if err != nil {
		return nil, err
	}
	return func(w *worker) error {
		if err := fn(); err != nil {
			return fmt.Errorf("custom work %s: %w", s.Name, err)
		}
		w.checkpoint(0)
		return nil
	}, nil
}
