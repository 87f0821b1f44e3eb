package httpapi

import (
	"context"
	"encoding/csv"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/csvin"
	"github.com/mif-erp/erp/internal/interventions"
)

// ExportInterventions is GET /interventions/export: the filtered, scoped list as CSV.
func (s *Server) ExportInterventions(ctx context.Context, req api.ExportInterventionsRequestObject) (api.ExportInterventionsResponseObject, error) {
	p := req.Params
	f := interventionFilter(exportParams(p))
	if p.Limit == nil {
		f.Limit = interventions.DefaultExportRows
	}
	if err := interventions.CheckExport(f); err != nil {
		return nil, err
	}
	return csvExport{ctx: ctx, svc: s.deps.Interventions, actor: principal(ctx), filter: f, log: s.deps.Logger}, nil
}

// csvExport streams the export while the response is written. It keeps the request context
// because the generated visitor gets only the writer; the context ends with the request.
type csvExport struct {
	ctx    context.Context
	svc    *interventions.Service
	actor  auth.Principal
	filter interventions.Filter
	log    *slog.Logger
}

var csvHeader = []string{"id", "titre", "type", "statut", "priorite", "urgence", "equipement_id", "technicien_id",
	"client_id", "contrat_id", "date_creation", "date_limite", "date_cloture", "est_en_retard", "cout_total",
	"duree_minutes", "satisfaction_client"}

func (e csvExport) VisitExportInterventionsResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="interventions-`+time.Now().UTC().Format("20060102")+`.csv"`)
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("\xEF\xBB\xBF")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	err := e.svc.Export(e.ctx, e.actor, e.filter, func(v interventions.Intervention) error {
		return cw.Write([]string{
			strconv.FormatInt(v.ID, 10), csvin.SafeCell(v.Titre), string(v.TypeIntervention), string(v.Statut),
			string(v.Priorite), strconv.FormatBool(v.Urgence), strconv.FormatInt(v.EquipementID, 10),
			optInt(v.TechnicienID), optInt(v.ClientID), optInt(v.ContratID), v.DateCreation.UTC().Format(time.RFC3339),
			optTime(v.DateLimite), optTime(v.DateCloture), strconv.FormatBool(v.EstEnRetard),
			strconv.FormatInt(v.CoutTotal, 10), optInt32(v.DureeMinutes), optInt16(v.SatisfactionClient),
		})
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		// The status line is gone: all that is left is to log and cut the response short.
		e.log.ErrorContext(e.ctx, "export interrupted", "error", err)
	}
	return err
}

func optInt(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func optInt32(p *int32) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(int(*p))
}

func optInt16(p *int16) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(int(*p))
}

func optTime(p *time.Time) string {
	if p == nil {
		return ""
	}
	return p.UTC().Format(time.RFC3339)
}
