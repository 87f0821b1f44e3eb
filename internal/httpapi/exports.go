package httpapi

import (
	"context"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/clients"
	"github.com/mif-erp/erp/internal/equipements"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/pieces"
	"github.com/mif-erp/erp/internal/planning"
	"github.com/mif-erp/erp/internal/rapports"
	"github.com/mif-erp/erp/internal/techniciens"
)

const (
	xlsxMime         = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	exportPage       = 500   // rows read at once
	exportDefaultMax = 10000 // rows of an export without limit
)

// C is a column of an export.
type C = rapports.Colonne

// tableExport streams a list as CSV or XLSX while the response is written (the generated
// visitors get only the writer: the request context is kept for the pages still to read).
type tableExport struct {
	ctx    context.Context
	log    *slog.Logger
	file   string // file name without date and extension
	xlsx   bool
	devise string
	table  rapports.Table
}

func (e tableExport) write(w http.ResponseWriter) error {
	ext, ct := "csv", "text/csv; charset=utf-8"
	if e.xlsx {
		ext, ct = "xlsx", xlsxMime
	}
	name := e.file + "-" + time.Now().UTC().Format("20060102") + "." + ext
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.WriteHeader(http.StatusOK)
	var err error
	if e.xlsx {
		err = rapports.WriteXLSX(w, e.table, e.devise)
	} else {
		err = rapports.WriteCSV(w, e.table, e.devise)
	}
	if err != nil {
		// The status line is gone: all that is left is to log and cut the response short.
		e.log.ErrorContext(e.ctx, "export interrupted", "file", e.file, "error", err)
	}
	return err
}

func (e tableExport) VisitExportEquipementsResponse(w http.ResponseWriter) error { return e.write(w) }
func (e tableExport) VisitExportTechniciensResponse(w http.ResponseWriter) error { return e.write(w) }
func (e tableExport) VisitExportClientsResponse(w http.ResponseWriter) error     { return e.write(w) }
func (e tableExport) VisitExportContratsResponse(w http.ResponseWriter) error    { return e.write(w) }
func (e tableExport) VisitExportPlanningsResponse(w http.ResponseWriter) error   { return e.write(w) }
func (e tableExport) VisitExportMouvementsStockResponse(w http.ResponseWriter) error {
	return e.write(w)
}
func (e tableExport) VisitExportNotificationsResponse(w http.ResponseWriter) error { return e.write(w) }
func (e tableExport) VisitExportPiecesResponse(w http.ResponseWriter) error        { return e.write(w) }

// newExport prepares the export of a list: the first page is read now, so that a bad filter is
// a 4xx before the file starts; the others while it is written, up to max rows. names collects
// the ids a page's rows refer to, whose names are read before the page is written.
func newExport[T any](ctx context.Context, s *Server, file, title, format string, limit *int, cols []C,
	list func(limit, offset int) ([]T, error), names func(T, *rapports.Names), row func(T, *rapports.Names) []any,
) (tableExport, error) {
	maxRows := valueOr(limit, exportDefaultMax)
	asked := min(exportPage, maxRows)
	first, err := list(asked, 0)
	if err != nil {
		return tableExport{}, err
	}
	rows := func(yield func([]any) error) error {
		page, offset := first, 0
		for {
			n := &rapports.Names{}
			for _, r := range page {
				names(r, n)
			}
			if err := s.deps.Rapports.Resolve(ctx, n); err != nil {
				return err
			}
			for _, r := range page {
				if err := yield(row(r, n)); err != nil {
					return err
				}
			}
			offset += len(page)
			if len(page) < asked || offset >= maxRows { // the list's end, or the limit
				return nil
			}
			asked = min(exportPage, maxRows-offset)
			if page, err = list(asked, offset); err != nil {
				return err
			}
		}
	}
	return tableExport{ctx: ctx, log: s.deps.Logger, file: file, xlsx: wantsXLSX(ctx, format), devise: s.deps.Config.DefaultCurrency,
		table: rapports.Table{Titre: title, Colonnes: cols, Rows: rows}}, nil
}

func noNames[T any](T, *rapports.Names) {}

