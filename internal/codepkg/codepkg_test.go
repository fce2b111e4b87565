package codepkg

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kindling-dev/kindling/internal/awserr"
)

type entry struct {
	name, body string
	mode       os.FileMode
}

func makeZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode == 0 {
			e.mode = 0o644
		}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckAndUnpack(t *testing.T) {
	z := makeZip(t,
		entry{name: "index.js", body: "exports.handler = async () => 1;"},
		entry{name: "lib/util.js", body: "module.exports = 2;"},
		entry{name: "bootstrap", body: "#!/bin/sh\n", mode: 0o755},
		entry{name: "link", body: "lib/util.js", mode: os.ModeSymlink | 0o777},
	)
	info, err := Check(z)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(z)) || len(info.Key) != 64 {
		t.Fatalf("info = %+v", info)
	}
	dir := t.TempDir()
	c, err := NewCache(dir, func(context.Context, string) ([]byte, error) { return z, nil })
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Path(context.Background(), info.Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(p, "bootstrap"))
	if err != nil || st.Mode()&0o111 == 0 {
		t.Fatalf("bootstrap not executable: %v %v", st, err)
	}
	if b, err := os.ReadFile(filepath.Join(p, "link")); err != nil || string(b) != "module.exports = 2;" {
		t.Fatalf("symlink inside the package: %q %v", b, err)
	}
	// A second Path is served from the cache.
	if p2, err := c.Path(context.Background(), info.Key, nil); err != nil || p2 != p {
		t.Fatalf("cached path %q %v", p2, err)
	}
}

// The messages are AWS's (reference/lambda-api.md §7.2, §8.1).
func TestCheckRejects(t *testing.T) {
	unzip := "Could not unzip uploaded file. Please check your file, then try to upload again."
	cases := []struct {
		name string
		zip  []byte
		code awserr.Code
		msg  string
	}{
		{"not a zip", []byte("definitely not a zip"), awserr.InvalidParameterValue, unzip},
		{"zip slip", makeZip(t, entry{name: "../evil.js", body: "x"}), awserr.InvalidParameterValue, unzip},
		{"nested zip slip", makeZip(t, entry{name: "a/../../evil.js", body: "x"}), awserr.InvalidParameterValue, unzip},
		{"absolute path", makeZip(t, entry{name: "/etc/evil", body: "x"}), awserr.InvalidParameterValue, unzip},
		{"too large zipped", make([]byte, MaxZipped+1), awserr.RequestEntityTooLarge, "Zipped size must be smaller than 52428800 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(tc.zip)
			if !awserr.Is(err, tc.code) || awserr.As(err).Message != tc.msg {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestUnzippedLimit(t *testing.T) {
	// A zip bomb: an entry that declares more than 250 MiB unpacked.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bomb.bin", Method: zip.Store, CompressedSize64: 1, UncompressedSize64: MaxUnzipped + 1}
	w, err := zw.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("x"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Check(buf.Bytes())
	// reference/lambda-api.md §8.1 (deployment package row).
	if !awserr.Is(err, awserr.InvalidParameterValue) || awserr.As(err).Message != "Unzipped size must be smaller than 262144000 bytes" {
		t.Fatalf("err = %v", err)
	}
}

func TestSymlinkOutsideRefused(t *testing.T) {
	z := makeZip(t, entry{name: "evil", body: "../../etc/passwd", mode: os.ModeSymlink | 0o777})
	info, err := Check(z)
	if err != nil {
		t.Fatal(err) // the entry name itself is fine; the target is checked on unpack
	}
	c, err := NewCache(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Path(context.Background(), info.Key, z); err == nil {
		t.Fatal("a symlink pointing outside the package was unpacked")
	}
}

// FuzzCheck feeds arbitrary bytes to Check and the unpacker: no panic, and
// nothing lands outside the destination.
func FuzzCheck(f *testing.F) {
	f.Add(makeZip(f, entry{name: "index.js", body: "x"}))
	f.Add(makeZip(f, entry{name: "../x", body: "x"}))
	f.Add(makeZip(f, entry{name: "l", body: "/etc", mode: os.ModeSymlink | 0o777}))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := Check(b)
		if err != nil {
			return
		}
		root := t.TempDir()
		dst := filepath.Join(root, "cache")
		c, err := NewCache(dst, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.Path(context.Background(), info.Key, b)
		entries, _ := os.ReadDir(root)
		if len(entries) != 1 || entries[0].Name() != "cache" {
			t.Fatalf("unpack wrote outside its cache: %v", entries)
		}
	})
}
