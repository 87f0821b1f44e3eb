package access

// Why a query that touches a scoped table takes no scope. The coverage test
// (TestEveryQueryOfAScopedTableIsDecided) fails when a query of the sqlc querier touches one of
// scopedTables without scope parameters and without an entry here, and when an entry names a
// query that no longer exists or has become scoped.
const (
	whyManagerWrite = "a manager-only write or its checks: casbin refuses every other role and the service checks Scope.Manager() first"
	whyLockedRow    = "changes a row the caller first read or locked through a scoped query in the same transaction"
	whyCheckedNew   = "creates a row whose machine the caller first read through a scoped query"
	whyGlobal       = "pre-aggregated figures of every row: read only when Scope.Manager()"
	whyAccount      = "reads the caller's own account to build its scope"
	whyAboutRow     = "details of a row the caller already read through a scoped query (its history, contract, names)"
	whySigned       = "a signed download link, whose URL carries its own proof of access"
	whyJob          = "a background job or command acting for no caller"
	whyNotification = "recipients and subject of a notification written by a change made in the same transaction"
	whyMeter        = "a meter, used only once its machine was read through a scoped query (or, to record readings, by a manager or a technicien with open work on the machine)"
	whyOwnWork      = "whether the caller's own technician profile has open work on a machine"
	whyInvoice      = "an invoice, answered only once its contract was read through a scoped query"
	whyRollup       = "costs of the interventions of a machine, company or contract the caller first read through a scoped query (techniciens refused)"
	whyOwnTimer     = "the caller's own running timer, found by its own technician profile"
	whyStaffOnly    = "read by staff only (casbin refuses clients and the service checks Scope.ReadsAllEquipment()), who read every machine"
	whyDowntime     = "a machine's statut, history or downtime, in a transaction that first read or locked the machine (or an intervention on it) through a scoped query"
	whyArret        = "a downtime record, changed only by a manager (the service checks Scope.Manager() first)"
	whyMeterPlan    = "the meter trigger of a plan the caller first read or locked through a scoped query, or of the meter whose reading it records (locked)"
	whyDispatch     = "dispatch figures for managers only (casbin refuses every other role and the service checks Scope.Manager() first)"
	whyWorkload     = "a technician's workload: about the technician, not the caller (techniciens are read by staff only)"
	whyReportStaff  = "a report of every technician or part: asked for by managers only (the reports service refuses clients these types before queueing, and checks the requester's role again when it generates)"
)

// scopedTables are the tables whose rows belong to a company or a technician.
var scopedTables = []string{
	"interventions", "intervention_historique", "intervention_stats", "documents", "document_blob_sweep",
	"equipements", "equipement_stats", "plannings", "planning_competences", "clients", "contrats",
	"interventions_pieces", "interventions_temps", "interventions_couts", "compteurs", "releves",
	"arrets", "equipements_statuts", "plannings_compteurs", "interventions_checklist",
}

