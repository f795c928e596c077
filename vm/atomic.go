package vm

import (
	"io"
	"os"
	"path/filepath"
)

// writeAtomic writes path through write into a temporary file beside it
// (named by pattern, as [os.CreateTemp] takes it) and renames that into
// place once it is whole, so readers of the caches never see a partial
// file; on any error the temporary file is removed.
func writeAtomic(path, pattern string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), pattern)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return err
}