// wantsXLSX reports whether an export is asked as a workbook: format=excel, or no format and an
// Accept header naming the XLSX type.
func wantsXLSX(ctx context.Context, format string) bool {
	return format == "excel" || format == "" && strings.Contains(requestHeader(ctx, "Accept"), xlsxMime)
}

// ExportEquipements is GET /equipements/export.
func (s *Server) ExportEquipements(ctx context.Context, req api.ExportEquipementsRequestObject) (api.ExportEquipementsResponseObject, error) {
	p := req.Params
	f := equipements.ListFilter{Sort: stringOf(p.Sort), Statut: stringOf(p.Statut), Criticite: stringOf(p.Criticite),
		Type: stringOf(p.Type), Query: stringOf(p.Q), ClientID: p.ClientId, ContratID: p.ContratId, ParentID: p.ParentId}
	cols := []C{{Titre: "N°", Kind: rapports.Entier}, {Titre: "Nom"}, {Titre: "Type"}, {Titre: "Localisation"},
		{Titre: "Bâtiment"}, {Titre: "Zone"}, {Titre: "Statut"}, {Titre: "Criticité"}, {Titre: "Marque"}, {Titre: "Modèle"},
		{Titre: "N° de série"}, {Titre: "Code interne"}, {Titre: "Mise en service", Kind: rapports.Date},
		{Titre: "Fin de garantie", Kind: rapports.Date}, {Titre: "Client n°", Kind: rapports.Entier}, {Titre: "Client"},
		{Titre: "Contrat n°", Kind: rapports.Entier}, {Titre: "Contrat"}, {Titre: "Interventions actives", Kind: rapports.Entier},
		{Titre: "Prochaine maintenance", Kind: rapports.Date}}
	e, err := newExport(ctx, s, "equipements", "Équipements", stringOf(p.Format), p.Limit, cols,
		func(limit, offset int) ([]equipements.Equipement, error) {
			f.Limit, f.Offset = limit, offset
			rows, _, err := s.deps.Equipements.List(ctx, principal(ctx), f)
			return rows, err
		},
		func(e equipements.Equipement, n *rapports.Names) {
			n.Clients, n.Contrats = appendID(n.Clients, e.ClientID), appendID(n.Contrats, e.ContratID)
		},
		func(e equipements.Equipement, n *rapports.Names) []any {
			return []any{e.ID, e.Nom, e.TypeEquipement, e.Localisation, e.Batiment, e.Zone, string(e.Statut), string(e.Criticite),
				e.Marque, e.Modele, e.NumeroSerie, e.CodeInterne, e.DateMiseEnService, e.DateFinGarantie, e.ClientID,
				n.Of("client", e.ClientID), e.ContratID, n.Of("contrat", e.ContratID), int64(e.NbInterventionsActives),
				e.ProchaineMaintenance}
		})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ExportTechniciens is GET /techniciens/export.
func (s *Server) ExportTechniciens(ctx context.Context, req api.ExportTechniciensRequestObject) (api.ExportTechniciensResponseObject, error) {
	p := req.Params
	f := techniciens.ListFilter{Sort: stringOf(p.Sort), Equipe: stringOf(p.Equipe), Disponibilite: stringOf(p.Disponibilite),
		Niveau: stringOf(p.Niveau), CompetenceID: valueOr(p.CompetenceId, 0), Query: stringOf(p.Q)}
	cols := []C{{Titre: "N°", Kind: rapports.Entier}, {Titre: "Nom"}, {Titre: "E-mail"}, {Titre: "Équipe"}, {Titre: "Niveau"},
		{Titre: "Disponibilité"}, {Titre: "Astreinte"}, {Titre: "Horaires"}, {Titre: "Taux horaire", Kind: rapports.Monnaie},
		{Titre: "Interventions en charge", Kind: rapports.Entier}, {Titre: "Compétences"}, {Titre: "Actif"}}
	e, err := newExport(ctx, s, "techniciens", "Techniciens", stringOf(p.Format), p.Limit, cols,
		func(limit, offset int) ([]techniciens.Profile, error) {
			f.Limit, f.Offset = limit, offset
			rows, _, err := s.deps.Techniciens.List(ctx, principal(ctx), f)
			return rows, err
		}, noNames[techniciens.Profile],
		func(t techniciens.Profile, _ *rapports.Names) []any {
			held := make([]string, len(t.Competences))
			for i, c := range t.Competences {
				held[i] = c.Nom + " (" + string(c.Niveau) + ")"
			}
			return []any{t.ID, t.User.FullName, t.User.Email, t.Equipe, string(t.Niveau), string(t.Disponibilite), t.Astreinte,
				t.HorairesTravail, t.TauxHoraire, int64(t.Charge), strings.Join(held, ", "), t.User.IsActive}
		})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ExportClients is GET /clients/export.
func (s *Server) ExportClients(ctx context.Context, req api.ExportClientsRequestObject) (api.ExportClientsResponseObject, error) {
	p := req.Params
	f := clients.ClientFilter{Sort: stringOf(p.Sort), Query: stringOf(p.Q), IsActive: p.IsActive}
	cols := []C{{Titre: "N°", Kind: rapports.Entier}, {Titre: "Entreprise"}, {Titre: "Type"}, {Titre: "Secteur"},
		{Titre: "Contact"}, {Titre: "E-mail"}, {Titre: "Téléphone"}, {Titre: "Ville"}, {Titre: "Pays"},
		{Titre: "Niveau de service"}, {Titre: "Actif"}, {Titre: "Contrats actifs", Kind: rapports.Entier},
		{Titre: "Équipements", Kind: rapports.Entier}}
	e, err := newExport(ctx, s, "clients", "Clients", stringOf(p.Format), p.Limit, cols,
		func(limit, offset int) ([]clients.Client, error) {
			f.Limit, f.Offset = limit, offset
			rows, _, err := s.deps.Clients.ListClients(ctx, principal(ctx), f)
			return rows, err
		}, noNames[clients.Client],
		func(c clients.Client, _ *rapports.Names) []any {
			return []any{c.ID, c.NomEntreprise, string(c.TypeClient), c.SecteurActivite, c.NomContact, c.Email, c.Telephone,
				c.Ville, c.Pays, string(c.NiveauService), c.IsActive, int64(c.NbContratsActifs), int64(c.NbEquipements)}
		})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ExportContrats is GET /contrats/export.
func (s *Server) ExportContrats(ctx context.Context, req api.ExportContratsRequestObject) (api.ExportContratsResponseObject, error) {
	p := req.Params
	f := clients.ContratFilter{Sort: stringOf(p.Sort), Statut: stringOf(p.Statut), TypeContrat: stringOf(p.TypeContrat), ClientID: p.ClientId}
	cols := []C{{Titre: "N°", Kind: rapports.Entier}, {Titre: "Numéro"}, {Titre: "Nom"}, {Titre: "Client n°", Kind: rapports.Entier},
		{Titre: "Client"}, {Titre: "Type"}, {Titre: "Statut"}, {Titre: "Début", Kind: rapports.Date}, {Titre: "Fin", Kind: rapports.Date},
		{Titre: "Montant annuel", Kind: rapports.Monnaie}, {Titre: "Interventions incluses", Kind: rapports.Entier},
		{Titre: "Interventions utilisées", Kind: rapports.Entier}, {Titre: "Quota restant", Kind: rapports.Entier}, {Titre: "Actif"}}
	e, err := newExport(ctx, s, "contrats", "Contrats", stringOf(p.Format), p.Limit, cols,
		func(limit, offset int) ([]clients.Contrat, error) {
			f.Limit, f.Offset = limit, offset
			rows, _, err := s.deps.Clients.ListContrats(ctx, principal(ctx), f)
			return rows, err
		},
		func(c clients.Contrat, n *rapports.Names) { n.Clients = append(n.Clients, c.ClientID) },
		func(c clients.Contrat, n *rapports.Names) []any {
			return []any{c.ID, c.NumeroContrat, c.NomContrat, c.ClientID, n.Of("client", &c.ClientID), string(c.TypeContrat),
				string(c.Statut), c.DateDebut, c.DateFin, c.MontantAnnuel, int32Of(c.NbInterventionsIncluses),
				int64(c.NbInterventionsUtilisees), intOf(c.QuotaRestant), c.EstActif}
		})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ExportPlannings is GET /planning/export.
func (s *Server) ExportPlannings(ctx context.Context, req api.ExportPlanningsRequestObject) (api.ExportPlanningsResponseObject, error) {
	p := req.Params
	f := planning.ListFilter{Sort: stringOf(p.Sort), EquipementID: p.EquipementId, Statut: (*string)(p.Statut), DueBefore: dateOf(p.DueBefore)}
	cols := []C{{Titre: "N°", Kind: rapports.Entier}, {Titre: "Équipement n°", Kind: rapports.Entier}, {Titre: "Équipement"},
		{Titre: "Intervention type"}, {Titre: "Fréquence"}, {Titre: "Intervalle", Kind: rapports.Entier}, {Titre: "Base"},
		{Titre: "Statut"}, {Titre: "Prochaine date", Kind: rapports.Date}, {Titre: "Dernière date", Kind: rapports.Date},
		{Titre: "Durée estimée", Unite: "min", Kind: rapports.Entier}, {Titre: "En retard"}, {Titre: "Jours de retard", Kind: rapports.Entier},
		{Titre: "Occurrences manquées", Kind: rapports.Entier}}
	e, err := newExport(ctx, s, "planning", "Planning", stringOf(p.Format), p.Limit, cols,
		func(limit, offset int) ([]planning.Plan, error) {
			f.Limit, f.Offset = limit, offset
			rows, _, err := s.deps.Planning.List(ctx, principal(ctx), f)
			return rows, err
		},
		func(pl planning.Plan, n *rapports.Names) { n.Equipements = append(n.Equipements, pl.EquipementID) },
		func(pl planning.Plan, n *rapports.Names) []any {
			return []any{pl.ID, pl.EquipementID, n.Of("equipement", &pl.EquipementID), pl.ModeleTitre, string(pl.Frequence),
				int64(pl.Intervalle), string(pl.Base), string(pl.Statut), pl.ProchaineDate, pl.DerniereDate,
				int32Of(pl.ModeleDureeMinutes), pl.EstEnRetard, int64(pl.JoursRetard), int64(pl.OccurrencesManquees)}
		})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ExportMouvementsStock is GET /pieces/mouvements/export.
func (s *Server) ExportMouvementsStock(ctx context.Context, req api.ExportMouvementsStockRequestObject) (api.ExportMouvementsStockResponseObject, error) {
	p := req.Params
	f := pieces.MouvementFilter{PieceID: p.PieceId, Type: stringOf(p.TypeMouvement), InterventionID: p.InterventionId,
		UserID: p.UserId, Depuis: p.Depuis, JusquA: p.JusquA}
	cols := []C{{Titre: "N°", Kind: rapports.Entier}, {Titre: "Date", Kind: rapports.DateHeure}, {Titre: "Pièce n°", Kind: rapports.Entier},
		{Titre: "Référence"}, {Titre: "Pièce"}, {Titre: "Type"}, {Titre: "Quantité", Kind: rapports.Entier},
		{Titre: "Stock avant", Kind: rapports.Entier}, {Titre: "Stock après", Kind: rapports.Entier},
		{Titre: "Coût unitaire", Kind: rapports.Monnaie}, {Titre: "Valeur", Kind: rapports.Monnaie}, {Titre: "Motif"},
		{Titre: "Intervention n°", Kind: rapports.Entier}, {Titre: "Utilisateur n°", Kind: rapports.Entier}, {Titre: "Utilisateur"}}
	e, err := newExport(ctx, s, "mouvements", "Mouvements de stock", stringOf(p.Format), p.Limit, cols,
		func(limit, offset int) ([]pieces.Mouvement, error) {
			f.Limit, f.Offset = limit, offset
			rows, _, err := s.deps.Pieces.Mouvements(ctx, principal(ctx), f)
			return rows, err
		},
		func(m pieces.Mouvement, n *rapports.Names) { n.Users = append(n.Users, m.UserID) },
		func(m pieces.Mouvement, n *rapports.Names) []any {
			return []any{m.ID, m.DateMouvement, m.PieceID, m.PieceReference, m.PieceNom, string(m.TypeMouvement), int64(m.Quantite),
				int64(m.StockAvant), int64(m.StockApres), m.CoutUnitaire, m.Valeur(), m.Motif, m.InterventionID, m.UserID,
				n.Of("user", &m.UserID)}
		})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ExportNotifications is GET /notifications/export.
func (s *Server) ExportNotifications(ctx context.Context, req api.ExportNotificationsRequestObject) (api.ExportNotificationsResponseObject, error) {
	p := req.Params
	f := notificationFilter(nil, nil, p.Type, p.Lue)
	f.UserID, f.InterventionID = p.UserId, p.InterventionId
	cols := []C{{Titre: "N°", Kind: rapports.Entier}, {Titre: "Date", Kind: rapports.DateHeure}, {Titre: "Utilisateur n°", Kind: rapports.Entier},
		{Titre: "Utilisateur"}, {Titre: "Type"}, {Titre: "Canal"}, {Titre: "Titre"}, {Titre: "Contenu"},
		{Titre: "Intervention n°", Kind: rapports.Entier}, {Titre: "Lue le", Kind: rapports.DateHeure}}
	e, err := newExport(ctx, s, "notifications", "Notifications", stringOf(p.Format), p.Limit, cols,
		func(limit, offset int) ([]notifications.Notification, error) {
			f.Limit, f.Offset = limit, offset
			rows, _, err := s.deps.Notifications.List(ctx, f)
			return rows, err
		},
		func(nt notifications.Notification, n *rapports.Names) { n.Users = append(n.Users, nt.UserID) },
		func(nt notifications.Notification, n *rapports.Names) []any {
			return []any{nt.ID, nt.CreatedAt, nt.UserID, n.Of("user", &nt.UserID), string(nt.Type), string(nt.Canal), nt.Titre,
				nt.Contenu, nt.InterventionID, nt.ReadAt}
		})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// exportPiecesXLSX is GET /pieces/export as a workbook.
func (s *Server) exportPiecesXLSX(ctx context.Context, p api.ExportPiecesParams) (api.ExportPiecesResponseObject, error) {
	f := pieces.Filter{Actif: p.Actif, Sort: "reference"}
	cols := []C{{Titre: "N°", Kind: rapports.Entier}, {Titre: "Référence"}, {Titre: "Pièce"}, {Titre: "Marque"},
		{Titre: "Fournisseur"}, {Titre: "Emplacement"}, {Titre: "Stock", Kind: rapports.Entier}, {Titre: "Réservé", Kind: rapports.Entier},
		{Titre: "Minimum", Kind: rapports.Entier}, {Titre: "Maximum", Kind: rapports.Entier}, {Titre: "Prix unitaire", Kind: rapports.Monnaie},
		{Titre: "Coût moyen", Kind: rapports.Monnaie}, {Titre: "Valeur du stock", Kind: rapports.Monnaie}, {Titre: "État du stock"},
		{Titre: "Active"}}
	e, err := newExport(ctx, s, "pieces", "Pièces", "excel", p.Limit, cols,
		func(limit, offset int) ([]pieces.Piece, error) {
			f.Limit, f.Offset = limit, offset
			rows, _, err := s.deps.Pieces.List(ctx, principal(ctx), f)
			return rows, err
		}, noNames[pieces.Piece],
		func(pc pieces.Piece, _ *rapports.Names) []any {
			return []any{pc.ID, pc.Reference, pc.Nom, pc.Marque, pc.Fournisseur, pc.Emplacement, int64(pc.StockActuel),
				int64(pc.StockReserve), int64(pc.StockMinimum), int32Of(pc.StockMaximum), pc.PrixUnitaire, pc.CoutMoyen,
				int64(pc.StockActuel) * pc.CoutMoyen, pc.EtatStock(), pc.IsActive}
		})
	if err != nil {
		return nil, err
	}
	return e, nil
}

func appendID(ids []int64, id *int64) []int64 {
	if id == nil {
		return ids
	}
	return append(ids, *id)
}

func int32Of(v *int32) *int64 {
	if v == nil {
		return nil
	}
	x := int64(*v)
	return &x
}

func intOf(v *int) *int64 {
	if v == nil {
		return nil
	}
	x := int64(*v)
	return &x
}
