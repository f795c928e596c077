package guest

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// PageFaultChurn defaults: a 4 MiB region, 256 pages faulted per cycle.
const (
	defaultFaultKiB     = 4096
	defaultFaultTouches = 256
	pageSize            = 4096
)

func (w WorkSpec) faultKiB() int {
	if w.SizeKiB <= 0 {
		return defaultFaultKiB
	}
	return w.SizeKiB
}

func (w WorkSpec) faultTouches() int {
	if w.Touches <= 0 {
		return defaultFaultTouches
	}
	return w.Touches
}

func checkFaultChurn(s WorkSpec) error {
	switch {
	case s.SizeKiB < 0 || (s.SizeKiB > 0 && s.SizeKiB < pageSize/1024) || s.SizeKiB > 1<<20:
		return fmt.Errorf("work %s: region %d KiB: want 4 KiB to 1 GiB (0 for %d KiB)", s.Kind, s.SizeKiB, defaultFaultKiB)
	case s.Touches < 0 || s.Touches > 1<<20:
		return fmt.Errorf("work %s: %d touches per cycle: want 1 to %d (0 for %d)", s.Kind, s.Touches, 1<<20, defaultFaultTouches)
	}
	return nil
}

func describeFaultChurn(s WorkSpec) string {
	return fmt.Sprintf("%s(%dKiB,%d)", s.Kind, s.faultKiB(), s.faultTouches())
}

// prepareFaultChurn maps a private anonymous region (asking for small
// pages, so each touch of a new page is its own fault) and returns an
// iteration that runs a short spin, writes one byte to each of Touches
// random pages of the region (a page fault for every page not yet
// present) and then drops the whole region's pages with MADV_DONTNEED,
// so the next cycle faults again. The faults show in the report's
// PageFaults.
func prepareFaultChurn(w *worker, s WorkSpec) (iterFunc, error) {
	region, err := unix.Mmap(-1, 0, s.faultKiB()*1024, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, fmt.Errorf("PageFaultChurn map %d KiB: %w", s.faultKiB(), err)
	}
	unix.Madvise(region, unix.MADV_NOHUGEPAGE) // EINVAL without THP: pages are small anyway
	pages := uint64(len(region) / pageSize)
	touches := s.faultTouches()
	return func(w *worker) error {
		spin(shortRounds)
		for range touches {
			region[(w.state.next()%pages)*pageSize] = 1 // a write: one fault, not a read fault and a copy
		}
		if err := unix.Madvise(region, unix.MADV_DONTNEED); err != nil {
			return fmt.Errorf("PageFaultChurn drop pages: %w", err)
		}
		w.checkpoint(0)
		return nil
	}, nil
}

// threadFaults returns the page faults (minor and major) the calling
// thread took so far; 0 when getrusage fails.
func threadFaults() uint64 {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_THREAD, &ru) != nil {
		return 0
	}
	return uint64(ru.Minflt + ru.Majflt)
}
