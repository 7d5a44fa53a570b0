package order

import (
	"strings"
	"testing"
	"time"
)

func TestFailureRules(t *testing.T) {
	at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	fail := func(id string, recoversAt Status) Change {
		return Change{EventID: id, Status: Failed, Reason: "gave up on " + id, At: at, RecoversAt: recoversAt}
	}
	move := func(st Status) Change { return Change{EventID: string(st), Status: st, At: at} }
	cases := []struct {
		name    string
		from    Status
		changes []Change
		want    Status
	}{
		{"a dead letter fails the order", Queued, []Change{fail("d1", Preparing)}, Failed},
		{"a late copy of what failed leaves it failed", Queued, []Change{fail("d1", Preparing), move(WaitingIngredients)}, Failed},
		{"progress past what failed clears it", WaitingIngredients, []Change{fail("d1", Preparing), move(Preparing)}, Preparing},
		{"delivery clears any failure", Queued, []Change{fail("d1", ""), move(Delivered)}, Delivered},
		{"an unknown stage clears only by delivery", Queued, []Change{fail("d1", ""), move(Preparing)}, Failed},
		{"a failure the order is past is ignored", Preparing, []Change{fail("d1", Queued)}, Preparing},
		{"a delivered order never fails", Delivered, []Change{fail("d1", "")}, Delivered},
	}
	for _, c := range cases {
		o := Order{Progress: c.from, UpdatedAt: at}
		for _, ch := range c.changes {
			o.Apply(ch)
		}
		if o.Status() != c.want {
			t.Errorf("%s: %s, want %s", c.name, o.Status(), c.want)
		}
	}
}

func TestReopenClearsOnlyTheFailureReplayed(t *testing.T) {
	at := time.Now()
	o := Order{Progress: Queued}
	o.Apply(Change{EventID: "d1", Status: Failed, Reason: "first"})
	o.Apply(Change{EventID: "d2", Status: Failed, Reason: "again"})
	if o.FailedBy != "d2" || o.FailureReason != "again" {
		t.Fatalf("the newer dead letter did not replace the failure: %+v", o)
	}
	if o.Reopen(at, "d1") || o.Status() != Failed {
		t.Errorf("the reopen of d1 cleared d2's failure")
	}
	if !o.Reopen(at, "d2") || o.Status() != Queued {
		t.Errorf("the reopen of d2 left %s", o.Status())
	}
	if o.Apply(Change{EventID: "d2", Status: Failed, Reason: "again"}) || o.Status() != Queued {
		t.Errorf("a redelivered d2 failed the reopened order")
	}
	if o.Reopen(at, "") {
		t.Errorf("reopened an order that has not failed")
	}
}

func TestCheckKey(t *testing.T) {
	for _, ok := range []string{"k", "8e03978e-40d5-43e8-bc93-6894a57f9324", `"quoted"`, "with space", strings.Repeat("x", MaxKeyLength)} {
		if err := CheckKey(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("x", MaxKeyLength+1), "tab\t", "new\nline", "ñ", "\x7f"} {
		if CheckKey(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if two, again := requestHash(2), requestHash(2); two == requestHash(3) || two != again {
		t.Errorf("request fingerprints do not tell quantities apart")
	}
}
