package expand

import (
	"errors"
	"fmt"
)

// Sentinel errors; a [*PackageError] wraps one of them.
var (
	// ErrBuild means a package (or its test binary) failed to build; the
	// compiler's message is in [PackageError.Detail].
	ErrBuild = errors.New("build failed")
	// ErrSetup means the go command could not load a package (a
	// directory that does not exist, a module that is not required).
	ErrSetup = errors.New("go could not load the package")
	// ErrList means `go test -list` could not list a package's tests.
	ErrList = errors.New("list failed")
	// ErrDescribe means the describe pass failed: the test binary
	// crashed, timed out, or wrote output that is not a description.
	ErrDescribe = errors.New("describe failed")
	// ErrSpec means a test declared a Spec the planner cannot expand.
	ErrSpec = errors.New("bad spec")
	// ErrNoPackages means a pattern matched no package.
	ErrNoPackages = errors.New("matched no packages")
)

// PackageError is why one package cannot be planned. The other packages
// are still planned.
type PackageError struct {
	// ImportPath names the package (or the pattern, when the go command
	// failed before it found a package).
	ImportPath string
	// Err is one line and wraps one of the sentinels above.
	Err error
	// Detail is extra output, e.g. the compiler's message; may be empty.
	Detail string
}

func (e *PackageError) Error() string { return fmt.Sprintf("%s: %v", e.ImportPath, e.Err) }

func (e *PackageError) Unwrap() error { return e.Err }
