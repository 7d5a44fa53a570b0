package kitchen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Source names kitchen-app in the events it emits.
const Source = "kitchen-app"

// ErrInvalidOrderID reports an event whose order id no order can have; it can
// never be served.
var ErrInvalidOrderID = errors.New("not an order id")

// Options configure a Service.
type Options struct {
	// Random picks the recipes; nil picks with a random seed.
	Random rand.Source
	// CookTime is how long a dish takes once its ingredients are reserved.
	CookTime time.Duration
	// Published is called after new events were stored (wakes the relay).
	Published func()
	Logger    *slog.Logger
}

// Service holds the use cases of kitchen-app.
type Service struct {
	store     Store
	book      Book
	cookTime  time.Duration
	published func()
	log       *slog.Logger

	// mu guards rnd: consumer workers pick recipes concurrently.
	mu  sync.Mutex
	rnd *rand.Rand
}

// NewService loads the recipe book from store and returns the use cases.
func NewService(ctx context.Context, store Store, opt Options) (*Service, error) {
	recipes, err := store.Recipes(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the recipe book: %w", err)
	}
	book, err := NewBook(recipes)
	if err != nil {
		return nil, fmt.Errorf("loading the recipe book: %w", err)
	}
	if opt.Random == nil {
		opt.Random = RandomSource(0)
	}
	if opt.Published == nil {
		opt.Published = func() {}
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Service{
		store: store, book: book, cookTime: max(opt.CookTime, 0), published: opt.Published,
		log: opt.Logger, rnd: rand.New(opt.Random),
	}, nil
}

// Recipes returns the recipe book sorted by name.
func (s *Service) Recipes() []Recipe { return s.book.Recipes() }

func (s *Service) pick() Recipe {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.book.recipes[s.rnd.IntN(len(s.book.recipes))]
}

func validOrderID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil
}
