package gauntlet

import (
	"testing"
	"time"
)

func TestHotplugAPI(t *testing.T) {
	for got, want := range map[string]string{
		OfflineCPU(1).String():                                  "offline-cpu 1",
		OnlineCPU(6).String():                                   "online-cpu 6",
		ToggleCPU(2).String():                                   "toggle-cpu 2",
		HoldFull().ToggleCPU(1, time.Second/4).String():         "full, toggle cpu 1 every 250ms",
		HoldFor(time.Second).ToggleCPU(3, time.Second).String(): "1s, toggle cpu 3 every 1s",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}
