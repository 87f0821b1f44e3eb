package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/notifications"
)

// Transformers of notifications, preferences and e-mails of the outbox: domain -> contract types.

func toAPINotification(n notifications.Notification) api.Notification {
	return api.Notification{
		Id: n.ID, Type: api.NotificationType(n.Type), Canal: api.NotificationCanal(n.Canal), Titre: n.Titre,
		Contenu: n.Contenu, DateEnvoi: n.CreatedAt, InterventionId: n.InterventionID,
		UserId: n.UserID, Lue: n.ReadAt != nil, ReadAt: n.ReadAt,
	}
}

func toAPINotifications(ns []notifications.Notification) []api.Notification {
	out := mapAll(ns, toAPINotification)
	return out
}

func toAPIPreferences(p notifications.Preferences) api.NotificationPreferences {
	email := func(t api.NotificationType) bool { return p[notifications.Type(t)] }
	var out api.NotificationPreferences
	out.Email.Affectation = email(api.NotificationTypeAffectation)
	out.Email.Cloture = email(api.NotificationTypeCloture)
	out.Email.Rappel = email(api.NotificationTypeRappel)
	out.Email.Retard = email(api.NotificationTypeRetard)
	out.Email.Information = email(api.NotificationTypeInformation)
	return out
}

func toAPIEmail(e notifications.Email) api.Email {
	return api.Email{
		Id: e.ID, NotificationId: e.NotificationID, Destinataire: e.ToEmail, Sujet: e.Subject,
		Statut: api.EmailStatut(e.Statut), Tentatives: int(e.Attempts), DerniereErreur: e.LastError,
		ProchainEssai: e.NextAttemptAt, EnvoyeLe: e.SentAt, CreeLe: e.CreatedAt,
	}
}
