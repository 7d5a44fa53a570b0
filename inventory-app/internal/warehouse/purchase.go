package warehouse

import "time"

// Purchase is one answered market call, zero answers included.
type Purchase struct {
	ID         string // UUIDv7: time-ordered, so it doubles as the cursor
	Ingredient string
	Quantity   int
	// OrderIDs are the oldest waiting orders whose unmet need the quantity
	// covers (at most MaxServedOrders).
	OrderIDs []string
	At       time.Time
}

// MaxServedOrders bounds Purchase.OrderIDs.
const MaxServedOrders = 50

// PurchaseQuery selects a page of purchases, newest first.
type PurchaseQuery struct {
	Ingredient string // empty: any
	After      string // id of the last purchase of the previous page
	Limit      int
}

// PurchasePage is one page of purchase history.
type PurchasePage struct {
	Purchases []Purchase
	// Next is the cursor of the next page; empty on the last page.
	Next string
}

// MaxPage is the largest page Purchases returns.
const MaxPage = 500
