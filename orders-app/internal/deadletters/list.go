package deadletters

import (
	"context"
	"fmt"

	"github.com/comanda-dev/comanda/internal/invalid"
	"github.com/comanda-dev/comanda/internal/stream"
)

// The page sizes of a listing.
const (
	DefaultPage = 50
	MaxPage     = 500
)

// MaxIDs caps the dead letters one request replays.
const MaxIDs = 100

// Page is one page of dead letters, newest first.
type Page struct {
	DeadLetters []stream.DeadLetter
	// NextCursor, when not empty, asks for the page after this one.
	NextCursor string
}

// List returns up to limit dead letters older than cursor (the newest when
// cursor is empty); limit 0 asks for DefaultPage.
func (s *Service) List(ctx context.Context, cursor string, limit int) (Page, error) {
	if limit == 0 {
		limit = DefaultPage
	}
	if limit < 1 || limit > MaxPage {
		return Page{}, &invalid.Error{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", MaxPage)}
	}
	dls, err := s.queue.List(ctx, cursor, limit+1)
	if err != nil {
		return Page{}, err
	}
	page := Page{DeadLetters: dls}
	if len(dls) > limit {
		page.DeadLetters = dls[:limit]
		page.NextCursor = dls[limit-1].ID
	}
	return page, nil
}
