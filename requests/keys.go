package requests

import "slices"

// formFields lists each form field a problem can name, with the problems
// it can have; a problem's message key is "requests.<field>_<problem>".
var formFields = []struct {
	field    string
	problems []string
}{
	// CopyForm
	{"document_type", []string{"required", "too_long", "invalid"}},
	{"reference_no", []string{"too_long", "invalid"}},
	{"approx_year", []string{"invalid"}},
	{"parties", []string{"required", "too_long", "invalid"}},
	{"description", []string{"too_long", "invalid"}},
	// BuildingForm
	{"parcel", []string{"required", "too_long", "invalid"}},
	{"plot", []string{"too_long", "invalid"}},
	{"neighbourhood", []string{"required", "too_long", "invalid"}},
	{"street", []string{"too_long", "invalid"}},
	{"owner", []string{"required", "too_long", "invalid"}},
	{"purpose", []string{"too_long", "invalid"}},
	// CraftForm
	{"shop_address", []string{"required", "too_long", "invalid"}},
	{"trade", []string{"required", "too_long", "invalid"}},
	{"licence_no", []string{"too_long", "invalid"}},
	{"holder", []string{"required", "too_long", "invalid"}},
	{"from_year", []string{"invalid"}},
	{"to_year", []string{"invalid", "before_from"}},
	// Steps: AskForInformation, Answer, ReturnDraft, Reject, ticket messages
	{"question", []string{"required", "too_long", "invalid"}},
	{"answer", []string{"required", "too_long", "invalid"}},
	{"note", []string{"required", "too_long", "invalid"}},
	{"reason", []string{"required", "too_long", "invalid"}},
	{"message", []string{"required", "too_long", "invalid"}},
	// Draft
	{"draft_records", []string{"required", "too_many", "one_for_copy", "invalid"}},
	{"draft_kind", []string{"mismatch"}},
	{"draft_holder_name", []string{"required", "too_long", "invalid"}},
	{"draft_holder_id", []string{"required", "too_long", "invalid"}},
	{"draft_neighbourhood", []string{"required", "too_long", "invalid"}},
	{"draft_floors", []string{"required"}},
	{"draft_shop_name", []string{"required", "too_long", "invalid"}},
	{"draft_activity", []string{"required", "too_long", "invalid"}},
	// TicketForm
	{"ticket_kind", []string{"invalid"}},
	{"category", []string{"invalid"}},
	{"text", []string{"required", "too_long", "invalid"}},
	{"place", []string{"too_long", "invalid"}},
	{"lat", []string{"invalid"}},
	{"lon", []string{"invalid"}},
}

// otherKeys are the message keys of errors that name no field.
var otherKeys = []string{
	"requests.fees_not_supported",
	"requests.kind_invalid",
	"requests.state_invalid",
	"requests.ref_invalid",
	"requests.ticket_ref_invalid",
	"requests.not_found",
	"requests.ticket_not_found",
	"requests.changed_meanwhile",
	"requests.citizen_only",
	"requests.clerk_only",
	"requests.supervisor_only",
	"requests.staff_only",
	"requests.not_assignee",
	"requests.assignee_not_clerk",
	"requests.two_person_rule",
	"requests.issue_unavailable",
	"requests.not_issued",
	"requests.files_too_many",
	"requests.file_too_large",
	"requests.file_empty",
	"requests.file_type",
	"requests.file_damaged",
	"requests.file_active_pdf",
	"requests.image_too_large",
	"requests.file_not_found",
	"requests.issue_key_unknown",
	"requests.issue_key_used",
}

// stepActions are the request steps whose refusal in the wrong state is
// "requests.cannot_<action>".
var stepActions = []string{actAssigned, actReviewStarted, actAskedInfo, actAnswered,
	actDrafted, actReturned, actApproved, actIssued, actIssueFailed, actRejected,
	actCertRevoked, actCertSuperseded}

// ticketActions are the ticket steps whose refusal in the wrong status is
// "requests.ticket_cannot_<action>".
var ticketActions = []string{"reply", "follow_up", "close"}

// fieldOfKey maps each field problem's key back to its field.
var fieldOfKey = func() map[string]string {
	m := map[string]string{}
	for _, f := range formFields {
		for _, p := range f.problems {
			m[fieldKey(f.field, p)] = f.field
		}
	}
	return m
}()

func fieldKey(field, problem string) string { return "requests." + field + "_" + problem }

// ErrorKeys lists the key of every error this package returns, sorted, so
// that the catalogs can be checked to translate them all.
func ErrorKeys() []string {
	keys := slices.Clone(otherKeys)
	for k := range fieldOfKey {
		keys = append(keys, k)
	}
	for _, a := range stepActions {
		keys = append(keys, "requests.cannot_"+a)
	}
	for _, a := range ticketActions {
		keys = append(keys, "requests.ticket_cannot_"+a)
	}
	slices.Sort(keys)
	return keys
}

// NoticeKeys lists the key of every notice sent to citizens, sorted. Each
// takes the params "ref" and "state"; information_requested, answered and
// rejected also "note" (the question, the answer, the reason).
func NoticeKeys() []string {
	var keys []string
	for _, a := range notifiedActions {
		keys = append(keys, "requests.notice_"+a)
	}
	keys = append(keys, "requests.notice_ticket_opened", "requests.notice_ticket_answered",
		"requests.notice_ticket_closed")
	slices.Sort(keys)
	return keys
}

// LabelKeys lists the keys pages need to name this package's values:
// "requests.kind_<kind>", "requests.state_<state>", "requests.event_<action>",
// "requests.by_<role>", "requests.ticket_<kind>", "requests.ticket_status_<s>"
// and "requests.category_<c>", sorted.
func LabelKeys() []string {
	var keys []string
	for _, k := range Kinds {
		keys = append(keys, "requests.kind_"+string(k))
	}
	for _, s := range States {
		keys = append(keys, "requests.state_"+string(s))
	}
	for _, a := range append([]string{actSubmitted}, stepActions...) {
		keys = append(keys, "requests.event_"+a)
	}
	for _, r := range []string{RoleCitizen, RoleClerk, RoleSupervisor, "office"} {
		keys = append(keys, "requests.by_"+r)
	}
	for _, k := range []TicketKind{TicketComplaint, TicketInquiry} {
		keys = append(keys, "requests.ticket_"+string(k))
	}
	for _, s := range []TicketStatus{TicketOpen, TicketAnswered, TicketClosed} {
		keys = append(keys, "requests.ticket_status_"+string(s))
	}
	for _, c := range TicketCategories {
		keys = append(keys, "requests.category_"+c)
	}
	slices.Sort(keys)
	return keys
}
