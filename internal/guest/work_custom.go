package guest

import (
	"fmt"
	"sync"
)

// customWork holds the functions of Custom work types by name. Workers
// are fresh processes of the test binary, so a function is only found
// there when it is registered before the test's gauntlet.Run call runs:
// at package level, or in the test function before Run.
var customWork = struct {
	sync.RWMutex
	fns map[string]func() error
}{fns: map[string]func() error{}}

// Custom registers fn under name and returns a work type that runs it: one
// call is one iteration (one work unit), in the worker process, on the
// worker's thread. A non-nil error ends the worker and fails the test
// with that error. Register at package level so worker processes have it:
//
//	var escape = gauntlet.Custom("escape", func() error { ... })
//
// Registering a name again replaces its function. It panics on an empty
// name or a nil fn.
func Custom(name string, fn func() error) WorkType {
	if name == "" || fn == nil {
		panic("gauntlet: Custom needs a name and a function")
	}
	customWork.Lock()
	customWork.fns[name] = fn
	customWork.Unlock()
	return WorkType{workSpec{Kind: kindCustom, Name: name}}
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
