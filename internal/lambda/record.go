package lambda

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// SchemaVersion is written into every stored Function record so a data
// directory survives upgrades.
const SchemaVersion = 1

// TimeFormat is how Lambda renders FunctionConfiguration.LastModified
// (reference/lambda-api.md §1.11).
const TimeFormat = "2006-01-02T15:04:05.000-0700"

// Version is one version of a function: its configuration as rendered by
// the API, plus what Kindling needs internally.
type Version struct {
	Config FunctionConfiguration `json:"config"`
	// CodeKey names the code blob in the code store (hex SHA-256 of the zip).
	CodeKey string `json:"codeKey"`
	// Fingerprint identifies code plus configuration; PublishVersion is a
	// no-op when $LATEST's fingerprint equals the last version's.
	Fingerprint string `json:"fingerprint"`
}

// Alias is a named pointer to a version.
type Alias struct {
	Config AliasConfiguration `json:"config"`
}

// Function is the stored aggregate: everything about one function, written
// atomically as one record.
type Function struct {
	Schema              int               `json:"schema"`
	Name                string            `json:"name"`
	Latest              Version           `json:"latest"`
	Versions            []Version         `json:"versions,omitempty"`
	Aliases             []Alias           `json:"aliases,omitempty"`
	LastPublished       int               `json:"lastPublished"`
	Tags                map[string]string `json:"tags,omitempty"`
	ReservedConcurrency *int              `json:"reservedConcurrency,omitempty"`
	// Provisioned maps a version or alias to its provisioned concurrency.
	Provisioned map[string]Provisioned `json:"provisioned,omitempty"`
	// EventInvokeConfigs maps a qualifier ("$LATEST" for the unqualified
	// function, a version or an alias) to its asynchronous-invocation
	// config. Configs are per qualifier and not copied to new versions
	// (reference/lambda-api.md §6.2, §10.1 item 16).
	EventInvokeConfigs map[string]EventInvokeConfig `json:"eventInvokeConfigs,omitempty"`
	// Settling is the non-empty id of the pending state transition
	// (Pending->Active or InProgress->Successful) that a node is running.
	Settling string `json:"settling,omitempty"`
}

// Provisioned is one provisioned-concurrency configuration.
type Provisioned struct {
	Requested    int    `json:"requested"`
	LastModified string `json:"lastModified"`
}

// ProvisionedVersion resolves a provisioned qualifier (a version or an
// alias) to the version whose environments it keeps.
func (f *Function) ProvisionedVersion(qualifier string) *Version {
	if a := f.FindAlias(qualifier); a != nil {
		return f.FindVersion(a.Config.FunctionVersion)
	}
	return f.FindVersion(qualifier)
}

// NewRevisionID returns a fresh RevisionId.
func NewRevisionID() string { return uuid.NewString() }

// Clone returns a deep copy, so a mutation never touches a shared snapshot.
func (f *Function) Clone() *Function {
	b, err := json.Marshal(f)
	if err != nil {
		panic(fmt.Sprintf("lambda: marshal function: %v", err))
	}
	var c Function
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("lambda: unmarshal function: %v", err))
	}
	return &c
}

// FindVersion returns the published version n, or nil.
func (f *Function) FindVersion(n string) *Version {
	if n == LatestVersion {
		return &f.Latest
	}
	for i := range f.Versions {
		if f.Versions[i].Config.Version == n {
			return &f.Versions[i]
		}
	}
	return nil
}

// FindAlias returns the alias with the given name, or nil.
func (f *Function) FindAlias(name string) *Alias {
	for i := range f.Aliases {
		if f.Aliases[i].Config.Name == name {
			return &f.Aliases[i]
		}
	}
	return nil
}

// AliasesFor lists the names of aliases that route to version v.
func (f *Function) AliasesFor(v string) []string {
	var names []string
	for _, a := range f.Aliases {
		if a.Config.FunctionVersion == v {
			names = append(names, a.Config.Name)
			continue
		}
		if a.Config.RoutingConfig != nil {
			if _, ok := a.Config.RoutingConfig.AdditionalVersionWeights[v]; ok {
				names = append(names, a.Config.Name)
			}
		}
	}
	return names
}

// SortAliases keeps aliases in name order.
func (f *Function) SortAliases() {
	sort.Slice(f.Aliases, func(i, j int) bool { return f.Aliases[i].Config.Name < f.Aliases[j].Config.Name })
}

