package kbuild

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"

	"github.com/gauntlet-sched/gauntlet/kernel"
)

// Markers around the gzipped .config a kernel built with CONFIG_IKCONFIG
// carries (kernel/configs.c); scripts/extract-ikconfig looks for the same.
var (
	ikconfigStart = []byte("IKCFG_ST")
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
	config, err = findIKConfig(r)
	cancel()
	wait()
	if errors.Is(err, io.EOF) {
		return nil, false, nil
	}
	return config, err == nil, err
}

// findIKConfig scans the decompressed kernel r for the IKCONFIG marker
// and returns the config gunzipped from the bytes after it; io.EOF when
// there is no marker.
func findIKConfig(r io.Reader) ([]byte, error) {
	const chunk = 1 << 20
	buf := make([]byte, 0, chunk+len(ikconfigStart))
	for {
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if i := bytes.Index(buf, ikconfigStart); i >= 0 {
			rest := io.MultiReader(bytes.NewReader(buf[i+len(ikconfigStart):]), r)
			return gunzipOne(rest)
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.EOF
			}
			return nil, err
		}
		keep := len(ikconfigStart) - 1
		copy(buf, buf[len(buf)-keep:])
		buf = buf[:keep]
	}
}

func gunzipOne(r io.Reader) ([]byte, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	return io.ReadAll(io.LimitReader(zr, 4<<20))
}
