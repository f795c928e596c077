package kbuild

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"

	"github.com/gauntlet-sched/gauntlet/kernel"
)

// EmbeddedConfig returns the .config embedded in the bzImage at path
// (CONFIG_IKCONFIG); ok is false when the image has none or its payload
// uses a compression this cannot read (gzip and bzip2 in Go, xz and zstd
// through their commands).
func EmbeddedConfig(ctx context.Context, path string) (config []byte, ok bool, err error) {
	img, err := os.ReadFile(path)
	if err != nil {
		return nil, false, err
	}
	payload := kernel.Payload(img)
	if payload == nil {
		return nil, false, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r, wait, err := openDecompressed(ctx, bytes.NewReader(payload))
	if err != nil {
		return nil, false, nil
	}
	config, err = kernel.FindIKConfig(r)
	cancel()
	wait()
	if errors.Is(err, io.EOF) {
		return nil, false, nil
	}
	return config, err == nil, err
}