// CodeKeys lists every code blob the function references.
func (f *Function) CodeKeys() []string {
	keys := []string{f.Latest.CodeKey}
	for _, v := range f.Versions {
		keys = append(keys, v.CodeKey)
	}
	return keys
}

// Fingerprint hashes the parts of a configuration that make a version
// different from another: code and every setting, but not the volatile
// fields (RevisionId, LastModified, states, ARN, version).
func Fingerprint(c FunctionConfiguration) string {
	c.FunctionArn, c.Version, c.RevisionId, c.LastModified = "", "", "", ""
	c.State, c.StateReason, c.StateReasonCode = "", "", ""
	c.LastUpdateStatus, c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = "", "", ""
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%x", sum[:12])
}

// NowTimestamp formats t as Lambda's LastModified.
func NowTimestamp(t time.Time) string { return t.UTC().Format(TimeFormat) }

// NextVersion returns the number of the version a publish would create.
func (f *Function) NextVersion() string { return strconv.Itoa(f.LastPublished + 1) }

// BeginUpdate marks $LATEST as being updated (reference/lambda-api.md §3.2:
// InProgress with the "being created" texts, new RevisionId).
func (f *Function) BeginUpdate(now time.Time, settleID string) {
	c := &f.Latest.Config
	c.LastModified = NowTimestamp(now)
	c.LastUpdateStatus = UpdateInProgress
	c.LastUpdateStatusReason = "The function is being created."
	c.LastUpdateStatusReasonCode = "Creating"
	c.RevisionId = NewRevisionID()
	f.Settling = settleID
	f.Latest.Fingerprint = Fingerprint(*c)
}

// Settle ends a Pending or InProgress transition: State Active,
// LastUpdateStatus Successful, a new RevisionId (reference/lambda-api.md §3.2).
func (f *Function) Settle() {
	settleVersion(&f.Latest.Config)
	for i := range f.Versions {
		if f.Versions[i].Config.State == StatePending {
			settleVersion(&f.Versions[i].Config)
		}
	}
	f.Settling = ""
}

func settleVersion(c *FunctionConfiguration) {
	c.State = StateActive
	c.StateReason, c.StateReasonCode = "", ""
	c.LastUpdateStatus = UpdateSuccessful
	c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = "", ""
	c.RevisionId = NewRevisionID()
}

// FailSettle marks the transition as failed with a reason.
func (f *Function) FailSettle(code, reason string) {
	c := &f.Latest.Config
	if c.State == StatePending {
		c.State = StateFailed
		c.StateReason, c.StateReasonCode = reason, code
	} else {
		c.LastUpdateStatus = UpdateFailed
		c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = reason, code
	}
	c.RevisionId = NewRevisionID()
	f.Settling = ""
}

// Publish snapshots $LATEST as a new immutable version, or returns the last
// version unchanged when nothing changed since it was published
// (reference/lambda-api.md §5.3). It reports whether a version was created.
func (f *Function) Publish(description *string, now time.Time) (*Version, bool) {
	if n := len(f.Versions); n > 0 && f.Versions[n-1].Fingerprint == f.Latest.Fingerprint && f.Versions[n-1].Config.Version == strconv.Itoa(f.LastPublished) {
		return &f.Versions[n-1], false
	}
	f.LastPublished++
	v := f.Latest
	v.Config.Version = strconv.Itoa(f.LastPublished)
	v.Config.FunctionArn = f.Latest.Config.FunctionArn + ":" + v.Config.Version
	v.Config.LastModified = NowTimestamp(now)
	v.Config.RevisionId = NewRevisionID()
	if description != nil {
		v.Config.Description = *description
	}
	if v.Config.State != StatePending {
		v.Config.State = StateActive
		v.Config.StateReason, v.Config.StateReasonCode = "", ""
	}
	v.Config.LastUpdateStatus = UpdateSuccessful
	v.Config.LastUpdateStatusReason, v.Config.LastUpdateStatusReasonCode = "", ""
	if v.Config.Environment != nil {
		env := *v.Config.Environment
		env.Variables = cloneMap(env.Variables)
		v.Config.Environment = &env
	}
	f.Versions = append(f.Versions, v)
	// Publishing changes $LATEST's RevisionId (reference/lambda-api.md §5.3).
	f.Latest.Config.RevisionId = NewRevisionID()
	return &f.Versions[len(f.Versions)-1], true
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
