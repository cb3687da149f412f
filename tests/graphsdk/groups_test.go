package graphsdk

import (
	"context"
	"slices"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

// TestGraphSDKGroups (issue 23, groups): the Go Graph SDK creates a
// security group, adds an invited guest with members/$ref, reads the
// members (a typed user), the guest's memberOf (a typed group) and
// checkMemberGroups, deletes the group, lists it among deleted groups and
// restores it from deletedItems
// with the guest still in it, and removes the guest.
func TestGraphSDKGroups(t *testing.T) {
	g := startGuestgate(t, "User.Invite.All", "Group.ReadWrite.All")
	client := g.graphClient(t, g.appToken(t))
	ctx := context.Background()
	ana := invite(t, ctx, client, "ana@partner.example")

	in := models.NewGroup()
	in.SetDisplayName(ptr("Operations group"))
	in.SetDescription(ptr("Partners who run operations"))
	in.SetMailEnabled(ptr(false))
	in.SetMailNickname(ptr("operations2019"))
	in.SetSecurityEnabled(ptr(true))
	in.SetGroupTypes([]string{})
	created, err := client.Groups().Post(ctx, in, nil)
	if err != nil {
		t.Fatalf("POST groups: %v", describe(err))
	}
	id := deref(created.GetId())
	if id == "" || deref(created.GetDisplayName()) != "Operations group" || !deref(created.GetSecurityEnabled()) ||
		deref(created.GetMailEnabled()) || created.GetCreatedDateTime() == nil || deref(created.GetSecurityIdentifier()) == "" {
		t.Fatalf("created group = id %q name %q", id, deref(created.GetDisplayName()))
	}

	ref := models.NewReferenceCreate()
	ref.SetOdataId(ptr("https://graph.microsoft.com/v1.0/directoryObjects/" + ana))
	if err := client.Groups().ByGroupId(id).Members().Ref().Post(ctx, ref, nil); err != nil {
		t.Fatalf("POST members/$ref: %v", describe(err))
	}
	members, err := client.Groups().ByGroupId(id).Members().Get(ctx, nil)
	if err != nil {
		t.Fatalf("GET members: %v", describe(err))
	}
	if v := members.GetValue(); len(v) != 1 || deref(v[0].GetId()) != ana {
		t.Fatalf("members = %d", len(v))
	} else if u, ok := v[0].(models.Userable); !ok || deref(u.GetUserType()) != "Guest" {
		t.Fatalf("the member is a %T, not a guest user", v[0])
	}
	of, err := client.Users().ByUserId(ana).MemberOf().Get(ctx, nil)
	if err != nil {
		t.Fatalf("GET memberOf: %v", describe(err))
	}
	if v := of.GetValue(); len(v) != 1 {
		t.Fatalf("memberOf = %d groups", len(v))
	} else if gr, ok := v[0].(models.Groupable); !ok || deref(gr.GetId()) != id || deref(gr.GetDisplayName()) != "Operations group" {
		t.Fatalf("memberOf[0] is a %T", v[0])
	}
	check := users.NewItemCheckMemberGroupsPostRequestBody()
	check.SetGroupIds([]string{id, "4fe90ae7-065a-478b-9400-e0a0e1cbd540"})
	got, err := client.Users().ByUserId(ana).CheckMemberGroups().PostAsCheckMemberGroupsPostResponse(ctx, check, nil)
	if err != nil {
		t.Fatalf("POST checkMemberGroups: %v", describe(err))
	}
	if !slices.Equal(got.GetValue(), []string{id}) {
		t.Fatalf("checkMemberGroups = %v", got.GetValue())
	}

	if err := client.Groups().ByGroupId(id).Delete(ctx, nil); err != nil {
		t.Fatalf("DELETE groups/{id}: %v", describe(err))
	}
	deleted, err := client.Directory().DeletedItems().GraphGroup().Get(ctx, nil)
	if err != nil {
		t.Fatalf("GET deletedItems/graph.group: %v", describe(err))
	}
	if v := deleted.GetValue(); len(v) != 1 || deref(v[0].GetId()) != id || v[0].GetDeletedDateTime() == nil {
		t.Fatalf("deleted groups = %d", len(v))
	}
	restored, err := client.Directory().DeletedItems().ByDirectoryObjectId(id).Restore().Post(ctx, nil)
	if err != nil {
		t.Fatalf("POST deletedItems/{id}/restore: %v", describe(err))
	}
	if gr, ok := restored.(models.Groupable); !ok || deref(gr.GetId()) != id {
		t.Fatalf("restored a %T", restored)
	}
	if err := client.Groups().ByGroupId(id).Members().ByDirectoryObjectId(ana).Ref().Delete(ctx, nil); err != nil {
		t.Fatalf("DELETE members/{id}/$ref after the restore: %v", describe(err))
	}
	members, err = client.Groups().ByGroupId(id).Members().Get(ctx, nil)
	if err != nil || len(members.GetValue()) != 0 {
		t.Fatalf("members after removal = %v", err)
	}
}
