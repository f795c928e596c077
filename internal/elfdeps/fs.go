package elfdeps

import (
	"io"
	"os"
)

// File is an open file the resolver reads.
type File interface {
	io.ReaderAt
	io.Closer
}

// FS opens files by absolute path, following symbolic links. Open's
// error wraps fs.ErrNotExist when there is no such file.
type FS interface {
	Open(name string) (File, error)
}

// OS is the host's file system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) Open(name string) (File, error) { return os.Open(name) }
