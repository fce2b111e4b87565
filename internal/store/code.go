package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

const codeBucket = "kindling_code"

// CodeStore keeps deployment packages in a JetStream object store, named
// by the hex SHA-256 of the zip, so identical packages are stored once.
type CodeStore struct {
	obj jetstream.ObjectStore
}

// OpenCodeStore creates the object store bucket if needed.
func OpenCodeStore(ctx context.Context, js jetstream.JetStream) (*CodeStore, error) {
	obj, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      codeBucket,
		Description: "Kindling code packages by SHA-256",
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("open code bucket: %w", err)
	}
	return &CodeStore{obj: obj}, nil
}

// Put stores zip under key unless it is already there.
func (c *CodeStore) Put(ctx context.Context, key string, zip []byte) error {
	if info, err := c.obj.GetInfo(ctx, key); err == nil && !info.Deleted && info.Size == uint64(len(zip)) {
		return nil
	}
	if _, err := c.obj.PutBytes(ctx, key, zip); err != nil {
		return fmt.Errorf("store code %s: %w", key, err)
	}
	return nil
}

// Get returns the zip stored under key.
func (c *CodeStore) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := c.obj.GetBytes(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read code %s: %w", key, err)
	}
	return b, nil
}

// Sweep deletes every blob that inUse does not claim and that is older
// than grace (so a blob just uploaded for a record still being written is
// never removed). It returns how many blobs it deleted.
func (c *CodeStore) Sweep(ctx context.Context, inUse func(key string) bool, grace time.Duration) (int, error) {
	infos, err := c.obj.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("list code: %w", err)
	}
	n := 0
	for _, info := range infos {
		if info.Deleted || inUse(info.Name) || time.Since(info.ModTime) < grace {
			continue
		}
		if err := c.obj.Delete(ctx, info.Name); err != nil {
			return n, fmt.Errorf("delete code %s: %w", info.Name, err)
		}
		n++
	}
	return n, nil
}
