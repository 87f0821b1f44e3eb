package apitypes

import (
	"encoding/json"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

// TestDateEncodesLikeOpenAPIDate: the same bytes as openapi_types.Date, null when nil, and it
// decodes back.
func TestDateEncodesLikeOpenAPIDate(t *testing.T) {
	d := Of(time.Date(2026, 3, 4, 23, 30, 0, 0, time.FixedZone("+01", 3600)))
	type row struct {
		D    Date  `json:"d"`
		P    *Date `json:"p"`
		None *Date `json:"none"`
	}
	got, err := json.Marshal(row{D: d, P: &d})
	if err != nil {
		t.Fatal(err)
	}
	type generated struct {
		D    openapi_types.Date  `json:"d"`
		P    *openapi_types.Date `json:"p"`
		None *openapi_types.Date `json:"none"`
	}
	want, err := json.Marshal(generated{D: d.Date, P: &d.Date})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) || string(got) != `{"d":"2026-03-04","p":"2026-03-04","none":null}` {
		t.Errorf("got %s, want %s", got, want)
	}
	var back row
	if err := json.Unmarshal(got, &back); err != nil || back.D.String() != "2026-03-04" || back.P.String() != "2026-03-04" || back.None != nil {
		t.Errorf("decoded %+v, %v", back, err)
	}
}
