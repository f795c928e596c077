package launch

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/gauntlet-sched/gauntlet/internal/metrics"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// PayloadBinaryError is a payload binary the host cannot pack. A binary
// that does not exist matches [spec.ErrNotSupported] (the test skips,
// naming the package to install); a library not found does not.
type PayloadBinaryError struct {
	Payload string // Spec.Payloads[i].Name
	Binary  string // its host path
	Package string // the package that installs it, if the Spec names one
	Err     error
}

func (e *PayloadBinaryError) Error() string {
	s := fmt.Sprintf("payload %s: binary %s: %v", e.Payload, e.Binary, e.Err)
	if e.Package != "" && errors.Is(e.Err, fs.ErrNotExist) {
		s += fmt.Sprintf(" (install package %s: apt-get install %s)", e.Package, e.Package)
	}
	return s
}

func (e *PayloadBinaryError) Unwrap() error { return e.Err }

// Is matches [spec.ErrNotSupported] for a binary that does not exist.
func (e *PayloadBinaryError) Is(target error) bool {
	return target == spec.ErrNotSupported && errors.Is(e.Err, fs.ErrNotExist)
}

// PayloadFiles returns the files that put s's payload binaries where the
// guest looks for them ([spec.PayloadGuestPath]), with their ELF closure
// at the host paths, and the libraries' directories for the guest's
// [spec.EnvPayloadLibPath]. The first binary it cannot pack is a
// *PayloadBinaryError; an invalid payload or metric bound in s is an
// error naming it.
func PayloadFiles(s spec.Spec) (files []vm.File, libPath []string, err error) {
	if err := metrics.ValidatePayloads(s.Payloads, s.MetricBounds); err != nil {
		return nil, nil, err
	}
	for _, p := range s.Payloads {
		fs, lp, err := binaryFiles(p.Binary, spec.PayloadGuestPath(p.Binary))
		if err != nil {
			return nil, nil, &PayloadBinaryError{Payload: p.Name, Binary: p.Binary, Package: p.Package, Err: err}
		}
		files = appendFiles(files, fs...)
		for _, d := range lp {
			if !slices.Contains(libPath, d) {
				libPath = append(libPath, d)
			}
		}
	}
	return files, libPath, nil
}

// appendFiles adds the files whose guest path is not among files yet.
func appendFiles(files []vm.File, more ...vm.File) []vm.File {
	for _, f := range more {
		if !slices.ContainsFunc(files, func(g vm.File) bool { return g.Guest == f.Guest }) {
			files = append(files, f)
		}
	}
	return files
}
