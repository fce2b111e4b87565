// Package codepkg checks deployment packages (zip files) and unpacks them
// into a local, content-addressed cache that execution environments mount
// or run from.
package codepkg

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/kindling-dev/kindling/internal/awserr"
)

// Limits of AWS Lambda (reference/lambda-api.md §8.1).
const (
	MaxZipped   = 52428800  // 50 MiB direct upload
	MaxUnzipped = 262144000 // 250 MiB
	MaxFiles    = 20000
)

// Info describes a checked package.
type Info struct {
	Key      string // hex SHA-256, the code store name
	Sha256   string // base64 SHA-256, Lambda's CodeSha256
	Size     int64  // zipped bytes, Lambda's CodeSize
	Unzipped int64
}

// Check validates a zip as Lambda would before accepting it: a readable
// archive whose entries stay inside the package, within the size limits.
func Check(zipBytes []byte) (Info, error) {
	if len(zipBytes) > MaxZipped {
		return Info{}, awserr.Newf(awserr.RequestEntityTooLarge, "Zipped size must be smaller than %d bytes", MaxZipped)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return Info{}, unzipError(err)
	}
	if len(zr.File) > MaxFiles {
		return Info{}, awserr.Newf(awserr.InvalidParameterValue, "Could not unzip uploaded file. The package contains more than %d files.", MaxFiles)
	}
	var total int64
	info := Info{}
	for _, f := range zr.File {
		if _, err := entryPath(f.Name); err != nil {
			return Info{}, err
		}
		total += int64(f.UncompressedSize64)
		if total > MaxUnzipped || f.UncompressedSize64 > MaxUnzipped {
			return Info{}, awserr.Newf(awserr.InvalidParameterValue, "Unzipped size must be smaller than %d bytes", MaxUnzipped)
		}
	}
	sum := sha256.Sum256(zipBytes)
	info.Key = hex.EncodeToString(sum[:])
	info.Sha256 = base64.StdEncoding.EncodeToString(sum[:])
	info.Size = int64(len(zipBytes))
	info.Unzipped = total
	return info, nil
}

func unzipError(cause error) error {
	return &awserr.Error{Code: awserr.InvalidParameterValue,
		Message: "Could not unzip uploaded file. Please check your file, then try to upload again.", Cause: cause}
}

// entryPath returns the cleaned relative path of a zip entry, refusing
// anything that would land outside the package.
func entryPath(name string) (string, error) {
	n := strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(n, "/") || strings.Contains(n, "\x00") {
		return "", unzipError(fmt.Errorf("absolute entry %q", name))
	}
	clean := path.Clean(n)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", unzipError(fmt.Errorf("entry %q escapes the package", name))
	}
	return clean, nil
}

// Fetcher reads a package from the code store.
type Fetcher func(ctx context.Context, key string) ([]byte, error)

// Cache is the local directory of unpacked packages: <dir>/<key>/.
type Cache struct {
	dir   string
	fetch Fetcher

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// NewCache returns a cache rooted at dir that loads missing packages with fetch.
func NewCache(dir string, fetch Fetcher) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("code cache: %w", err)
	}
	return &Cache{dir: dir, fetch: fetch, locks: map[string]*sync.Mutex{}}, nil
}

func (c *Cache) lock(key string) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.locks[key]
	if !ok {
		l = &sync.Mutex{}
		c.locks[key] = l
	}
	return l
}

// Path returns the directory holding the unpacked package key, unpacking
// it first (from zipBytes if given, else from the code store).
func (c *Cache) Path(ctx context.Context, key string, zipBytes []byte) (string, error) {
	dst := filepath.Join(c.dir, key)
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	l := c.lock(key)
	l.Lock()
	defer l.Unlock()
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	if zipBytes == nil {
		b, err := c.fetch(ctx, key)
		if err != nil {
			return "", err
		}
		zipBytes = b
	}
	tmp, err := os.MkdirTemp(c.dir, ".unpack-")
	if err != nil {
		return "", fmt.Errorf("unpack %s: %w", key, err)
	}
	if err := extract(zipBytes, tmp); err != nil {
		_ = os.RemoveAll(tmp)
		return "", fmt.Errorf("unpack %s: %w", key, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		_ = os.RemoveAll(tmp)
		return "", fmt.Errorf("unpack %s: %w", key, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.RemoveAll(tmp)
		return "", fmt.Errorf("unpack %s: %w", key, err)
	}
	return dst, nil
}

// Remove deletes the unpacked copy of key, if any.
func (c *Cache) Remove(key string) error {
	return os.RemoveAll(filepath.Join(c.dir, key))
}

// Sweep removes leftovers of interrupted unpacks.
func (c *Cache) Sweep() {
	entries, _ := os.ReadDir(c.dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".unpack-") {
			_ = os.RemoveAll(filepath.Join(c.dir, e.Name()))
		}
	}
}

func extract(zipBytes []byte, dst string) error {
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return err
	}
	var total int64
	for _, f := range zr.File {
		rel, err := entryPath(f.Name)
		if err != nil {
			return err
		}
		if rel == "." {
			continue
		}
		target := filepath.Join(dst, filepath.FromSlash(rel))
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		case mode&os.ModeSymlink != 0:
			// Symlinks are kept only when they stay inside the package.
			rc, err := f.Open()
			if err != nil {
				return err
			}
			link, err := io.ReadAll(io.LimitReader(rc, 4096))
			rc.Close()
			if err != nil {
				return err
			}
			resolved := path.Clean(path.Join(path.Dir(rel), string(link)))
			if path.IsAbs(string(link)) || resolved == ".." || strings.HasPrefix(resolved, "../") {
				return fmt.Errorf("symlink %q points outside the package", f.Name)
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(string(link), target); err != nil {
				return err
			}
			continue
		case !mode.IsRegular():
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		perm := os.FileMode(0o644)
		if mode&0o111 != 0 {
			perm = 0o755
		}
		n, err := writeEntry(f, target, perm, MaxUnzipped-total)
		if err != nil {
			return err
		}
		total += n
	}
	return nil
}

func writeEntry(f *zip.File, target string, perm os.FileMode, budget int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > budget {
		err = fmt.Errorf("unzipped size exceeds %d bytes", MaxUnzipped)
	}
	return n, err
}
