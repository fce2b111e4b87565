// Package auth holds Kindling's API credentials. Until request signatures
// are verified (the security issue), it only provisions the admin key that
// clients sign with.
package auth

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the name of the generated admin key file in the data dir.
const KeyFile = "credentials.json"

// Key is an access key pair.
type Key struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

// AdminKey returns the configured admin key, or the one generated into
// dataDir on a previous start, or generates and stores a new one (0600).
// created reports whether a new key was written.
func AdminKey(dataDir, id, secret string) (key Key, created bool, err error) {
	if id != "" {
		return Key{AccessKeyID: id, SecretAccessKey: secret}, false, nil
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &key); err != nil || key.AccessKeyID == "" {
			return Key{}, false, fmt.Errorf("read %s: malformed key file", path)
		}
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Key{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	key = Key{AccessKeyID: "AKIK" + randomString(16, upperAlnum), SecretAccessKey: randomString(40, secretChars)}
	b, _ = json.MarshalIndent(key, "", "  ")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return Key{}, false, fmt.Errorf("create %s: %w", dataDir, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return Key{}, false, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return Key{}, false, fmt.Errorf("write %s: %w", path, err)
	}
	return key, true, nil
}

const (
	upperAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}
