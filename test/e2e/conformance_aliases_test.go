package e2e

// Conformance of versions (PublishVersion, ListVersionsByFunction) and
// aliases (CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases,
// weighted routing) with reference/lambda-api.md §5.3 and §5.5.

import (
	"context"
	"net/url"
	"reflect"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

const (
	revisionMismatch = "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)

func TestConformancePublishVersion(t *testing.T) {
	s := sharedServer(t)
	ctx := context.Background()
	c := sdk(s)
	name := uniqueName("publish")
	zip := echoZip(t, "v1")
	createFn(t, s, name, zip, func(in *lambda.CreateFunctionInput) { in.Description = aws.String("d0") })
	rev0 := aws.ToString(waitSettled(t, s, name).Configuration.RevisionId)
	vpath := fnPath(name) + "/versions"

	// lambda-api.md §5.3: 201 and the new version's configuration.
	r := signedJSON(t, s, "POST", vpath, map[string]any{})
	if r.status != 201 {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	v1 := r.obj(t)
	for k, want := range map[string]any{"FunctionArn": qARN(name, "1"), "Version": "1", "State": "Active", "LastUpdateStatus": "Successful",
		"Description": "d0", "CodeSha256": codeSha256(zip)} {
		if v1[k] != want {
			t.Errorf("publish response %s = %v, want %v", k, v1[k], want)
		}
	}
	// §5.3: publishing changes $LATEST's RevisionId.
	rev1 := aws.ToString(waitSettled(t, s, name).Configuration.RevisionId)
	if rev1 == rev0 {
		t.Errorf("$LATEST RevisionId unchanged by PublishVersion")
	}
	// §5.3: nothing changed -> the existing latest version, same RevisionId, still 201.
	r = signedJSON(t, s, "POST", vpath, map[string]any{})
	if r.status != 201 {
		t.Fatalf("repeated publish: %d %s", r.status, r.body)
	}
	if again := r.obj(t); again["Version"] != "1" || again["RevisionId"] != v1["RevisionId"] {
		t.Errorf("repeated publish: Version %v RevisionId %v, want 1 %v", again["Version"], again["RevisionId"], v1["RevisionId"])
	}
	// §5.3: CodeSha256 precondition.
	wantErrMsg(t, signedJSON(t, s, "POST", vpath, map[string]any{"CodeSha256": "somenonexistentsha256"}), 400, "InvalidParameterValueException",
		"CodeSHA256 (somenonexistentsha256) is different from current CodeSHA256 in $LATEST ("+codeSha256(zip)+"). Please try again with the CodeSHA256 in $LATEST.")
	// §5.3: RevisionId precondition.
	wantErrMsg(t, signedJSON(t, s, "POST", vpath, map[string]any{"RevisionId": rev0}), 412, "PreconditionFailedException", revisionMismatch)

	// §5.3: matching preconditions and a Description for this version only.
	updateDescription(t, s, name, "d1")
	cur := waitSettled(t, s, name).Configuration
	out, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(name), CodeSha256: cur.CodeSha256,
		RevisionId: cur.RevisionId, Description: aws.String("override")})
	if err != nil {
		t.Fatalf("publish with matching preconditions: %v", err)
	}
	if aws.ToString(out.Version) != "2" || aws.ToString(out.Description) != "override" {
		t.Errorf("publish 2: Version %q Description %q", aws.ToString(out.Version), aws.ToString(out.Description))
	}
	desc := func(q string) string {
		g, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name), Qualifier: aws.String(q)})
		if err != nil {
			t.Fatalf("get %s:%s: %v", name, q, err)
		}
		return aws.ToString(g.Description)
	}
	// §5.3: versions are immutable snapshots; the override is the version's own.
	if d := desc("1"); d != "d0" {
		t.Errorf("version 1 description %q, want d0", d)
	}
	if d := desc("2"); d != "override" {
		t.Errorf("version 2 description %q, want override", d)
	}
	if d := desc("$LATEST"); d != "d1" {
		t.Errorf("$LATEST description %q, want d1", d)
	}

	// §5.3: version numbers are never reused.
	if r := signedCall(t, s, "DELETE", fnPath(name)+"?Qualifier=1", nil, nil); r.status != 204 {
		t.Fatalf("delete version 1: %d %s", r.status, r.body)
	}
	for i := 3; i <= 11; i++ {
		updateDescription(t, s, name, "d"+strconv.Itoa(i))
		if v := publish(t, s, name); v != strconv.Itoa(i) {
			t.Fatalf("publish after deleting 1 gave %s, want %d", v, i)
		}
	}
	// §5.3: $LATEST first, then ascending numeric order (9 before 10).
	want := []string{"$LATEST"}
	for i := 2; i <= 11; i++ {
		want = append(want, strconv.Itoa(i))
	}
	var got []string
	marker, pages := "", 0
	for {
		p := vpath + "?MaxItems=3"
		if marker != "" {
			p += "&Marker=" + url.QueryEscape(marker)
		}
		r := signedCall(t, s, "GET", p, nil, nil)
		if r.status != 200 {
			t.Fatalf("list versions: %d %s", r.status, r.body)
		}
		m := r.obj(t)
		vs, _ := m["Versions"].([]any)
		if len(vs) > 3 {
			t.Fatalf("page of %d with MaxItems=3", len(vs))
		}
		for _, e := range vs {
			v := e.(map[string]any)
			ver, _ := v["Version"].(string)
			got = append(got, ver)
			// §5.3: the $LATEST entry's ARN ends in :$LATEST; versions end in :<n>.
			if v["FunctionArn"] != qARN(name, ver) {
				t.Errorf("version %s FunctionArn %v", ver, v["FunctionArn"])
			}
			// §3.2: list entries omit State, LastUpdateStatus*, RuntimeVersionConfig.
			for _, k := range []string{"State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode", "RuntimeVersionConfig"} {
				if _, ok := v[k]; ok {
					t.Errorf("version %s entry has %s", ver, k)
				}
			}
		}
		pages++
		next, ok := m["NextMarker"]
		if !ok || next == nil || next == "" { // §1.9
			break
		}
		marker, _ = next.(string)
		if pages > 20 {
			t.Fatal("ListVersionsByFunction does not end")
		}
	}
	if !sameStrings(got, want) {
		t.Errorf("versions over %d pages:\n got  %v\n want %v", pages, got, want)
	}

	// §7.2: ListVersionsByFunction of a missing function names the unqualified ARN.
	missing := uniqueName("missing")
	wantErrMsg(t, signedCall(t, s, "GET", fnPath(missing)+"/versions", nil, nil), 404, "ResourceNotFoundException", "Function not found: "+fnARN(missing))
	wantErr(t, signedJSON(t, s, "POST", fnPath(missing)+"/versions", map[string]any{}), 404, "ResourceNotFoundException")
}

