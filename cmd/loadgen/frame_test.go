package main

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// The scan finds what a full decode finds, in frames whose strings try to
// look like keys.
func TestFrameTimesFindsWhatADecodeFinds(t *testing.T) {
	frames := []string{
		`{"type":"events","cursor":"a:2","at":"2026-11-23T12:00:00.223456Z","counts":{"placed":3,"inProgress":1,"delivered":1,"failed":1},` +
			`"orders":[{"id":"o1","stage":"delivered","recipe":"pizza","at":"2026-11-23T12:00:00.1Z","t":1795440122219},` +
			`{"id":"o2","stage":"failed","reason":"inventory: unknown ingredient \"t\":17 \"stock\":","t":1795440122220},` +
			`{"id":"o3","stage":"waiting_ingredients","missing":[{"ingredient":"tomato","quantity":2}],"t":1795440122221}],` +
			`"stock":[{"ingredient":"cheese","onHand":3,"t":1795440122210}],"buying":[],` +
			`"purchases":[{"id":"p","ingredient":"tomato","quantity":4,"orderIds":["o3"],"onHand":4,"at":"2026-11-23T12:00:00Z","t":1795440122200}],"deadLetters":[]}`,
		`{"type":"events","cursor":"a:3","at":"2026-11-23T12:00:01Z","counts":{"placed":3,"inProgress":0,"delivered":2,"failed":1},"orders":[],"stock":[],"buying":[],"purchases":[],"deadLetters":[]}`,
	}
	for _, f := range frames {
		var want struct {
			At     time.Time `json:"at"`
			Orders []struct {
				T int64 `json:"t"`
			} `json:"orders"`
		}
		if err := json.Unmarshal([]byte(f), &want); err != nil {
			t.Fatal(err)
		}
		var wantTs []int64
		for _, o := range want.Orders {
			wantTs = append(wantTs, o.T)
		}
		at, ts, ok := frameTimes([]byte(f), nil)
		if !ok || !at.Equal(want.At) || !slices.Equal(ts, wantTs) {
			t.Errorf("frameTimes = %v %v %v, want %v %v", at, ts, ok, want.At, wantTs)
		}
	}
	if _, _, ok := frameTimes([]byte(`{"type":"snapshot"}`), nil); ok {
		t.Error("a frame without orders reads as one")
	}
}
