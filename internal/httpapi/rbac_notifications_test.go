package httpapi_test

import (
	"fmt"
	"strconv"
)

// Rows of the RBAC matrix for notifications and e-mail (DESIGN section 9): every account reads,
// marks read and deletes its own notifications and sets its preferences; admins and
// responsables send and list everybody's; admins watch and resend the e-mail outbox. The live
// stream's row (streamNotifications) lives with the stream's tests.
func init() {
	onOwnNotification := func(f *rbacFixture, caller string) (map[string]string, string, string) {
		return map[string]string{"notification_id": strconv.FormatInt(f.freshNotificationOf(account(caller)), 10)}, "", ""
	}
	rows := map[string]rbacRow{
		"listMyNotifications":      {allowed: everyAccount, request: noBody},
		"listMyNotificationsAlias": {allowed: everyAccount, request: noBody},
		"markAllNotificationsRead": {allowed: everyAccount, request: noBody},
		"markNotificationRead":     {allowed: everyAccount, request: onOwnNotification},
		"deleteNotification":       {allowed: everyAccount, request: onOwnNotification},
		"getMyPreferences":         {allowed: everyAccount, request: noBody},
		"updateMyPreferences": {allowed: everyAccount, request: func(*rbacFixture, string) (map[string]string, string, string) {
			return nil, "application/json", `{"email":{"information":true}}`
		}},
		"createStreamToken": {allowed: everyAccount, request: noBody},
		"listNotifications": {allowed: managers, request: noBody},
		"listAudit":         {allowed: adminOnly, request: noBody},
		"exportAudit":       {allowed: adminOnly, request: noBody},
		"createNotification": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return nil, "application/json", fmt.Sprintf(`{"user_id":%d,"contenu":"Matrice RBAC"}`, f.freshUser())
		}},
		"listUserNotifications": {allowed: managers, request: onFreshUser},
		"listEmails":            {allowed: adminOnly, request: noBody},
		"resendEmail": {allowed: adminOnly, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"email_id": strconv.FormatInt(f.freshFailedEmail(), 10)}, "", ""
		}},
	}
	for k, v := range rows {
		rbacMatrix[k] = v
	}
}

// freshNotificationOf inserts a notification for the demo account username.
func (f *rbacFixture) freshNotificationOf(username string) int64 {
	f.t.Helper()
	return f.insert(`INSERT INTO notifications (user_id, type, titre)
		SELECT id, 'information', 'Matrice RBAC' FROM users WHERE username = $1 RETURNING id`, username)
}

// freshFailedEmail inserts an e-mail given up after its attempts.
func (f *rbacFixture) freshFailedEmail() int64 {
	f.t.Helper()
	return f.insert(`INSERT INTO email_outbox (to_email, subject, body_text, body_html, statut, attempts, next_attempt_at, last_error)
		VALUES ('x@example.com', 'Sujet', 'texte', '<p>html</p>', 'failed', 8, NULL, '554 refusé') RETURNING id`)
}
