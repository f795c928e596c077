package guest

import "fmt"

// defaultFanOut is the waiters per waker of a fan-out type when none is
// given.
const defaultFanOut = 4

// groupSize returns how many workers form one group of w's type: 2 for
// paired types, 1 + fan-out for fan-out types, 1 for the rest.
func (w WorkSpec) groupSize() int {
	k, _ := w.kind()
	switch {
	case k.group != nil:
		return k.group(w)
	case k.paired:
		return 2
	}
	return 1
}

// checkCount checks that n workers of w's type form whole groups.
func (w WorkSpec) checkCount(n int) error {
	g := w.groupSize()
	switch {
	case g <= 1 || n%g == 0:
		return nil
	case g == 2:
		return fmt.Errorf("%s pairs workers up: use an even worker count, not %d", w.Kind, n)
	}
	return fmt.Errorf("%s groups workers in %d (1 waker, %d waiters): use a multiple of %d workers, not %d", w, g, g-1, g, n)
}

// fanOut returns the waiters per waker, with 0 meaning the default.
func (w WorkSpec) fanOut() int {
	if w.FanOut <= 0 {
		return defaultFanOut
	}
	return w.FanOut
}

func fanOutGroup(w WorkSpec) int { return w.fanOut() + 1 }

func checkFanOut(s WorkSpec) error {
	if s.FanOut < 0 || s.FanOut+1 > MaxWorkers {
		return fmt.Errorf("work %s: fan-out %d: want 1 to %d waiters per waker (0 for %d)", s.Kind, s.FanOut, MaxWorkers-1, defaultFanOut)
	}
	return nil
}

func describeFanOut(s WorkSpec) string { return fmt.Sprintf("%s(%d)", s.Kind, s.fanOut()) }