// unscoped lists the queries of scoped tables that take no scope, each with its reason.
var unscoped = map[string]string{
	"AuthAccount":       whyAccount,
	"AccountProfile":    whyAccount,
	"CalendarTokenUser": whyAccount,

	"CalendarEquipementNoms":      whyAboutRow,
	"ExportNoms":                  whyAboutRow,
	"InterventionNoms":            whyAboutRow,
	"InterventionHistoriqueList":  whyAboutRow,
	"InterventionHistoriqueCount": whyAboutRow,
	"InterventionContratTarget":   whyAboutRow,
	"PlanningCompetenceNames":     whyAboutRow,

	"GetClientForUpdate": whyManagerWrite,
	"LockClientShare":    whyManagerWrite,
	"ClientOfUserExists": whyManagerWrite,
	"ClientNameTaken":    whyManagerWrite,
	"CreateClient":       whyManagerWrite,
	"UpdateClient":       whyManagerWrite,
	"ClientInUse":        whyManagerWrite,
	"DeleteClient":       whyManagerWrite,

	"GetContratForUpdate": whyManagerWrite,
	"ContratNumeroTaken":  whyManagerWrite,
	"CreateContrat":       whyManagerWrite,
	"UpdateContrat":       whyManagerWrite,
	"ContratInUse":        whyManagerWrite,
	"DeleteContrat":       whyManagerWrite,

	"ListPieceEquipements": whyStaffOnly,

	"ListInterventionPieces":         whyAboutRow,
	"GetInterventionPiece":           whyAboutRow,
	"InterventionPiecesCost":         whyLockedRow,
	"InsertInterventionPiece":        whyLockedRow,
	"LockInterventionPiece":          whyLockedRow,
	"LockReservedInterventionPieces": whyLockedRow,
	"ConsumeInterventionPiece":       whyLockedRow,
	"ReleaseInterventionPiece":       whyLockedRow,
	"ReturnInterventionPiece":        whyLockedRow,
	"SyncInterventionCoutPieces":     whyLockedRow,

	"ListTemps":                  whyAboutRow,
	"GetTemps":                   whyAboutRow,
	"InsertTemps":                whyLockedRow,
	"LockTemps":                  whyLockedRow,
	"RunningTempsOfIntervention": whyLockedRow,
	"StopTemps":                  whyLockedRow,
	"CancelTemps":                whyLockedRow,
	"InterventionTempsTotals":    whyLockedRow,
	"SetInterventionLabour":      whyLockedRow,
	"RunningTemps":               whyOwnTimer,

	"InsertCout":                whyLockedRow,
	"GetCout":                   whyAboutRow,
	"ListCouts":                 whyAboutRow,
	"LockCout":                  whyLockedRow,
	"CancelCout":                whyLockedRow,
	"InterventionCoutsTotal":    whyLockedRow,
	"SetInterventionCoutAutres": whyLockedRow,
	"CoutsParMois":              whyRollup,

	"FactureContrat":              whyManagerWrite,
	"FacturePeriodTaken":          whyManagerWrite,
	"BillableWork":                whyManagerWrite,
	"InsertFacture":               whyManagerWrite,
	"ListFactures":                whyAboutRow,
	"CountFactures":               whyAboutRow,
	"GetFacture":                  whyInvoice,
	"ContratQuotaLock":            whyCheckedNew,
	"ContratInterventionsCounted": whyCheckedNew,
	"TechnicienWorksOn":           whyOwnWork,

	"InsertCompteur":     whyManagerWrite,
	"CompteurNomTaken":   whyManagerWrite,
	"ListCompteurs":      whyAboutRow,
	"GetCompteur":        whyMeter,
	"LockCompteur":       whyMeter,
	"ReleveAvant":        whyLockedRow,
	"ReleveApres":        whyLockedRow,
	"InsertReleve":       whyLockedRow,
	"SetCompteurDernier": whyLockedRow,
	"ListReleves":        whyAboutRow,
	"CountReleves":       whyAboutRow,
	"MissingEquipements": whyManagerWrite,

	"PlanningCompteurInsert": whyManagerWrite,
	"PlanningCompteurGet":    whyMeterPlan,
	"PlanningCompteursOf":    whyMeterPlan,
	"PlanningCompteurSave":   whyMeterPlan,
	"PlanningsOnCompteur":    whyMeterPlan,
	"PlanningReleveAvant":    whyLockedRow,

	"CopyChecklistToIntervention": whyLockedRow,
	"InterventionChecklistHead":   whyAboutRow,
	"InterventionChecklistItems":  whyAboutRow,
	"InterventionChecklistItem":   whyLockedRow,
	"AnswerChecklistItem":         whyLockedRow,
	"SetChecklistSuivi":           whyLockedRow,
	"SetInterventionOrigine":      whyLockedRow,
	"ChecklistRequiredOpen":       whyLockedRow,
	"DocumentOfIntervention":      whyLockedRow,
	"ChecklistUsedByPlans":        whyManagerWrite,

	"DispatchIntervention":        whyDispatch,
	"DispatchCompetencesRequises": whyDispatch,
	"DispatchCandidats":           whyDispatch,
	"ChargeOuvertes":              whyDispatch,
	"RapportContenuTechniciens":   whyReportStaff,
	"RapportContenuStock":         whyReportStaff,
	"ChargePlans":                 whyDispatch,

	"LockEquipementStatut":      whyDowntime,
	"SetEquipementStatut":       whyDowntime,
	"InsertEquipementStatut":    whyDowntime,
	"ArretOuvert":               whyDowntime,
	"ArretChevauche":            whyDowntime,
	"ArretFinMax":               whyDowntime,
	"InsertArret":               whyDowntime,
	"CloseArret":                whyDowntime,
	"LinkArret":                 whyDowntime,
	"ArretOuvertOfIntervention": whyDowntime,
	"InterventionOnMachine":     whyDowntime,
	"ListArrets":                whyAboutRow,
	"CountArrets":               whyAboutRow,
	"ListEquipementStatuts":     whyAboutRow,
	"CountEquipementStatuts":    whyAboutRow,
	"GetArret":                  whyArret,
	"UpdateArret":               whyArret,
	"DeleteArret":               whyArret,

	"LockEquipement":               whyManagerWrite,
	"InsertEquipement":             whyManagerWrite,
	"UpdateEquipement":             whyManagerWrite,
	"DeleteEquipement":             whyManagerWrite,
	"EquipementUsage":              whyManagerWrite,
	"ClientForEquipement":          whyManagerWrite,
	"ContratForEquipement":         whyManagerWrite,
	"ContratsActifsDuClient":       whyManagerWrite,
	"ParentForEquipement":          whyManagerWrite,
	"WouldCreateCycle":             whyManagerWrite,
	"InterventionTechnicienTarget": whyManagerWrite,

	"PlanningInsert":           whyManagerWrite,
	"PlanningDelete":           whyManagerWrite,
	"PlanningCompetencesClear": whyManagerWrite,
	"PlanningCompetencesAdd":   whyManagerWrite,
	"PlanningLock":             whyLockedRow,
	"PlanningSave":             whyLockedRow,

	"InterventionInsert":           whyCheckedNew,
	"InterventionSave":             whyLockedRow,
	"InterventionHistoriqueInsert": whyLockedRow,

	"DashboardGlobal":         whyGlobal,
	"CountEquipementsGlobal":  whyGlobal,
	"InterventionCountGlobal": whyGlobal,

	"DocumentByID": whySigned,

	"DocumentSweepPending":           whyJob,
	"DocumentSweepDone":              whyJob,
	"DocumentSweepFailed":            whyJob,
	"DocumentKeyIDs":                 whyJob,
	"DocumentCountByKey":             whyJob,
	"DocumentKeysReferenced":         whyJob,
	"DocumentsToRekey":               whyJob,
	"DocumentRekey":                  whyJob,
	"NotificationDeadlineCandidates": whyJob,
	"NotificationDeadlineClaim":      whyJob,
	"PlanningDueIDs":                 whyJob,
	"PlanningLastIntervention":       whyJob,
	"PlanningInterventionInsert":     whyJob,

	"NotificationInterventionTitre": whyNotification,
	"NotificationClosureRecipients": whyNotification,

	"GetTechnicienView":                    whyWorkload,
	"ListTechniciens":                      whyWorkload,
	"ListTechniciensParNom":                whyWorkload,
	"CountActiveInterventionsOfTechnicien": whyWorkload,
}
