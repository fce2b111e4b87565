package config

import (
	"io"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Parse(nil, env(map[string]string{"HOME": "/home/u"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// ARCHITECTURE.md conventions table.
	if c.Addr != "127.0.0.1:9070" || c.DataDir != "/home/u/.local/share/kindling" || c.Region != "us-east-1" ||
		c.AccountID != "000000000000" || c.NATSURL != "" || c.NodePath != "/usr/bin/node" {
		t.Fatalf("defaults %+v", c)
	}
	c, _ = Parse(nil, env(map[string]string{"HOME": "/home/u", "XDG_DATA_HOME": "/xdg"}), io.Discard)
	if c.DataDir != "/xdg/kindling" {
		t.Fatalf("XDG data dir %q", c.DataDir)
	}
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	e := env(map[string]string{"KINDLING_ADDR": "127.0.0.1:1", "KINDLING_REGION": "eu-west-1",
		"KINDLING_IDLE_TIMEOUT": "5s", "KINDLING_SYNC_ALWAYS": "true"})
	c, err := Parse([]string{"--addr", "127.0.0.1:2"}, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:2" || c.Region != "eu-west-1" || c.IdleTimeout != 5*time.Second || !c.SyncAlways {
		t.Fatalf("got %+v", c)
	}
}

func TestValidate(t *testing.T) {
	for _, args := range [][]string{{"--account-id", "12"}, {"--region", "x"}, {"--addr", "nope"}, {"--async-workers", "0"}, {"extra"}} {
		if _, err := Parse(args, env(nil), io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if _, err := Parse(nil, env(map[string]string{"KINDLING_ACCESS_KEY_ID": "A"}), io.Discard); err == nil {
		t.Error("an access key without a secret was accepted")
	}
	if _, err := Parse(nil, env(map[string]string{"KINDLING_IDLE_TIMEOUT": "soon"}), io.Discard); err == nil {
		t.Error("a malformed KINDLING_IDLE_TIMEOUT was accepted")
	}
}

func TestRuntimePaths(t *testing.T) {
	c, err := Parse([]string{"--runtime-path", "nodejs22.x=/opt/n22/node", "--runtime-path", "python3.13=/opt/py/bin/python3,python3.12=/usr/bin/python3.12"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.RuntimePaths["nodejs22.x"] != "/opt/n22/node" || c.RuntimePaths["python3.12"] != "/usr/bin/python3.12" || len(c.RuntimePaths) != 3 {
		t.Fatalf("%v", c.RuntimePaths)
	}
	if _, err := Parse([]string{"--runtime-path", "nodejs22.x=relative"}, env(nil), io.Discard); err == nil {
		t.Fatal("a relative interpreter path was accepted")
	}
}
