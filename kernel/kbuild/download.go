package kbuild

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"strings"
)

// httpDoer is the part of *http.Client downloads use.
type httpDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// errNotOffered means the server answered 404: the file does not exist.
var errNotOffered = errors.New("not found on the server")

func httpGet(ctx context.Context, c httpDoer, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue *neturl.Error
		if errors.As(err, &ue) && ctx.Err() == nil {
			err = ue.Err // the URL is already in the message
		}
		return nil, fmt.Errorf("download %s: %w (set %s to a reachable mirror, or build from --source)", url, err, EnvKernelMirror)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			return nil, fmt.Errorf("download %s: %w", url, errNotOffered)
		}
		return nil, fmt.Errorf("download %s: server answered %s", url, resp.Status)
	}
	return resp, nil
}

// download writes url to dst and returns its hex SHA-256. A short body is
// an error naming the bytes received; dst is removed on any error.
func download(ctx context.Context, c httpDoer, url, dst string) (sum string, err error) {
	resp, err := httpGet(ctx, c, url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	f, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = io.ErrUnexpectedEOF
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "", fmt.Errorf("download %s: truncated after %d of %d bytes; retry", url, n, resp.ContentLength)
	}
	if err != nil {
		return "", fmt.Errorf("download %s: %w", url, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fetchSmall returns the body of a small document (at most 4 MiB).
func fetchSmall(ctx context.Context, c httpDoer, url string) ([]byte, error) {
	resp, err := httpGet(ctx, c, url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	return b, nil
}

// mirrorChecksum returns the SHA-256 that the sums file at url lists for
// name, or "" when the mirror has no sums file or it does not list name.
// The signature of a clear-signed file is not checked.
func mirrorChecksum(ctx context.Context, c httpDoer, url, name string) (string, error) {
	body, err := fetchSmall(ctx, c, url)
	if errors.Is(err, errNotOffered) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return findChecksum(body, name), nil
}

// findChecksum reads "HASH  NAME" lines (sha256sum format, also inside a
// PGP clear-signed message).
func findChecksum(sums []byte, name string) string {
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && len(f[0]) == 64 && strings.TrimPrefix(f[1], "*") == name {
			if _, err := hex.DecodeString(f[0]); err == nil {
				return strings.ToLower(f[0])
			}
		}
	}
	return ""
}
