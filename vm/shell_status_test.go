package vm

import (
	"strings"
	"testing"
	"time"
)

func TestReadShellStatus(t *testing.T) {
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	st := readShellStatus(strings.NewReader("ready 3.52\nsomething else\nexit nope\nexit 7\n"), now)
	if !st.readyAt.Equal(at) || st.uptime != 3520*time.Millisecond || !st.exited || st.exit != 7 {
		t.Errorf("got %+v", st)
	}
	st = readShellStatus(strings.NewReader("ready\n"), now)
	if st.readyAt.IsZero() || st.uptime != 0 || st.exited {
		t.Errorf("ready without uptime: got %+v", st)
	}
	if st := readShellStatus(strings.NewReader(""), now); !st.readyAt.IsZero() || st.exited {
		t.Errorf("nothing reported: got %+v", st)
	}
}
