package guest

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

func describeCache(s WorkSpec) string { return fmt.Sprintf("%s(%dKiB)", s.Kind, s.cacheKiB()) }

// prepareCacheYield returns an iteration that walks the next 64 KiB
// window of the cache buffer (as CachePressure does), then calls
// sched_yield; the time the yield took (until the worker ran again) is a
// wake-latency sample.
func prepareCacheYield(w *worker, s WorkSpec) (iterFunc, error) {
	if _, err := prepareCache(w, s); err != nil {
		return nil, err
	}
	return func(w *worker) error {
		walkCache(w)
		t0 := time.Now()
		unix.Syscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
		w.prog.wake.add(time.Since(t0))
		w.checkpoint(0)
		return nil
	}, nil
}

// prepareCachePipe returns PipeIo's iteration with a cache window walk in
// place of the spin: the pair hands a timestamp back and forth, each side
// touching its cache-sized buffer in between.
func prepareCachePipe(w *worker, s WorkSpec) (iterFunc, error) {
	if _, err := prepareCache(w, s); err != nil {
		return nil, err
	}
	return w.preparePipe(KindCachePipe, walkCache)
}
