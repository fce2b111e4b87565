package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With no key configured, the first start generates an admin key into the
// data dir, readable only by its owner, and kindling on the same machine
// finds it without flags (ARCHITECTURE.md conventions table).
func TestGeneratedAdminKey(t *testing.T) {
	dir := t.TempDir()
	s := startServerEnv(t, dir, nil, "--demo")
	defer s.stop()
	path := filepath.Join(dir, "credentials.json")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no generated key: %v\n%s", err, s.log.String())
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	var key struct{ AccessKeyId, SecretAccessKey string }
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &key); err != nil || key.AccessKeyId == "" || key.SecretAccessKey == "" {
		t.Fatalf("key file %s: %v", b, err)
	}
	if strings.Contains(s.log.String(), key.SecretAccessKey) {
		t.Fatal("the secret key was printed")
	}
	// kindling without AWS_* credentials, pointed at the data dir.
	work := t.TempDir()
	r := run(t, work, []string{"PATH=/usr/bin:/bin", "HOME=" + work, "KINDLING_DATA_DIR=" + dir, "AWS_ENDPOINT_URL=" + s.url,
		"AWS_DEFAULT_REGION=us-east-1"}, binary, "invoke", "--function-name", "hello",
		"--cli-binary-format", "raw-in-base64-out", "--payload", `{"name":"Key"}`, "out.json")
	if r.code != 0 {
		t.Fatalf("kindling with the generated key: exit %d: %s", r.code, r.stderr)
	}
	if got := readFile(t, filepath.Join(work, "out.json")); got != `{"statusCode":200,"body":"\"Hello Key!\""}` {
		t.Fatalf("demo answered %s", got)
	}
	// A restart keeps the same key.
	s.stop()
	s2 := startServerEnv(t, dir, nil)
	defer s2.stop()
	b2, _ := os.ReadFile(path)
	if string(b2) != string(b) {
		t.Fatal("the key changed across a restart")
	}
}

// Bad settings stop the server with a clear message instead of starting.
func TestServeRejectsBadSettings(t *testing.T) {
	for _, args := range [][]string{{"--account-id", "123"}, {"--region", "mars"}, {"--addr", "nonsense"}} {
		r := run(t, t.TempDir(), []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}, binary,
			append([]string{"serve", "--data-dir", t.TempDir()}, args...)...)
		if r.code == 0 || !strings.Contains(r.stderr, args[0]) {
			t.Fatalf("serve %v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}
