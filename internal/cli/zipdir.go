package cli

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// zipEpoch is the fixed modification time of every entry (the earliest a
// zip file can express), so the same tree always gives the same bytes and
// the same CodeSha256.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// zipDir packs a directory in memory, deterministically: entries sorted by
// path, fixed times, regular files only (symlinks followed), mode 0755 for
// files with any executable bit and 0644 otherwise.
func zipDir(dir string) ([]byte, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	type entry struct {
		rel  string
		path string
		mode fs.FileMode
	}
	var entries []entry
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := os.Stat(path) // follow symlinks
		if err != nil {
			return err
		}
		if info.IsDir() || !info.Mode().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		entries = append(entries, entry{rel: filepath.ToSlash(rel), path: path, mode: info.Mode()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].rel < entries[j].rel })
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		data, err := os.ReadFile(e.path)
		if err != nil {
			return nil, err
		}
		h := &zip.FileHeader{Name: e.rel, Method: zip.Deflate, Modified: zipEpoch}
		mode := fs.FileMode(0o644)
		if e.mode&0o111 != 0 {
			mode = 0o755
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkZip rejects --zip-file values that are not zip archives, as the AWS CLI does.
func checkZip(v *pv) error {
	var data []byte
	switch v.kind {
	case pBytes:
		data = v.by
	case pStr:
		data = []byte(v.s)
	}
	if _, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err != nil {
		return validationError("--zip-file must be a zip file with the fileb:// prefix.\nExample usage:  --zip-file fileb://path/to/file.zip")
	}
	return nil
}
