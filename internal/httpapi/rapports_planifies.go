package httpapi

import (
	"context"
	"strconv"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/rapports"
)

// ListRapportModeles is GET /rapports/modeles.
func (s *Server) ListRapportModeles(ctx context.Context, req api.ListRapportModelesRequestObject) (api.ListRapportModelesResponseObject, error) {
	rows, total, err := s.deps.Rapports.Modeles(ctx, principal(ctx), valueOr(req.Params.Limit, 0), valueOr(req.Params.Offset, 0))
	if err != nil {
		return nil, err
	}
	return api.ListRapportModeles200JSONResponse{Body: mapAll(rows, toAPIModele),
		Headers: api.ListRapportModeles200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// CreateRapportModele is POST /rapports/modeles.
func (s *Server) CreateRapportModele(ctx context.Context, req api.CreateRapportModeleRequestObject) (api.CreateRapportModeleResponseObject, error) {
	m, err := s.deps.Rapports.CreateModele(ctx, principal(ctx), rapportModeleInput(*req.Body))
	if err != nil {
		return nil, err
	}
	loc := APIPrefix + "/rapports/modeles/" + strconv.FormatInt(m.ID, 10)
	return api.CreateRapportModele201JSONResponse{Body: toAPIModele(m), Headers: api.CreateRapportModele201ResponseHeaders{Location: &loc}}, nil
}

// GetRapportModele is GET /rapports/modeles/{modele_id}.
func (s *Server) GetRapportModele(ctx context.Context, req api.GetRapportModeleRequestObject) (api.GetRapportModeleResponseObject, error) {
	m, err := s.deps.Rapports.Modele(ctx, principal(ctx), req.ModeleId)
	if err != nil {
		return nil, err
	}
	return api.GetRapportModele200JSONResponse(toAPIModele(m)), nil
}

// UpdateRapportModele is PUT /rapports/modeles/{modele_id}.
func (s *Server) UpdateRapportModele(ctx context.Context, req api.UpdateRapportModeleRequestObject) (api.UpdateRapportModeleResponseObject, error) {
	m, err := s.deps.Rapports.UpdateModele(ctx, principal(ctx), req.ModeleId, rapportModeleInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.UpdateRapportModele200JSONResponse(toAPIModele(m)), nil
}

// DeleteRapportModele is DELETE /rapports/modeles/{modele_id}.
func (s *Server) DeleteRapportModele(ctx context.Context, req api.DeleteRapportModeleRequestObject) (api.DeleteRapportModeleResponseObject, error) {
	if err := s.deps.Rapports.DeleteModele(ctx, principal(ctx), req.ModeleId); err != nil {
		return nil, err
	}
	return api.DeleteRapportModele204Response{}, nil
}

// GenerateRapportModele is POST /rapports/modeles/{modele_id}/generer.
func (s *Server) GenerateRapportModele(ctx context.Context, req api.GenerateRapportModeleRequestObject) (api.GenerateRapportModeleResponseObject, error) {
	r, err := s.deps.Rapports.GenerateModele(ctx, principal(ctx), req.ModeleId)
	if err != nil {
		return nil, err
	}
	loc := rapportPath(r.ID)
	return api.GenerateRapportModele202JSONResponse{Body: s.toAPIRapport(r), Headers: api.GenerateRapportModele202ResponseHeaders{Location: &loc}}, nil
}

// ListRapportPlanifies is GET /rapports/planifies.
func (s *Server) ListRapportPlanifies(ctx context.Context, req api.ListRapportPlanifiesRequestObject) (api.ListRapportPlanifiesResponseObject, error) {
	rows, total, err := s.deps.Rapports.Planifies(ctx, principal(ctx), valueOr(req.Params.Limit, 0), valueOr(req.Params.Offset, 0))
	if err != nil {
		return nil, err
	}
	return api.ListRapportPlanifies200JSONResponse{Body: mapAll(rows, toAPIPlanifie),
		Headers: api.ListRapportPlanifies200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// CreateRapportPlanifie is POST /rapports/planifies.
func (s *Server) CreateRapportPlanifie(ctx context.Context, req api.CreateRapportPlanifieRequestObject) (api.CreateRapportPlanifieResponseObject, error) {
	p, err := s.deps.Rapports.CreatePlanifie(ctx, principal(ctx), rapportPlanifieInput(*req.Body))
	if err != nil {
		return nil, err
	}
	loc := APIPrefix + "/rapports/planifies/" + strconv.FormatInt(p.ID, 10)
	return api.CreateRapportPlanifie201JSONResponse{Body: toAPIPlanifie(p), Headers: api.CreateRapportPlanifie201ResponseHeaders{Location: &loc}}, nil
}

// GetRapportPlanifie is GET /rapports/planifies/{planification_id}.
func (s *Server) GetRapportPlanifie(ctx context.Context, req api.GetRapportPlanifieRequestObject) (api.GetRapportPlanifieResponseObject, error) {
	p, err := s.deps.Rapports.Planifie(ctx, principal(ctx), req.PlanificationId)
	if err != nil {
		return nil, err
	}
	return api.GetRapportPlanifie200JSONResponse(toAPIPlanifie(p)), nil
}

// UpdateRapportPlanifie is PUT /rapports/planifies/{planification_id}.
func (s *Server) UpdateRapportPlanifie(ctx context.Context, req api.UpdateRapportPlanifieRequestObject) (api.UpdateRapportPlanifieResponseObject, error) {
	p, err := s.deps.Rapports.UpdatePlanifie(ctx, principal(ctx), req.PlanificationId, rapportPlanifieInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.UpdateRapportPlanifie200JSONResponse(toAPIPlanifie(p)), nil
}

// DeleteRapportPlanifie is DELETE /rapports/planifies/{planification_id}.
func (s *Server) DeleteRapportPlanifie(ctx context.Context, req api.DeleteRapportPlanifieRequestObject) (api.DeleteRapportPlanifieResponseObject, error) {
	if err := s.deps.Rapports.DeletePlanifie(ctx, principal(ctx), req.PlanificationId); err != nil {
		return nil, err
	}
	return api.DeleteRapportPlanifie204Response{}, nil
}

func rapportModeleInput(b api.RapportModeleInput) rapports.ModeleInput {
	in := rapports.ModeleInput{Nom: b.Nom, Description: b.Description, Type: string(b.Type), Format: string(b.Format),
		TitreModele: b.TitreModele, Periode: stringOf(b.Periode), Filtres: filtresOf(b.Filtres)}
	if b.Separateur != nil {
		sep := string(*b.Separateur)
		in.Separateur = &sep
	}
	return in
}

func rapportPlanifieInput(b api.RapportPlanifieInput) rapports.PlanifieInput {
	in := rapports.PlanifieInput{Nom: b.Nom, ModeleID: b.ModeleId, Cron: b.Cron, Fuseau: b.Fuseau, Actif: b.Actif}
	if b.Destinataires.Utilisateurs != nil {
		in.Users = *b.Destinataires.Utilisateurs
	}
	if b.Destinataires.Emails != nil {
		for _, e := range *b.Destinataires.Emails {
			in.Emails = append(in.Emails, string(e))
		}
	}
	if b.Envoi != nil {
		e := string(*b.Envoi)
		in.Envoi = &e
	}
	return in
}

// filtresOf is a report's filters from the API's.
func filtresOf(f *api.RapportFiltres) rapports.Filtres {
	if f == nil {
		return rapports.Filtres{}
	}
	out := rapports.Filtres{EquipementID: f.EquipementId, ClientID: f.ClientId, TechnicienID: f.TechnicienId}
	if f.TypeIntervention != nil {
		t := string(*f.TypeIntervention)
		out.TypeIntervention = &t
	}
	return out
}