// aliasFixture creates a function with versions 1, 2, 3 (code tags v1..v3).
func aliasFixture(t *testing.T, s *server) string {
	name := uniqueName("alias")
	createFn(t, s, name, echoZip(t, "v1"), func(in *lambda.CreateFunctionInput) { in.Publish = true })
	for _, tag := range []string{"v2", "v3"} {
		if _, err := sdk(s).UpdateFunctionCode(context.Background(), &lambda.UpdateFunctionCodeInput{
			FunctionName: aws.String(name), ZipFile: echoZip(t, tag), Publish: true,
		}); err != nil {
			t.Fatal(err)
		}
		waitSettled(t, s, name)
	}
	return name
}

func TestConformanceAliases(t *testing.T) {
	s := sharedServer(t)
	name := aliasFixture(t, s)
	apath := fnPath(name) + "/aliases"
	latestRev := aws.ToString(waitSettled(t, s, name).Configuration.RevisionId)

	// lambda-api.md §5.5: CreateAlias -> 201, {AliasArn, Name, FunctionVersion, Description, RevisionId}.
	r := signedJSON(t, s, "POST", apath, map[string]any{"Name": "live", "FunctionVersion": "1"})
	if r.status != 201 {
		t.Fatalf("create alias: %d %s", r.status, r.body)
	}
	live := r.obj(t)
	if got := jsonKeys(live); !sameStrings(got, []string{"AliasArn", "Description", "FunctionVersion", "Name", "RevisionId"}) {
		t.Errorf("alias keys %v", got)
	}
	if live["AliasArn"] != qARN(name, "live") || live["Name"] != "live" || live["FunctionVersion"] != "1" || live["Description"] != "" {
		t.Errorf("alias %v", live)
	}
	if rev, _ := live["RevisionId"].(string); !requestIDRe.MatchString(rev) {
		t.Errorf("alias RevisionId %q", rev)
	}
	// §5.3: creating an alias does not change $LATEST's RevisionId.
	if got := aws.ToString(waitSettled(t, s, name).Configuration.RevisionId); got != latestRev {
		t.Errorf("$LATEST RevisionId changed by CreateAlias")
	}
	// §5.5: an empty routing config yields no RoutingConfig key.
	r = signedJSON(t, s, "POST", apath, map[string]any{"Name": "empty-routing", "FunctionVersion": "2", "Description": "d",
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{}}})
	if r.status != 201 {
		t.Fatalf("create alias with empty routing: %d %s", r.status, r.body)
	}
	if _, ok := r.obj(t)["RoutingConfig"]; ok {
		t.Errorf("empty routing config echoed: %s", r.body)
	}
	// §5.5: an alias may point at $LATEST; 2024-01-02 is a valid name, 2024 is not.
	for _, a := range []map[string]any{{"Name": "latest", "FunctionVersion": "$LATEST"}, {"Name": "2024-01-02", "FunctionVersion": "1"}} {
		if r := signedJSON(t, s, "POST", apath, a); r.status != 201 {
			t.Errorf("create alias %v: %d %s", a, r.status, r.body)
		}
	}
	wantErrMsg(t, signedJSON(t, s, "POST", apath, map[string]any{"Name": "2024", "FunctionVersion": "1"}), 400, "ValidationException",
		"1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
	// §5.5 errors.
	wantErrMsg(t, signedJSON(t, s, "POST", apath, map[string]any{"Name": "live", "FunctionVersion": "2"}), 409, "ResourceConflictException",
		"Alias already exists: "+qARN(name, "live"))
	wantErrMsg(t, signedJSON(t, s, "POST", apath, map[string]any{"Name": "ten", "FunctionVersion": "10"}), 404, "ResourceNotFoundException",
		"Function not found: "+qARN(name, "10"))
	wantErrMsg(t, signedJSON(t, s, "POST", fnPath(name+"-unknown")+"/aliases", map[string]any{"Name": "x", "FunctionVersion": "1"}), 404,
		"ResourceNotFoundException", "Function not found: "+qARN(name+"-unknown", "1"))

	// GetAlias -> 200 with the same configuration; unknown -> 404 (§5.5).
	r = signedCall(t, s, "GET", apath+"/live", nil, nil)
	if r.status != 200 || !reflect.DeepEqual(r.obj(t), live) {
		t.Errorf("get alias: %d %s, want %v", r.status, r.body, live)
	}
	wantErrMsg(t, signedCall(t, s, "GET", apath+"/non-existent", nil, nil), 404, "ResourceNotFoundException",
		"Cannot find alias arn: "+qARN(name, "non-existent"))

	// UpdateAlias -> 200 with a new RevisionId; stale RevisionId -> 412; unknown -> 404 (§5.3, §5.5).
	r = signedJSON(t, s, "PUT", apath+"/live", map[string]any{"FunctionVersion": "2", "Description": "moved"})
	if r.status != 200 {
		t.Fatalf("update alias: %d %s", r.status, r.body)
	}
	moved := r.obj(t)
	if moved["FunctionVersion"] != "2" || moved["Description"] != "moved" || moved["RevisionId"] == live["RevisionId"] || moved["AliasArn"] != qARN(name, "live") {
		t.Errorf("updated alias %v", moved)
	}
	wantErrMsg(t, signedJSON(t, s, "PUT", apath+"/live", map[string]any{"Description": "x", "RevisionId": live["RevisionId"]}), 412,
		"PreconditionFailedException", revisionMismatch)
	wantErrMsg(t, signedJSON(t, s, "PUT", apath+"/non-existent", map[string]any{"FunctionVersion": "1"}), 404, "ResourceNotFoundException",
		"Alias not found: "+qARN(name, "non-existent"))
	// §5.5: routing is set by an update and cleared by an empty map.
	r = signedJSON(t, s, "PUT", apath+"/live", map[string]any{"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{"1": 0.25}}})
	if r.status != 200 || !reflect.DeepEqual(r.obj(t)["RoutingConfig"], map[string]any{"AdditionalVersionWeights": map[string]any{"1": 0.25}}) {
		t.Errorf("update alias with routing: %d %s", r.status, r.body)
	}
	r = signedJSON(t, s, "PUT", apath+"/live", map[string]any{"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{}}})
	if _, ok := r.obj(t)["RoutingConfig"]; r.status != 200 || ok {
		t.Errorf("update alias with an empty routing map: %d %s", r.status, r.body)
	}

	// GetFunction through the alias (§3.2, §5.5).
	gf, err := sdk(s).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(qARN(name, "live"))})
	if err != nil || aws.ToString(gf.Configuration.FunctionArn) != qARN(name, "live") || aws.ToString(gf.Configuration.Version) != "2" {
		t.Errorf("GetFunction via alias ARN: %v %v", gf, err)
	}
	// Invoke through the alias: ExecutedVersion is the resolved number; moving the alias moves it (§4.2, §5.5).
	if res, r := invokeEcho(t, s, name, "live", `{}`); r.header.Get("X-Amz-Executed-Version") != "2" || res.Tag != "v2" || res.Arn != qARN(name, "live") {
		t.Errorf("invoke live: executed %q tag %q arn %q", r.header.Get("X-Amz-Executed-Version"), res.Tag, res.Arn)
	}
	if r := signedJSON(t, s, "PUT", apath+"/live", map[string]any{"FunctionVersion": "3"}); r.status != 200 {
		t.Fatalf("move alias: %d %s", r.status, r.body)
	}
	if res, r := invokeEcho(t, s, name, "live", `{}`); r.header.Get("X-Amz-Executed-Version") != "3" || res.Tag != "v3" {
		t.Errorf("invoke moved live: executed %q tag %q", r.header.Get("X-Amz-Executed-Version"), res.Tag)
	}

	// ListAliases -> {"Aliases": [...]} with an optional FunctionVersion filter (§5.5).
	list := func(q string) map[string]string {
		r := signedCall(t, s, "GET", apath+q, nil, nil)
		if r.status != 200 {
			t.Fatalf("list aliases: %d %s", r.status, r.body)
		}
		out := map[string]string{}
		for _, e := range r.obj(t)["Aliases"].([]any) {
			a := e.(map[string]any)
			out[a["Name"].(string)] = a["FunctionVersion"].(string)
		}
		return out
	}
	if got := list(""); !reflect.DeepEqual(got, map[string]string{"live": "3", "empty-routing": "2", "latest": "$LATEST", "2024-01-02": "1"}) {
		t.Errorf("aliases %v", got)
	}
	if got := list("?FunctionVersion=2"); !reflect.DeepEqual(got, map[string]string{"empty-routing": "2"}) {
		t.Errorf("aliases of version 2: %v", got)
	}
	// The SDK paginator.
	pg := lambda.NewListAliasesPaginator(sdk(s), &lambda.ListAliasesInput{FunctionName: aws.String(name), MaxItems: aws.Int32(1)})
	n := 0
	for pg.HasMorePages() {
		out, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Aliases)
	}
	if n != 4 {
		t.Errorf("SDK alias paginator saw %d aliases, want 4", n)
	}

	// DeleteAlias -> 204, also for an unknown alias (§5.5, §10.1 item 7).
	for i := 0; i < 2; i++ {
		if r := signedCall(t, s, "DELETE", apath+"/empty-routing", nil, nil); r.status != 204 || len(r.body) != 0 {
			t.Errorf("delete alias (#%d): %d %s", i+1, r.status, r.body)
		}
	}
	wantErr(t, signedCall(t, s, "GET", apath+"/empty-routing", nil, nil), 404, "ResourceNotFoundException")
	if r := signedCall(t, s, "DELETE", apath+"/never-existed", nil, nil); r.status != 204 {
		t.Errorf("delete unknown alias: %d %s", r.status, r.body)
	}
	// ListAliases of a missing function (§3.0: ResourceNotFoundException).
	wantErr(t, signedCall(t, s, "GET", fnPath(name+"-unknown")+"/aliases", nil, nil), 404, "ResourceNotFoundException")
	// §5.5: the invoke of an unknown alias.
	wantErrMsg(t, invokeRaw(t, s, name, "empty-routing", nil, nil), 404, "ResourceNotFoundException",
		"Function not found: "+qARN(name, "empty-routing"))
}

func TestConformanceAliasRoutingErrors(t *testing.T) {
	s := sharedServer(t)
	name := aliasFixture(t, s)
	apath := fnPath(name) + "/aliases"
	routing := func(w map[string]float64) map[string]any {
		return map[string]any{"AdditionalVersionWeights": w}
	}
	cases := []struct {
		what     string
		body     map[string]any
		status   int
		code     string
		msg      string
		withType bool
	}{
		// lambda-api.md §5.5, each routing-config error.
		{"two additional versions", map[string]any{"FunctionVersion": "1", "RoutingConfig": routing(map[string]float64{"2": 0.1, "3": 0.1})},
			400, "InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater than 1", true},
		{"weight 2.0", map[string]any{"FunctionVersion": "1", "RoutingConfig": routing(map[string]float64{"2": 2.0})},
			400, "ValidationException", "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]", false},
		{"$LATEST key", map[string]any{"FunctionVersion": "1", "RoutingConfig": routing(map[string]float64{"$LATEST": 0.5})},
			400, "ValidationException", "1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]", false},
		{"primary in routing", map[string]any{"FunctionVersion": "1", "RoutingConfig": routing(map[string]float64{"1": 0.5})},
			400, "InvalidParameterValueException", "Invalid function version 1. Function version 1 is already included in routing configuration.", true},
		// §5.5, §10.1 item 3: this one has "message" but no "Type".
		{"$LATEST primary with routing", map[string]any{"FunctionVersion": "$LATEST", "RoutingConfig": routing(map[string]float64{"1": 0.5})},
			400, "InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 version", false},
		{"routed version missing", map[string]any{"FunctionVersion": "1", "RoutingConfig": routing(map[string]float64{"10": 0.5})},
			404, "ResourceNotFoundException", "Function not found: " + qARN(name, "10"), true},
	}
	if r := signedJSON(t, s, "POST", apath, map[string]any{"Name": "target", "FunctionVersion": "1"}); r.status != 201 {
		t.Fatalf("create alias: %d %s", r.status, r.body)
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			create := map[string]any{"Name": "a" + strconv.Itoa(int(nameSeq.Add(1)))}
			for k, v := range c.body {
				create[k] = v
			}
			r := signedJSON(t, s, "POST", apath, create)
			if got := wantErrShape(t, r, c.status, c.code, c.withType); got != c.msg {
				t.Errorf("CreateAlias:\n got  %q\n want %q", got, c.msg)
			}
			// The same routing in an UpdateAlias of an existing alias.
			r = signedJSON(t, s, "PUT", apath+"/target", c.body)
			if got := wantErrShape(t, r, c.status, c.code, c.withType); got != c.msg {
				t.Errorf("UpdateAlias:\n got  %q\n want %q", got, c.msg)
			}
		})
	}
	// Nothing was created by the refused requests, and "target" is unchanged.
	r := signedCall(t, s, "GET", apath, nil, nil)
	if as, _ := r.obj(t)["Aliases"].([]any); len(as) != 1 {
		t.Errorf("aliases after refused creates: %s", r.body)
	}
	if got := signedCall(t, s, "GET", apath+"/target", nil, nil).obj(t); got["FunctionVersion"] != "1" || got["RoutingConfig"] != nil {
		t.Errorf("target after refused updates: %v", got)
	}
}

