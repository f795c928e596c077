package guest

import (
	"fmt"
	"sync"
)

// customWork holds the functions of custom work types by name. Workers
// are fresh processes of the test binary, so a function is only found
// there when it is registered before the test's gauntlet.Run call runs:
// at package level, or in the test function before Run.
var customWork = struct {
	sync.RWMutex
	fns map[string]func() error
}{fns: map[string]func() error{}}

// RegisterCustom registers fn as the custom work called name, replacing
// any earlier function of that name; a worker whose [WorkSpec] is of kind
// [KindCustom] with that Name calls it once per iteration.
func RegisterCustom(name string, fn func() error) {
	customWork.Lock()
	customWork.fns[name] = fn
	customWork.Unlock()
}

// lookupCustom returns the function registered under name.
func lookupCustom(name string) (func() error, error) {
	customWork.RLock()
	fn := customWork.fns[name]
	customWork.RUnlock()
	if fn == nil {
		return nil, fmt.Errorf("custom work %q is not registered in the worker process: call gauntlet.Custom at package level (var w = gauntlet.Custom(...)) or before gauntlet.Run", name)
	}
	return fn, nil
}
