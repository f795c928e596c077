package run

import (
	"errors"
	"fmt"
	"strings"
)

// ErrTestsFailed means a test or variant failed. The run has reported
// the failures (tables, summary, run directory) before returning it;
// `gauntlet` exits 1 on it.
var ErrTestsFailed = errors.New("tests failed")

// ErrTimeout means the run's [Config.Timeout] passed before it finished;
// the partial results are written. `gauntlet` exits 1 on it, as go test
// does when its -timeout passes.
var ErrTimeout = errors.New("run timed out")

// UsageError is bad input: a filter that matches nothing or does not
// compile, a topology given twice, a shard out of range, a package
// pattern without packages or packages that do not build. `gauntlet`
// exits 2 on it, like on any other setup error; the type tells usage from
// the machine's problems (no QEMU, no kernel) for callers that care.
type UsageError struct {
	Err error
}

func (e *UsageError) Error() string { return e.Err.Error() }

func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// oneLine keeps the first line of err's text.
func oneLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
