package httpapi_test

// Rows of the RBAC matrix for the live stream and the calendar (DESIGN section 9): every role
// follows its own notifications and reads its own calendar, scoped like the lists. Both reads
// also accept their own token instead of a bearer (security: bearer or none in the contract), so
// an anonymous call without that token is 401 from the handler. The test environment ends a
// stream after LIVE_STREAM_MAX_SECONDS=1, so the matrix's 200 returns. createStreamToken's row
// is with the notifications' rows.
func init() {
	rows := map[string]rbacRow{
		"streamNotifications": {allowed: everyAccount, request: noBody},
		"getCalendar":         {allowed: everyAccount, request: noBody},
		"createCalendarToken": {allowed: everyAccount, request: noBody},
	}
	for k, v := range rows {
		rbacMatrix[k] = v
	}
}
