package deadletters

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/comanda-dev/comanda/internal/invalid"
	"github.com/comanda-dev/comanda/internal/stream"
)

// listed is a dead-letter stream of n letters, newest first, for List.
type listed struct {
	Queue
	letters []stream.DeadLetter
	asked   []int
}

func (q *listed) List(_ context.Context, before string, limit int) ([]stream.DeadLetter, error) {
	q.asked = append(q.asked, limit)
	start := 0
	if before != "" {
		start = -1
		for i, d := range q.letters {
			if d.ID == before {
				start = i + 1
			}
		}
		if start < 0 {
			return nil, stream.ErrBadCursor
		}
	}
	return q.letters[start:min(len(q.letters), start+limit)], nil
}

func newListed(n int) *listed {
	q := &listed{}
	for i := n; i > 0; i-- {
		q.letters = append(q.letters, stream.DeadLetter{ID: fmt.Sprintf("%d-0", i)})
	}
	return q
}

func TestListPagesThroughEveryDeadLetterOnce(t *testing.T) {
	q := newListed(7)
	svc := New(q, nil, nil)
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("the pages never end")
		}
		page, err := svc.List(context.Background(), cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.DeadLetters {
			seen = append(seen, d.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if fmt.Sprint(seen) != "[7-0 6-0 5-0 4-0 3-0 2-0 1-0]" {
		t.Fatalf("pages gave %v", seen)
	}
}

func TestListAsksForTheDefaultPageAndOneMore(t *testing.T) {
	q := newListed(DefaultPage + 5)
	page, err := New(q, nil, nil).List(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.DeadLetters) != DefaultPage || page.NextCursor == "" || q.asked[0] != DefaultPage+1 {
		t.Fatalf("got %d letters, cursor %q, asked %v", len(page.DeadLetters), page.NextCursor, q.asked)
	}
}

func TestListRefusesBadLimitsWithoutReading(t *testing.T) {
	for _, limit := range []int{-1, MaxPage + 1} {
		q := newListed(3)
		_, err := New(q, nil, nil).List(context.Background(), "", limit)
		var bad *invalid.Error
		if !errors.As(err, &bad) || bad.Field != "limit" || len(q.asked) != 0 {
			t.Errorf("limit %d: err %v, reads %v", limit, err, q.asked)
		}
	}
}

func TestListPassesABadCursorOn(t *testing.T) {
	_, err := New(newListed(3), nil, nil).List(context.Background(), "9-9", 2)
	if !errors.Is(err, stream.ErrBadCursor) {
		t.Fatalf("err %v, want stream.ErrBadCursor", err)
	}
}
