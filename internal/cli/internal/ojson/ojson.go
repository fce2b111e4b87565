// Package ojson is a small JSON reader that keeps object members in document
// order, the way Python's json module (and so botocore and the AWS CLI) sees
// them. encoding/json maps lose that order; the CLI needs it to print maps
// (tags, environment variables) in the order the server sent them.
package ojson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Kind is the JSON type of a Value.
type Kind int

// The JSON value kinds.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// Value is one parsed JSON value. Numbers keep their literal text.
type Value struct {
	Kind    Kind
	Bool    bool
	Str     string // String: the text; Number: the literal
	Arr     []*Value
	Members []Member // Object: in first-seen order, duplicates folded (last value wins)
}

// Member is one key/value pair of an object.
type Member struct {
	Key string
	Val *Value
}

// Get returns the member named key, or nil.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Object {
		return nil
	}
	for _, m := range v.Members {
		if m.Key == key {
			return m.Val
		}
	}
	return nil
}

// Set adds or replaces a member, keeping the position of an existing key.
func (v *Value) Set(key string, val *Value) {
	for i, m := range v.Members {
		if m.Key == key {
			v.Members[i].Val = val
			return
		}
	}
	v.Members = append(v.Members, Member{Key: key, Val: val})
}

// Delete removes a member if present.
func (v *Value) Delete(key string) {
	for i, m := range v.Members {
		if m.Key == key {
			v.Members = append(v.Members[:i], v.Members[i+1:]...)
			return
		}
	}
}

// NewObject returns an empty object.
func NewObject() *Value { return &Value{Kind: Object} }

// NewString returns a string value.
func NewString(s string) *Value { return &Value{Kind: String, Str: s} }

// NewNumber returns a number value from its literal.
func NewNumber(lit string) *Value { return &Value{Kind: Number, Str: lit} }

// NewArray returns an array value.
func NewArray(items []*Value) *Value {
	if items == nil {
		items = []*Value{}
	}
	return &Value{Kind: Array, Arr: items}
}

// Parse reads exactly one JSON value from b.
func Parse(b []byte) (*Value, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return nil, fmt.Errorf("extra data after JSON value")
		}
		return nil, err
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (*Value, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return fromToken(dec, tok)
}

func fromToken(dec *json.Decoder, tok json.Token) (*Value, error) {
	switch t := tok.(type) {
	case nil:
		return &Value{Kind: Null}, nil
	case bool:
		return &Value{Kind: Bool, Bool: t}, nil
	case json.Number:
		return &Value{Kind: Number, Str: string(t)}, nil
	case string:
		return &Value{Kind: String, Str: t}, nil
	case json.Delim:
		switch t {
		case '[':
			arr := []*Value{}
			for dec.More() {
				item, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, item)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return &Value{Kind: Array, Arr: arr}, nil
		case '{':
			obj := &Value{Kind: Object, Members: []Member{}}
			index := map[string]int{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is not a string")
				}
				val, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				if i, dup := index[key]; dup {
					obj.Members[i].Val = val
					continue
				}
				index[key] = len(obj.Members)
				obj.Members = append(obj.Members, Member{Key: key, Val: val})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return obj, nil
		}
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}
