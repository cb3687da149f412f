package graph

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
)

func TestDirectoryAuditOut(t *testing.T) {
	r := audit.Record{
		ID: "Directory_1", Category: audit.CategoryApplicationManagement, CorrelationID: "c", Result: audit.ResultSuccess,
		Activity: "Authentication Methods Policy Update", ActivityAt: time.Date(2030, 1, 2, 3, 4, 5, 600000, time.UTC),
		LoggedByService: "Authentication Methods", OperationType: audit.OperationUpdate, InitiatedBy: audit.CLI,
		Targets: []audit.Target{{ID: "Email", DisplayName: "Email", Type: "Policy",
			Modified: []audit.Change{{Property: "allowExternalIdToUseEmailOtp", Old: "", New: `"enabled"`}}}},
	}
	b, err := json.Marshal(directoryAuditOut(r))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"Directory_1","category":"ApplicationManagement","correlationId":"c","result":"success","resultReason":"",` +
		`"activityDisplayName":"Authentication Methods Policy Update","activityDateTime":"2030-01-02T03:04:05.0006000Z",` +
		`"loggedByService":"Authentication Methods","operationType":"Update",` +
		`"initiatedBy":{"app":{"appId":null,"displayName":"guestgate CLI","servicePrincipalId":null,"servicePrincipalName":"guestgate CLI"},"user":null},` +
		`"targetResources":[{"id":"Email","displayName":"Email","type":"Policy","userPrincipalName":null,"groupType":null,` +
		`"modifiedProperties":[{"displayName":"allowExternalIdToUseEmailOtp","oldValue":null,"newValue":"\"enabled\""}]}],"additionalDetails":[]}`
	if string(b) != want {
		t.Fatalf("R10_directoryAudit_shape:\n got  %s\n want %s", b, want)
	}
	r.InitiatedBy = audit.Actor{UserID: "u1", UserName: "Admin", UserPrincipalName: "admin@fabrikam.example"}
	out := directoryAuditOut(r)
	if out.InitiatedBy.App != nil || out.InitiatedBy.User == nil || *out.InitiatedBy.User.UserPrincipalName != "admin@fabrikam.example" {
		t.Fatalf("a user actor: %+v", out.InitiatedBy)
	}
}
