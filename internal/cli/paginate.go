package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/kindling-dev/kindling/internal/cli/internal/ojson"
)

// Auto-pagination as the AWS CLI does it (botocore's PageIterator): pages are
// fetched until the output token is empty; --max-items truncates client-side
// and emits a NextToken (base64 of {"Marker": ..., "boto_truncate_amount": n});
// --starting-token resumes from such a token; --page-size sets the limit key.

type pageToken struct {
	marker   *string
	truncate int
	hasTrunc bool
}

func (t pageToken) encode(inputToken string) string {
	var b strings.Builder
	b.WriteString("{" + pyASCIIJSONString(inputToken) + ": ")
	if t.marker == nil {
		b.WriteString("null")
	} else {
		b.WriteString(pyASCIIJSONString(*t.marker))
	}
	if t.hasTrunc {
		b.WriteString(`, "boto_truncate_amount": ` + strconv.Itoa(t.truncate))
	}
	b.WriteString("}")
	return base64.StdEncoding.EncodeToString([]byte(b.String()))
}

func decodeStartingToken(tok, inputToken string) (pageToken, error) {
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err == nil {
		if v, jerr := ojson.Parse(raw); jerr == nil && v.Kind == ojson.Object {
			var t pageToken
			for _, m := range v.Members {
				switch m.Key {
				case inputToken:
					if m.Val.Kind == ojson.String {
						s := m.Val.Str
						t.marker = &s
					}
				case "boto_truncate_amount":
					n, _ := strconv.Atoi(m.Val.Str)
					t.truncate, t.hasTrunc = n, true
				}
			}
			return t, nil
		}
	}
	// Old-style tokens: "<marker>___<index>" or the marker itself.
	parts := strings.Split(tok, "___")
	var t pageToken
	if len(parts) == 2 {
		if n, err := strconv.Atoi(parts[1]); err == nil {
			t.truncate = n
			parts = parts[:1]
		} else {
			parts = []string{tok}
		}
	} else if len(parts) > 2 {
		return t, generalError("Bad starting token: " + tok)
	}
	if parts[0] != "None" {
		s := parts[0]
		t.marker = &s
	}
	return t, nil
}

func (r *runner) runPaginated(ctx context.Context, p *prepared) error {
	op := p.operation
	pg := op.Paginator
	params := p.params
	next := pageToken{}
	startTrunc := 0
	if p.hasStart {
		t, err := decodeStartingToken(p.startTok, pg.InputToken)
		if err != nil {
			return err
		}
		next = pageToken{marker: t.marker}
		startTrunc = t.truncate
	}
	inject := func(t pageToken) {
		if t.marker != nil && *t.marker != "None" {
			params.set(pg.InputToken, pvStr(*t.marker))
		} else {
			params.del(pg.InputToken)
		}
	}
	inject(next)
	if p.pageSize != nil {
		params.set(pg.LimitKey, p.pageSize)
	}
	var maxItems = -1
	if p.maxItems != nil {
		maxItems, _ = strconv.Atoi(p.maxItems.s)
	}
	var pages []*ojson.Value
	var resume *string
	total := 0
	first := true
	var prev *string
	textMode := r.g.output == "text"
	emit := func(page *ojson.Value, index int) error {
		if textMode {
			current := ojson.NewObject()
			rv := page.Get(pg.ResultKey)
			if rv == nil {
				rv = &ojson.Value{Kind: ojson.Null}
			}
			current.Set(pg.ResultKey, rv)
			return r.displayTextPage(current)
		}
		pages = append(pages, page)
		return nil
	}
	for index := 0; ; index++ {
		res := r.call(ctx, op, params)
		if res.err != nil {
			return r.callError(op, res)
		}
		page, err := parseOutput(op, res.raw)
		if err != nil {
			return err
		}
		if first {
			if p.hasStart {
				if cur := page.Get(pg.ResultKey); cur != nil && cur.Kind == ojson.Array {
					if startTrunc < len(cur.Arr) {
						page.Set(pg.ResultKey, ojson.NewArray(cur.Arr[startTrunc:]))
					} else {
						page.Set(pg.ResultKey, ojson.NewArray(nil))
					}
				}
			}
			first = false
		} else {
			startTrunc = 0
		}
		cur := page.Get(pg.ResultKey)
		n := 0
		if cur != nil && cur.Kind == ojson.Array {
			n = len(cur.Arr)
		}
		truncate := 0
		if maxItems >= 0 {
			truncate = total + n - maxItems
		}
		if truncate > 0 {
			keep := n - truncate
			page.Set(pg.ResultKey, ojson.NewArray(cur.Arr[:keep]))
			t := pageToken{marker: next.marker, truncate: keep + startTrunc, hasTrunc: true}
			s := t.encode(pg.InputToken)
			resume = &s
			if err := emit(page, index); err != nil {
				return err
			}
			break
		}
		if err := emit(page, index); err != nil {
			return err
		}
		total += n
		var nt *string
		if ov := page.Get(pg.OutputToken); truthy(ov) {
			s := pyScalarText(ov)
			nt = &s
		}
		if nt == nil {
			break
		}
		if maxItems >= 0 && total == maxItems {
			s := pageToken{marker: nt}.encode(pg.InputToken)
			resume = &s
			break
		}
		if prev != nil && *prev == *nt {
			return generalError(fmt.Sprintf("Error during pagination: The same next token was received twice: {%s: %s}", pyStrRepr(pg.InputToken), pyStrRepr(*nt)))
		}
		next = pageToken{marker: nt}
		inject(next)
		prev = nt
	}
	if textMode {
		if resume != nil {
			o := ojson.NewObject()
			inner := ojson.NewObject()
			inner.Set("NextToken", ojson.NewString(*resume))
			o.Set("NextToken", inner)
			return r.displayTextPage(o)
		}
		return nil
	}
	full := ojson.NewObject()
	for _, page := range pages {
		rv := page.Get(pg.ResultKey)
		if rv == nil || rv.Kind == ojson.Null {
			continue
		}
		existing := full.Get(pg.ResultKey)
		if existing == nil {
			full.Set(pg.ResultKey, rv)
			continue
		}
		if rv.Kind == ojson.Array && existing.Kind == ojson.Array {
			existing.Arr = append(existing.Arr, rv.Arr...)
		}
	}
	if resume != nil {
		full.Set("NextToken", ojson.NewString(*resume))
	}
	return r.display(op, full)
}

func (r *runner) displayTextPage(v *ojson.Value) error {
	if r.g.query != "" {
		q, err := compileQuery(r.g.query)
		if err != nil {
			return err
		}
		v = q.search(v)
	}
	fmt.Fprint(r.stdout, formatText(v))
	return nil
}
