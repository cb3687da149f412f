package graph

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/roles"
)

type fakeTenants struct{ directory.Store }

func (fakeTenants) GetTenant(_ context.Context, id string) (directory.Tenant, error) {
	return directory.Tenant{ID: id, InitialDomain: "fabrikam.guestgate.local"}, nil
}

// lifecycleAPI is Deps.Lifecycle's interface.
type lifecycleAPI interface {
	Update(ctx context.Context, t directory.Tenant, userID string, p lifecycle.Patch, by audit.Actor, as roles.Authority) (directory.User, error)
	Delete(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) error
	RevokeSignInSessions(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) error
	GetDeleted(ctx context.Context, t directory.Tenant, userID string) (directory.DeletedUser, error)
	QueryDeleted(ctx context.Context, t directory.Tenant, q directory.DeletedQuery) ([]directory.DeletedUser, error)
	CountDeleted(ctx context.Context, t directory.Tenant) (int, error)
	Restore(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) (directory.User, error)
	Purge(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) error
}

type fakeDeleted struct {
	lifecycleAPI
	list []directory.DeletedUser
	last *directory.DeletedQuery // the last query, when not nil
}

func (f fakeDeleted) QueryDeleted(_ context.Context, _ directory.Tenant, q directory.DeletedQuery) ([]directory.DeletedUser, error) {
	if f.last != nil {
		*f.last = q
	}
	if q.Limit > 0 && len(f.list) > q.Limit {
		return f.list[:q.Limit], nil
	}
	return f.list, nil
}

func (f fakeDeleted) CountDeleted(context.Context, directory.Tenant) (int, error) {
	return len(f.list), nil
}

// TestDeletedUsersSelect (issue 22, item 13): GET
// directory/deletedItems/microsoft.graph.user?$select=id,displayName,deletedDateTime
// answers only those properties (with the type), as Graph does.
func TestDeletedUsersSelect(t *testing.T) {
	gone := directory.DeletedUser{User: directory.User{ID: "u1", DisplayName: "Teri", Mail: "teri@gmail.example"},
		DeletedAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	a := mustNew(Deps{
		Tokens:    fakeVerifier{Caller{TenantID: "tid", AppID: "app", Roles: []string{"User.Read.All"}}},
		Directory: fakeTenants{}, Lifecycle: fakeDeleted{list: []directory.DeletedUser{gone}},
		Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	var page struct {
		Context string           `json:"@odata.context"`
		Value   []map[string]any `json:"value"`
	}
	if s := getJSON(t, a, "/v1.0/directory/deletedItems/microsoft.graph.user?$select=id,DisplayName,deletedDateTime", &page); s != http.StatusOK || len(page.Value) != 1 {
		t.Fatalf("deleted users = %d %+v", s, page)
	}
	got := page.Value[0]
	if len(got) != 4 || got["id"] != "u1" || got["displayName"] != "Teri" || got["deletedDateTime"] != "2030-01-02T03:04:05Z" ||
		got["@odata.type"] != "#microsoft.graph.user" ||
		page.Context != "https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/microsoft.graph.user(id,displayName,deletedDateTime)" {
		t.Errorf("selected deleted user = %v (%s)", got, page.Context)
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if s := getJSON(t, a, "/v1.0/directory/deletedItems/microsoft.graph.user?$select=nope", &e); s != http.StatusBadRequest ||
		e.Error.Message != "Could not find a property named 'nope' on type 'microsoft.graph.user'." {
		t.Errorf("unknown property = %d %+v", s, e)
	}
}