func TestConformanceWeightedAlias(t *testing.T) {
	s := sharedServer(t)
	name := aliasFixture(t, s)
	r := signedJSON(t, s, "POST", fnPath(name)+"/aliases", map[string]any{"Name": "split", "FunctionVersion": "1",
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{"2": 0.5}}})
	if r.status != 201 {
		t.Fatalf("create weighted alias: %d %s", r.status, r.body)
	}
	// lambda-api.md §5.5: RoutingConfig is echoed when non-empty.
	if rc := r.obj(t)["RoutingConfig"]; !reflect.DeepEqual(rc, map[string]any{"AdditionalVersionWeights": map[string]any{"2": 0.5}}) {
		t.Errorf("RoutingConfig %v", rc)
	}
	// lambda-api.md §5.5: with weight 0.5 both versions are hit within 20
	// calls (bounded here at 40); ExecutedVersion reports the version that ran.
	seen := map[string]bool{}
	for i := 0; i < 40 && len(seen) < 2; i++ {
		res, r := invokeEcho(t, s, name, "split", `{}`)
		ev := r.header.Get("X-Amz-Executed-Version")
		if res.Tag != "v"+ev || res.Version != ev {
			t.Fatalf("executed version %q ran code %q (function_version %q)", ev, res.Tag, res.Version)
		}
		if res.Arn != qARN(name, "split") { // §4.2: the alias-qualified invoked ARN
			t.Errorf("invoked ARN %q", res.Arn)
		}
		seen[ev] = true
	}
	if !seen["1"] || !seen["2"] {
		t.Errorf("weighted alias hit only %v in 40 invokes", seen)
	}
}
