package main

import (
	"fmt"
	"slices"
	"testing"
)

func TestAddressQueue(t *testing.T) {
	q := newAddressQueue(3, func(i int) string { return fmt.Sprint("a", i) })
	var held []string
	for i := 0; i < 3; i++ {
		a, ok := q.take()
		if !ok {
			t.Fatalf("take %d: pool empty", i)
		}
		held = append(held, a)
	}
	if !slices.Equal(held, []string{"a0", "a1", "a2"}) {
		t.Fatalf("took %v", held)
	}
	if a, ok := q.take(); ok {
		t.Fatalf("took %q while every address is in use", a)
	}
	q.release("a1")
	q.release("a0")
	if a, _ := q.take(); a != "a1" {
		t.Fatalf("took %q, want a1 (first released)", a)
	}
}

func TestRotation(t *testing.T) {
	r := &rotation{pool: 2, addr: func(i int) string { return fmt.Sprint("g", i) }}
	a, _ := r.take()
	r.release(a) // a rotation never hands an address out twice
	b, _ := r.take()
	if a != "g0" || b != "g1" {
		t.Fatalf("took %q, %q", a, b)
	}
	if _, ok := r.take(); ok {
		t.Fatal("took beyond the pool")
	}
}

func TestPairOrder(t *testing.T) {
	g, k := &system{product: productGuestgate}, &system{product: productKratos}
	for pair, want := range map[int][]string{1: {"guestgate", "kratos"}, 2: {"kratos", "guestgate"}, 3: {"guestgate", "kratos"}} {
		var got []string
		for _, s := range pairOrder([]*system{g, k}, pair) {
			got = append(got, s.product)
		}
		if !slices.Equal(got, want) {
			t.Errorf("pair %d: %v, want %v", pair, got, want)
		}
	}
}
