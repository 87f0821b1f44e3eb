package httpapi

import (
	"context"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/kpis"
)

// GetKpis is GET /kpis.
func (s *Server) GetKpis(ctx context.Context, req api.GetKpisRequestObject) (api.GetKpisResponseObject, error) {
	p := req.Params
	var typ *string
	if p.Type != nil {
		t := string(*p.Type)
		typ = &t
	}
	r, err := s.deps.Kpis.Get(ctx, principal(ctx), kpis.Params{From: dateOf(p.From), To: dateOf(p.To),
		EquipementID: p.EquipementId, ClientID: p.ClientId, Type: typ,
		Granularite: stringOf(p.Granularite), ReglePM: stringOf(p.ReglePm)})
	if err != nil {
		return nil, err
	}
	return api.GetKpis200JSONResponse(toAPIKpis(r)), nil
}
