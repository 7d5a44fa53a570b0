package events

import "testing"

func TestStagesMoveForwardOnly(t *testing.T) {
	for i, s := range Progress {
		if s.Rank() != i || !s.Valid() {
			t.Errorf("%s: rank %d, valid %v", s, s.Rank(), s.Valid())
		}
		if i+1 < len(Progress) && s.Next() != Progress[i+1] {
			t.Errorf("%s: next %s", s, s.Next())
		}
	}
	if StageDelivered.Next() != "" || StageFailed.Next() != "" || StageFailed.Rank() != -1 || !StageFailed.Valid() || Stage("eaten").Valid() {
		t.Error("the ends of the line")
	}
	for typ, want := range map[string]Stage{
		TypeRecipePicked: StageQueued, TypeIngredientsRequested: StageWaitingIngredients,
		TypeCookingStarted: StagePreparing, TypeDishDelivered: StageDelivered, TypeOrderPlaced: StagePlaced,
	} {
		if got, ok := MovesTo(typ); !ok || got != want {
			t.Errorf("%s moves to %q", typ, got)
		}
	}
	if _, ok := MovesTo(TypeIngredientsReserved); ok {
		t.Error("a reservation moves no order")
	}
	if got, ok := Reached(TypeMarketBought); !ok || got != StageWaitingIngredients {
		t.Errorf("a purchase shows its orders %q", got)
	}
	if got := FailureReason(DeadLettered{Group: "inventory", Type: TypeIngredientsRequested, Reason: "unknown ingredient"}); got != "inventory could not handle "+TypeIngredientsRequested+": unknown ingredient" {
		t.Errorf("worded %q", got)
	}
}
