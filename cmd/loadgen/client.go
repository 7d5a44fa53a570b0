package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// client calls the APIs: orders and inventory are the API roots, either the
// services' own (http://host:3000/api/v1) or the gateway's
// (http://host:8080/api/orders).
type client struct {
	orders, inventory, token string
	http                     *http.Client
}

func newClient(orders, inventory, token string) *client {
	return &client{
		orders:    strings.TrimRight(orders, "/"),
		inventory: strings.TrimRight(inventory, "/"),
		token:     token,
		http:      &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
	}
}

func (c *client) do(ctx context.Context, method, u string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, bytes.TrimSpace(data))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, u, err)
		}
	}
	return nil
}

type placement struct {
	BatchID  string    `json:"batchId"`
	OrderIDs []string  `json:"orderIds"`
	PlacedAt time.Time `json:"placedAt"`
}

func (c *client) place(ctx context.Context, quantity int) (placement, error) {
	var p placement
	err := c.do(ctx, http.MethodPost, c.orders+"/orders", map[string]int{"quantity": quantity}, &p)
	return p, err
}

type stats struct {
	Total    int            `json:"total"`
	ByStatus map[string]int `json:"byStatus"`
}

func (c *client) stats(ctx context.Context) (stats, error) {
	var s stats
	err := c.do(ctx, http.MethodGet, c.orders+"/orders/stats", nil, &s)
	return s, err
}

type orderTimes struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	PlacedAt    time.Time  `json:"placedAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	DeliveredAt *time.Time `json:"deliveredAt"`
}

func (c *client) batch(ctx context.Context, batchID string) ([]orderTimes, error) {
	var all []orderTimes
	cursor := ""
	for {
		var page struct {
			Orders     []orderTimes `json:"orders"`
			NextCursor string       `json:"nextCursor"`
		}
		q := url.Values{"batch": {batchID}, "limit": {"500"}, "cursor": {cursor}}
		if err := c.do(ctx, http.MethodGet, c.orders+"/orders?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Orders...)
		if page.NextCursor == "" {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

type level struct {
	Ingredient string `json:"ingredient"`
	OnHand     int    `json:"onHand"`
	Initial    int    `json:"initial"`
	Bought     int    `json:"bought"`
	Consumed   int    `json:"consumed"`
}

func (c *client) inventoryLevels(ctx context.Context) (map[string]level, error) {
	var inv struct {
		Ingredients []level `json:"ingredients"`
	}
	if err := c.do(ctx, http.MethodGet, c.inventory+"/inventory", nil, &inv); err != nil {
		return nil, err
	}
	out := make(map[string]level, len(inv.Ingredients))
	for _, l := range inv.Ingredients {
		out[l.Ingredient] = l
	}
	return out, nil
}

type market struct {
	Calls       int `json:"calls"`
	Zeros       int `json:"zeros"`
	Errors      int `json:"errors"`
	Timeouts    int `json:"timeouts"`
	UnitsBought int `json:"unitsBought"`
}

func (c *client) market(ctx context.Context) (market, error) {
	var m market
	err := c.do(ctx, http.MethodGet, c.inventory+"/market", nil, &m)
	return m, err
}

// login gets a bearer token from the gateway.
func (c *client) login(ctx context.Context, web, user, password string) error {
	var s struct {
		Token string `json:"token"`
	}
	if err := c.do(ctx, http.MethodPost, strings.TrimRight(web, "/")+"/api/login", map[string]string{"username": user, "password": password}, &s); err != nil {
		return fmt.Errorf("logging in: %w", err)
	}
	c.token = s.Token
	return nil
}
